// Team menu → Security: the sign-in method (switch between email/password and an enabled GitLab or
// OpenID provider with POST /users/login/switch) and multi-factor authentication (set up or remove).
import {useState, type FormEvent} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';

import {client, errorText} from '../client';
import {mfaAvailable, signInChoices, type SignInSwitch} from '../lib/sso';
import {update, useStore} from '../store';
import {Modal} from './Modals';

const close = () => update(() => ({modal: null}));

function SwitchForm({target, email, current, mfaActive, onCancel}: {
    target: SignInSwitch; email: string; current: string; mfaActive: boolean; onCancel: () => void;
}) {
    const intl = useIntl();
    const [password, setPassword] = useState('');
    const [confirm, setConfirm] = useState('');
    const [code, setCode] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const toEmail = target.to === 'email';
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        e.stopPropagation();
        setError('');
        if (toEmail && password !== confirm) {
            setError(intl.formatMessage({id: 'security.mismatch', defaultMessage: 'The passwords do not match.'}));
            return;
        }
        setBusy(true);
        try {
            const r = toEmail ?
                await client.switchOAuthToEmail(current, email, password) :
                await client.switchEmailToOAuth(target.to, email, password, code.replace(/\s/g, ''));
            // email → SSO: the provider confirms the account; SSO → email: every session ended, sign in again.
            window.location.assign(r.follow_link);
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'security.switch_failed', defaultMessage: 'Could not switch the sign-in method.'})));
            setBusy(false);
        }
    };
    const switchLabel = intl.formatMessage({id: 'security.switch_to', defaultMessage: 'Switch to {method}'}, {method: target.label});
    return (
        <form className='form security__switch' onSubmit={submit} aria-label={switchLabel}>
            <p className='muted'>{toEmail
                ? intl.formatMessage({id: 'security.to_email', defaultMessage: 'Choose a password. You will be signed out everywhere and sign in again with your email and this password.'})
                : intl.formatMessage({id: 'security.to_sso', defaultMessage: 'Confirm your password; {provider} then asks you to sign in there with the same email ({email}). You will be signed out everywhere.'},
                    {provider: target.label, email})}</p>
            <label className='field'><span className='field__label'>{toEmail
                ? <FormattedMessage id='account.new_password' defaultMessage='New password'/>
                : <FormattedMessage id='account.current_password' defaultMessage='Current password'/>}</span>
                <input className='input' type='password' name='password' autoComplete={toEmail ? 'new-password' : 'current-password'}
                    value={password} onChange={(e) => setPassword(e.target.value)} required/></label>
            {toEmail && (
                <label className='field'><span className='field__label'><FormattedMessage id='security.confirm_password' defaultMessage='Confirm the new password'/></span>
                    <input className='input' type='password' name='confirm' autoComplete='new-password'
                        value={confirm} onChange={(e) => setConfirm(e.target.value)} required/></label>
            )}
            {!toEmail && mfaActive && (
                <label className='field'><span className='field__label'><FormattedMessage id='mfa.code' defaultMessage='Authenticator code'/></span>
                    <input className='input' name='mfa_code' inputMode='numeric' autoComplete='one-time-code'
                        value={code} onChange={(e) => setCode(e.target.value)} required/></label>
            )}
            {error && <p className='form-error' role='alert'>{error}</p>}
            <div className='form-actions'>
                <button type='button' className='btn btn--secondary' onClick={onCancel}><FormattedMessage id='common.cancel' defaultMessage='Cancel'/></button>
                <button type='submit' className='btn btn--primary' disabled={busy}>{switchLabel}</button>
            </div>
        </form>
    );
}

function MfaSection({userId, active}: {userId: string; active: boolean}) {
    const intl = useIntl();
    const [secret, setSecret] = useState<{secret: string; qr_code: string} | null>(null);
    const [code, setCode] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const reload = async () => {
        const me = await client.getMe();
        update(() => ({me}));
    };
    const run = async (fn: () => Promise<void>, fallback: string) => {
        setBusy(true);
        setError('');
        try {
            await fn();
        } catch (err) {
            setError(errorText(err, fallback));
        }
        setBusy(false);
    };
    const heading = intl.formatMessage({id: 'security.mfa', defaultMessage: 'Multi-factor authentication'});
    if (active) {
        return (
            <section className='security__section' aria-label={heading}>
                <h3>{heading}</h3>
                <p><FormattedMessage id='security.mfa_on' defaultMessage='On: signing in asks for a code from your authenticator app.'/></p>
                {error && <p className='form-error' role='alert'>{error}</p>}
                <button type='button' className='btn btn--danger' disabled={busy} onClick={() => run(async () => {
                    await client.updateUserMfa(userId, false, '');
                    await reload();
                }, intl.formatMessage({id: 'security.mfa_remove_failed', defaultMessage: 'Could not remove MFA.'}))}>
                    <FormattedMessage id='security.mfa_remove' defaultMessage='Remove MFA'/>
                </button>
            </section>
        );
    }
    return (
        <section className='security__section' aria-label={heading}>
            <h3>{heading}</h3>
            {!secret ? (
                <>
                    <p><FormattedMessage id='security.mfa_off' defaultMessage='Off. Add a code from an authenticator app to every sign-in.'/></p>
                    {error && <p className='form-error' role='alert'>{error}</p>}
                    <button type='button' className='btn btn--primary' disabled={busy} onClick={() => run(async () => {
                        setSecret(await client.generateMfaSecret(userId));
                    }, intl.formatMessage({id: 'mfa.setup.start_failed', defaultMessage: 'Could not start the set-up.'}))}>
                        <FormattedMessage id='security.mfa_setup' defaultMessage='Set up MFA'/>
                    </button>
                </>
            ) : (
                <form className='form' onSubmit={(e) => {
                    e.preventDefault();
                    e.stopPropagation();
                    void run(async () => {
                        await client.updateUserMfa(userId, true, code.replace(/\s/g, ''));
                        await reload();
                        setSecret(null);
                        setCode('');
                    }, intl.formatMessage({id: 'mfa.code_failed', defaultMessage: 'That code did not work.'}));
                }}>
                    <p><FormattedMessage id='security.mfa_scan' defaultMessage='Scan the code with an authenticator app (or type the secret), then enter the 6-digit code it shows.'/></p>
                    <div className='mfa-setup'>
                        <img src={`data:image/png;base64,${secret.qr_code}`} alt={intl.formatMessage({id: 'mfa.qr_alt', defaultMessage: 'QR code for your authenticator app'})} width={160} height={160}/>
                        <p><FormattedMessage id='mfa.secret' defaultMessage='Secret: {secret}' values={{secret: <code data-testid='mfa-secret'>{secret.secret}</code>}}/></p>
                    </div>
                    <label className='field'><span className='field__label'><FormattedMessage id='mfa.code' defaultMessage='Authenticator code'/></span>
                        <input className='input' name='code' inputMode='numeric' autoComplete='one-time-code'
                            value={code} onChange={(e) => setCode(e.target.value)} required/></label>
                    {error && <p className='form-error' role='alert'>{error}</p>}
                    <button type='submit' className='btn btn--primary' disabled={busy}><FormattedMessage id='mfa.activate' defaultMessage='Activate'/></button>
                </form>
            )}
        </section>
    );
}

export function SecuritySettings() {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const config = useStore((s) => s.config);
    const choices = signInChoices(config, me.auth_service);
    const [target, setTarget] = useState<SignInSwitch | null>(null);
    return (
        <Modal title={intl.formatMessage({id: 'menu.security', defaultMessage: 'Security'})} footer={<>
            <span className='spacer'/>
            <button type='button' className='btn btn--secondary' onClick={close}><FormattedMessage id='common.close' defaultMessage='Close'/></button>
        </>}>
            <section className='security__section' aria-label={intl.formatMessage({id: 'security.method', defaultMessage: 'Sign-in method'})}>
                <h3><FormattedMessage id='security.method' defaultMessage='Sign-in method'/></h3>
                <p><FormattedMessage id='security.current' defaultMessage='You sign in with {method}.'
                    values={{method: <strong data-testid='signin-method'>{choices.currentLabel}</strong>}}/></p>
                {choices.note && <p className='muted'>{choices.note}</p>}
                {!target && choices.switches.map((s) => (
                    <button key={s.to} type='button' className='btn btn--secondary' onClick={() => setTarget(s)}>
                        <FormattedMessage id='security.switch_to' defaultMessage='Switch to {method}' values={{method: s.label}}/>
                    </button>
                ))}
                {target && <SwitchForm target={target} email={me.email} current={choices.current} mfaActive={Boolean(me.mfa_active)}
                    onCancel={() => setTarget(null)}/>}
            </section>
            {mfaAvailable(config, me.auth_service) && <MfaSection userId={me.id} active={Boolean(me.mfa_active)}/>}
        </Modal>
    );
}
