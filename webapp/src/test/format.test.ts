import {describe, expect, it} from 'vitest';

import {applyFormat, formatForKey, type Format} from '../lib/format';

// "[" and "]" mark the selection in these examples
function run(input: string, format: Format): string {
    const start = input.indexOf('[');
    const end = input.indexOf(']') - 1;
    const text = input.replace('[', '').replace(']', '');
    const out = applyFormat(text, start, end, format);
    return out.text.slice(0, out.start) + '[' + out.text.slice(out.start, out.end) + ']' + out.text.slice(out.end);
}

describe('formatting toolbar', () => {
    it('wraps the selection and unwraps it again', () => {
        expect(run('say [hello] now', 'bold')).toBe('say **[hello]** now');
        expect(run('say **[hello]** now', 'bold')).toBe('say [hello] now');
        expect(run('say [**hello**] now', 'bold')).toBe('say [hello] now');
        expect(run('say [hello] now', 'italic')).toBe('say *[hello]* now');
        expect(run('say *[hello]* now', 'italic')).toBe('say [hello] now');
        // italic inside bold adds a mark rather than eating the bold one
        expect(run('say **[hello]** now', 'italic')).toBe('say ***[hello]*** now');
        expect(run('[gone]', 'strike')).toBe('~~[gone]~~');
        expect(run('x []', 'bold')).toBe('x **[]**');
    });

    it('makes inline code or a code block', () => {
        expect(run('run [make test] now', 'code')).toBe('run `[make test]` now');
        expect(run('see:[a = 1\nb = 2]', 'code')).toBe('see:\n```\n[a = 1\nb = 2]\n```');
    });

    it('makes a link with the part still to type selected', () => {
        expect(run('the [docs] page', 'link')).toBe('the [docs]([url]) page');
        expect(run('[https://example.com]', 'link')).toBe('[[]](https://example.com)');
    });

    it('prefixes each selected line for lists and quotes, and removes the prefix again', () => {
        expect(run('[one\ntwo]', 'ul')).toBe('[- one\n- two]');
        expect(run('[- one\n- two]', 'ul')).toBe('[one\ntwo]');
        expect(run('[one\ntwo\nthree]', 'ol')).toBe('[1. one\n2. two\n3. three]');
        expect(run('[- one\n- two]', 'ol')).toBe('[1. one\n2. two]');
        expect(run('intro\n[said so]', 'quote')).toBe('intro\n[> said so]');
        expect(run('item[]', 'ul')).toBe('- item[]');
    });

    it('maps the keyboard shortcuts', () => {
        const key = (k: string, mods: Partial<{ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean}> = {}) =>
            formatForKey({key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods});
        expect(key('b', {ctrlKey: true})).toBe('bold');
        expect(key('i', {metaKey: true})).toBe('italic');
        expect(key('X', {ctrlKey: true, shiftKey: true})).toBe('strike');
        expect(key('k', {ctrlKey: true, altKey: true})).toBe('link');
        expect(key('k', {ctrlKey: true})).toBe(null); // the channel switcher's
        expect(key('b')).toBe(null);
    });
});
