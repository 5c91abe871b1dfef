// The composer's formatting toolbar and shortcuts: Markdown around the selection (or, for lists and
// quotes, at the start of each selected line). Applying a format again removes it.

export type Format = 'bold' | 'italic' | 'strike' | 'code' | 'link' | 'ul' | 'ol' | 'quote';

export type Edit = {text: string; start: number; end: number};

const WRAP: Record<'bold' | 'italic' | 'strike', string> = {bold: '**', italic: '*', strike: '~~'};

function wrapped(text: string, start: number, end: number, mark: string): boolean {
    if (text.slice(start - mark.length, start) !== mark || text.slice(end, end + mark.length) !== mark) {
        return false;
    }
    // `*` inside `**…**` is bold, not italic
    return mark !== '*' || (text[start - 2] !== '*' && text[end + 1] !== '*') || (text.slice(start - 3, start) === '***');
}

function wrap(text: string, start: number, end: number, mark: string): Edit {
    if (wrapped(text, start, end, mark)) {
        const n = mark.length;
        return {text: text.slice(0, start - n) + text.slice(start, end) + text.slice(end + n), start: start - n, end: end - n};
    }
    const inner = text.slice(start, end);
    if (inner.length > 2 * mark.length && inner.startsWith(mark) && inner.endsWith(mark) && (mark !== '*' || !inner.startsWith('**'))) {
        const bare = inner.slice(mark.length, -mark.length);
        return {text: text.slice(0, start) + bare + text.slice(end), start, end: start + bare.length};
    }
    const n = mark.length;
    return {text: text.slice(0, start) + mark + inner + mark + text.slice(end), start: start + n, end: end + n};
}

/** The whole lines the selection touches: [first line start, last line end). */
function lineRange(text: string, start: number, end: number): [number, number] {
    const from = text.lastIndexOf('\n', start - 1) + 1;
    const stop = end > start && text[end - 1] === '\n' ? end - 1 : end;
    const next = text.indexOf('\n', stop);
    return [from, next === -1 ? text.length : next];
}

const PREFIX = {ul: /^- /, ol: /^\d+\. /, quote: /^> ?/};

function prefixLines(text: string, start: number, end: number, kind: 'ul' | 'ol' | 'quote'): Edit {
    const [from, to] = lineRange(text, start, end);
    const lines = text.slice(from, to).split('\n');
    const all = lines.every((l) => PREFIX[kind].test(l));
    const next = lines.map((l, i) => {
        if (all) {
            return l.replace(PREFIX[kind], '');
        }
        const bare = l.replace(PREFIX.ul, '').replace(PREFIX.ol, '').replace(PREFIX.quote, '');
        return (kind === 'ul' ? '- ' : kind === 'ol' ? `${i + 1}. ` : '> ') + bare;
    }).join('\n');
    const out = text.slice(0, from) + next + text.slice(to);
    if (start === end && lines.length === 1) {
        const caret = Math.max(from, start + next.length - (to - from));
        return {text: out, start: caret, end: caret};
    }
    return {text: out, start: from, end: from + next.length};
}

/** ``format`` applied to the selection [start, end) of ``text``: the new text and selection. */
export function applyFormat(text: string, start: number, end: number, format: Format): Edit {
    switch (format) {
    case 'bold':
    case 'italic':
    case 'strike':
        return wrap(text, start, end, WRAP[format]);
    case 'code': {
        const inner = text.slice(start, end);
        if (!inner.includes('\n')) {
            return wrap(text, start, end, '`');
        }
        const block = '```\n' + inner.replace(/\n$/, '') + '\n```';
        const before = start > 0 && text[start - 1] !== '\n' ? '\n' : '';
        const out = text.slice(0, start) + before + block + text.slice(end);
        return {text: out, start: start + before.length + 4, end: start + before.length + 4 + inner.replace(/\n$/, '').length};
    }
    case 'link': {
        const inner = text.slice(start, end);
        const isUrl = /^https?:\/\/\S+$/.test(inner);
        const label = isUrl ? '' : inner;
        const url = isUrl ? inner : 'url';
        const insert = `[${label}](${url})`;
        const out = text.slice(0, start) + insert + text.slice(end);
        // select what is still to type: the address after a label, the label after an address
        if (isUrl) {
            return {text: out, start: start + 1, end: start + 1};
        }
        const at = start + label.length + 3;
        return {text: out, start: at, end: at + url.length};
    }
    default:
        return prefixLines(text, start, end, format);
    }
}

/** The format a key press asks for (Ctrl/Cmd+B, +I, +Shift+X, +Alt+K, +Alt+C, +Shift+7/8/9), if any. */
export function formatForKey(e: {key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean}): Format | null {
    if (!(e.ctrlKey || e.metaKey)) {
        return null;
    }
    const k = e.key.toLowerCase();
    if (!e.shiftKey && !e.altKey) {
        return k === 'b' ? 'bold' : k === 'i' ? 'italic' : null;
    }
    if (e.shiftKey && !e.altKey) {
        return k === 'x' ? 'strike' : k === '7' || k === '&' ? 'ol' : k === '8' || k === '*' ? 'ul' : k === '9' || k === '(' ? 'quote' : null;
    }
    if (e.altKey && !e.shiftKey) {
        return k === 'k' || e.key === '˚' ? 'link' : k === 'c' || e.key === 'ç' ? 'code' : null;
    }
    return null;
}
