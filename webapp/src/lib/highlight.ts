// Syntax highlighting for code blocks: lowlight (highlight.js grammars, as a syntax tree) loaded on
// first use, and each language's grammar loaded the first time a block in it is shown — the main
// bundle carries neither. The tree is rendered as React elements (text stays text, never HTML).
import type {Element, ElementContent, Root} from 'hast';
import type {LanguageFn} from 'highlight.js';
import type {createLowlight} from 'lowlight';

type Loader = () => Promise<{default: LanguageFn}>;

const GRAMMARS: Record<string, Loader> = {
    bash: () => import('highlight.js/lib/languages/bash'),
    c: () => import('highlight.js/lib/languages/c'),
    cpp: () => import('highlight.js/lib/languages/cpp'),
    csharp: () => import('highlight.js/lib/languages/csharp'),
    css: () => import('highlight.js/lib/languages/css'),
    diff: () => import('highlight.js/lib/languages/diff'),
    dockerfile: () => import('highlight.js/lib/languages/dockerfile'),
    go: () => import('highlight.js/lib/languages/go'),
    graphql: () => import('highlight.js/lib/languages/graphql'),
    ini: () => import('highlight.js/lib/languages/ini'),
    java: () => import('highlight.js/lib/languages/java'),
    javascript: () => import('highlight.js/lib/languages/javascript'),
    json: () => import('highlight.js/lib/languages/json'),
    kotlin: () => import('highlight.js/lib/languages/kotlin'),
    lua: () => import('highlight.js/lib/languages/lua'),
    makefile: () => import('highlight.js/lib/languages/makefile'),
    markdown: () => import('highlight.js/lib/languages/markdown'),
    nginx: () => import('highlight.js/lib/languages/nginx'),
    objectivec: () => import('highlight.js/lib/languages/objectivec'),
    perl: () => import('highlight.js/lib/languages/perl'),
    php: () => import('highlight.js/lib/languages/php'),
    plaintext: () => import('highlight.js/lib/languages/plaintext'),
    powershell: () => import('highlight.js/lib/languages/powershell'),
    python: () => import('highlight.js/lib/languages/python'),
    r: () => import('highlight.js/lib/languages/r'),
    ruby: () => import('highlight.js/lib/languages/ruby'),
    rust: () => import('highlight.js/lib/languages/rust'),
    scala: () => import('highlight.js/lib/languages/scala'),
    scss: () => import('highlight.js/lib/languages/scss'),
    sql: () => import('highlight.js/lib/languages/sql'),
    swift: () => import('highlight.js/lib/languages/swift'),
    typescript: () => import('highlight.js/lib/languages/typescript'),
    xml: () => import('highlight.js/lib/languages/xml'),
    yaml: () => import('highlight.js/lib/languages/yaml'),
};

const ALIASES: Record<string, string> = {
    sh: 'bash', shell: 'bash', zsh: 'bash', console: 'bash', h: 'c', 'c++': 'cpp', cc: 'cpp', hpp: 'cpp',
    cs: 'csharp', 'c#': 'csharp', patch: 'diff', docker: 'dockerfile', golang: 'go', gql: 'graphql', toml: 'ini',
    js: 'javascript', jsx: 'javascript', mjs: 'javascript', node: 'javascript', kt: 'kotlin', make: 'makefile',
    md: 'markdown', objc: 'objectivec', pl: 'perl', text: 'plaintext', txt: 'plaintext', ps: 'powershell',
    ps1: 'powershell', py: 'python', python3: 'python', rb: 'ruby', rs: 'rust', ts: 'typescript', tsx: 'typescript',
    html: 'xml', svg: 'xml', xhtml: 'xml', yml: 'yaml', postgresql: 'sql', mysql: 'sql', psql: 'sql',
};

/** The grammar name for a code block's language tag, or null when none is bundled for it. */
export function languageOf(tag: string | undefined): string | null {
    const t = (tag || '').trim().toLowerCase();
    if (!t) {
        return null;
    }
    const name = ALIASES[t] ?? t;
    return name in GRAMMARS ? name : null;
}

type Lowlight = ReturnType<typeof createLowlight>;
let engine: Promise<Lowlight> | null = null;
const loading = new Map<string, Promise<void>>();

function lowlight(): Promise<Lowlight> {
    engine ??= import('lowlight').then((m) => m.createLowlight());
    return engine;
}

/** The syntax tree of `code` in the tag's language, or null when the language is not bundled. */
export async function highlightTree(code: string, tag: string | undefined): Promise<Root | null> {
    const name = languageOf(tag);
    if (!name) {
        return null;
    }
    const low = await lowlight();
    if (!low.registered(name)) {
        let pending = loading.get(name);
        if (!pending) {
            pending = GRAMMARS[name]().then((m) => low.register(name, m.default));
            loading.set(name, pending);
        }
        await pending;
    }
    return low.highlight(name, code);
}

/** Every text node's value in order (the highlighted tree must hold exactly the code). */
export function treeText(node: Root | ElementContent): string {
    if (node.type === 'text') {
        return node.value;
    }
    if (node.type === 'element' || node.type === 'root') {
        return (node as Element | Root).children.map((c) => treeText(c as ElementContent)).join('');
    }
    return '';
}
