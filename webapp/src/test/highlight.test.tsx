import {renderToStaticMarkup} from 'react-dom/server';
import {describe, expect, it} from 'vitest';

import {hastToReact} from '../components/CodeBlock';
import {highlightTree, languageOf, treeText} from '../lib/highlight';

describe('syntax highlighting', () => {
    it('maps language tags and aliases to bundled grammars', () => {
        expect(languageOf('py')).toBe('python');
        expect(languageOf('TypeScript')).toBe('typescript');
        expect(languageOf('sh')).toBe('bash');
        expect(languageOf('html')).toBe('xml');
        expect(languageOf('klingon')).toBeNull();
        expect(languageOf('')).toBeNull();
        expect(languageOf(undefined)).toBeNull();
    });

    it('loads a grammar on demand and keeps the code exactly', async () => {
        const code = 'def greet(name):\n    return f"Привет, {name}"  # 你好\n';
        const tree = await highlightTree(code, 'py');
        expect(tree).not.toBeNull();
        expect(treeText(tree!)).toBe(code);
        const html = renderToStaticMarkup(<code>{hastToReact(tree!.children as never)}</code>);
        expect(html).toContain('<span class="hljs-keyword">def</span>');
        expect(html).toContain('<span class="hljs-comment"># 你好</span>');
        expect(await highlightTree('x', 'klingon')).toBeNull();
    });

    it('renders markup in code as text, never as HTML', async () => {
        const code = '<script>alert("x")</script><img src=x onerror=alert(1)>';
        const tree = await highlightTree(code, 'html');
        const html = renderToStaticMarkup(<code>{hastToReact(tree!.children as never)}</code>);
        expect(html).not.toContain('<script');
        expect(html).not.toContain('<img');
        expect(html).toContain('&lt;');
        expect(treeText(tree!)).toBe(code);
    });

    it('shares one grammar load between blocks', async () => {
        const [a, b] = await Promise.all([highlightTree('SELECT 1;', 'sql'), highlightTree('select 2', 'postgresql')]);
        expect(renderToStaticMarkup(<>{hastToReact(a!.children as never)}</>)).toContain('hljs-keyword');
        expect(treeText(b!)).toBe('select 2');
    });
});
