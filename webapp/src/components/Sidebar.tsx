import {useMemo} from 'react';
import type {Team} from '@mattermost/types/teams';
import {FormattedMessage, useIntl} from 'react-intl';

import {useSystemConsoleMenuItem} from '../admin/entry';
import {leaveCall} from '../calls';
import {client} from '../client';
import {customStatusOf} from '../lib/custom_status';
import {canManageIntegrations} from '../lib/permissions';
import {paths} from '../lib/routes';
import {stopRealtime} from '../realtime';
import {navigate} from '../router';
import {CRT, update, useStore} from '../store';
import {SidebarCategories} from './SidebarCategories';
import {Avatar} from './Avatar';
import {StatusEmoji} from './CustomStatus';
import {Icon} from './Icon';
import {Menu} from './Menu';

export {channelPath} from './SidebarCategories';

function TeamBar({team}: {team: Team}) {
    const intl = useIntl();
    const joinLabel = intl.formatMessage({id: 'sidebar.join_team', defaultMessage: 'Join or create a team'});
    const teams = useStore((s) => s.teams);
    const unreads = useStore((s) => s.teamUnreads);
    const list = useMemo(() => Object.values(teams).sort((a, b) => a.display_name.localeCompare(b.display_name)), [teams]);
    return (
        <nav className='teambar' aria-label={intl.formatMessage({id: 'sidebar.teams', defaultMessage: 'Teams'})}>
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
                        {!active && u && !u.mention_count && u.msg_count > 0 && <span className='dot dot--team' aria-label={intl.formatMessage({id: 'sidebar.unread_dot', defaultMessage: 'unread'})}/>}
                    </a>
                );
            })}
            <a className='teambar__team teambar__add' href='/select_team' title={joinLabel} onClick={(e) => {
                e.preventDefault();
                navigate('/select_team');
            }}>
                <Icon name='plus'/><span className='sr-only'>{joinLabel}</span>
            </a>
        </nav>
    );
}

export function Sidebar({team, current}: {team: Team; current: string}) {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const consoleItem = useSystemConsoleMenuItem();
    const threadList = useStore((s) => s.threadList[team.id]);
    const crt = useStore(CRT);
    const siteName = useStore((s) => s.config.SiteName);
    const roles = useStore((s) => s.roles);
    const teamMember = useStore((s) => s.teamMembers[team.id]);
    // guests cannot create, browse or join channels and teams (the server refuses; the menus leave them out)
    const guest = me.roles.split(' ').includes('system_guest');
    const integrations = canManageIntegrations(roles, me, teamMember);

    const openModal = (kind: 'create_channel' | 'browse_channels' | 'new_dm') => update(() => ({modal: {kind}}));
    const logout = async () => {
        leaveCall(); // signing out leaves the call at once (a page that merely goes keeps it for a reload)
        stopRealtime();
        await client.logout().catch(() => undefined);
        window.location.href = '/login';
    };
    const threadsUnread = (threadList?.unread ?? 0) > 0;

    return (
        <>
            <TeamBar team={team}/>
            <nav className='sidebar' aria-label={intl.formatMessage({id: 'sidebar.channels_nav', defaultMessage: 'Channels'})}>
                <div className='sidebar__header'>
                    <Menu
                        label={intl.formatMessage({id: 'sidebar.team_menu', defaultMessage: '{team} menu'}, {team: team.display_name})}
                        button={<><span className='sidebar__team-name'>{team.display_name}</span><Icon name='chevron-down'/></>}
                        buttonClass='sidebar__team'
                        items={[
                            {label: intl.formatMessage({id: 'menu.account', defaultMessage: 'Account settings'}), onSelect: () => update(() => ({modal: {kind: 'account'}}))},
                            {label: intl.formatMessage({id: 'menu.notifications', defaultMessage: 'Notifications'}), onSelect: () => update(() => ({modal: {kind: 'notifications'}}))},
                            {label: intl.formatMessage({id: 'menu.security', defaultMessage: 'Security'}), onSelect: () => update(() => ({modal: {kind: 'security'}}))},
                            ...(guest ? [] : [
                                {label: intl.formatMessage({id: 'menu.create_channel', defaultMessage: 'Create a channel'}), onSelect: () => openModal('create_channel')},
                                {label: intl.formatMessage({id: 'menu.browse_channels', defaultMessage: 'Browse channels'}), onSelect: () => openModal('browse_channels')},
                                ...(integrations ? [{label: intl.formatMessage({id: 'integrations.title', defaultMessage: 'Integrations'}), onSelect: () => navigate(paths.integrations(team.name))}] : []),
                                {label: intl.formatMessage({id: 'sidebar.join_team', defaultMessage: 'Join or create a team'}), onSelect: () => navigate('/select_team')},
                            ]),
                            ...consoleItem,
                            {label: intl.formatMessage({id: 'common.log_out', defaultMessage: 'Log out'}), onSelect: logout},
                        ]}
                    />
                    <button type='button' className='sidebar__me' onClick={() => update(() => ({modal: {kind: 'custom_status'}}))}
                        title={intl.formatMessage({id: 'custom_status.title', defaultMessage: 'Set a status'})}>
                        <Avatar userId={me.id} size={16} status='online'/>
                        <span>@{me.username}</span>
                        {siteName && <span className='sr-only'> <FormattedMessage id='sidebar.on_site' defaultMessage='on {site}' values={{site: siteName}}/></span>}
                        {customStatusOf(me) ? <StatusEmoji userId={me.id} withText/>
                            : <span className='sidebar__set-status'><FormattedMessage id='custom_status.title' defaultMessage='Set a status'/></span>}
                    </button>
                    <button type='button' className='sidebar__find' onClick={() => update(() => ({modal: {kind: 'switcher'}}))}
                        aria-keyshortcuts='Control+K Meta+K'>
                        <Icon name='search' size={14}/>
                        <span><FormattedMessage id='switcher.open' defaultMessage='Find channel'/></span>
                        <kbd aria-hidden='true'>Ctrl+K</kbd>
                    </button>
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
                                    <span className='sidebar__name'><FormattedMessage id='threads.title' defaultMessage='Threads'/></span>
                                    {(threadList?.mentions ?? 0) > 0 && <span className='badge'>{threadList!.mentions}</span>}
                                </a>
                            </li>
                        </ul>
                    )}
                    <SidebarCategories team={team} current={current} guest={guest} openModal={openModal}/>
                </div>
            </nav>
        </>
    );
}
