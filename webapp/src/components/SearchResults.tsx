import {memo, useCallback, useEffect, useMemo, useState} from 'react';
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Post, PostSearchResults} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';
import {FormattedMessage, useIntl} from 'react-intl';

import {ensureUsers, refreshChannel} from '../actions';
import {client, errorText} from '../client';
import {channelTitle, dmPartnerId, displayName} from '../lib/channels';
import {formatDateTime, formatDay, formatTime} from '../lib/posts';
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
    const intl = useIntl();
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
    const when = `${formatDay(post.create_at, Date.now(), intl)} ${formatTime(post.create_at, intl)}`;
    const title = channel ? channelTitle(channel, me.id, users) : '';
    return (
        <article className='search-result' data-post-id={post.id} aria-label={title
            ? intl.formatMessage({id: 'search.result.label', defaultMessage: 'Message from {name} in {channel}, {when}'}, {name, channel: title, when})
            : intl.formatMessage({id: 'search.result.label_nochannel', defaultMessage: 'Message from {name}, {when}'}, {name, when})}>
            <div className='search-result__channel'>
                {channel && (channel.type === 'O' || channel.type === 'P') && <Icon name={channel.type === 'P' ? 'lock' : 'hash'} size={14}/>}
                {channel ? (
                    <button type='button' className='search-result__channel-link' onClick={() => navigate(channelPath(team, channel))}>{title}</button>
                ) : <span>…</span>}
                {post.root_id && <span className='search-result__reply'>· <FormattedMessage id='search.result.reply' defaultMessage='reply in thread'/></span>}
            </div>
            <div className='search-result__row'>
                <Avatar userId={post.user_id} size={32}/>
                <div className='search-result__body'>
                    <div className='search-result__header'>
                        <span className='search-result__author'>{name}</span>
                        <time className='search-result__time' dateTime={new Date(post.create_at).toISOString()}
                            title={formatDateTime(post.create_at, intl)}>{when}</time>
                        <button type='button' className='btn btn--small btn--ghost search-result__jump'
                            aria-label={intl.formatMessage({id: 'search.result.jump_label', defaultMessage: 'Jump to message from {name}'}, {name})}
                            onClick={() => navigate(paths.permalink(team.name, post.id))}>
                            <FormattedMessage id='search.result.jump' defaultMessage='Jump'/>
                        </button>
                    </div>
                    <Markdown text={post.message} ctx={ctx}/>
                    {post.edit_at > 0 && <span className='search-result__edited'><FormattedMessage id='post.edited' defaultMessage='(edited)'/></span>}
                </div>
            </div>
        </article>
    );
});

/** Search results in the right-hand panel, best match first, 20 at a time. */
export function SearchPane({team, terms}: {team: Team; terms: string}) {
    const intl = useIntl();
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
            setError(errorText(e, intl.formatMessage({id: 'search.failed', defaultMessage: 'Search failed.'})));
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
    const subtitle = results
        ? (results.hasNext
            ? intl.formatMessage({id: 'search.count_more', defaultMessage: '{count, plural, one {#+ result} other {#+ results}} for “{terms}”'}, {count, terms})
            : intl.formatMessage({id: 'search.count', defaultMessage: '{count, plural, one {# result} other {# results}} for “{terms}”'}, {count, terms}))
        : error ? `“${terms}”` : intl.formatMessage({id: 'search.searching', defaultMessage: 'Searching for “{terms}”…'}, {terms});

    return (
        <RhsFrame title={intl.formatMessage({id: 'search.title', defaultMessage: 'Search results'})} subtitle={subtitle}>
            <div className='rhs__scroll search-results' aria-busy={loading}>
                {shown.map((p) => <SearchResult key={p.id} post={p} team={team} matched={results?.matches[p.id]}/>)}
                {results && !count && !error && (
                    <div className='search-empty'>
                        <Icon name='search' size={32}/>
                        <p className='search-empty__title'><FormattedMessage id='search.none' defaultMessage='No results for “{terms}”' values={{terms}}/></p>
                        <p><FormattedMessage id='search.none_hint'
                            defaultMessage='Check the spelling, try fewer or shorter words, or remove filters like <code>from:</code>, <code>in:</code> and dates.'
                            values={{code: (chunks) => <code>{chunks}</code>}}/></p>
                    </div>
                )}
                {error && (
                    <div className='search-error' role='alert'>
                        <p><strong><FormattedMessage id='search.failed' defaultMessage='Search failed.'/></strong> {error}</p>
                        <button type='button' className='btn btn--small btn--secondary' onClick={() => void load(results ? results.page + (results.order.length ? 1 : 0) : 0)}><FormattedMessage id='common.try_again' defaultMessage='Try again'/></button>
                    </div>
                )}
                {loading && <div className='spinner' aria-label={intl.formatMessage({id: 'search.busy', defaultMessage: 'Searching'})}/>}
                {results?.hasNext && !loading && !error && (
                    <div className='search-more'>
                        <button type='button' className='btn btn--small btn--ghost' onClick={() => void load(results.page + 1)}><FormattedMessage id='search.more' defaultMessage='Load more'/></button>
                    </div>
                )}
            </div>
        </RhsFrame>
    );
}
