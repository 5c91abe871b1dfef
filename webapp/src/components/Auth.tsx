import {useEffect, useState, type FormEvent, type ReactNode} from 'react';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {FormattedMessage, useIntl} from 'react-intl';

import {addTeam, loadMe} from '../actions';
import {client, errorText} from '../client';
import {channelNameFrom} from '../lib/channels';
import {paths} from '../lib/routes';
import {MFA_ERROR_ID, MFA_REQUIRED_ID, errorId, loginNotice, passwordLoginEnabled, ssoProviders} from '../lib/sso';
import {navigate} from '../router';
import {getState, useStore} from '../store';

export function AuthCard({title, subtitle, children}: {title: string; subtitle?: ReactNode; children: ReactNode}) {
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

export function Field({label, ...props}: {label: string} & React.InputHTMLAttributes<HTMLInputElement>) {
    return (
        <label className='field'>
            <span className='field__label'>{label}</span>
            <input className='input' {...props}/>
        </label>
    );
}

export function ErrorLine({error}: {error: string}) {
    return error ? <p className='form-error' role='alert'>{error}</p> : null;
}

function SsoButtons() {
    const intl = useIntl();
    const config = useStore((s) => s.config);
    const providers = ssoProviders(config, new URLSearchParams(window.location.search).get('redirect_to'));
    if (!providers.length) {
        return null;
    }
    return (
        <div className='sso' aria-label={intl.formatMessage({id: 'login.sso', defaultMessage: 'Single sign-on'})}>
            {providers.map((p) => (
                <a key={p.id} className={`btn btn--block btn--sso btn--sso-${p.id}`} href={p.href}
                    style={p.color ? {background: p.color, color: '#fff'} : undefined}>
                    {p.label}
                </a>
            ))}
        </div>
    );
}

/** The server's answer to signing in before the email address is verified. */
const NOT_VERIFIED_ID = 'api.user.login.not_verified.app_error';

export function Login({onDone}: {onDone: () => void}) {
    const intl = useIntl();
    const config = useStore((s) => s.config);
    const [loginId, setLoginId] = useState(() => new URLSearchParams(window.location.search).get('email') ?? '');
    const [password, setPassword] = useState('');
    const [unverified, setUnverified] = useState<'' | 'ask' | 'sent'>('');
    const [mfaToken, setMfaToken] = useState('');
    const [needsMfa, setNeedsMfa] = useState(false);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const canSignUp = config.EnableOpenServer === 'true' && config.EnableUserCreation !== 'false' &&
        config.EnableSignUpWithEmail !== 'false';
    const withPassword = passwordLoginEnabled(config) || config.EnableLdap === 'true';
    const loginLabel = config.EnableLdap === 'true' && config.LdapLoginFieldName
        ? intl.formatMessage({id: 'login.email_or_field', defaultMessage: 'Email or {field}'}, {field: config.LdapLoginFieldName})
        : intl.formatMessage({id: 'login.email_or_username', defaultMessage: 'Email or username'});
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
                setUnverified(id === NOT_VERIFIED_ID && loginId.includes('@') ? 'ask' : '');
                setError(errorText(err, intl.formatMessage({id: 'login.failed', defaultMessage: 'Could not log in.'})));
            }
            setBusy(false);
        }
    };
    return (
        <AuthCard
            title={intl.formatMessage({id: 'login.title', defaultMessage: 'Log in'})}
            subtitle={intl.formatMessage({id: 'login.subtitle', defaultMessage: 'Welcome back. Sign in to continue the conversation.'})}
        >
            {notice && <p className='form-notice' role='status'>{notice}</p>}
            <SsoButtons/>
            {withPassword && (
                <form onSubmit={submit} className='form'>
                    <Field label={loginLabel} name='login_id' autoComplete='username' value={loginId}
                        onChange={(e) => setLoginId(e.target.value)} required autoFocus/>
                    <Field label={intl.formatMessage({id: 'login.password', defaultMessage: 'Password'})} name='password' type='password' autoComplete='current-password' value={password}
                        onChange={(e) => setPassword(e.target.value)} required/>
                    {needsMfa && (
                        <Field label={intl.formatMessage({id: 'login.mfa_code', defaultMessage: 'MFA code'})} name='token' inputMode='numeric' autoComplete='one-time-code' value={mfaToken}
                            pattern='[0-9 ]{6,7}' onChange={(e) => setMfaToken(e.target.value)} required autoFocus/>
                    )}
                    <ErrorLine error={error}/>
                    {unverified === 'ask' && (
                        <button className='btn btn--secondary btn--block' type='button' onClick={async () => {
                            await client.sendVerificationEmail(loginId.trim()).catch(() => undefined);
                            setUnverified('sent');
                        }}><FormattedMessage id='login.resend_verification' defaultMessage='Send the verification email again'/></button>
                    )}
                    {unverified === 'sent' && (
                        <p className='form-notice' role='status'><FormattedMessage id='verify.resent' defaultMessage='A new verification link is on its way to {email}.' values={{email: loginId.trim()}}/></p>
                    )}
                    <button className='btn btn--primary btn--block' type='submit' disabled={busy}>
                        {busy
                            ? <FormattedMessage id='login.busy' defaultMessage='Logging in…'/>
                            : <FormattedMessage id='login.submit' defaultMessage='Log in'/>}
                    </button>
                    {passwordLoginEnabled(config) && (
                        <p className='auth__forgot'>
                            <a href='/reset_password' onClick={(e) => {
                                e.preventDefault();
                                navigate('/reset_password');
                            }}><FormattedMessage id='login.forgot_password' defaultMessage='Forgot password?'/></a>
                        </p>
                    )}
                </form>
            )}
            {canSignUp && (
                <p className='auth__alt'>
                    <FormattedMessage
                        id='login.no_account'
                        defaultMessage='Don’t have an account? <a>Create one</a>'
                        values={{a: (chunks: ReactNode) => (
                            <a href='/signup' onClick={(e) => {
                                e.preventDefault();
                                navigate('/signup');
                            }}>{chunks}</a>
                        )}}
                    />
                </p>
            )}
        </AuthCard>
    );
}

function AccountForm({submitLabel, onCreated, token = '', initialEmail = ''}: {
    submitLabel: string; onCreated: (u: UserProfile) => Promise<void>; token?: string; initialEmail?: string;
}) {
    const intl = useIntl();
    const config = useStore((s) => s.config);
    const [email, setEmail] = useState(initialEmail);
    const [username, setUsername] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const minLen = Number(config.PasswordMinimumLength || 8);
    const [checkMail, setCheckMail] = useState('');

    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            const user = await client.createUser({email: email.trim(), username: username.trim().toLowerCase(), password} as UserProfile, token, '');
            try {
                await client.login(username.trim().toLowerCase(), password);
            } catch (err) {
                if (errorId(err) === NOT_VERIFIED_ID) {
                    setCheckMail(user.email);
                    return;
                }
                throw err;
            }
            await loadMe();
            await onCreated(user);
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'signup.failed', defaultMessage: 'Could not create the account.'})));
            setBusy(false);
        }
    };
    if (checkMail) {
        return (
            <p className='form-notice' role='status'>
                <FormattedMessage id='signup.check_email' defaultMessage='Account created. We sent a link to {email}: follow it to verify the address, then log in.' values={{email: checkMail}}/>
            </p>
        );
    }
    return (
        <form onSubmit={submit} className='form'>
            <Field label={intl.formatMessage({id: 'signup.email', defaultMessage: 'Email address'})} name='email' type='email' autoComplete='email' value={email}
                onChange={(e) => setEmail(e.target.value)} required autoFocus/>
            <Field label={intl.formatMessage({id: 'signup.username', defaultMessage: 'Username'})} name='username' autoComplete='username' value={username}
                pattern='[A-Za-z][A-Za-z0-9._\-]{2,21}'
                title={intl.formatMessage({id: 'signup.username_rule', defaultMessage: '3–22 characters: letters, numbers, . _ -, starting with a letter'})}
                onChange={(e) => setUsername(e.target.value)} required/>
            <Field label={intl.formatMessage({id: 'login.password', defaultMessage: 'Password'})} name='password' type='password' autoComplete='new-password' value={password}
                minLength={minLen} onChange={(e) => setPassword(e.target.value)} required/>
            <p className='field__hint'>
                <FormattedMessage id='signup.password_rule' defaultMessage='At least {count, plural, one {# character} other {# characters}}.' values={{count: minLen}}/>
            </p>
            <ErrorLine error={error}/>
            <button className='btn btn--primary btn--block' type='submit' disabled={busy}>
                {busy ? <FormattedMessage id='signup.busy' defaultMessage='Creating…'/> : submitLabel}
            </button>
        </form>
    );
}

function TeamForm({onCreated, submitLabel}: {onCreated: (t: Team) => void; submitLabel?: string}) {
    const intl = useIntl();
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
            setError(errorText(err, intl.formatMessage({id: 'team.create.failed', defaultMessage: 'Could not create the team.'})));
            setBusy(false);
        }
    };
    return (
        <form onSubmit={submit} className='form'>
            <Field label={intl.formatMessage({id: 'team.create.name', defaultMessage: 'Team name'})} name='team_display_name' value={displayName} maxLength={64}
                onChange={(e) => setDisplayName(e.target.value)} required autoFocus/>
            <Field label={intl.formatMessage({id: 'team.create.url', defaultMessage: 'Team URL'})} name='team_name' value={urlName} pattern='[a-z0-9][a-z0-9\-]{1,63}'
                title={intl.formatMessage({id: 'team.create.url_rule', defaultMessage: '2–64 lower-case letters, numbers and dashes'})}
                onChange={(e) => {
                    setNameTouched(true);
                    setName(e.target.value.toLowerCase());
                }} required/>
            <p className='field__hint'>{window.location.host}/{urlName || intl.formatMessage({id: 'team.create.url_placeholder', defaultMessage: 'your-team'})}</p>
            <label className='check'>
                <input type='checkbox' checked={open} onChange={(e) => setOpen(e.target.checked)}/>
                <span><FormattedMessage id='team.create.open' defaultMessage='Anyone with an account on this server can join'/></span>
            </label>
            <ErrorLine error={error}/>
            <button className='btn btn--primary btn--block' type='submit' disabled={busy}>
                {busy ? <FormattedMessage id='signup.busy' defaultMessage='Creating…'/>
                    : submitLabel ?? <FormattedMessage id='team.create.submit' defaultMessage='Create team'/>}
            </button>
        </form>
    );
}

/** The very first start: create the system admin account, then the first team. */
export function FirstRun({onDone}: {onDone: () => void}) {
    const intl = useIntl();
    const steps = intl.formatMessage({id: 'first_run.steps', defaultMessage: 'Set-up steps'});
    const [step, setStep] = useState<'account' | 'team'>('account');
    if (step === 'account') {
        return (
            <AuthCard
                title={intl.formatMessage({id: 'first_run.title', defaultMessage: 'Set up your workspace'})}
                subtitle={intl.formatMessage({id: 'first_run.subtitle', defaultMessage: 'Create the first account. It becomes the system administrator.'})}
            >
                <ol className='steps' aria-label={steps}>
                    <li className='is-current'><FormattedMessage id='first_run.step_account' defaultMessage='Your account'/></li>
                    <li><FormattedMessage id='first_run.step_team' defaultMessage='Your team'/></li>
                </ol>
                <AccountForm submitLabel={intl.formatMessage({id: 'signup.submit', defaultMessage: 'Create account'})} onCreated={async () => setStep('team')}/>
            </AuthCard>
        );
    }
    return (
        <AuthCard
            title={intl.formatMessage({id: 'first_run.team_title', defaultMessage: 'Create your first team'})}
            subtitle={intl.formatMessage({id: 'first_run.team_subtitle', defaultMessage: 'Teams hold channels and conversations. You can add more later.'})}
        >
            <ol className='steps' aria-label={steps}>
                <li className='is-done'><FormattedMessage id='first_run.step_account' defaultMessage='Your account'/></li>
                <li className='is-current'><FormattedMessage id='first_run.step_team' defaultMessage='Your team'/></li>
            </ol>
            <TeamForm submitLabel={intl.formatMessage({id: 'first_run.team_submit', defaultMessage: 'Create team and start'})} onCreated={(team) => {
                onDone();
                navigate(paths.channel(team.name, 'town-square'), true);
            }}/>
        </AuthCard>
    );
}

/** The invitation in a sign-up link (`?t=` token, `?d=` the team and address as JSON), as the server's emails send it. */
export function invitationFrom(search: string): {token: string; team: string; teamName: string; email: string} {
    const q = new URLSearchParams(search);
    let d: Record<string, unknown> = {};
    try {
        d = JSON.parse(q.get('d') || '{}') as Record<string, unknown>;
    } catch {
        d = {};
    }
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    return {token: q.get('t') ?? '', team: str(d.display_name), teamName: str(d.name), email: str(d.email)};
}

export function Signup({onDone}: {onDone: () => void}) {
    const intl = useIntl();
    const invite = invitationFrom(window.location.search);
    return (
        <AuthCard
            title={invite.token && invite.team
                ? intl.formatMessage({id: 'signup.invited_title', defaultMessage: 'Join {team}'}, {team: invite.team})
                : intl.formatMessage({id: 'signup.title', defaultMessage: 'Create your account'})}
            subtitle={<FormattedMessage
                id='signup.have_account'
                defaultMessage='Already have one? <a>Log in</a>'
                values={{a: (chunks: ReactNode) => (
                    <a href='/login' onClick={(e) => {
                        e.preventDefault();
                        navigate('/login');
                    }}>{chunks}</a>
                )}}
            />}
        >
            <AccountForm submitLabel={intl.formatMessage({id: 'signup.submit', defaultMessage: 'Create account'})} token={invite.token}
                initialEmail={invite.email} onCreated={async () => {
                    onDone();
                    const joined = Object.values(getState().teams).find((t) => t.name === invite.teamName);
                    navigate(joined ? paths.channel(joined.name, 'town-square') : '/select_team', true);
                }}/>
        </AuthCard>
    );
}

/** Join an open team or create one (when the user belongs to none, or asked for a team they are not in). */
export function SelectTeam({create = false, missing}: {create?: boolean; missing?: string}) {
    const intl = useIntl();
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
            setError(errorText(err, intl.formatMessage({id: 'select_team.join_failed', defaultMessage: 'Could not join the team.'})));
        }
    };
    const mine = Object.values(myTeams);
    if (creating) {
        return (
            <AuthCard title={intl.formatMessage({id: 'select_team.create_title', defaultMessage: 'Create a team'})}>
                <TeamForm onCreated={(team) => navigate(paths.channel(team.name, 'town-square'))}/>
                <p className='auth__alt'><button className='link' onClick={() => setCreating(false)}><FormattedMessage id='common.back' defaultMessage='Back'/></button></p>
            </AuthCard>
        );
    }
    return (
        <AuthCard
            title={missing ? intl.formatMessage({id: 'select_team.not_found', defaultMessage: 'Team not found'})
                : mine.length ? intl.formatMessage({id: 'select_team.teams', defaultMessage: 'Teams'})
                : intl.formatMessage({id: 'select_team.join_title', defaultMessage: 'Join a team'})}
            subtitle={missing
                ? intl.formatMessage({id: 'select_team.not_member', defaultMessage: 'You are not a member of “{team}”, or it does not exist.'}, {team: missing})
                : intl.formatMessage({id: 'select_team.subtitle', defaultMessage: 'Pick a team to join, or create a new one.'})}
        >
            {open === null ? <p aria-busy='true'><FormattedMessage id='select_team.loading' defaultMessage='Loading teams…'/></p> : (
                <ul className='team-list'>
                    {mine.map((t) => (
                        <li key={t.id}>
                            <a className='team-list__item' href={paths.channel(t.name, 'town-square')} onClick={(e) => {
                                e.preventDefault();
                                navigate(paths.channel(t.name, 'town-square'));
                            }}>
                                <span className='team-icon' aria-hidden='true'>{t.display_name.slice(0, 2)}</span>
                                <span>{t.display_name}</span><span className='team-list__action'><FormattedMessage id='select_team.open' defaultMessage='Open'/></span>
                            </a>
                        </li>
                    ))}
                    {open.map((t) => (
                        <li key={t.id}>
                            <button className='team-list__item' onClick={() => join(t)}>
                                <span className='team-icon' aria-hidden='true'>{t.display_name.slice(0, 2)}</span>
                                <span>{t.display_name}</span><span className='team-list__action'><FormattedMessage id='select_team.join' defaultMessage='Join'/></span>
                            </button>
                        </li>
                    ))}
                    {!open.length && !mine.length && <li className='muted'><FormattedMessage id='select_team.none_open' defaultMessage='No teams are open to join.'/></li>}
                </ul>
            )}
            <ErrorLine error={error}/>
            <button className='btn btn--secondary btn--block' onClick={() => setCreating(true)}><FormattedMessage id='select_team.create' defaultMessage='Create a new team'/></button>
            <p className='auth__alt'>
                <button className='link' onClick={async () => {
                    await client.logout().catch(() => undefined);
                    window.location.href = '/login';
                }}><FormattedMessage id='common.log_out' defaultMessage='Log out'/></button>
            </p>
        </AuthCard>
    );
}
