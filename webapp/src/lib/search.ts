// Message search: the search box's hints (from:, in:, on:/before:/after:, -, "…") and highlighting
// of the matched terms. Highlighting works on plain text and returns plain segments, so callers
// render them as text nodes — a message never becomes markup.

import type {SearchParameter} from '@mattermost/types/search';
import {defineMessages} from 'react-intl';

import {intl} from '../i18n';

export const SEARCH_PAGE = 20;

export type HintKind = 'help' | 'from' | 'in' | 'date';

/** What the word under the caret asks for. `start`/`end` span the whole word being replaced. */
export type SearchHint = {kind: HintKind; term: string; start: number; end: number; prefix: string};

export type HelpItem = {value: string; label: string; detail: string};

const HELP = defineMessages({
    from: {id: 'search.help.from', defaultMessage: 'Messages from a person'},
    in: {id: 'search.help.in', defaultMessage: 'Messages in a channel or direct message'},
    on: {id: 'search.help.on', defaultMessage: 'Messages on a date (YYYY-MM-DD)'},
    before: {id: 'search.help.before', defaultMessage: 'Messages before a date'},
    after: {id: 'search.help.after', defaultMessage: 'Messages after a date'},
    exclude: {id: 'search.help.exclude', defaultMessage: 'Exclude a word or filter: -draft, -from:bot'},
    phrase: {id: 'search.help.phrase', defaultMessage: 'An exact phrase: "release notes"'},
    today: {id: 'date.today', defaultMessage: 'Today'},
    yesterday: {id: 'date.yesterday', defaultMessage: 'Yesterday'},
    week: {id: 'search.week_ago', defaultMessage: 'A week ago'},
});

const HELP_ITEMS: {value: string; label: string; detail: keyof typeof HELP}[] = [
    {value: 'from:', label: 'from:', detail: 'from'},
    {value: 'in:', label: 'in:', detail: 'in'},
    {value: 'on:', label: 'on:', detail: 'on'},
    {value: 'before:', label: 'before:', detail: 'before'},
    {value: 'after:', label: 'after:', detail: 'after'},
    {value: '-', label: '-', detail: 'exclude'},
    {value: '""', label: '"…"', detail: 'phrase'},
];

const KEYWORDS = ['from', 'in', 'on', 'before', 'after'];
const DATE_KEYWORDS = new Set(['on', 'before', 'after']);

/** True when the caret is inside an unclosed "phrase" (no hints there). */
function inPhrase(upto: string): boolean {
    return ((upto.match(/"/g) ?? []).length % 2) === 1;
}

/** The hint for the word at `caret` in `text`, or null when nothing helps. */
export function hintAt(text: string, caret: number): SearchHint | null {
    const upto = text.slice(0, caret);
    if (inPhrase(upto)) {
        return null;
    }
    const start = upto.search(/\S*$/);
    const tail = /^\S*/.exec(text.slice(caret))?.[0] ?? '';
    const end = caret + tail.length;
    const word = text.slice(start, caret);
    const negate = word.startsWith('-') ? '-' : '';
    const bare = word.slice(negate.length);
    const m = /^([a-z]+):(.*)$/i.exec(bare);
    if (m) {
        const key = m[1].toLowerCase();
        if (key === 'from' || key === 'in') {
            // from:@alice is from:alice; in:~town-square is in:town-square (in:@bob is a DM).
            const term = m[2].replace(key === 'from' ? /^@/ : /^~/, '');
            return {kind: key, term, start, end, prefix: `${negate}${key}:`};
        }
        if (DATE_KEYWORDS.has(key)) {
            return {kind: 'date', term: m[2], start, end, prefix: `${negate}${key}:`};
        }
        return null;
    }
    if (!bare || (/^[a-z]+$/i.test(bare) && KEYWORDS.some((k) => k.startsWith(bare.toLowerCase())))) {
        return {kind: 'help', term: bare.toLowerCase(), start, end, prefix: negate};
    }
    return null;
}

/** Help items that fit the partial word ("fr" → from:); all of them for an empty word. */
export function helpItems(hint: SearchHint): HelpItem[] {
    const fit = !hint.term
        ? (hint.prefix ? HELP_ITEMS.filter((i) => i.value.endsWith(':')) : HELP_ITEMS)
        : HELP_ITEMS.filter((i) => i.value.endsWith(':') && i.value.startsWith(hint.term));
    return fit.map((i) => ({...i, detail: intl().formatMessage(HELP[i.detail])}));
}

/** Replaces the hinted word with `value` (kept open after a `key:`); returns the text and caret. */
export function applyHint(text: string, hint: SearchHint, value: string): {text: string; caret: number} {
    const before = text.slice(0, hint.start);
    const after = text.slice(hint.end).replace(/^\s+/, '');
    let insert: string;
    let caretOffset: number;
    if (hint.kind === 'help') {
        insert = hint.prefix + value;
        // "" puts the caret between the quotes; a key: or - waits for its argument.
        caretOffset = value === '""' ? insert.length - 1 : insert.length;
    } else {
        insert = hint.prefix + value + ' ';
        caretOffset = insert.length;
    }
    const sep = after && !insert.endsWith(' ') && hint.kind !== 'help' ? ' ' : '';
    return {text: before + insert + sep + after, caret: before.length + caretOffset};
}

function pad(n: number): string {
    return String(n).padStart(2, '0');
}

export function isoDay(d: Date): string {
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Date suggestions for on:/before:/after: (today, yesterday, a week ago) that fit what is typed. */
export function dateItems(term: string, now = new Date()): HelpItem[] {
    const day = (offset: number) => new Date(now.getFullYear(), now.getMonth(), now.getDate() - offset);
    const items = [
        {value: isoDay(day(0)), label: isoDay(day(0)), detail: intl().formatMessage(HELP.today)},
        {value: isoDay(day(1)), label: isoDay(day(1)), detail: intl().formatMessage(HELP.yesterday)},
        {value: isoDay(day(7)), label: isoDay(day(7)), detail: intl().formatMessage(HELP.week)},
    ];
    return items.filter((i) => i.value.startsWith(term));
}

/** Mattermost's search request for the browser's time zone (seconds east of UTC). */
export function searchParams(terms: string, page: number, perPage = SEARCH_PAGE, now = new Date()): SearchParameter {
    return {
        terms: terms.trim(),
        is_or_search: false,
        time_zone_offset: -now.getTimezoneOffset() * 60,
        include_deleted_channels: false,
        page,
        per_page: perPage,
    };
}

// ---------------------------------------------------------------- highlighting

const ACCENTED_SCRIPTS = (cp: number) => cp < 0x0530 || (cp >= 0x1e00 && cp <= 0x1fff);

/** One character folded as the server folds it: lower case; accents off Latin, Greek, Cyrillic. */
function foldChar(ch: string): string {
    const cp = ch.codePointAt(0) ?? 0;
    let s = ch.normalize('NFKD');
    const base = s.codePointAt(0) ?? cp;
    if (ACCENTED_SCRIPTS(base)) {
        s = s.replace(/\p{M}/gu, '');
    }
    return s.toLowerCase().normalize('NFC');
}

export function fold(text: string): string {
    let out = '';
    for (const ch of text) {
        out += foldChar(ch);
    }
    return out;
}

/** The terms to highlight from the response's `matches` (quotes, `*` and `-` removed, folded). */
export function highlightTerms(matched: string[] | undefined): string[] {
    const out = new Set<string>();
    for (const raw of matched ?? []) {
        const t = fold(raw.trim().replace(/^-/, '').replace(/^"(.*)"?$/s, '$1').replace(/"$/, '').replace(/\*+$/, '').trim());
        if (t) {
            out.add(t);
        }
    }
    return [...out].sort((a, b) => b.length - a.length);
}

export type Segment = {text: string; hit: boolean};

function escapeRe(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits `text` into plain and matched segments: case- and accent-insensitive, inside words too. */
export function highlightSegments(text: string, terms: string[]): Segment[] {
    if (!text || !terms.length) {
        return text ? [{text, hit: false}] : [];
    }
    // Fold character by character, remembering where each folded unit came from.
    let folded = '';
    const from: number[] = [];
    const to: number[] = [];
    let i = 0;
    for (const ch of text) {
        const f = foldChar(ch);
        for (let k = 0; k < f.length; k++) {
            from.push(i);
            to.push(i + ch.length);
        }
        folded += f;
        i += ch.length;
    }
    // Each term on its own, so overlapping matches ("deploy", "ploym") both count; then merge.
    const found: Array<[number, number]> = [];
    for (const t of terms) {
        const re = new RegExp(escapeRe(t).replace(/\s+/g, '\\s+'), 'gu');
        for (const m of folded.matchAll(re)) {
            if (m[0]) {
                found.push([from[m.index], to[m.index + m[0].length - 1]]);
            }
        }
    }
    found.sort((x, y) => x[0] - y[0] || y[1] - x[1]);
    const ranges: Array<[number, number]> = [];
    for (const [a, b] of found) {
        const last = ranges[ranges.length - 1];
        if (last && a <= last[1]) {
            last[1] = Math.max(last[1], b);
        } else {
            ranges.push([a, b]);
        }
    }
    const out: Segment[] = [];
    let at = 0;
    for (const [a, b] of ranges) {
        if (a > at) {
            out.push({text: text.slice(at, a), hit: false});
        }
        out.push({text: text.slice(a, b), hit: true});
        at = b;
    }
    if (at < text.length) {
        out.push({text: text.slice(at), hit: false});
    }
    return out;
}
