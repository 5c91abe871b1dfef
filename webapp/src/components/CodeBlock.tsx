// A fenced code block, highlighted once its language's grammar has loaded (plain text until then).
import {createElement, useEffect, useState, type ReactNode} from 'react';
import type {ElementContent, Root} from 'hast';

import {highlightTree, languageOf} from '../lib/highlight';

export function hastToReact(nodes: ElementContent[], key = 'h'): ReactNode[] {
    return nodes.map((n, i) => {
        if (n.type === 'text') {
            return n.value;
        }
        if (n.type === 'element') {
            const cls = n.properties?.className;
            const className = Array.isArray(cls) ? cls.join(' ') : typeof cls === 'string' ? cls : undefined;
            // only spans with classes come out of lowlight; anything else is rendered as a span too
            return createElement('span', {key: `${key}.${i}`, className}, hastToReact(n.children, `${key}.${i}`));
        }
        return null;
    });
}

export function CodeBlock({text, lang, plain}: {text: string; lang: string; plain: ReactNode}) {
    const [tree, setTree] = useState<Root | null>(null);
    const known = languageOf(lang) !== null;
    useEffect(() => {
        if (!known) {
            return;
        }
        let cancelled = false;
        highlightTree(text, lang).then((t) => {
            if (!cancelled) {
                setTree(t);
            }
        }).catch(() => undefined);
        return () => {
            cancelled = true;
        };
    }, [text, lang, known]);
    return (
        <pre className='md-pre' data-lang={lang || undefined}>
            <code className={tree ? 'hljs' : undefined}>{tree ? hastToReact(tree.children as ElementContent[]) : plain}</code>
        </pre>
    );
}
