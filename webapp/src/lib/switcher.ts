// The channel switcher (Ctrl/Cmd+K): which of my channels and conversations match what was typed.

export type SwitchItem = {id: string; title: string; name: string; kind: 'O' | 'P' | 'D' | 'G'; unread: boolean; lastPostAt: number};

function norm(s: string): string {
    return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Matches for ``query`` (title or handle; word starts before the rest), unread and recent first; with an
 * empty query, the unread and most recently active conversations. */
export function switcherMatches(items: SwitchItem[], query: string, limit = 20): SwitchItem[] {
    const q = norm(query.trim().replace(/^[~@]/, ''));
    const rank = (it: SwitchItem): number => {
        if (!q) {
            return 0;
        }
        const title = norm(it.title);
        const name = norm(it.name);
        if (title.startsWith(q) || name.startsWith(q)) {
            return 0;
        }
        if (title.split(/[\s_.-]+/).some((w) => w.startsWith(q)) || name.split(/[_.-]+/).some((w) => w.startsWith(q))) {
            return 1;
        }
        return title.includes(q) || name.includes(q) ? 2 : -1;
    };
    return items
        .map((it) => ({it, r: rank(it)}))
        .filter((x) => x.r >= 0)
        .sort((a, b) => a.r - b.r || Number(b.it.unread) - Number(a.it.unread) || b.it.lastPostAt - a.it.lastPostAt ||
            a.it.title.localeCompare(b.it.title))
        .slice(0, limit)
        .map((x) => x.it);
}
