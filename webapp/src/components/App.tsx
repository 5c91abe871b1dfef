import {useEffect, useState} from 'react';

import {loadConfig, loadMe} from '../actions';
import {statusOf} from '../client';
import {parseRoute, paths} from '../lib/routes';
import {MFA_REQUIRED_ID, errorId} from '../lib/sso';
import {startRealtime} from '../realtime';
import {navigate, usePath} from '../router';
import {getState, update, useStore} from '../store';
import {FirstRun, Login, SelectTeam, Signup} from './Auth';
import {Layout} from './Layout';
import {MfaSetup} from './MfaSetup';

type Phase = 'loading' | 'anon' | 'authed' | 'mfa' | 'error';

export function App() {
    const [phase, setPhase] = useState<Phase>('loading');
    // Latched at start: the set-up screens stay up after the first account exists.
    const [firstRun, setFirstRun] = useState(false);
    const path = usePath();
    const route = parseRoute(path);
    const theme = useStore((s) => s.theme);
    const config = useStore((s) => s.config);

    useEffect(() => {
        document.documentElement.dataset.theme = theme;
    }, [theme]);

    useEffect(() => {
        let cancelled = false;
        (async () => {
            try {
                await loadMe();
                if (!cancelled) {
                    setPhase('authed');
                }
            } catch (e) {
                if (cancelled) {
                    return;
                }
                if (errorId(e) === MFA_REQUIRED_ID) {
                    setPhase('mfa');
                    return;
                }
                if (statusOf(e) === 401 || statusOf(e) === 403) {
                    try {
                        await loadConfig();
                        setFirstRun(getState().config.NoAccounts === 'true');
                        setPhase('anon');
                    } catch {
                        setPhase('error');
                    }
                } else {
                    setPhase('error');
                }
            }
        })();
        return () => {
            cancelled = true;
        };
    }, []);

    useEffect(() => {
        if (phase === 'authed') {
            startRealtime();
        }
    }, [phase]);

    useEffect(() => {
        if (config.SiteName) {
            document.title = config.SiteName;
        }
    }, [config.SiteName]);

    if (phase === 'loading') {
        return <div className='splash' aria-busy='true'><div className='splash__logo'>chinwag</div></div>;
    }
    if (phase === 'mfa') {
        return <MfaSetup/>;
    }
    if (phase === 'error') {
        return (
            <div className='splash'>
                <p>Cannot reach the server.</p>
                <button className='btn btn--primary' onClick={() => window.location.reload()}>Try again</button>
            </div>
        );
    }
    const onLoggedIn = () => {
        setPhase('authed');
        const teams = Object.values(getState().teams);
        navigate(teams.length ? paths.channel(teams[0].name, 'town-square') : '/select_team', true);
    };
    if (phase === 'anon') {
        if (firstRun) {
            return <FirstRun onDone={onLoggedIn}/>;
        }
        if (route.name === 'signup') {
            return <Signup onDone={onLoggedIn}/>;
        }
        if (route.name !== 'login') {
            const redirect = path !== '/' ? `?redirect_to=${encodeURIComponent(path)}` : '';
            window.history.replaceState(null, '', `/login${redirect}`);
        }
        return <Login onDone={() => {
            setPhase('authed');
            const redirect = new URLSearchParams(window.location.search).get('redirect_to');
            if (redirect && redirect.startsWith('/') && !redirect.startsWith('//')) {
                navigate(redirect, true);
            } else {
                onLoggedIn();
            }
        }}/>;
    }
    return <Authed/>;
}

function lastPath(): string | null {
    try {
        return localStorage.getItem('chinwag:last_path');
    } catch {
        return null;
    }
}

function Authed() {
    const path = usePath();
    const route = parseRoute(path);
    const teams = useStore((s) => s.teams);
    const teamList = Object.values(teams).sort((a, b) => a.display_name.localeCompare(b.display_name));

    useEffect(() => {
        if (route.name === 'settings') {
            update(() => ({modal: {kind: 'notifications'}}));
        }
        if (route.name === 'root' || route.name === 'login' || route.name === 'signup' || route.name === 'settings') {
            const last = lastPath();
            const lastTeam = last ? parseRoute(last) : null;
            if (last && lastTeam && 'team' in lastTeam && teamList.some((t) => t.name === lastTeam.team)) {
                navigate(last, true);
            } else if (teamList.length) {
                navigate(paths.channel(teamList[0].name, 'town-square'), true);
            } else {
                navigate('/select_team', true);
            }
        }
    });

    if (route.name === 'select_team' || route.name === 'create_team') {
        return <SelectTeam create={route.name === 'create_team'}/>;
    }
    if (route.name === 'notfound') {
        return (
            <div className='splash'>
                <h1>Page not found</h1>
                <a className='btn btn--primary' href='/'>Back to chinwag</a>
            </div>
        );
    }
    if (!('team' in route)) {
        return <div className='splash' aria-busy='true'/>;
    }
    const team = teamList.find((t) => t.name === route.team);
    if (!team) {
        return <SelectTeam missing={route.team}/>;
    }
    return <Layout team={team} route={route}/>;
}
