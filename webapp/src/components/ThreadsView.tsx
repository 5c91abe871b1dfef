import {useEffect} from 'react';
import type {Team} from '@mattermost/types/teams';

import {loadThreads} from '../actions';
import {channelTitle, displayName} from '../lib/channels';
import {plainText} from '../lib/markdown';
import {formatDay, formatTime} from '../lib/posts';
import {paths} from '../lib/routes';
import {navigate} from '../router';
import {update, useStore} from '../store';
import {Avatar} from './Avatar';
import {Icon} from './Icon';
import {ThreadPane} from './Rhs';

function ThreadRow({team, id, selected}: {team: Team; id: string; selected: boolean}) {
    const thread = useStore((s) => s.threads[id]);
    const post = useStore((s) => s.posts[id]);
    const channel = useStore((s) => (post ? s.channels[post.channel_id] : undefined));
    const author = useStore((s) => (post ? s.users[post.user_id] : undefined));
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    if (!thread || !post) {
        return null;
    }
    const unread = thread.unread_replies > 0;
    const day = formatDay(thread.last_reply_at || post.create_at);
    return (
        <li>
            <a
                href={paths.threads(team.name, id)}
                className={`thread-row${selected ? ' is-active' : ''}${unread ? ' is-unread' : ''}`}
                aria-current={selected ? 'true' : undefined}
                onClick={(e) => {
                    e.preventDefault();
                    navigate(paths.threads(team.name, id));
                }}
            >
                <div className='thread-row__top'>
                    {unread && <span className='dot' aria-label='unread'/>}
                    <span className='thread-row__author'>{displayName(author)}</span>
                    {channel && <span className='thread-row__channel'>{channelTitle(channel, me.id, users)}</span>}
                    <span className='thread-row__time'>{day === 'Today' ? formatTime(thread.last_reply_at) : day}</span>
                </div>
                <div className='thread-row__text'>{post.delete_at ? '(message deleted)' : plainText(post.message)}</div>
                <div className='thread-row__bottom'>
                    <span className='thread-row__avatars' aria-hidden='true'>
                        {thread.participants.slice(0, 4).map((u) => <Avatar key={u.id} userId={u.id} size={20}/>)}
                    </span>
                    <span>{thread.reply_count} {thread.reply_count === 1 ? 'reply' : 'replies'}</span>
                    {thread.unread_replies > 0 && <span className='thread-row__new'>{thread.unread_replies} new</span>}
                    {thread.unread_mentions > 0 && <span className='badge'>{thread.unread_mentions}</span>}
                </div>
            </a>
        </li>
    );
}

export function ThreadsView({team, threadId}: {team: Team; threadId?: string}) {
    const list = useStore((s) => s.threadList[team.id]);

    useEffect(() => {
        void loadThreads(team.id).catch(() => undefined);
        update(() => ({rhs: null}));
    }, [team.id]);

    return (
        <main className={`center threads${threadId ? ' threads--open' : ''}`} aria-label='Threads'>
            <header className='channel-header'>
                <button className='icon-btn channel-header__menu' aria-label='Open channel list'
                    onClick={() => update(() => ({sidebarOpen: true}))}>
                    <Icon name='menu'/>
                </button>
                {threadId && (
                    <button className='icon-btn threads__back' aria-label='Back to threads' onClick={() => navigate(paths.threads(team.name))}>
                        <Icon name='arrow-left'/>
                    </button>
                )}
                <div className='channel-header__main'>
                    <h1 className='channel-header__title'><Icon name='threads' size={16}/><span>Followed threads</span></h1>
                    {list && <div className='channel-header__purpose'>{list.unread ? `${list.unread} unread` : 'All caught up'}</div>}
                </div>
            </header>
            <div className='threads__body'>
                <ul className='threads__list' aria-label='Threads you follow'>
                    {!list?.loaded && <li><div className='spinner' aria-label='Loading threads'/></li>}
                    {list?.loaded && !list.ids.length && (
                        <li className='threads__empty'>
                            <h2>No followed threads yet</h2>
                            <p>Threads you start, reply to or are mentioned in show up here.</p>
                        </li>
                    )}
                    {list?.ids.map((id) => <ThreadRow key={id} team={team} id={id} selected={id === threadId}/>)}
                </ul>
                <section className='threads__pane' aria-label='Thread'>
                    {threadId ? <ThreadPane team={team} rootId={threadId} embedded/> : (
                        <div className='threads__placeholder'>
                            <Icon name='threads' size={40}/>
                            <p>Select a thread to read and reply.</p>
                        </div>
                    )}
                </section>
            </div>
        </main>
    );
}
