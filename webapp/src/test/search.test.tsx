import {describe, expect, it} from 'vitest';
import {renderToStaticMarkup} from 'react-dom/server';

import {Markdown} from '../components/Markdown';
import {highlighter} from '../components/SearchHighlight';
import {applyHint, dateItems, fold, helpItems, highlightSegments, highlightTerms, hintAt, searchParams} from '../lib/search';

const hits = (text: string, matched: string[]) => highlightSegments(text, highlightTerms(matched)).filter((s) => s.hit).map((s) => s.text);
const html = (text: string, matched: string[]) => renderToStaticMarkup(
    <Markdown text={text} ctx={{myUsername: 'alice', highlight: highlighter(highlightTerms(matched))}}/>,
);

describe('search hints', () => {
    it('offers every hint for an empty box and the keywords a partial word starts', () => {
        const empty = hintAt('', 0)!;
        expect(empty.kind).toBe('help');
        expect(helpItems(empty).map((i) => i.value)).toEqual(['from:', 'in:', 'on:', 'before:', 'after:', '-', '""']);
        expect(helpItems(hintAt('deploy fr', 9)!).map((i) => i.value)).toEqual(['from:']);
        expect(helpItems(hintAt('b', 1)!).map((i) => i.value)).toEqual(['before:']);
        // After a minus only the filters can follow.
        expect(helpItems(hintAt('-', 1)!).map((i) => i.value)).toEqual(['from:', 'in:', 'on:', 'before:', 'after:']);
    });

    it('gives no hint for ordinary words or inside a phrase', () => {
        expect(hintAt('deploy', 6)).toBeNull();
        expect(hintAt('"from the', 9)).toBeNull();
        expect(hintAt('"release notes" in', 18)?.kind).toBe('help');
        expect(hintAt('weird:thing', 11)).toBeNull();
    });

    it('recognises from:, in: and dates, negated too, at any position', () => {
        expect(hintAt('hello from:al', 13)).toEqual({kind: 'from', term: 'al', start: 6, end: 13, prefix: 'from:'});
        expect(hintAt('from:@bob', 9)?.term).toBe('bob');
        expect(hintAt('-in:~town', 9)).toEqual({kind: 'in', term: 'town', start: 0, end: 9, prefix: '-in:'});
        expect(hintAt('in:@bob', 7)?.term).toBe('@bob');
        expect(hintAt('on:2026-0', 9)).toMatchObject({kind: 'date', term: '2026-0', prefix: 'on:'});
        // The caret in the middle of a word: the whole word is replaced.
        expect(hintAt('FROM:alx x', 7)).toMatchObject({kind: 'from', term: 'al', start: 0, end: 8});
    });

    it('completes a hint in place, keeping the rest of the query', () => {
        const t = 'deploy from:al in:town';
        const h = hintAt(t, 14)!;
        expect(applyHint(t, h, 'alice')).toEqual({text: 'deploy from:alice in:town', caret: 18});
        const help = hintAt('deploy fr', 9)!;
        expect(applyHint('deploy fr', help, 'from:')).toEqual({text: 'deploy from:', caret: 12});
        expect(applyHint('x ', hintAt('x ', 2)!, '""')).toEqual({text: 'x ""', caret: 3});
        const neg = hintAt('-in:to', 6)!;
        expect(applyHint('-in:to', neg, 'town-square').text).toBe('-in:town-square ');
    });

    it('suggests dates relative to today', () => {
        const now = new Date(2026, 0, 3, 15, 0);
        expect(dateItems('', now).map((i) => i.value)).toEqual(['2026-01-03', '2026-01-02', '2025-12-27']);
        expect(dateItems('2025', now).map((i) => i.detail)).toEqual(['A week ago']);
    });

    it('builds Mattermost’s search request with the browser’s offset in seconds east of UTC', () => {
        const p = searchParams('  deploy  ', 2);
        expect(p).toMatchObject({terms: 'deploy', is_or_search: false, page: 2, per_page: 20, include_deleted_channels: false});
        expect(p.time_zone_offset).toBe(-new Date().getTimezoneOffset() * 60);
    });
});

describe('highlighting', () => {
    it('marks terms case-insensitively and inside longer words', () => {
        expect(hits('The Redeployment of DEPLOY scripts', ['deploy'])).toEqual(['deploy', 'DEPLOY']);
        expect(highlightSegments('Redeployment', ['deploy'])).toEqual([
            {text: 'Re', hit: false}, {text: 'deploy', hit: true}, {text: 'ment', hit: false},
        ]);
    });

    it('marks CJK terms anywhere in unspaced text', () => {
        expect(hits('明天下午在会议室开会，会议室B', ['会议室'])).toEqual(['会议室', '会议室']);
        expect(hits('東京で打ち合わせ', ['打ち合わせ'])).toEqual(['打ち合わせ']);
    });

    it('folds accents both ways and keeps the original text', () => {
        expect(hits('Send your Résumé today', ['resume'])).toEqual(['Résumé']);
        expect(hits('cafe and café', ['CAFÉ'])).toEqual(['cafe', 'café']);
        expect(fold('ＡＢＣ Ärger')).toBe('abc arger');
    });

    it('strips quotes, prefix stars and handles phrases across spaces; merges overlaps', () => {
        expect(highlightTerms(['"release  notes"', 'depl*', 'deploy'])).toEqual(['release  notes', 'deploy', 'depl']);
        expect(hits('the release\nnotes are out', ['"release notes"'])).toEqual(['release\nnotes']);
        expect(hits('deployment', ['depl*', 'deploy', 'ploym'])).toEqual(['deploym']);
        expect(hits('nothing here', [])).toEqual([]);
    });

    it('treats regex characters in terms literally', () => {
        expect(hits('a+b=c and a.b', ['a+b', 'a.b'])).toEqual(['a+b', 'a.b']);
        expect(hits('aXb', ['a.b'])).toEqual([]);
    });

    it('renders matches as <mark> around text nodes; HTML-looking content stays text', () => {
        const out = html('<img src=x onerror=alert(1)> deploy **redeploying** `deploy()`', ['deploy', 'img']);
        expect(out).not.toContain('<img');
        expect(out).toContain('&lt;<mark class="search-hl">img</mark> src=x onerror=alert(1)&gt;');
        expect(out).toContain('<strong>re<mark class="search-hl">deploy</mark>ing</strong>');
        expect(out).toContain('<code class="md-code"><mark class="search-hl">deploy</mark>()</code>');
        const tricky = html('<mark onclick=x>会议室</mark>', ['会议室', 'mark']);
        expect(tricky).not.toContain('onclick=x>');
        expect(tricky).toContain('&lt;<mark class="search-hl">mark</mark> onclick=x&gt;<mark class="search-hl">会议室</mark>&lt;/<mark class="search-hl">mark</mark>&gt;');
    });

    it('leaves messages alone without a highlighter', () => {
        const plain = renderToStaticMarkup(<Markdown text='deploy' ctx={{}}/>);
        expect(plain).toBe('<div class="md"><p>deploy</p></div>');
    });
});
