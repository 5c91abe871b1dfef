// Finding the @mention / ~channel / :emoji: word under the caret and replacing it.

export type Trigger = {kind: '@' | '~' | ':'; term: string; start: number; end: number};

/** The autocomplete trigger that ends at the caret, if any. */
export function triggerAt(text: string, caret: number): Trigger | null {
    const upto = text.slice(0, caret);
    const m = /(^|[\s(])([@~:])([\w.+-]*)$/.exec(upto);
    if (!m) {
        return null;
    }
    const kind = m[2] as Trigger['kind'];
    const term = m[3];
    if (kind === ':' && term.length < 2) {
        return null;
    }
    const start = caret - term.length - 1;
    return {kind, term, start, end: caret};
}

/** Replaces the trigger with the completion and a trailing space; returns the text and new caret. */
export function applyCompletion(text: string, t: Trigger, completion: string): {text: string; caret: number} {
    const insert = completion + ' ';
    const rest = text.slice(t.end);
    const next = text.slice(0, t.start) + insert + rest.replace(/^\S*/, (w) => (/^[\w.-]+$/.test(w) ? '' : w));
    return {text: next, caret: t.start + insert.length};
}
