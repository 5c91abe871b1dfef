import {useEffect, useState} from 'react';
import {FormattedMessage} from 'react-intl';

import {currentTheme, loadConfig, loadMe} from '../actions';
import {AdminRoute, isAdminPath} from '../admin/entry';
import {statusOf} from '../client';
import {parseRoute, paths} from '../lib/routes';
import {MFA_REQUIRED_ID, errorId} from '../lib/sso';
import {cssVars} from '../lib/theme';
import {startRealtime} from '../realtime';
import {navigate, usePath} from '../router';
import {getState, update, useStore} from '../store';
import {ResetPassword, ResetPasswordComplete, VerifyEmail} from './AccountPages';
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
    const themePref = useStore((s) => s.prefs.find((p) => p.category === 'theme' && p.name === '')?.value ?? '');
    const config = useStore((s) => s.config);

    useEffect(() => {
        document.documentElement.dataset.theme = theme;
    }, [theme]);

    useEffect(() => {
        // The theme's colours as CSS variables (the stylesheet's own values until a theme is known).
        const root = document.documentElement;
        const vars = cssVars(currentTheme(getState().prefs, config));
        for (const [name, value] of Object.entries(vars)) {
            root.style.setProperty(name, value);
        }
    }, [themePref, theme, config]);

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
                <p><FormattedMessage id='app.unreachable' defaultMessage='Cannot reach the server.'/></p>
                <button className='btn btn--primary' onClick={() => window.location.reload()}>
                    <FormattedMessage id='common.try_again' defaultMessage='Try again'/>
                </button>
            </div>
        );
    }
    // The account emails' pages work signed in or not.
    if (route.name === 'reset_password') {
        return <ResetPassword/>;
    }
    if (route.name === 'reset_password_complete') {
        return <ResetPasswordComplete/>;
    }
    if (route.name === 'verify_email') {
        return <VerifyEmail authed={phase === 'authed'}/>;
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
            const redirect = path !== '/' ? `?redirect_to=${encodeURIComponent(path + window.location.search)}` : '';
            window.history.replaceState(null, '', `/login${redirect}`);
        }
        return <Login onDone={() => {
            setPhase('authed');
            if (!followRedirect()) {
                onLoggedIn();
            }
        }}/>;
    }
    return <Authed/>;
}

/** Goes where `?redirect_to=` (a same-site path) says, loading server pages (an /oauth/authorize request) in full. */
function followRedirect(): boolean {
    const redirect = new URLSearchParams(window.location.search).get('redirect_to');
    if (!redirect || !redirect.startsWith('/') || redirect.startsWith('//') || redirect.startsWith('/\\')) {
        return false;
    }
    if (parseRoute(redirect.split('?')[0]).name === 'notfound') {
        window.location.assign(redirect);
    } else {
        navigate(redirect, true);
    }
    return true;
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
        if (route.name === 'login' && followRedirect()) {
            return; // signed in already: straight on to where the sign-in was asked for
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

    if (isAdminPath(path)) {
        return <AdminRoute/>;
    }
    if (route.name === 'select_team' || route.name === 'create_team') {
        return <SelectTeam create={route.name === 'create_team'}/>;
    }
    if (route.name === 'notfound') {
        return (
            <div className='splash'>
                <h1><FormattedMessage id='app.not_found' defaultMessage='Page not found'/></h1>
                <a className='btn btn--primary' href='/'><FormattedMessage id='app.back_home' defaultMessage='Back to chinwag'/></a>
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
