import {useEffect, useMemo} from 'react';
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';
import {FormattedMessage, useIntl} from 'react-intl';

import {loadLatest, loadStats, markChannelRead, syncSince, toggleFavorite} from '../actions';
import {channelTitle, dmPartnerId, favoriteIds} from '../lib/channels';
import {focus} from '../realtime';
import {getState, update, useStore} from '../store';
import {Avatar} from './Avatar';
import {CallHeaderButton} from './Calls';
import {Composer} from './Composer';
import {useFileDrop} from './FileDrop';
import {Icon} from './Icon';
import {Markdown} from './Markdown';
import {PostList} from './PostList';
import {SearchBox} from './SearchBox';
import {TypingIndicator} from './TypingIndicator';

function ChannelHeader({channel, team}: {channel: Channel; team: Team}) {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    const stats = useStore((s) => s.stats[channel.id]);
    const prefs = useStore((s) => s.prefs);
    const rhs = useStore((s) => s.rhs);
    const favorite = useMemo(() => favoriteIds(prefs).has(channel.id), [prefs, channel.id]);
    const title = channelTitle(channel, me.id, users);
    const partner = channel.type === 'D' ? users[dmPartnerId(channel, me.id)] : undefined;
    const toggleRhs = (kind: 'pinned' | 'members') => update((s) => ({
        rhs: s.rhs && s.rhs.kind === kind ? null : {kind, channelId: channel.id},
    }));
    const headerText = channel.header || channel.purpose;
    const favLabel = favorite
        ? intl.formatMessage({id: 'channel_header.unfavorite', defaultMessage: 'Remove from favorites'})
        : intl.formatMessage({id: 'channel_header.favorite', defaultMessage: 'Add to favorites'});
    const membersLabel = intl.formatMessage({id: 'channel_header.members', defaultMessage: 'Members'});
    const pinnedLabel = intl.formatMessage({id: 'channel_header.pinned', defaultMessage: 'Pinned messages'});
    const savedLabel = intl.formatMessage({id: 'saved.title', defaultMessage: 'Saved messages'});
    const notifyLabel = intl.formatMessage({id: 'channel_header.notifications', defaultMessage: 'Notification preferences'});
    const settingsLabel = intl.formatMessage({id: 'channel_header.settings', defaultMessage: 'Channel settings'});
    const muted = useStore((s) => (s.myMembers[channel.id]?.notify_props as {mark_unread?: string} | undefined)?.mark_unread === 'mention');

    return (
        <header className='channel-header'>
            <button className='icon-btn channel-header__menu' aria-label={intl.formatMessage({id: 'channel_header.open_sidebar', defaultMessage: 'Open channel list'})}
                onClick={() => update(() => ({sidebarOpen: true}))}>
                <Icon name='menu'/>
            </button>
            <div className='channel-header__main'>
                <div className='channel-header__title-row'>
                    <h1 className='channel-header__title'>
                        {channel.type === 'O' && <Icon name='hash' size={16}/>}
                        {channel.type === 'P' && <Icon name='lock' size={16}/>}
                        {channel.type === 'D' && partner && <Avatar userId={partner.id} size={20}/>}
                        <span>{title}</span>
                    </h1>
                    <button
                        className={`icon-btn icon-btn--small${favorite ? ' is-on' : ''}`}
                        aria-pressed={favorite}
                        aria-label={favLabel}
                        title={favLabel}
                        onClick={() => void toggleFavorite(channel.id, !favorite)}
                    >
                        <Icon name='star' size={16} filled={favorite}/>
                    </button>
                    {channel.delete_at > 0 && <span className='pill'><FormattedMessage id='channel_header.archived' defaultMessage='Archived'/></span>}
                </div>
                {headerText && (
                    <div className='channel-header__purpose' title={headerText}>
                        <Markdown text={headerText.split('\n')[0]} ctx={{myUsername: me.username}}/>
                    </div>
                )}
            </div>
            <SearchBox team={team}/>
            <div className='channel-header__actions'>
                <CallHeaderButton channel={channel}/>
                {channel.type !== 'D' && (
                    <button
                        className={`icon-btn header-btn${rhs?.kind === 'members' ? ' is-on' : ''}`}
                        aria-label={stats ? `${membersLabel}: ${intl.formatNumber(stats.member_count)}` : membersLabel}
                        title={membersLabel}
                        onClick={() => toggleRhs('members')}
                    >
                        <Icon name='users'/>
                        {stats && <span className='header-btn__count'>{intl.formatNumber(stats.member_count)}</span>}
                    </button>
                )}
                <button
                    className={`icon-btn header-btn${rhs?.kind === 'pinned' ? ' is-on' : ''}`}
                    aria-label={stats?.pinnedpost_count ? `${pinnedLabel}: ${stats.pinnedpost_count}` : pinnedLabel}
                    title={pinnedLabel}
                    onClick={() => toggleRhs('pinned')}
                >
                    <Icon name='pin'/>
                    {stats?.pinnedpost_count ? <span className='header-btn__count'>{stats.pinnedpost_count}</span> : null}
                </button>
                <button
                    className={`icon-btn header-btn${rhs?.kind === 'saved' ? ' is-on' : ''}`}
                    aria-label={savedLabel}
                    title={savedLabel}
                    onClick={() => update((s) => ({rhs: s.rhs?.kind === 'saved' ? null : {kind: 'saved'}}))}
                >
                    <Icon name='bookmark'/>
                </button>
                <button className={`icon-btn header-btn${muted ? ' is-on' : ''}`} aria-label={notifyLabel} title={notifyLabel}
                    onClick={() => update(() => ({modal: {kind: 'channel_notifications', channelId: channel.id}}))}>
                    <Icon name={muted ? 'bell-off' : 'bell'}/>
                </button>
                {(channel.type === 'O' || channel.type === 'P') && (
                    <button className='icon-btn header-btn' aria-label={settingsLabel} title={settingsLabel}
                        onClick={() => update(() => ({modal: {kind: 'channel_settings', channelId: channel.id}}))}>
                        <Icon name='info'/>
                    </button>
                )}
            </div>
        </header>
    );
}

export function ChannelView({team, channel}: {team: Team; channel: Channel}) {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    const archived = channel.delete_at > 0;

    useEffect(() => {
        focus.channelId = channel.id;
        // Cached channels render at once; fetch the latest page in the background either way.
        if (getState().feeds[channel.id]?.ids.length) {
            // Fill in what changed while we were away (new posts, edits, deletes, reactions).
            void syncSince(channel.id).catch(() => loadLatest(channel.id)).catch(() => undefined);
        } else {
            void loadLatest(channel.id).catch(() => undefined);
        }
        void loadStats(channel.id);
        markChannelRead(channel.id);
        const onVisible = () => {
            if (document.visibilityState === 'visible' && focus.channelId === channel.id) {
                markChannelRead(channel.id, Date.now(), 'read');
            }
        };
        document.addEventListener('visibilitychange', onVisible);
        window.addEventListener('focus', onVisible);
        return () => {
            if (focus.channelId === channel.id) {
                focus.channelId = '';
            }
            if (getState().focusPost?.channelId === channel.id) {
                update(() => ({focusPost: null}));
            }
            document.removeEventListener('visibilitychange', onVisible);
            window.removeEventListener('focus', onVisible);
        };
    }, [channel.id]);

    const drop = useFileDrop(channel.id, '', archived);
    const focusAt = useStore((s) => (s.focusPost?.channelId === channel.id ? s.focusPost.at : 0));

    const title = channelTitle(channel, me.id, users);

    return (
        <main className='center' aria-label={intl.formatMessage({id: 'channel.region', defaultMessage: '{title} channel'}, {title})} {...drop.handlers}>
            {drop.overlay}
            <ChannelHeader channel={channel} team={team}/>
            <PostList key={focusAt} channel={channel} team={team}/>
            <div className='center__bottom'>
                {archived ? (
                    <p className='archived-note'>
                        <FormattedMessage
                            id='channel.archived_note'
                            defaultMessage='You are viewing an <b>archived channel</b>. New messages cannot be posted.'
                            values={{b: (chunks) => <strong>{chunks}</strong>}}
                        />
                    </p>
                ) : (
                    <Composer channelId={channel.id} rootId='' placeholder={intl.formatMessage({id: 'composer.placeholder', defaultMessage: 'Write to {place}'},
                        {place: `${channel.type === 'O' || channel.type === 'P' ? '~' : ''}${title}`})}/>
                )}
                <TypingIndicator channelId={channel.id} rootId=''/>
            </div>
        </main>
    );
}
