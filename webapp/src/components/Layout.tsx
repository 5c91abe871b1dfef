import {useEffect, useMemo, useState} from 'react';
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';
import {FormattedMessage, useIntl} from 'react-intl';

import {loadAround, loadTeamChannels, loadThreads, openDirect, refreshChannel} from '../actions';
import {client, errorText} from '../client';
import {intl as globalIntl} from '../i18n';
import {channelTitle} from '../lib/channels';
import {paths, type Route} from '../lib/routes';
import {focus} from '../realtime';
import {navigate} from '../router';
import {CRT, getState, update, useStore} from '../store';
import {CallBar, IncomingCalls} from './Calls';
import {ChannelView} from './ChannelView';
import {PermissionBanner, useTabTitle} from './Notifications';
import {IntegrationsView} from './Integrations';
import {Modals} from './Modals';
import {ProfilePopover} from './ProfilePopover';
import {Rhs} from './Rhs';
import {Sidebar} from './Sidebar';
import {ThreadsView} from './ThreadsView';

type TeamRoute = Extract<Route, {team: string}>;

/** Finds (or creates/joins) the channel a route points at. */
function useRouteChannel(team: Team, route: TeamRoute): {channel: Channel | null; error: string} {
    const loaded = useStore((s) => Boolean(s.loadedTeams[team.id]));
    const me = useStore((s) => s.me!);
    const [resolved, setResolved] = useState<{key: string; id: string; error: string}>({key: '', id: '', error: ''});
    const key = route.name === 'channel' || route.name === 'gm' ? `c:${route.channel}` : route.name === 'dm' ? `u:${route.username}` : '';
    const channel = useStore((s) => {
        if (!key) {
            return null;
        }
        if (resolved.key === key && resolved.id) {
            return s.channels[resolved.id] ?? null;
        }
        if (route.name === 'channel' || route.name === 'gm') {
            return Object.values(s.channels).find((c) => c.name === route.channel &&
                (c.team_id === team.id || c.team_id === '') && s.myMembers[c.id]) ?? null;
        }
        return null;
    });

    useEffect(() => {
        // Channels and DMs are looked up at once, in parallel with the sidebar's channel list
        // (the first paint of a channel does not wait for it); group messages need that list.
        if (!key || channel || (route.name === 'gm' && !loaded)) {
            return;
        }
        let cancelled = false;
        (async () => {
            try {
                let ch: Channel;
                if (route.name === 'dm') {
                    const user = await client.getUserByUsername(route.username);
                    const existing = Object.values(getState().channels).find((c) => c.type === 'D' &&
                        c.name === [me.id, user.id].sort().join('__'));
                    ch = existing ?? await openDirect(user.id);
                } else {
                    const name = (route as {channel: string}).channel;
                    ch = await client.getChannelByName(team.id, name) as Channel;
                    if (!await refreshChannel(ch.id)) {
                        // Opening a public channel by URL joins it, as in Mattermost.
                        await client.addToChannel(me.id, ch.id);
                        await refreshChannel(ch.id);
                    }
                }
                if (!cancelled) {
                    setResolved({key, id: ch.id, error: ''});
                }
            } catch (e) {
                if (!cancelled) {
                    setResolved({key, id: '', error: errorText(e, globalIntl().formatMessage({id: 'channel.not_found', defaultMessage: 'Channel not found.'}))});
                }
            }
        })();
        return () => {
            cancelled = true;
        };
    }, [key, loaded, channel, team.id, me.id, route]);

    return {channel, error: resolved.key === key ? resolved.error : ''};
}

export function Layout({team, route: routeProp}: {team: Team; route: TeamRoute}) {
    // Keep one route object per URL so effects keyed on it run once per navigation.
    const routeKey = JSON.stringify(routeProp);
    const route = useMemo(() => routeProp, [routeKey]); // eslint-disable-line react-hooks/exhaustive-deps
    const intl = useIntl();
    const rhs = useStore((s) => s.rhs);
    const sidebarOpen = useStore((s) => s.sidebarOpen);
    const {channel, error} = useRouteChannel(team, route);
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    const place = route.name === 'threads' ? intl.formatMessage({id: 'threads.title', defaultMessage: 'Threads'})
        : route.name === 'integrations' ? intl.formatMessage({id: 'integrations.title', defaultMessage: 'Integrations'})
        : channel ? channelTitle(channel, me.id, users) : '';
    useTabTitle(place, team);

    useEffect(() => {
        focus.teamId = team.id;
        void loadTeamChannels(team.id).catch(() => undefined);
        void loadThreads(team.id).catch(() => undefined);
    }, [team.id]);

    useEffect(() => {
        try {
            if (route.name !== 'permalink') {
                localStorage.setItem('chinwag:last_path', window.location.pathname);
            }
        } catch {
            // private mode
        }
        update(() => ({sidebarOpen: false}));
    }, [route]);

    useEffect(() => {
        if (route.name !== 'permalink') {
            return;
        }
        (async () => {
            try {
                const post = await client.getPost(route.postId);
                const ch = getState().channels[post.channel_id] ?? await refreshChannel(post.channel_id);
                if (!ch) {
                    throw new Error('no access');
                }
                // With collapsed threads the channel shows roots only: a reply opens the channel
                // at its root and the thread beside it, scrolled to the reply.
                const root = post.root_id && CRT(getState())
                    ? getState().posts[post.root_id] ?? await client.getPost(post.root_id) : post;
                await loadAround(ch.id, root);
                // A channel of another team of mine opens in that team.
                const teamName = (ch.team_id && getState().teams[ch.team_id]?.name) || team.name;
                const target = ch.type === 'D' || ch.type === 'G'
                    ? paths.gm(teamName, ch.name)
                    : paths.channel(teamName, ch.name);
                update((s) => ({
                    focusPost: {channelId: ch.id, postId: root.id, at: Date.now()},
                    rhs: post.root_id ? {kind: 'thread', rootId: post.root_id, highlight: post.id} : s.rhs,
                }));
                navigate(target, true);
            } catch {
                update(() => ({toast: globalIntl().formatMessage({id: 'permalink.not_found', defaultMessage: 'That message could not be found.'})}));
                navigate(paths.channel(team.name, 'town-square'), true);
            }
        })();
    }, [route, team.name]);

    useEffect(() => {
        // Alt+↑ / Alt+↓ move through the sidebar, Ctrl/Cmd+K opens the channel switcher, Esc closes the
        // sidebar drawer on a phone, as in Mattermost.
        const onKey = (e: KeyboardEvent) => {
            if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
                e.preventDefault();
                update((s) => ({modal: s.modal?.kind === 'switcher' ? null : s.modal ? s.modal : {kind: 'switcher'}}));
                return;
            }
            if (e.key === 'Escape' && getState().sidebarOpen && !getState().modal) {
                update(() => ({sidebarOpen: false}));
                document.querySelector<HTMLElement>('.channel-header__menu')?.focus();
                return;
            }
            if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) {
                return;
            }
            const links = [...document.querySelectorAll<HTMLAnchorElement>('nav.sidebar a.sidebar__item')];
            const at = links.findIndex((a) => a.getAttribute('aria-current') === 'page');
            const next = links[(at + (e.key === 'ArrowDown' ? 1 : -1) + links.length) % links.length];
            if (next) {
                e.preventDefault();
                next.click();
            }
        };
        window.addEventListener('keydown', onKey);
        return () => window.removeEventListener('keydown', onKey);
    }, []);

    const center = (() => {
        if (route.name === 'threads') {
            return <ThreadsView team={team} threadId={route.threadId}/>;
        }
        if (route.name === 'integrations') {
            return <IntegrationsView team={team} tab={route.tab}/>;
        }
        if (error) {
            return (
                <main className='center center--empty'>
                    <h1><FormattedMessage id='channel.not_found_title' defaultMessage='Channel not found'/></h1>
                    <p>{error}</p>
                    <button className='btn btn--primary' onClick={() => navigate(paths.channel(team.name, 'town-square'))}>
                        <FormattedMessage id='channel.go_town_square' defaultMessage='Go to Town Square'/>
                    </button>
                </main>
            );
        }
        if (!channel) {
            return <main className='center center--empty' aria-busy='true'/>;
        }
        return <ChannelView key={channel.id} team={team} channel={channel}/>;
    })();

    return (
        <div className='app-shell'>
        <ConnectionBanner/>
        <PermissionBanner/>
        <div className={`app${rhs ? ' app--rhs' : ''}${sidebarOpen ? ' app--sidebar-open' : ''}`}>
            <a className='skip-link' href='#composer'><FormattedMessage id='layout.skip_to_composer' defaultMessage='Skip to message box'/></a>
            <Sidebar team={team} current={route.name === 'threads' ? 'threads' : channel?.id ?? ''}/>
            <div className='scrim' hidden={!sidebarOpen} onClick={() => update(() => ({sidebarOpen: false}))}/>
            {center}
            {rhs && <Rhs team={team}/>}
            <Modals team={team} channel={channel}/>
            <ProfilePopover team={team}/>
            <IncomingCalls/>
            <CallBar team={team}/>
            <Toast/>
        </div>
        </div>
    );
}

/** After the socket said hello once, a lost connection (a few seconds without it) is said in a banner
 * until it is back; meanwhile the UI polls (realtime.ts), so what is shown stays current. */
function ConnectionBanner() {
    const lost = useStore((s) => s.wsEverConnected && !s.wsConnected);
    const [show, setShow] = useState(false);
    useEffect(() => {
        if (!lost) {
            setShow(false);
            return;
        }
        const t = setTimeout(() => setShow(true), LOST_AFTER_MS);
        return () => clearTimeout(t);
    }, [lost]);
    if (!show) {
        return null;
    }
    return (
        <div className='banner banner--warning' role='status'>
            <FormattedMessage id='connection.lost' defaultMessage='Connection to the server lost. Reconnecting… New messages may arrive late.'/>
        </div>
    );
}

const LOST_AFTER_MS = 3000;

function Toast() {
    const toast = useStore((s) => s.toast);
    useEffect(() => {
        if (!toast) {
            return;
        }
        const t = setTimeout(() => update(() => ({toast: ''})), 4000);
        return () => clearTimeout(t);
    }, [toast]);
    return toast ? <div className='toast' role='status'>{toast}</div> : null;
}
