import {useEffect, useState, type FormEvent, type ReactNode} from 'react';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

import {addTeam, loadMe} from '../actions';
import {client, errorText} from '../client';
import {channelNameFrom} from '../lib/channels';
import {paths} from '../lib/routes';
import {MFA_ERROR_ID, MFA_REQUIRED_ID, errorId, loginNotice, passwordLoginEnabled, ssoProviders} from '../lib/sso';
import {navigate} from '../router';
import {useStore} from '../store';

function AuthCard({title, subtitle, children}: {title: string; subtitle?: ReactNode; children: ReactNode}) {
    const siteName = useStore((s) => s.config.SiteName) || 'chinwag';
    return (
        <div className='auth'>
            <div className='auth__brand'>
                <svg className='auth__logo' viewBox='0 0 32 32' width='32' height='32' aria-hidden='true'>
                    <rect width='32' height='32' rx='8' fill='#fff' fillOpacity='0.14'/>
                    <path d='M8 9h16v11H14l-5 4v-4H8z' fill='#fff'/>
                </svg>
                <span>{siteName}</span>
            </div>
            <main className='auth__card'>
                <h1>{title}</h1>
                {subtitle && <p className='auth__subtitle'>{subtitle}</p>}
                {children}
            </main>
        </div>
    );
}

function Field({label, ...props}: {label: string} & React.InputHTMLAttributes<HTMLInputElement>) {
    return (
        <label className='field'>
            <span className='field__label'>{label}</span>
            <input className='input' {...props}/>
        </label>
    );
}

function ErrorLine({error}: {error: string}) {
    return error ? <p className='form-error' role='alert'>{error}</p> : null;
}

function SsoButtons() {
    const config = useStore((s) => s.config);
    const providers = ssoProviders(config, new URLSearchParams(window.location.search).get('redirect_to'));
    if (!providers.length) {
        return null;
    }
    return (
        <div className='sso' aria-label='Single sign-on'>
            {providers.map((p) => (
                <a key={p.id} className={`btn btn--block btn--sso btn--sso-${p.id}`} href={p.href}
                    style={p.color ? {background: p.color, color: '#fff'} : undefined}>
                    {p.label}
                </a>
            ))}
        </div>
    );
}

export function Login({onDone}: {onDone: () => void}) {
    const config = useStore((s) => s.config);
    const [loginId, setLoginId] = useState('');
    const [password, setPassword] = useState('');
    const [mfaToken, setMfaToken] = useState('');
    const [needsMfa, setNeedsMfa] = useState(false);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const canSignUp = config.EnableOpenServer === 'true' && config.EnableUserCreation !== 'false' &&
        config.EnableSignUpWithEmail !== 'false';
    const withPassword = passwordLoginEnabled(config) || config.EnableLdap === 'true';
    const loginLabel = config.EnableLdap === 'true' && config.LdapLoginFieldName ? `Email or ${config.LdapLoginFieldName}` : 'Email or username';
    const notice = loginNotice(window.location.search);

    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            await client.login(loginId.trim(), password, mfaToken.trim());
            await loadMe();
            onDone();
        } catch (err) {
            const id = errorId(err);
            if (id === MFA_REQUIRED_ID) {
                window.location.assign('/'); // signed in, but the MFA set-up comes first
                return;
            }
            if (id === MFA_ERROR_ID && !needsMfa) {
                setNeedsMfa(true);
            } else {
                setError(errorText(err, 'Could not log in.'));
            }
            setBusy(false);
        }
    };
    return (
        <AuthCard title='Log in' subtitle='Welcome back. Sign in to continue the conversation.'>
            {notice && <p className='form-notice' role='status'>{notice}</p>}
            <SsoButtons/>
            {withPassword && (
                <form onSubmit={submit} className='form'>
                    <Field label={loginLabel} name='login_id' autoComplete='username' value={loginId}
                        onChange={(e) => setLoginId(e.target.value)} required autoFocus/>
                    <Field label='Password' name='password' type='password' autoComplete='current-password' value={password}
                        onChange={(e) => setPassword(e.target.value)} required/>
                    {needsMfa && (
                        <Field label='MFA code' name='token' inputMode='numeric' autoComplete='one-time-code' value={mfaToken}
                            pattern='[0-9 ]{6,7}' onChange={(e) => setMfaToken(e.target.value)} required autoFocus/>
                    )}
                    <ErrorLine error={error}/>
                    <button className='btn btn--primary btn--block' type='submit' disabled={busy}>
                        {busy ? 'Logging in…' : 'Log in'}
                    </button>
                </form>
            )}
            {canSignUp && (
                <p className='auth__alt'>Don’t have an account? <a href='/signup' onClick={(e) => {
                    e.preventDefault();
                    navigate('/signup');
                }}>Create one</a></p>
            )}
        </AuthCard>
    );
}

function AccountForm({submitLabel, onCreated}: {submitLabel: string; onCreated: (u: UserProfile) => Promise<void>}) {
    const config = useStore((s) => s.config);
    const [email, setEmail] = useState('');
    const [username, setUsername] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const minLen = Number(config.PasswordMinimumLength || 8);

    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            const user = await client.createUser({email: email.trim(), username: username.trim().toLowerCase(), password} as UserProfile, '', '');
            await client.login(username.trim().toLowerCase(), password);
            await loadMe();
            await onCreated(user);
        } catch (err) {
            setError(errorText(err, 'Could not create the account.'));
            setBusy(false);
        }
    };
    return (
        <form onSubmit={submit} className='form'>
            <Field label='Email address' name='email' type='email' autoComplete='email' value={email}
                onChange={(e) => setEmail(e.target.value)} required autoFocus/>
            <Field label='Username' name='username' autoComplete='username' value={username}
                pattern='[A-Za-z][A-Za-z0-9._\-]{2,21}' title='3–22 characters: letters, numbers, . _ -, starting with a letter'
                onChange={(e) => setUsername(e.target.value)} required/>
            <Field label='Password' name='password' type='password' autoComplete='new-password' value={password}
                minLength={minLen} onChange={(e) => setPassword(e.target.value)} required/>
            <p className='field__hint'>At least {minLen} characters.</p>
            <ErrorLine error={error}/>
            <button className='btn btn--primary btn--block' type='submit' disabled={busy}>
                {busy ? 'Creating…' : submitLabel}
            </button>
        </form>
    );
}

function TeamForm({onCreated, submitLabel = 'Create team'}: {onCreated: (t: Team) => void; submitLabel?: string}) {
    const [displayName, setDisplayName] = useState('');
    const [name, setName] = useState('');
    const [nameTouched, setNameTouched] = useState(false);
    const [open, setOpen] = useState(true);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const urlName = nameTouched ? name : channelNameFrom(displayName);

    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            const team = await client.createTeam({
                display_name: displayName.trim(),
                name: urlName,
                type: open ? 'O' : 'I',
                allow_open_invite: open,
            } as Team);
            addTeam(team);
            await loadMe();
            onCreated(team);
        } catch (err) {
            setError(errorText(err, 'Could not create the team.'));
            setBusy(false);
        }
    };
    return (
        <form onSubmit={submit} className='form'>
            <Field label='Team name' name='team_display_name' value={displayName} maxLength={64}
                onChange={(e) => setDisplayName(e.target.value)} required autoFocus/>
            <Field label='Team URL' name='team_name' value={urlName} pattern='[a-z0-9][a-z0-9\-]{1,63}'
                title='2–64 lower-case letters, numbers and dashes'
                onChange={(e) => {
                    setNameTouched(true);
                    setName(e.target.value.toLowerCase());
                }} required/>
            <p className='field__hint'>{window.location.host}/{urlName || 'your-team'}</p>
            <label className='check'>
                <input type='checkbox' checked={open} onChange={(e) => setOpen(e.target.checked)}/>
                <span>Anyone with an account on this server can join</span>
            </label>
            <ErrorLine error={error}/>
            <button className='btn btn--primary btn--block' type='submit' disabled={busy}>
                {busy ? 'Creating…' : submitLabel}
            </button>
        </form>
    );
}

/** The very first start: create the system admin account, then the first team. */
export function FirstRun({onDone}: {onDone: () => void}) {
    const [step, setStep] = useState<'account' | 'team'>('account');
    if (step === 'account') {
        return (
            <AuthCard title='Set up your workspace' subtitle='Create the first account. It becomes the system administrator.'>
                <ol className='steps' aria-label='Set-up steps'><li className='is-current'>Your account</li><li>Your team</li></ol>
                <AccountForm submitLabel='Create account' onCreated={async () => setStep('team')}/>
            </AuthCard>
        );
    }
    return (
        <AuthCard title='Create your first team' subtitle='Teams hold channels and conversations. You can add more later.'>
            <ol className='steps' aria-label='Set-up steps'><li className='is-done'>Your account</li><li className='is-current'>Your team</li></ol>
            <TeamForm submitLabel='Create team and start' onCreated={(team) => {
                onDone();
                navigate(paths.channel(team.name, 'town-square'), true);
            }}/>
        </AuthCard>
    );
}

export function Signup({onDone}: {onDone: () => void}) {
    return (
        <AuthCard title='Create your account' subtitle={<>Already have one? <a href='/login' onClick={(e) => {
            e.preventDefault();
            navigate('/login');
        }}>Log in</a></>}>
            <AccountForm submitLabel='Create account' onCreated={async () => {
                onDone();
                navigate('/select_team', true);
            }}/>
        </AuthCard>
    );
}

/** Join an open team or create one (when the user belongs to none, or asked for a team they are not in). */
export function SelectTeam({create = false, missing}: {create?: boolean; missing?: string}) {
    const myTeams = useStore((s) => s.teams);
    const me = useStore((s) => s.me);
    const [open, setOpen] = useState<Team[] | null>(null);
    const [error, setError] = useState('');
    const [creating, setCreating] = useState(create);

    useEffect(() => {
        client.getTeams(0, 200).then((ts) => {
            const list = (Array.isArray(ts) ? ts : ts.teams).filter((t) => !myTeams[t.id] && t.allow_open_invite && !t.delete_at);
            setOpen(list);
        }).catch(() => setOpen([]));
    }, [myTeams]);

    const join = async (team: Team) => {
        setError('');
        try {
            await client.addToTeam(team.id, me!.id);
            addTeam(team);
            await loadMe();
            navigate(paths.channel(team.name, 'town-square'));
        } catch (err) {
            setError(errorText(err, 'Could not join the team.'));
        }
    };
    const mine = Object.values(myTeams);
    if (creating) {
        return (
            <AuthCard title='Create a team'>
                <TeamForm onCreated={(team) => navigate(paths.channel(team.name, 'town-square'))}/>
                <p className='auth__alt'><button className='link' onClick={() => setCreating(false)}>Back</button></p>
            </AuthCard>
        );
    }
    return (
        <AuthCard
            title={missing ? 'Team not found' : mine.length ? 'Teams' : 'Join a team'}
            subtitle={missing ? `You are not a member of “${missing}”, or it does not exist.` : 'Pick a team to join, or create a new one.'}
        >
            {open === null ? <p aria-busy='true'>Loading teams…</p> : (
                <ul className='team-list'>
                    {mine.map((t) => (
                        <li key={t.id}>
                            <a className='team-list__item' href={paths.channel(t.name, 'town-square')} onClick={(e) => {
                                e.preventDefault();
                                navigate(paths.channel(t.name, 'town-square'));
                            }}>
                                <span className='team-icon' aria-hidden='true'>{t.display_name.slice(0, 2)}</span>
                                <span>{t.display_name}</span><span className='team-list__action'>Open</span>
                            </a>
                        </li>
                    ))}
                    {open.map((t) => (
                        <li key={t.id}>
                            <button className='team-list__item' onClick={() => join(t)}>
                                <span className='team-icon' aria-hidden='true'>{t.display_name.slice(0, 2)}</span>
                                <span>{t.display_name}</span><span className='team-list__action'>Join</span>
                            </button>
                        </li>
                    ))}
                    {!open.length && !mine.length && <li className='muted'>No teams are open to join.</li>}
                </ul>
            )}
            <ErrorLine error={error}/>
            <button className='btn btn--secondary btn--block' onClick={() => setCreating(true)}>Create a new team</button>
            <p className='auth__alt'>
                <button className='link' onClick={async () => {
                    await client.logout().catch(() => undefined);
                    window.location.href = '/login';
                }}>Log out</button>
            </p>
        </AuthCard>
    );
}
