import type {ReactNode} from 'react';

import {highlightSegments} from '../lib/search';

/** A Markdown `highlight` that wraps matched terms in <mark>; everything stays a text node. */
export function highlighter(terms: string[]): (text: string) => ReactNode {
    return (text) => highlightSegments(text, terms).map((s, i) => (s.hit ? <mark key={i} className='search-hl'>{s.text}</mark> : s.text));
}
