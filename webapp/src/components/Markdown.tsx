import {Fragment, memo, useMemo, type ReactNode} from 'react';

import {parseBlocks, type Block, type Inline} from '../lib/markdown';
import {CodeBlock} from './CodeBlock';
import {mayHaveShortcode, useEmoji} from './useEmoji';

export type MarkdownContext = {
    myUsername?: string;
    knownUsers?: (name: string) => boolean;
    onMention?: (username: string, el: HTMLElement) => void;
    onChannel?: (name: string) => void;
    /** Renders a run of plain text (search results mark their matches); text stays text. */
    highlight?: (text: string) => ReactNode;
};

function plain(text: string, ctx: MarkdownContext, key: string): ReactNode {
    return ctx.highlight ? <Fragment key={key}>{ctx.highlight(text)}</Fragment> : text;
}

const SPECIAL_MENTIONS = new Set(['all', 'channel', 'here']);

function renderInline(nodes: Inline[], ctx: MarkdownContext, keyPrefix: string): ReactNode[] {
    return nodes.map((n, i) => {
        const key = `${keyPrefix}.${i}`;
        switch (n.type) {
        case 'text':
            return plain(n.text, ctx, key);
        case 'br':
            return <br key={key}/>;
        case 'code':
            return <code key={key} className='md-code'>{plain(n.text, ctx, key)}</code>;
        case 'strong':
            return <strong key={key}>{renderInline(n.children, ctx, key)}</strong>;
        case 'em':
            return <em key={key}>{renderInline(n.children, ctx, key)}</em>;
        case 'del':
            return <del key={key}>{renderInline(n.children, ctx, key)}</del>;
        case 'link': {
            const internal = n.href.startsWith('/');
            return (
                <a
                    key={key}
                    href={n.href}
                    {...(internal ? {} : {target: '_blank', rel: 'noopener noreferrer'})}
                >
                    {renderInline(n.children, ctx, key)}
                </a>
            );
        }
        case 'mention': {
            const me = ctx.myUsername?.toLowerCase();
            const special = SPECIAL_MENTIONS.has(n.name);
            const isMe = n.name === me || special;
            // "@bob." — a trailing dot is punctuation unless a user has that name.
            let name = n.name;
            let tail = '';
            if (name.endsWith('.') && ctx.knownUsers && !ctx.knownUsers(name)) {
                name = name.replace(/\.+$/, '');
                tail = n.name.slice(name.length);
            }
            const cls = `mention${isMe ? ' mention--me' : ''}`;
            if (special || !ctx.onMention) {
                return <span key={key} className={cls}>@{name}{tail}</span>;
            }
            return (
                <span key={key}>
                    <button
                        type='button'
                        className={`${cls} mention--link`}
                        onClick={(e) => ctx.onMention?.(name, e.currentTarget)}
                    >@{name}</button>{tail}
                </span>
            );
        }
        case 'channel':
            if (!ctx.onChannel) {
                return <span key={key} className='channel-link'>~{n.name}</span>;
            }
            return (
                <button key={key} type='button' className='channel-link' onClick={() => ctx.onChannel?.(n.name)}>
                    ~{n.name}
                </button>
            );
        case 'emoji':
            return <span key={key} className='emoji' title={`:${n.name}:`} role='img' aria-label={n.name}>{n.char}</span>;
        }
        return null;
    });
}

function renderBlocks(blocks: Block[], ctx: MarkdownContext, keyPrefix = 'b'): ReactNode[] {
    return blocks.map((b, i) => {
        const key = `${keyPrefix}${i}`;
        switch (b.type) {
        case 'p':
            return <p key={key}>{renderInline(b.children, ctx, key)}</p>;
        case 'heading': {
            const Tag = (`h${Math.min(6, b.level + 2)}`) as 'h3';
            return <Tag key={key} className='md-heading'>{renderInline(b.children, ctx, key)}</Tag>;
        }
        case 'codeblock':
            // search results keep their match highlighting instead of syntax colours
            return ctx.highlight ? (
                <pre key={key} className='md-pre' data-lang={b.lang || undefined}>
                    <code>{plain(b.text, ctx, key)}</code>
                </pre>
            ) : <CodeBlock key={key} text={b.text} lang={b.lang || ''} plain={b.text}/>;
        case 'quote':
            return <blockquote key={key}>{renderBlocks(b.children, ctx, key + '.')}</blockquote>;
        case 'list': {
            const items = b.items.map((item, j) => <li key={j}>{renderBlocks(item, ctx, `${key}.${j}.`)}</li>);
            return b.ordered ? <ol key={key} start={b.start}>{items}</ol> : <ul key={key}>{items}</ul>;
        }
        case 'hr':
            return <hr key={key}/>;
        }
        return null;
    });
}

function MarkdownImpl({text, ctx}: {text: string; ctx: MarkdownContext}) {
    // :shortcodes: become emoji once the emoji table is here (fetched on first use)
    const emoji = useEmoji(mayHaveShortcode(text));
    const blocks = useMemo(() => parseBlocks(text), [text, emoji]); // eslint-disable-line react-hooks/exhaustive-deps
    const jumbo = blocks.length === 1 && blocks[0].type === 'p' && blocks[0].children.length <= 3 &&
        blocks[0].children.every((c) => c.type === 'emoji' || (c.type === 'text' && !c.text.trim()));
    return <div className={`md${jumbo ? ' md--jumbo' : ''}`}>{renderBlocks(blocks, ctx)}</div>;
}

export const Markdown = memo(MarkdownImpl);
