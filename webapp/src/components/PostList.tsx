import {useCallback, useEffect, useMemo, useRef, useState} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';
import {Virtuoso, type VirtuosoHandle} from 'react-virtuoso';
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';

import {ensureUsers, isWindow, jumpToLatest, loadNewer, loadOlder, loadReceipts} from '../actions';
import {buildRows, formatDay, type Row} from '../lib/posts';
import {channelTitle, displayName} from '../lib/channels';
import {latestOwnPostId, receiptsApply, receiptsOn, seenBy, seenByText} from '../lib/receipts';
import {getState, useStore} from '../store';
import {PostItem} from './PostItem';

const START = 1_000_000;

function ChannelIntro({channel}: {channel: Channel}) {
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    const title = channelTitle(channel, me.id, users);
    return (
        <div className='channel-intro'>
            <h2>{channel.type === 'D' || channel.type === 'G' ? title
                : <FormattedMessage id='channel_intro.welcome' defaultMessage='Welcome to {title}' values={{title}}/>}</h2>
            <p>
                {channel.type === 'D'
                    ? <FormattedMessage id='channel_intro.dm' defaultMessage='This is the start of your direct message history with {title}.' values={{title}}/>
                    : channel.type === 'G' ? <FormattedMessage id='channel_intro.gm' defaultMessage='This is the start of your group message history.'/>
                        : channel.purpose || <FormattedMessage id='channel_intro.channel' defaultMessage='This is the start of the {title} channel.' values={{title}}/>}
            </p>
        </div>
    );
}

/** "Seen by …" under my latest post, when read receipts are on for the server and for me. */
function SeenBy({post, channel}: {post: Post; channel: Channel}) {
    const me = useStore((s) => s.me!);
    const on = useStore((s) => receiptsOn(s.config, s.prefs));
    const config = useStore((s) => s.config);
    const memberCount = useStore((s) => s.stats[channel.id]?.member_count);
    const reads = useStore((s) => s.receipts[channel.id]);
    const users = useStore((s) => s.users);
    const intl = useIntl();
    const applies = on && receiptsApply(channel, memberCount, config);
    useEffect(() => {
        if (applies) {
            void loadReceipts(post).catch(() => undefined);
        }
    }, [applies, post]);
    const who = applies ? seenBy(reads, post, me.id) : [];
    useEffect(() => {
        if (who.length) {
            ensureUsers(who);
        }
    }, [who.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps
    const text = seenByText(who.map((id) => displayName(users[id])), channel.type === 'D', intl);
    if (!text) {
        return null;
    }
    const title = who.map((id) => displayName(users[id])).join(', ');
    return <div className='seen-by' role='status' title={title}>{text}</div>;
}

export function PostList({channel, team}: {channel: Channel; team: Team}) {
    const intl = useIntl();
    const feed = useStore((s) => s.feeds[channel.id]);
    // A permalink's post: the list opens centred on it (ChannelView re-mounts the list per visit).
    const focusPost = useStore((s) => (s.focusPost?.channelId === channel.id ? s.focusPost : null));
    const [lit, setLit] = useState(Boolean(focusPost));
    const posts = useStore((s) => s.posts);
    const me = useStore((s) => s.me!);
    const newSince = useRef<number | null>(null);
    const member = useStore((s) => s.myMembers[channel.id]);
    if (newSince.current === null && member) {
        // Where the user had read up to when they opened the channel: the "New messages" line
        // stays there while they read, even though the channel is marked read at once.
        newSince.current = channel.total_msg_count > member.msg_count ? member.last_viewed_at : 0;
    }
    const virtuoso = useRef<VirtuosoHandle>(null);
    const atBottom = useRef(true);
    const [away, setAway] = useState(false);

    const list: Post[] = useMemo(
        () => (feed?.ids ?? []).map((id) => posts[id]).filter((p): p is Post => Boolean(p)),
        [feed?.ids, posts],
    );
    // The permalink's post stays highlighted for 6 seconds from when it is shown, not from when the list
    // opened: on a slow network or device the posts around it may take longer than that to load.
    const focusShown = Boolean(focusPost && list.some((p) => p.id === focusPost.postId));
    useEffect(() => {
        if (!lit || !focusShown) {
            return;
        }
        const t = setTimeout(() => setLit(false), 6000);
        return () => clearTimeout(t);
    }, [lit, focusShown]);
    const mineLatest = useMemo(() => latestOwnPostId(list, me.id), [list, me.id]);
    const rows = useMemo(() => buildRows(list, {lastViewedAt: newSince.current ?? 0, myId: me.id}), [list, me.id]);

    // Virtuoso keeps the scroll position when older rows are prepended if the index of the rows
    // already shown stays the same: lower firstItemIndex by the number of rows that appeared
    // above the first post shown before.
    // When the feed was replaced outright (a catch-up past the `since` limit reloads the latest
    // page), the list starts afresh (a new `generation` re-mounts it at the bottom): Virtuoso would
    // otherwise take the new first row for the old one and not ask for older pages again.
    const initialIndex = useRef<number | null>(null);
    const index = useRef({rows: [] as Row[], first: START, generation: 0});
    if (index.current.rows !== rows) {
        const prev = index.current.rows;
        let {first, generation} = index.current;
        const anchor = prev.find((r) => r.kind === 'post');
        if (anchor) {
            const keys = new Set(rows.map((r) => r.key));
            if (rows.length && !prev.some((r) => r.kind === 'post' && keys.has(r.key))) {
                generation++;
                first = START;
                initialIndex.current = -1;
            } else {
                const shift = rows.findIndex((r) => r.key === anchor.key) - prev.indexOf(anchor);
                if (shift > 0) {
                    first -= shift;
                }
            }
        }
        index.current = {rows, first, generation};
    }
    const firstItemIndex = index.current.first;

    const startReached = useCallback(() => {
        void loadOlder(channel.id).catch(() => undefined);
    }, [channel.id]);
    const endReached = useCallback(() => {
        void loadNewer(channel.id).catch(() => undefined);
    }, [channel.id]);
    const windowed = isWindow(feed);
    // Where the list opens: at the permalink's post (centred) or at the bottom. Read once, at mount.
    if (initialIndex.current === null && rows.length) {
        const at = focusPost ? rows.findIndex((r) => r.kind === 'post' && r.post.id === focusPost.postId) : -1;
        initialIndex.current = at;
    }

    // After I send a message, jump to the bottom even when scrolled up.
    const lastId = list.length ? list[list.length - 1].id : '';
    useEffect(() => {
        const last = lastId ? getState().posts[lastId] : undefined;
        if (last && last.user_id === me.id && !atBottom.current) {
            virtuoso.current?.scrollToIndex({index: 'LAST', behavior: 'auto'});
        }
    }, [lastId, me.id]);

    if (!feed || (feed.loading && !feed.ids.length)) {
        return <div className='post-list post-list--loading' aria-busy='true'><div className='spinner' aria-label={intl.formatMessage({id: 'posts.loading', defaultMessage: 'Loading messages'})}/></div>;
    }

    return (
        <div className='post-list' role='log' aria-label={intl.formatMessage({id: 'posts.log', defaultMessage: 'Messages'})} aria-live='polite' aria-relevant='additions'>
            <Virtuoso
                key={index.current.generation}
                ref={virtuoso}
                className='post-list__scroller'
                data={rows}
                firstItemIndex={firstItemIndex}
                initialTopMostItemIndex={initialIndex.current !== null && initialIndex.current >= 0
                    ? {index: initialIndex.current, align: 'center'} : {index: 'LAST', align: 'end'}}
                alignToBottom
                followOutput={(bottom) => (bottom && !windowed ? 'auto' : false)}
                atBottomStateChange={(b) => {
                    atBottom.current = b;
                    setAway(!b);
                }}
                atBottomThreshold={80}
                startReached={startReached}
                endReached={endReached}
                increaseViewportBy={{top: 600, bottom: 300}}
                computeItemKey={(_, row) => row.key}
                components={{
                    Header: () => (feed.atOldest ? <ChannelIntro channel={channel}/> : <div className='post-list__more' aria-busy='true'><FormattedMessage id='posts.loading_older' defaultMessage='Loading older messages…'/></div>),
                    Footer: () => (windowed ? <div className='post-list__more' aria-busy='true'><FormattedMessage id='posts.loading_newer' defaultMessage='Loading newer messages…'/></div> : <div className='post-list__footer'/>),
                }}
                itemContent={(_, row) => {
                    if (row.kind === 'date') {
                        return <div className='date-sep' role='separator'><span>{formatDay(row.day, Date.now(), intl)}</span></div>;
                    }
                    if (row.kind === 'new') {
                        return <div className='new-sep' role='separator'><span><FormattedMessage id='posts.new_messages' defaultMessage='New messages'/></span></div>;
                    }
                    const item = <PostItem post={row.post} continuation={row.continuation} team={team} location='center'
                        highlight={lit && row.post.id === focusPost?.postId}/>;
                    return row.post.id === mineLatest ? <>{item}<SeenBy post={row.post} channel={channel}/></> : item;
                }}
            />
            {(away || windowed) && (
                <button type='button' className='jump-recent' onClick={() => {
                    if (windowed) {
                        void jumpToLatest(channel.id).catch(() => undefined);
                    } else {
                        virtuoso.current?.scrollToIndex({index: 'LAST', align: 'end', behavior: 'smooth'});
                    }
                }}>
                    <FormattedMessage id='posts.jump_recent' defaultMessage='Jump to recent messages ↓'/>
                </button>
            )}
        </div>
    );
}
