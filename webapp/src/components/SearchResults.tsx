import {memo, useCallback, useEffect, useMemo, useState} from 'react';
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Post, PostSearchResults} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';

import {ensureUsers, refreshChannel} from '../actions';
import {client, errorText} from '../client';
import {channelTitle, dmPartnerId, displayName} from '../lib/channels';
import {formatDay, formatTime} from '../lib/posts';
import {paths} from '../lib/routes';
import {highlightTerms, SEARCH_PAGE, searchParams} from '../lib/search';
import {navigate} from '../router';
import {getState, useStore} from '../store';
import {Avatar} from './Avatar';
import {Icon} from './Icon';
import {Markdown, type MarkdownContext} from './Markdown';
import {RhsFrame} from './Rhs';
import {highlighter} from './SearchHighlight';
import './Search.css';

type Results = {order: string[]; posts: Record<string, Post>; matches: Record<string, string[]>; hasNext: boolean; page: number};

function channelPath(team: Team, c: Channel): string {
    return c.type === 'D' || c.type === 'G' ? paths.gm(team.name, c.name) : paths.channel(team.name, c.name);
}

const SearchResult = memo(function SearchResult({post, team, matched}: {post: Post; team: Team; matched: string[] | undefined}) {
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    const author = users[post.user_id];
    const channel = useStore((s) => s.channels[post.channel_id]);
    const terms = useMemo(() => highlightTerms(matched), [matched]);
    const ctx: MarkdownContext = useMemo(() => ({
        myUsername: me.username,
        highlight: highlighter(terms),
    }), [me.username, terms]);
    const name = (post.props?.override_username as string | undefined) ?? displayName(author);
    const when = `${formatDay(post.create_at)} ${formatTime(post.create_at)}`;
    const title = channel ? channelTitle(channel, me.id, users) : '';
    return (
        <article className='search-result' data-post-id={post.id} aria-label={`Message from ${name} in ${title || 'a channel'}, ${when}`}>
            <div className='search-result__channel'>
                {channel && (channel.type === 'O' || channel.type === 'P') && <Icon name={channel.type === 'P' ? 'lock' : 'hash'} size={14}/>}
                {channel ? (
                    <button type='button' className='search-result__channel-link' onClick={() => navigate(channelPath(team, channel))}>{title}</button>
                ) : <span>…</span>}
                {post.root_id && <span className='search-result__reply'>· reply in thread</span>}
            </div>
            <div className='search-result__row'>
                <Avatar userId={post.user_id} size={32}/>
                <div className='search-result__body'>
                    <div className='search-result__header'>
                        <span className='search-result__author'>{name}</span>
                        <time className='search-result__time' dateTime={new Date(post.create_at).toISOString()}
                            title={new Date(post.create_at).toLocaleString()}>{when}</time>
                        <button type='button' className='btn btn--small btn--ghost search-result__jump'
                            aria-label={`Jump to message from ${name}`}
                            onClick={() => navigate(paths.permalink(team.name, post.id))}>Jump</button>
                    </div>
                    <Markdown text={post.message} ctx={ctx}/>
                    {post.edit_at > 0 && <span className='search-result__edited'>(edited)</span>}
                </div>
            </div>
        </article>
    );
});

/** Search results in the right-hand panel, best match first, 20 at a time. */
export function SearchPane({team, terms}: {team: Team; terms: string}) {
    const [results, setResults] = useState<Results | null>(null);
    const [loading, setLoading] = useState(false);
    const [error, setError] = useState('');
    const live = useStore((s) => s.posts);

    const load = useCallback(async (page: number) => {
        setLoading(true);
        setError('');
        try {
            const res = await client.searchPostsWithParams(team.id, searchParams(terms, page)) as PostSearchResults & {has_next?: boolean};
            const order = res.order ?? [];
            const posts = res.posts ?? {};
            const known = getState();
            ensureUsers(order.map((id) => posts[id]?.user_id ?? ''));
            const missing = [...new Set(order.map((id) => posts[id]?.channel_id).filter((c): c is string => Boolean(c) && !known.channels[c!]))];
            await Promise.all(missing.map((c) => refreshChannel(c).catch(() => null)));
            const me = getState().me;
            ensureUsers(order.map((id) => getState().channels[posts[id]?.channel_id ?? ''])
                .filter((c): c is Channel => Boolean(c) && c!.type === 'D').map((c) => dmPartnerId(c, me?.id ?? '')));
            setResults((prev) => {
                const base = page === 0 || !prev ? {order: [], posts: {}, matches: {}} : prev;
                const seen = new Set(base.order);
                return {
                    order: [...base.order, ...order.filter((id) => !seen.has(id))],
                    posts: {...base.posts, ...posts},
                    matches: {...base.matches, ...(res.matches ?? {})},
                    hasNext: res.has_next ?? order.length >= SEARCH_PAGE,
                    page,
                };
            });
        } catch (e) {
            setError(errorText(e, 'Search failed.'));
        } finally {
            setLoading(false);
        }
    }, [team.id, terms]);

    useEffect(() => {
        setResults(null);
        void load(0);
    }, [load]);

    // Edits and deletes that arrive while the panel is open show up in place.
    const shown = (results?.order ?? []).map((id) => live[id] ?? results!.posts[id]).filter((p) => p && !p.delete_at);
    const count = shown.length;
    const subtitle = results ? `${count}${results.hasNext ? '+' : ''} result${count === 1 && !results.hasNext ? '' : 's'} for “${terms}”` : error ? `“${terms}”` : `Searching for “${terms}”…`;

    return (
        <RhsFrame title='Search results' subtitle={subtitle}>
            <div className='rhs__scroll search-results' aria-busy={loading}>
                {shown.map((p) => <SearchResult key={p.id} post={p} team={team} matched={results?.matches[p.id]}/>)}
                {results && !count && !error && (
                    <div className='search-empty'>
                        <Icon name='search' size={32}/>
                        <p className='search-empty__title'>No results for “{terms}”</p>
                        <p>Check the spelling, try fewer or shorter words, or remove filters like <code>from:</code>, <code>in:</code> and dates.</p>
                    </div>
                )}
                {error && (
                    <div className='search-error' role='alert'>
                        <p><strong>Search failed.</strong> {error}</p>
                        <button type='button' className='btn btn--small btn--secondary' onClick={() => void load(results ? results.page + (results.order.length ? 1 : 0) : 0)}>Try again</button>
                    </div>
                )}
                {loading && <div className='spinner' aria-label='Searching'/>}
                {results?.hasNext && !loading && !error && (
                    <div className='search-more'>
                        <button type='button' className='btn btn--small btn--ghost' onClick={() => void load(results.page + 1)}>Load more</button>
                    </div>
                )}
            </div>
        </RhsFrame>
    );
}
