import {useEffect} from 'react';
import type {Team} from '@mattermost/types/teams';
import {FormattedMessage, useIntl} from 'react-intl';

import {loadThreads} from '../actions';
import {channelTitle, displayName} from '../lib/channels';
import {plainText} from '../lib/markdown';
import {dayStart, formatDay, formatTime} from '../lib/posts';
import {paths} from '../lib/routes';
import {navigate} from '../router';
import {update, useStore} from '../store';
import {Avatar} from './Avatar';
import {Icon} from './Icon';
import {ThreadPane} from './Rhs';

function ThreadRow({team, id, selected}: {team: Team; id: string; selected: boolean}) {
    const intl = useIntl();
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
    const at = thread.last_reply_at || post.create_at;
    const when = dayStart(at) === dayStart(Date.now()) ? formatTime(at, intl) : formatDay(at, Date.now(), intl);
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
                    {unread && <span className='dot' aria-label={intl.formatMessage({id: 'sidebar.unread_dot', defaultMessage: 'unread'})}/>}
                    <span className='thread-row__author'>{displayName(author)}</span>
                    {channel && <span className='thread-row__channel'>{channelTitle(channel, me.id, users)}</span>}
                    <span className='thread-row__time'>{when}</span>
                </div>
                <div className='thread-row__text'>{post.delete_at ? intl.formatMessage({id: 'post.deleted', defaultMessage: '(message deleted)'}) : plainText(post.message)}</div>
                <div className='thread-row__bottom'>
                    <span className='thread-row__avatars' aria-hidden='true'>
                        {thread.participants.slice(0, 4).map((u) => <Avatar key={u.id} userId={u.id} size={20}/>)}
                    </span>
                    <span><FormattedMessage id='thread.reply_count' defaultMessage='{count, plural, one {# reply} other {# replies}}' values={{count: thread.reply_count}}/></span>
                    {thread.unread_replies > 0 && <span className='thread-row__new'>
                        <FormattedMessage id='threads.new_replies' defaultMessage='{count} new' values={{count: thread.unread_replies}}/>
                    </span>}
                    {thread.unread_mentions > 0 && <span className='badge'>{thread.unread_mentions}</span>}
                </div>
            </a>
        </li>
    );
}

export function ThreadsView({team, threadId}: {team: Team; threadId?: string}) {
    const intl = useIntl();
    const list = useStore((s) => s.threadList[team.id]);

    useEffect(() => {
        void loadThreads(team.id).catch(() => undefined);
        update(() => ({rhs: null}));
    }, [team.id]);

    return (
        <main className={`center threads${threadId ? ' threads--open' : ''}`} aria-label={intl.formatMessage({id: 'threads.title', defaultMessage: 'Threads'})}>
            <header className='channel-header'>
                <button className='icon-btn channel-header__menu' aria-label={intl.formatMessage({id: 'channel_header.open_sidebar', defaultMessage: 'Open channel list'})}
                    onClick={() => update(() => ({sidebarOpen: true}))}>
                    <Icon name='menu'/>
                </button>
                {threadId && (
                    <button className='icon-btn threads__back' aria-label={intl.formatMessage({id: 'threads.back', defaultMessage: 'Back to threads'})} onClick={() => navigate(paths.threads(team.name))}>
                        <Icon name='arrow-left'/>
                    </button>
                )}
                <div className='channel-header__main'>
                    <h1 className='channel-header__title'><Icon name='threads' size={16}/><span><FormattedMessage id='threads.followed' defaultMessage='Followed threads'/></span></h1>
                    {list && <div className='channel-header__purpose'>{list.unread ? intl.formatMessage({id: 'threads.unread', defaultMessage: '{count} unread'}, {count: list.unread})
                        : intl.formatMessage({id: 'threads.caught_up', defaultMessage: 'All caught up'})}</div>}
                </div>
            </header>
            <div className='threads__body'>
                <ul className='threads__list' aria-label={intl.formatMessage({id: 'threads.list', defaultMessage: 'Threads you follow'})}>
                    {!list?.loaded && <li><div className='spinner' aria-label={intl.formatMessage({id: 'threads.loading', defaultMessage: 'Loading threads'})}/></li>}
                    {list?.loaded && !list.ids.length && (
                        <li className='threads__empty'>
                            <h2><FormattedMessage id='threads.empty_title' defaultMessage='No followed threads yet'/></h2>
                            <p><FormattedMessage id='threads.empty' defaultMessage='Threads you start, reply to or are mentioned in show up here.'/></p>
                        </li>
                    )}
                    {list?.ids.map((id) => <ThreadRow key={id} team={team} id={id} selected={id === threadId}/>)}
                </ul>
                <section className='threads__pane' aria-label={intl.formatMessage({id: 'thread.title', defaultMessage: 'Thread'})}>
                    {threadId ? <ThreadPane team={team} rootId={threadId} embedded/> : (
                        <div className='threads__placeholder'>
                            <Icon name='threads' size={40}/>
                            <p><FormattedMessage id='threads.select' defaultMessage='Select a thread to read and reply.'/></p>
                        </div>
                    )}
                </section>
            </div>
        </main>
    );
}
