import {beforeAll, describe, expect, it} from 'vitest';
import {renderToStaticMarkup} from 'react-dom/server';

import {Markdown} from '../components/Markdown';
import {loadEmoji} from '../lib/emoji';
import {mentionsUser, parseBlocks, parseInline, plainText, safeUrl} from '../lib/markdown';

beforeAll(loadEmoji); // the emoji table is a lazy chunk; these tests render :shortcodes:

const html = (text: string, myUsername = 'alice') => renderToStaticMarkup(<Markdown text={text} ctx={{myUsername}}/>);

describe('sanitising', () => {
    it('renders HTML in a message as text', () => {
        const out = html('<img src=x onerror=alert(1)>');
        expect(out).not.toContain('<img');
        expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    });

    it('escapes script tags and attributes inside markdown constructs', () => {
        const out = html('**<script>alert(1)</script>** and `<b>` and [x"onmouseover="y](https://e.com/"><svg>)');
        expect(out).not.toMatch(/<script|<svg|<b>|onmouseover="y"/);
        expect(out).toContain('&lt;script&gt;');
    });

    it('refuses javascript:, data: and protocol-relative links', () => {
        for (const url of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'data:text/html,x', 'vbscript:x', '//evil.com']) {
            expect(safeUrl(url)).toBeNull();
            expect(html(`[click](${url})`)).not.toContain('href');
        }
    });

    it('opens external links in a new tab without opener or referrer', () => {
        const out = html('see https://example.com/a?b=1.');
        expect(out).toContain('<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer">https://example.com/a?b=1</a>.');
        expect(html('[docs](https://docs.example.com)')).toContain('rel="noopener noreferrer"');
    });

    it('keeps internal links in the app', () => {
        expect(html('[perma](/team/pl/abc)')).toBe('<div class="md"><p><a href="/team/pl/abc">perma</a></p></div>');
    });
});

describe('inline markdown', () => {
    it('parses emphasis, strike and code', () => {
        expect(parseInline('**b** *i* _i_ ~~s~~ `c`')).toEqual([
            {type: 'strong', children: [{type: 'text', text: 'b'}]},
            {type: 'text', text: ' '},
            {type: 'em', children: [{type: 'text', text: 'i'}]},
            {type: 'text', text: ' '},
            {type: 'em', children: [{type: 'text', text: 'i'}]},
            {type: 'text', text: ' '},
            {type: 'del', children: [{type: 'text', text: 's'}]},
            {type: 'text', text: ' '},
            {type: 'code', text: 'c'},
        ]);
    });

    it('does not treat snake_case or lone stars as emphasis', () => {
        expect(parseInline('snake_case_name and 2 * 3 * 4')).toEqual([{type: 'text', text: 'snake_case_name and 2 * 3 * 4'}]);
    });

    it('does not parse markdown inside code spans', () => {
        expect(parseInline('`**not bold** @bob`')).toEqual([{type: 'code', text: '**not bold** @bob'}]);
    });

    it('finds mentions, channel links and emoji', () => {
        expect(parseInline('hi @Bob.Smith ~town-square :tada: :nope:')).toEqual([
            {type: 'text', text: 'hi '},
            {type: 'mention', name: 'bob.smith'},
            {type: 'text', text: ' '},
            {type: 'channel', name: 'town-square'},
            {type: 'text', text: ' '},
            {type: 'emoji', name: 'tada', char: '🎉'},
            {type: 'text', text: ' :nope:'},
        ]);
    });

    it('ignores @ inside e-mail addresses', () => {
        expect(parseInline('mail bob@example.com')).toEqual([{type: 'text', text: 'mail bob@example.com'}]);
    });

    it('keeps backslash-escaped characters literal', () => {
        expect(parseInline('\\*not em\\*')).toEqual([{type: 'text', text: '*not em*'}]);
    });
});

describe('blocks', () => {
    it('parses fenced code blocks verbatim', () => {
        expect(parseBlocks('```js\nconst a = "<b>";\n**x**\n```\nafter')).toEqual([
            {type: 'codeblock', lang: 'js', text: 'const a = "<b>";\n**x**'},
            {type: 'p', children: [{type: 'text', text: 'after'}]},
        ]);
        expect(html('```\n<img src=x onerror=alert(1)>\n```')).toContain('&lt;img src=x onerror=alert(1)&gt;');
    });

    it('parses lists, quotes and headings', () => {
        const blocks = parseBlocks('# Title\n> quoted\n- one\n- two\n\n1. first\n2. second');
        expect(blocks.map((b) => b.type)).toEqual(['heading', 'quote', 'list', 'list']);
        expect(html('- a\n- b')).toBe('<div class="md"><ul><li><p>a</p></li><li><p>b</p></li></ul></div>');
    });

    it('keeps single newlines as line breaks', () => {
        expect(html('a\nb')).toBe('<div class="md"><p>a<br/>b</p></div>');
    });

    it('shows emoji-only messages large', () => {
        expect(html(':tada:')).toContain('md--jumbo');
        expect(html('yay :tada:')).not.toContain('md--jumbo');
    });
});

describe('mentions', () => {
    it('highlights my mentions and @channel/@all/@here', () => {
        expect(html('hey @alice')).toContain('mention mention--me');
        expect(html('hey @bob')).not.toContain('mention--me');
        expect(mentionsUser('ping @ALICE', 'alice')).toBe(true);
        expect(mentionsUser('@here standup', 'alice')).toBe(true);
        expect(mentionsUser('alice@example.com', 'alice')).toBe(false);
        expect(mentionsUser('`@alice`', 'alice')).toBe(false);
    });
});

it('makes a plain-text preview', () => {
    expect(plainText('**bold** [link](https://x.y) `code`\n```\nblock\n```')).toBe('bold link code [code]');
    expect(plainText('x'.repeat(200), 10)).toHaveLength(10);
});
