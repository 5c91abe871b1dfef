// Emoji shortcodes: names → characters, skin tones, recent emoji and search. The table itself
// (lib/emoji_data.ts) is its own chunk, fetched on first use with loadEmoji(); until it is here,
// emojiFor() knows only the quick reactions and searchEmoji() finds nothing, and components that show
// emoji re-render when it arrives (subscribeEmoji; components/useEmoji.ts).
import type {EmojiCategory} from './emoji_data';

export type {EmojiCategory};

export const QUICK_REACTIONS = ['+1', 'white_check_mark', 'heart', 'joy', 'tada', 'eyes'];
/** The quick reactions' characters, known before the table loads (every post's hover bar shows them). */
const QUICK_CHARS: Record<string, string> = {'+1': '👍', white_check_mark: '✅', heart: '❤️', joy: '😂', tada: '🎉', eyes: '👀'};

let categories: EmojiCategory[] = [];
let MAP: Map<string, string> | null = null;
let pending: Promise<void> | null = null;
const listeners = new Set<() => void>();

/** Whether the emoji table has loaded. */
export function emojiLoaded(): boolean {
    return MAP !== null;
}

/** Fetches the emoji table once (a failed fetch may be retried). */
export function loadEmoji(): Promise<void> {
    pending ??= import('./emoji_data').then((m) => installEmoji(m.EMOJI_CATEGORIES), (e: unknown) => {
        pending = null;
        throw e;
    });
    return pending;
}

/** Calls ``fn`` when the table arrives; returns the unsubscribe function. */
export function subscribeEmoji(fn: () => void): () => void {
    listeners.add(fn);
    return () => {
        listeners.delete(fn);
    };
}

function installEmoji(list: EmojiCategory[]): void {
    const map = new Map<string, string>();
    for (const cat of list) {
        for (const [name, char, ...aliases] of cat.emoji) {
            map.set(name, char);
            for (const a of aliases) {
                map.set(a, char);
            }
        }
    }
    categories = list;
    MAP = map;
    for (const fn of [...listeners]) {
        fn();
    }
}

/** The picker's categories (empty until the table has loaded). */
export function emojiCategories(): EmojiCategory[] {
    return categories;
}

// Skin tones (Mattermost's `emoji_skintone` preference: "default" or the modifier's code point) for the
// hand emoji; a toned emoji is named `<name>_<tone>` (`+1_medium_skin_tone`).
export const SKIN_TONES = [
    {code: 'default', name: '', mod: ''},
    {code: '1F3FB', name: 'light_skin_tone', mod: '\u{1F3FB}'},
    {code: '1F3FC', name: 'medium_light_skin_tone', mod: '\u{1F3FC}'},
    {code: '1F3FD', name: 'medium_skin_tone', mod: '\u{1F3FD}'},
    {code: '1F3FE', name: 'medium_dark_skin_tone', mod: '\u{1F3FE}'},
    {code: '1F3FF', name: 'dark_skin_tone', mod: '\u{1F3FF}'},
] as const;

const TONEABLE = new Set(['wave', 'raised_hand', 'hand', 'ok_hand', 'v', 'crossed_fingers', 'point_up', 'point_right', 'point_left',
    '+1', 'thumbsup', '-1', 'thumbsdown', 'fist', 'facepunch', 'punch', 'clap', 'raised_hands', 'open_hands', 'pray', 'muscle']);
const TONE_SUFFIX = /_((?:medium_)?(?:light|dark)|medium)_skin_tone$/;

/** Whether the emoji comes in skin tones. */
export function hasSkinTones(name: string): boolean {
    return TONEABLE.has(name);
}

/** The name of ``name`` in skin tone ``code`` (itself for the default tone or an emoji without tones). */
export function withSkinTone(name: string, code: string): string {
    const tone = SKIN_TONES.find((t) => t.code === code);
    return tone && tone.name && TONEABLE.has(name) ? `${name}_${tone.name}` : name;
}

/** The character for a shortcode name (without colons), or undefined. */
export function emojiFor(name: string): string | undefined {
    const found = MAP ? MAP.get(name) : QUICK_CHARS[name];
    if (found !== undefined) {
        return found;
    }
    const m = TONE_SUFFIX.exec(name);
    const base = m ? name.slice(0, m.index) : '';
    const tone = m && SKIN_TONES.find((t) => t.name === `${m[1]}_skin_tone`);
    if (!tone || !TONEABLE.has(base)) {
        return undefined;
    }
    const char = MAP?.get(base);
    return char === undefined ? undefined : char.replace('\uFE0F', '') + tone.mod;
}

export type RecentEmoji = {name: string; usageCount: number};
export const RECENT_EMOJI_MAX = 24;

/** The `recent_emojis` preference's list (Mattermost's shape), most recent first. */
export function parseRecent(value: string | undefined): RecentEmoji[] {
    try {
        const list: unknown = JSON.parse(value || '[]');
        return Array.isArray(list) ? list.filter((e): e is RecentEmoji => typeof e?.name === 'string' && (!MAP || emojiFor(e.name) !== undefined)) : [];
    } catch {
        return [];
    }
}

/** The list after using ``name``: it moves to the front, counted once more. */
export function noteRecent(list: RecentEmoji[], name: string): RecentEmoji[] {
    const old = list.find((e) => e.name === name);
    return [{name, usageCount: (old?.usageCount ?? 0) + 1}, ...list.filter((e) => e.name !== name)].slice(0, RECENT_EMOJI_MAX);
}


/** Emoji whose name (or alias) contains the query, primary names first (none before the table loads). */
export function searchEmoji(query: string, limit = 60): Array<{name: string; char: string}> {
    const q = query.toLowerCase().replace(/^:|:$/g, '');
    const out: Array<{name: string; char: string}> = [];
    const seen = new Set<string>();
    for (const cat of categories) {
        for (const [name, char, ...aliases] of cat.emoji) {
            if (seen.has(name)) {
                continue;
            }
            if (!q || name.includes(q) || aliases.some((a) => a.includes(q))) {
                seen.add(name);
                out.push({name, char});
            }
        }
    }
    const rank = (name: string) => (name === q ? 0 : name.startsWith(q) ? 1 : 2);
    out.sort((a, b) => rank(a.name) - rank(b.name));
    return out.slice(0, limit);
}
