// A small Markdown dialect (Mattermost-flavoured) parsed into a tree that is rendered with React
// elements only. No HTML from a message ever reaches the DOM as markup: anything that is not
// Markdown stays text, so `<img onerror=…>` shows up literally.

import {emojiFor} from './emoji';

export type Inline =
    | {type: 'text'; text: string}
    | {type: 'code'; text: string}
    | {type: 'strong' | 'em' | 'del'; children: Inline[]}
    | {type: 'link'; href: string; children: Inline[]}
    | {type: 'mention'; name: string}
    | {type: 'channel'; name: string}
    | {type: 'emoji'; name: string; char: string}
    | {type: 'br'};

export type Block =
    | {type: 'p'; children: Inline[]}
    | {type: 'heading'; level: number; children: Inline[]}
    | {type: 'codeblock'; lang: string; text: string}
    | {type: 'quote'; children: Block[]}
    | {type: 'list'; ordered: boolean; start: number; items: Block[][]}
    | {type: 'hr'};

const SAFE_SCHEMES = /^(https?:|mailto:)/i;

/** Returns a URL safe to put in href, or null (javascript:, data:, vbscript: … are refused). */
export function safeUrl(raw: string): string | null {
    const url = raw.trim();
    if (!url) {
        return null;
    }
    if (url.startsWith('/') && !url.startsWith('//')) {
        return url;
    }
    if (url.startsWith('#')) {
        return url;
    }
    if (/^www\./i.test(url)) {
        return 'https://' + url;
    }
    // Strip control characters and whitespace browsers ignore before testing the scheme.
    // eslint-disable-next-line no-control-regex
    const compact = url.replace(/[\u0000-\u0020\u007f]/g, '');
    if (SAFE_SCHEMES.test(compact)) {
        return compact;
    }
    return null;
}

// ---------------------------------------------------------------- inline

const USERNAME_RE = /^@([a-z0-9][a-z0-9._-]*[a-z0-9_-]|[a-z0-9])/i;
const CHANNEL_RE = /^~([a-z0-9][a-z0-9_-]*)/i;
const EMOJI_RE = /^:([a-z0-9_+-]+):/i;
const AUTOLINK_RE = /^(?:https?:\/\/|www\.)[^\s<]*[^\s<.,:;"')\]!?*_~]/i;
const ESCAPABLE = '\\`*_{}[]()#+-.!~>@:|';

function isWordChar(ch: string | undefined): boolean {
    return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

function pushText(out: Inline[], text: string): void {
    if (!text) {
        return;
    }
    const last = out[out.length - 1];
    if (last && last.type === 'text') {
        last.text += text;
    } else {
        out.push({type: 'text', text});
    }
}

/** Finds the closing delimiter for an emphasis run starting at `from`, or -1. */
function findClose(src: string, from: number, delim: string): number {
    let i = from;
    while (i < src.length) {
        const ch = src[i];
        if (ch === '\\') {
            i += 2;
            continue;
        }
        if (ch === '`') {
            const end = src.indexOf('`', i + 1);
            if (end === -1) {
                return -1;
            }
            i = end + 1;
            continue;
        }
        if (src.startsWith(delim, i) && i > from && !/\s/.test(src[i - 1])) {
            if (delim === '_' || delim === '__') {
                if (isWordChar(src[i + delim.length])) {
                    i += delim.length;
                    continue;
                }
            }
            return i;
        }
        i++;
    }
    return -1;
}

function findLinkEnd(src: string, start: number): {textEnd: number; urlEnd: number} | null {
    // src[start] === '['
    let depth = 0;
    let i = start;
    for (; i < src.length; i++) {
        const ch = src[i];
        if (ch === '\\') {
            i++;
            continue;
        }
        if (ch === '[') {
            depth++;
        } else if (ch === ']') {
            depth--;
            if (depth === 0) {
                break;
            }
        }
    }
    if (i >= src.length || src[i + 1] !== '(') {
        return null;
    }
    const textEnd = i;
    let paren = 0;
    for (let j = i + 1; j < src.length; j++) {
        if (src[j] === '(') {
            paren++;
        } else if (src[j] === ')') {
            paren--;
            if (paren === 0) {
                return {textEnd, urlEnd: j};
            }
        } else if (src[j] === '\n') {
            return null;
        }
    }
    return null;
}

export function parseInline(src: string, depth = 0): Inline[] {
    const out: Inline[] = [];
    let i = 0;
    let buf = '';
    const flush = () => {
        pushText(out, buf);
        buf = '';
    };
    while (i < src.length) {
        const ch = src[i];
        const rest = src.slice(i);
        const prev = i > 0 ? src[i - 1] : undefined;

        if (ch === '\\' && i + 1 < src.length && ESCAPABLE.includes(src[i + 1])) {
            buf += src[i + 1];
            i += 2;
            continue;
        }
        if (ch === '\n') {
            flush();
            out.push({type: 'br'});
            i++;
            continue;
        }
        if (ch === '`') {
            let ticks = 1;
            while (src[i + ticks] === '`') {
                ticks++;
            }
            const fence = '`'.repeat(ticks);
            const end = src.indexOf(fence, i + ticks);
            if (end !== -1) {
                flush();
                out.push({type: 'code', text: src.slice(i + ticks, end).replace(/^ (.*) $/s, '$1')});
                i = end + ticks;
                continue;
            }
            buf += fence;
            i += ticks;
            continue;
        }
        if (depth < 8) {
            let matched = false;
            for (const [delim, type] of [['**', 'strong'], ['__', 'strong'], ['~~', 'del'], ['*', 'em'], ['_', 'em']] as const) {
                if (!rest.startsWith(delim)) {
                    continue;
                }
                if (delim[0] === '_' && isWordChar(prev)) {
                    continue;
                }
                const after = src[i + delim.length];
                if (after === undefined || /\s/.test(after)) {
                    continue;
                }
                const close = findClose(src, i + delim.length, delim);
                if (close === -1) {
                    continue;
                }
                flush();
                out.push({type, children: parseInline(src.slice(i + delim.length, close), depth + 1)});
                i = close + delim.length;
                matched = true;
                break;
            }
            if (matched) {
                continue;
            }
        }
        if (ch === '[') {
            const link = findLinkEnd(src, i);
            if (link) {
                const text = src.slice(i + 1, link.textEnd);
                const href = safeUrl(src.slice(link.textEnd + 2, link.urlEnd).trim().split(/\s+/)[0] ?? '');
                if (href) {
                    flush();
                    out.push({type: 'link', href, children: parseInline(text, depth + 1)});
                    i = link.urlEnd + 1;
                    continue;
                }
            }
        }
        if ((ch === 'h' || ch === 'H' || ch === 'w' || ch === 'W') && !isWordChar(prev)) {
            const m = AUTOLINK_RE.exec(rest);
            if (m) {
                let url = m[0];
                // Balance a trailing parenthesis: (see https://x.y/a_(b)) keeps the inner one.
                while (url.endsWith(')') && (url.match(/\(/g)?.length ?? 0) < (url.match(/\)/g)?.length ?? 0)) {
                    url = url.slice(0, -1);
                }
                const href = safeUrl(url);
                if (href) {
                    flush();
                    out.push({type: 'link', href, children: [{type: 'text', text: url}]});
                    i += url.length;
                    continue;
                }
            }
        }
        if (ch === '@' && !isWordChar(prev)) {
            const m = USERNAME_RE.exec(rest);
            if (m) {
                flush();
                out.push({type: 'mention', name: m[1].toLowerCase()});
                i += m[0].length;
                continue;
            }
        }
        if (ch === '~' && !isWordChar(prev) && src[i + 1] !== '~') {
            const m = CHANNEL_RE.exec(rest);
            if (m) {
                flush();
                out.push({type: 'channel', name: m[1].toLowerCase()});
                i += m[0].length;
                continue;
            }
        }
        if (ch === ':') {
            const m = EMOJI_RE.exec(rest);
            if (m) {
                const char = emojiFor(m[1].toLowerCase());
                if (char) {
                    flush();
                    out.push({type: 'emoji', name: m[1].toLowerCase(), char});
                    i += m[0].length;
                    continue;
                }
            }
        }
        buf += ch;
        i++;
    }
    flush();
    return out;
}

// ---------------------------------------------------------------- blocks

const FENCE_RE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/;
const HEADING_RE = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const HR_RE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE_RE = /^ {0,3}> ?(.*)$/;
const UL_RE = /^( {0,3})([-*+])\s+(.*)$/;
const OL_RE = /^( {0,3})(\d{1,9})[.)]\s+(.*)$/;

function isBlockStart(line: string): boolean {
    return FENCE_RE.test(line) || HEADING_RE.test(line) || QUOTE_RE.test(line) ||
        UL_RE.test(line) || OL_RE.test(line) || (HR_RE.test(line) && !/^\s*-\s*-\s*$/.test(line));
}

export function parseBlocks(src: string, depth = 0): Block[] {
    const lines = src.replace(/\r\n?/g, '\n').split('\n');
    const blocks: Block[] = [];
    let i = 0;
    while (i < lines.length) {
        const line = lines[i];
        if (!line.trim()) {
            i++;
            continue;
        }
        const fence = FENCE_RE.exec(line);
        if (fence) {
            const marker = fence[1];
            const body: string[] = [];
            i++;
            while (i < lines.length && !lines[i].trim().startsWith(marker)) {
                body.push(lines[i]);
                i++;
            }
            i++; // closing fence (or end of message)
            blocks.push({type: 'codeblock', lang: fence[2] || '', text: body.join('\n')});
            continue;
        }
        const heading = HEADING_RE.exec(line);
        if (heading) {
            blocks.push({type: 'heading', level: heading[1].length, children: parseInline(heading[2])});
            i++;
            continue;
        }
        if (HR_RE.test(line)) {
            blocks.push({type: 'hr'});
            i++;
            continue;
        }
        if (QUOTE_RE.test(line) && depth < 6) {
            const body: string[] = [];
            while (i < lines.length && QUOTE_RE.test(lines[i])) {
                body.push(QUOTE_RE.exec(lines[i])![1]);
                i++;
            }
            blocks.push({type: 'quote', children: parseBlocks(body.join('\n'), depth + 1)});
            continue;
        }
        const ul = UL_RE.exec(line);
        const ol = OL_RE.exec(line);
        if ((ul || ol) && depth < 6) {
            const ordered = Boolean(ol);
            const re = ordered ? OL_RE : UL_RE;
            const items: string[][] = [];
            while (i < lines.length) {
                const m = re.exec(lines[i]);
                if (m) {
                    items.push([m[3]]);
                    i++;
                    continue;
                }
                // Indented continuation lines (nested lists, wrapped text) belong to the item.
                if (items.length && /^\s{2,}\S/.test(lines[i])) {
                    items[items.length - 1].push(lines[i].replace(/^\s{2,4}/, ''));
                    i++;
                    continue;
                }
                break;
            }
            blocks.push({
                type: 'list',
                ordered,
                start: ordered ? parseInt(ol![2], 10) : 1,
                items: items.map((item) => parseBlocks(item.join('\n'), depth + 1)),
            });
            continue;
        }
        const para: string[] = [];
        while (i < lines.length && lines[i].trim() && (para.length === 0 || !isBlockStart(lines[i]))) {
            para.push(lines[i]);
            i++;
        }
        blocks.push({type: 'p', children: parseInline(para.join('\n'))});
    }
    return blocks;
}

/** Usernames mentioned in a message (lower case, without @). */
export function mentionsIn(blocks: Block[]): Set<string> {
    const found = new Set<string>();
    const walkInline = (nodes: Inline[]) => {
        for (const n of nodes) {
            if (n.type === 'mention') {
                found.add(n.name);
            } else if ('children' in n) {
                walkInline(n.children);
            }
        }
    };
    const walk = (bs: Block[]) => {
        for (const b of bs) {
            if (b.type === 'p' || b.type === 'heading') {
                walkInline(b.children);
            } else if (b.type === 'quote') {
                walk(b.children);
            } else if (b.type === 'list') {
                b.items.forEach(walk);
            }
        }
    };
    walk(blocks);
    return found;
}

/** True when the message mentions the user (by @username, @all, @channel or @here). */
export function mentionsUser(message: string, username: string): boolean {
    const names = mentionsIn(parseBlocks(message));
    const u = username.toLowerCase();
    return names.has(u) || names.has('all') || names.has('channel') || names.has('here');
}

/** A one-line plain-text preview of a message (for thread lists and notifications). */
export function plainText(message: string, max = 140): string {
    const text = message
        .replace(/```[\s\S]*?```/g, '[code]')
        .replace(/[*_~`>#]/g, '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/\s+/g, ' ')
        .trim();
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
