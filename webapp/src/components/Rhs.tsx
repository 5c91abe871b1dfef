import {useEffect, useMemo, useState} from 'react';
import type {Post} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {FormattedMessage, useIntl} from 'react-intl';

import {addUsers, isSaved, loadPinned, loadSaved, loadThread, loadUserThread, markThreadRead, openDirect, setFollow} from '../actions';
import {client} from '../client';
import {channelTitle, displayName} from '../lib/channels';
import {buildRows, dayStart, formatDay} from '../lib/posts';
import {paths} from '../lib/routes';
import {focus} from '../realtime';
import {navigate} from '../router';
import {CRT, update, useStore} from '../store';
import {Avatar} from './Avatar';
import {StatusEmoji} from './CustomStatus';
import {Composer} from './Composer';
import {useFileDrop} from './FileDrop';
import {Icon} from './Icon';
import {PostItem} from './PostItem';
import {SearchPane} from './SearchResults';
import {TypingIndicator} from './TypingIndicator';

export function RhsFrame({title, subtitle, children, actions}: {title: string; subtitle?: string; children: React.ReactNode; actions?: React.ReactNode}) {
    const intl = useIntl();
    return (
        <aside className='rhs' aria-label={title}>
            <header className='rhs__header'>
                <div>
                    <h2 className='rhs__title'>{title}</h2>
                    {subtitle && <div className='rhs__subtitle'>{subtitle}</div>}
                </div>
                <div className='rhs__actions'>
                    {actions}
                    <button className='icon-btn' aria-label={intl.formatMessage({id: 'common.close', defaultMessage: 'Close'})} title={intl.formatMessage({id: 'common.close', defaultMessage: 'Close'})} onClick={() => update(() => ({rhs: null}))}>
                        <Icon name='close'/>
                    </button>
                </div>
            </header>
            {children}
        </aside>
    );
}

export function ThreadPane({team, rootId, highlight, embedded = false}: {team: Team; rootId: string; highlight?: string; embedded?: boolean}) {
    const intl = useIntl();
    const root = useStore((s) => s.posts[rootId]);
    const replyIds = useStore((s) => s.threadReplies[rootId]);
    const posts = useStore((s) => s.posts);
    const channel = useStore((s) => (root ? s.channels[root.channel_id] : undefined));
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    const crt = useStore(CRT);
    const thread = useStore((s) => s.threads[rootId]);
    const [missing, setMissing] = useState(false);

    useEffect(() => {
        focus.threadId = rootId;
        setMissing(false);
        loadThread(rootId).catch(() => setMissing(true));
        if (crt) {
            void loadUserThread(team.id, rootId);
        }
        return () => {
            if (focus.threadId === rootId) {
                focus.threadId = '';
            }
        };
    }, [rootId, team.id, crt]);

    const replies = useMemo(() => (replyIds ?? []).map((id) => posts[id]).filter((p): p is Post => Boolean(p) && !p.delete_at), [replyIds, posts]);
    useEffect(() => {
        if (crt && root && !root.delete_at) {
            void markThreadRead(team.id, rootId);
        }
    }, [crt, root, replies.length, team.id, rootId]);

    useEffect(() => {
        if (highlight) {
            requestAnimationFrame(() => document.querySelector(`.thread [data-post-id="${highlight}"]`)?.scrollIntoView({block: 'center'}));
        }
    }, [highlight, replies.length]);

    const rows = useMemo(() => {
        const all = buildRows(replies, {myId: me.id});
        // The first separator is noise when the replies start on the root's day.
        if (root && all[0]?.kind === 'date' && all[0].day === dayStart(root.create_at)) {
            return all.slice(1);
        }
        return all;
    }, [replies, me.id, root]);
    const title = channel ? channelTitle(channel, me.id, users) : '';
    const drop = useFileDrop(root?.channel_id ?? '', root?.id ?? '', !root || Boolean(root.delete_at) || !channel || Boolean(channel.delete_at));

    const body = missing ? <p className='rhs__empty'><FormattedMessage id='thread.missing' defaultMessage='This thread is not available.'/></p>
        : !root ? <div className='spinner' aria-label={intl.formatMessage({id: 'thread.loading', defaultMessage: 'Loading thread'})}/> : (
        <div className='thread' {...drop.handlers}>
            {drop.overlay}
            <div className='thread__scroll'>
                <PostItem post={root} continuation={false} team={team} location='rhs-root' highlight={highlight === root.id}/>
                {replies.length > 0 && (
                    <div className='thread__count' role='separator'>
                        <span><FormattedMessage id='thread.reply_count' defaultMessage='{count, plural, one {# reply} other {# replies}}' values={{count: replies.length}}/></span>
                    </div>
                )}
                {rows.map((row) => {
                    if (row.kind === 'date') {
                        return <div key={row.key} className='date-sep date-sep--small' role='separator'><span>{formatDay(row.day, Date.now(), intl)}</span></div>;
                    }
                    if (row.kind === 'post') {
                        return <PostItem key={row.key} post={row.post} continuation={row.continuation} team={team} location='rhs' highlight={highlight === row.post.id}/>;
                    }
                    return null;
                })}
            </div>
            {!root.delete_at && channel && !channel.delete_at && (
                <div className='thread__composer'>
                    <Composer channelId={root.channel_id} rootId={root.id} placeholder={intl.formatMessage({id: 'thread.reply_placeholder', defaultMessage: 'Reply to thread'})}/>
                    <TypingIndicator channelId={root.channel_id} rootId={root.id}/>
                </div>
            )}
        </div>
    );
    if (embedded) {
        return body;
    }
    const following = thread?.is_following ?? root?.is_following;
    return (
        <RhsFrame
            title={intl.formatMessage({id: 'thread.title', defaultMessage: 'Thread'})}
            subtitle={title ? (channel?.type === 'O' || channel?.type === 'P' ? `~${title}` : title) : undefined}
            actions={crt && root ? (
                <button className={`btn btn--small ${following ? 'btn--secondary' : 'btn--ghost'}`} aria-pressed={Boolean(following)}
                    onClick={() => void setFollow(team.id, root.id, !following)}>
                    {following ? <FormattedMessage id='thread.following' defaultMessage='Following'/> : <FormattedMessage id='thread.follow' defaultMessage='Follow'/>}
                </button>
            ) : undefined}
        >
            {body}
        </RhsFrame>
    );
}

function PinnedPane({team, channelId}: {team: Team; channelId: string}) {
    const intl = useIntl();
    const [ids, setIds] = useState<string[] | null>(null);
    const posts = useStore((s) => s.posts);
    useEffect(() => {
        loadPinned(channelId).then(setIds).catch(() => setIds([]));
    }, [channelId]);
    const list = (ids ?? []).map((id) => posts[id]).filter((p) => p && p.is_pinned && !p.delete_at);
    return (
        <RhsFrame title={intl.formatMessage({id: 'channel_header.pinned', defaultMessage: 'Pinned messages'})}>
            <div className='rhs__scroll'>
                {ids === null ? <div className='spinner' aria-label={intl.formatMessage({id: 'common.loading', defaultMessage: 'Loading'})}/> : list.length === 0 ? (
                    <p className='rhs__empty'>
                        <FormattedMessage id='pinned.empty' defaultMessage='No pinned messages yet. Pin important messages from a message’s “…” menu.'/>
                    </p>
                ) : list.map((p) => <PostItem key={p.id} post={p} continuation={false} team={team} location='search'/>)}
            </div>
        </RhsFrame>
    );
}

function SavedPane({team}: {team: Team}) {
    const intl = useIntl();
    const [ids, setIds] = useState<string[] | null>(null);
    const posts = useStore((s) => s.posts);
    const prefs = useStore((s) => s.prefs);
    useEffect(() => {
        loadSaved(team.id).then(setIds).catch(() => setIds([]));
    }, [team.id]);
    // saved or unsaved from here or elsewhere while the pane is open
    const list = (ids ?? []).map((id) => posts[id]).filter((p) => p && !p.delete_at && isSaved(prefs, p.id));
    return (
        <RhsFrame title={intl.formatMessage({id: 'saved.title', defaultMessage: 'Saved messages'})}>
            <div className='rhs__scroll'>
                {ids === null ? <div className='spinner' aria-label={intl.formatMessage({id: 'common.loading', defaultMessage: 'Loading'})}/> : list.length === 0 ? (
                    <p className='rhs__empty'>
                        <FormattedMessage id='saved.empty' defaultMessage='Nothing saved yet. Save messages to come back to from a message’s “…” menu.'/>
                    </p>
                ) : list.map((p) => <PostItem key={p.id} post={p} continuation={false} team={team} location='search'/>)}
            </div>
        </RhsFrame>
    );
}

function MembersPane({team, channelId}: {team: Team; channelId: string}) {
    const intl = useIntl();
    const [members, setMembers] = useState<UserProfile[] | null>(null);
    const me = useStore((s) => s.me!);
    useEffect(() => {
        client.getProfilesInChannel(channelId, 0, 200).then((users) => {
            addUsers(users);
            setMembers(users.sort((a, b) => a.username.localeCompare(b.username, intl.locale)));
        }).catch(() => setMembers([]));
    }, [channelId]); // eslint-disable-line react-hooks/exhaustive-deps
    return (
        <RhsFrame
            title={intl.formatMessage({id: 'channel_header.members', defaultMessage: 'Members'})}
            subtitle={members ? intl.formatMessage({id: 'members.count', defaultMessage: '{count, plural, one {# member} other {# members}}'}, {count: members.length}) : undefined}
        >
            <ul className='rhs__scroll member-list'>
                {members === null && <li><div className='spinner' aria-label={intl.formatMessage({id: 'common.loading', defaultMessage: 'Loading'})}/></li>}
                {members?.map((u) => (
                    <li key={u.id} className='member-list__item'>
                        <Avatar userId={u.id} size={32}/>
                        <span className='member-list__names'>
                            <span className='member-list__name'>{u.id === me.id ? intl.formatMessage({id: 'user.you_suffix', defaultMessage: '{name} (you)'}, {name: displayName(u, 'full_name')}) : displayName(u, 'full_name')}</span>
                            <span className='member-list__username'>@{u.username} <StatusEmoji userId={u.id} withText/></span>
                        </span>
                        {u.id !== me.id && (
                            <button className='icon-btn icon-btn--small' aria-label={intl.formatMessage({id: 'members.message', defaultMessage: 'Message {name}'}, {name: u.username})}
                                title={intl.formatMessage({id: 'members.send_message', defaultMessage: 'Send a message'})}
                                onClick={async () => {
                                    await openDirect(u.id);
                                    navigate(paths.dm(team.name, u.username));
                                }}>
                                <Icon name='threads' size={16}/>
                            </button>
                        )}
                    </li>
                ))}
            </ul>
        </RhsFrame>
    );
}

export function Rhs({team}: {team: Team}) {
    const rhs = useStore((s) => s.rhs);
    useEffect(() => {
        const onKey = (e: KeyboardEvent) => {
            if (e.key === 'Escape' && !document.querySelector('.modal, .emoji-picker, .menu__list, .popover')) {
                update(() => ({rhs: null}));
            }
        };
        window.addEventListener('keydown', onKey);
        return () => window.removeEventListener('keydown', onKey);
    }, []);
    if (!rhs) {
        return null;
    }
    if (rhs.kind === 'thread') {
        return <ThreadPane key={rhs.rootId} team={team} rootId={rhs.rootId} highlight={rhs.highlight}/>;
    }
    if (rhs.kind === 'search') {
        return <SearchPane key={rhs.terms} team={team} terms={rhs.terms}/>;
    }
    if (rhs.kind === 'pinned') {
        return <PinnedPane key={rhs.channelId} team={team} channelId={rhs.channelId}/>;
    }
    if (rhs.kind === 'saved') {
        return <SavedPane team={team}/>;
    }
    return <MembersPane key={rhs.channelId} team={team} channelId={rhs.channelId}/>;
}
