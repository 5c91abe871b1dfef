import {useMemo, useState} from 'react';
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';

import {client} from '../client';
import {channelTitle, dmPartnerId, favoriteIds, sidebarSections, unreadOf} from '../lib/channels';
import {paths} from '../lib/routes';
import {stopRealtime} from '../realtime';
import {navigate} from '../router';
import {CRT, update, useStore} from '../store';
import {Avatar} from './Avatar';
import {Icon} from './Icon';
import {Menu} from './Menu';

export function channelPath(team: Team, c: Channel): string {
    return c.type === 'D' || c.type === 'G' ? paths.gm(team.name, c.name) : paths.channel(team.name, c.name);
}

function TeamBar({team}: {team: Team}) {
    const teams = useStore((s) => s.teams);
    const unreads = useStore((s) => s.teamUnreads);
    const list = useMemo(() => Object.values(teams).sort((a, b) => a.display_name.localeCompare(b.display_name)), [teams]);
    return (
        <nav className='teambar' aria-label='Teams'>
            {list.map((t) => {
                const u = unreads[t.id];
                const active = t.id === team.id;
                return (
                    <a
                        key={t.id}
                        href={paths.channel(t.name, 'town-square')}
                        className={`teambar__team${active ? ' is-active' : ''}`}
                        aria-current={active ? 'page' : undefined}
                        title={t.display_name}
                        onClick={(e) => {
                            e.preventDefault();
                            navigate(paths.channel(t.name, 'town-square'));
                        }}
                    >
                        <span aria-hidden='true'>{t.display_name.slice(0, 2)}</span>
                        <span className='sr-only'>{t.display_name}</span>
                        {!active && u && u.mention_count > 0 && <span className='badge badge--team'>{u.mention_count}</span>}
                        {!active && u && !u.mention_count && u.msg_count > 0 && <span className='dot dot--team' aria-label='unread'/>}
                    </a>
                );
            })}
            <a className='teambar__team teambar__add' href='/select_team' title='Join or create a team' onClick={(e) => {
                e.preventDefault();
                navigate('/select_team');
            }}>
                <Icon name='plus'/><span className='sr-only'>Join or create a team</span>
            </a>
        </nav>
    );
}

function ChannelItem({team, channel, active}: {team: Team; channel: Channel; active: boolean}) {
    const me = useStore((s) => s.me!);
    const member = useStore((s) => s.myMembers[channel.id]);
    const crt = useStore(CRT);
    const users = useStore((s) => s.users);
    const status = useStore((s) => (channel.type === 'D' ? s.statuses[dmPartnerId(channel, me.id)] : undefined));
    const {unread, mentions} = unreadOf(channel, member, crt);
    const title = channelTitle(channel, me.id, users);
    const icon = (() => {
        switch (channel.type) {
        case 'O':
            return <Icon name='hash'/>;
        case 'P':
            return <Icon name='lock'/>;
        case 'D':
            return <Avatar userId={dmPartnerId(channel, me.id)} size={20} status={status}/>;
        default:
            return <span className='gm-count' aria-hidden='true'>{Math.max(2, channel.display_name.split(',').length - 1)}</span>;
        }
    })();
    return (
        <li>
            <a
                href={channelPath(team, channel)}
                className={`sidebar__item${active ? ' is-active' : ''}${unread || mentions ? ' is-unread' : ''}`}
                aria-current={active ? 'page' : undefined}
                data-channel={channel.name}
                onClick={(e) => {
                    e.preventDefault();
                    navigate(channelPath(team, channel));
                }}
            >
                <span className='sidebar__icon'>{icon}</span>
                <span className='sidebar__name'>{title}</span>
                {mentions > 0 && !active && (
                    <span className='badge' aria-label={`${mentions} mention${mentions === 1 ? '' : 's'}`}>{mentions}</span>
                )}
                {unread && !mentions && !active && <span className='sr-only'>(unread)</span>}
            </a>
        </li>
    );
}

function Section({id, title, children, actions}: {id: string; title: string; children: React.ReactNode; actions?: React.ReactNode}) {
    const key = `chinwag:collapsed:${id}`;
    const [collapsed, setCollapsed] = useState(() => {
        try {
            return localStorage.getItem(key) === '1';
        } catch {
            return false;
        }
    });
    return (
        <section className='sidebar__section' aria-labelledby={`sec-${id}`}>
            <div className='sidebar__section-head'>
                <button
                    id={`sec-${id}`}
                    className='sidebar__section-title'
                    aria-expanded={!collapsed}
                    onClick={() => {
                        setCollapsed(!collapsed);
                        try {
                            localStorage.setItem(key, collapsed ? '0' : '1');
                        } catch {
                            // ignore
                        }
                    }}
                >
                    <Icon name={collapsed ? 'chevron-right' : 'chevron-down'}/>{title}
                </button>
                {actions}
            </div>
            {!collapsed && <ul className='sidebar__list'>{children}</ul>}
        </section>
    );
}

export function Sidebar({team, current}: {team: Team; current: string}) {
    const me = useStore((s) => s.me!);
    const channels = useStore((s) => s.channels);
    const members = useStore((s) => s.myMembers);
    const prefs = useStore((s) => s.prefs);
    const users = useStore((s) => s.users);
    const threadList = useStore((s) => s.threadList[team.id]);
    const crt = useStore(CRT);
    const siteName = useStore((s) => s.config.SiteName);
    // guests cannot create, browse or join channels and teams (the server refuses; the menus leave them out)
    const guest = me.roles.split(' ').includes('system_guest');

    const sections = useMemo(() => {
        const mine = Object.values(channels).filter((c) => members[c.id] && (c.team_id === team.id || c.team_id === ''));
        return sidebarSections(mine, favoriteIds(prefs), (c) => channelTitle(c, me.id, users));
    }, [channels, members, prefs, users, team.id, me.id]);

    const openModal = (kind: 'create_channel' | 'browse_channels' | 'new_dm') => update(() => ({modal: {kind}}));
    const logout = async () => {
        stopRealtime();
        await client.logout().catch(() => undefined);
        window.location.href = '/login';
    };
    const threadsUnread = (threadList?.unread ?? 0) > 0;

    return (
        <>
            <TeamBar team={team}/>
            <nav className='sidebar' aria-label='Channels'>
                <div className='sidebar__header'>
                    <Menu
                        label={`${team.display_name} menu`}
                        button={<><span className='sidebar__team-name'>{team.display_name}</span><Icon name='chevron-down'/></>}
                        buttonClass='sidebar__team'
                        items={[
                            {label: 'Account settings', onSelect: () => update(() => ({modal: {kind: 'account'}}))},
                            {label: 'Notifications', onSelect: () => update(() => ({modal: {kind: 'notifications'}}))},
                            {label: 'Security', onSelect: () => update(() => ({modal: {kind: 'security'}}))},
                            ...(guest ? [] : [
                                {label: 'Create a channel', onSelect: () => openModal('create_channel')},
                                {label: 'Browse channels', onSelect: () => openModal('browse_channels')},
                                {label: 'Integrations', onSelect: () => navigate(paths.integrations(team.name))},
                                {label: 'Join or create a team', onSelect: () => navigate('/select_team')},
                            ]),
                            {label: 'Log out', onSelect: logout},
                        ]}
                    />
                    <div className='sidebar__me'>
                        <Avatar userId={me.id} size={16} status='online'/>
                        <span>@{me.username}</span>
                        {siteName && <span className='sr-only'> on {siteName}</span>}
                    </div>
                </div>
                <div className='sidebar__scroll'>
                    {crt && (
                        <ul className='sidebar__list sidebar__list--top'>
                            <li>
                                <a
                                    href={paths.threads(team.name)}
                                    className={`sidebar__item${current === 'threads' ? ' is-active' : ''}${threadsUnread ? ' is-unread' : ''}`}
                                    aria-current={current === 'threads' ? 'page' : undefined}
                                    onClick={(e) => {
                                        e.preventDefault();
                                        navigate(paths.threads(team.name));
                                    }}
                                >
                                    <span className='sidebar__icon'><Icon name='threads'/></span>
                                    <span className='sidebar__name'>Threads</span>
                                    {(threadList?.mentions ?? 0) > 0 && <span className='badge'>{threadList!.mentions}</span>}
                                </a>
                            </li>
                        </ul>
                    )}
                    {sections.favorites.length > 0 && (
                        <Section id='favorites' title='Favorites'>
                            {sections.favorites.map((c) => <ChannelItem key={c.id} team={team} channel={c} active={c.id === current}/>)}
                        </Section>
                    )}
                    <Section id='channels' title='Channels' actions={guest ? undefined :
                        <Menu
                            label='Add channels'
                            button={<Icon name='plus'/>}
                            buttonClass='icon-btn icon-btn--sidebar'
                            items={[
                                {label: 'Create new channel', onSelect: () => openModal('create_channel')},
                                {label: 'Browse channels', onSelect: () => openModal('browse_channels')},
                            ]}
                        />
                    }>
                        {sections.channels.map((c) => <ChannelItem key={c.id} team={team} channel={c} active={c.id === current}/>)}
                    </Section>
                    <Section id='direct' title='Direct messages' actions={
                        <button className='icon-btn icon-btn--sidebar' aria-label='Write a direct message' title='Write a direct message'
                            onClick={() => openModal('new_dm')}>
                            <Icon name='plus'/>
                        </button>
                    }>
                        {sections.direct.map((c) => <ChannelItem key={c.id} team={team} channel={c} active={c.id === current}/>)}
                    </Section>
                </div>
            </nav>
        </>
    );
}
