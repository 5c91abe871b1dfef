// The pages the server's account emails link to: asking for a password reset mail, setting a new
// password from its link (/reset_password_complete?token=), and verifying an email address
// (/do_verify_email?token=&email=), which then leads to sign-in.
import {useEffect, useRef, useState, type FormEvent, type ReactNode} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';

import {client, errorText} from '../client';
import {navigate} from '../router';
import {useStore} from '../store';
import {AuthCard, ErrorLine, Field} from './Auth';

function BackToLogin() {
    return (
        <p className='auth__alt'>
            <a href='/login' onClick={(e) => {
                e.preventDefault();
                navigate('/login');
            }}><FormattedMessage id='account.back_to_login' defaultMessage='Back to log in'/></a>
        </p>
    );
}

export function ResetPassword() {
    const intl = useIntl();
    const [email, setEmail] = useState('');
    const [sent, setSent] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            await client.sendPasswordResetEmail(email.trim());
            setSent(email.trim());
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'reset.send_failed', defaultMessage: 'Could not send the reset email.'})));
        }
        setBusy(false);
    };
    return (
        <AuthCard
            title={intl.formatMessage({id: 'reset.title', defaultMessage: 'Reset your password'})}
            subtitle={intl.formatMessage({id: 'reset.subtitle', defaultMessage: 'Enter the email address of your account and we will mail you a link to set a new password.'})}
        >
            {sent ? (
                <p className='form-notice' role='status'>
                    <FormattedMessage id='reset.sent' defaultMessage='If an account uses {email}, a reset link is on its way. The link works for 24 hours.' values={{email: <strong>{sent}</strong>}}/>
                </p>
            ) : (
                <form onSubmit={submit} className='form'>
                    <Field label={intl.formatMessage({id: 'signup.email', defaultMessage: 'Email address'})} name='email' type='email' autoComplete='email'
                        value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus/>
                    <ErrorLine error={error}/>
                    <button className='btn btn--primary btn--block' type='submit' disabled={busy}>
                        <FormattedMessage id='reset.send' defaultMessage='Send reset link'/>
                    </button>
                </form>
            )}
            <BackToLogin/>
        </AuthCard>
    );
}

export function ResetPasswordComplete() {
    const intl = useIntl();
    const minLen = Number(useStore((s) => s.config.PasswordMinimumLength) || 8);
    const token = new URLSearchParams(window.location.search).get('token') ?? '';
    const [password, setPassword] = useState('');
    const [again, setAgain] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        if (password !== again) {
            setError(intl.formatMessage({id: 'reset.mismatch', defaultMessage: 'The passwords do not match.'}));
            return;
        }
        setBusy(true);
        setError('');
        try {
            await client.resetUserPassword(token, password);
            window.location.assign('/login?extra=passwordChange');
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'reset.failed', defaultMessage: 'Could not change the password.'})));
            setBusy(false);
        }
    };
    return (
        <AuthCard
            title={intl.formatMessage({id: 'reset.new_title', defaultMessage: 'Choose a new password'})}
            subtitle={<FormattedMessage id='signup.password_rule' defaultMessage='At least {count, plural, one {# character} other {# characters}}.' values={{count: minLen}}/>}
        >
            {!token ? <ErrorLine error={intl.formatMessage({id: 'reset.no_token', defaultMessage: 'This link is incomplete. Ask for a new reset email.'})}/> : (
                <form onSubmit={submit} className='form'>
                    <Field label={intl.formatMessage({id: 'reset.new_password', defaultMessage: 'New password'})} name='password' type='password'
                        autoComplete='new-password' minLength={minLen} value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus/>
                    <Field label={intl.formatMessage({id: 'reset.confirm_password', defaultMessage: 'New password again'})} name='password_again' type='password'
                        autoComplete='new-password' minLength={minLen} value={again} onChange={(e) => setAgain(e.target.value)} required/>
                    <ErrorLine error={error}/>
                    <button className='btn btn--primary btn--block' type='submit' disabled={busy}>
                        <FormattedMessage id='reset.change' defaultMessage='Change password'/>
                    </button>
                </form>
            )}
            <p className='auth__alt'>
                <a href='/reset_password' onClick={(e) => {
                    e.preventDefault();
                    navigate('/reset_password');
                }}><FormattedMessage id='reset.ask_again' defaultMessage='Ask for a new link'/></a>
            </p>
        </AuthCard>
    );
}

export function VerifyEmail({authed}: {authed: boolean}) {
    const intl = useIntl();
    const params = new URLSearchParams(window.location.search);
    const token = params.get('token') ?? '';
    const email = params.get('email') ?? '';
    const [error, setError] = useState('');
    const [resent, setResent] = useState(false);
    const started = useRef(false);
    useEffect(() => {
        if (started.current) {
            return;
        }
        started.current = true;
        (async () => {
            try {
                await client.verifyUserEmail(token);
                if (authed) {
                    window.location.assign('/');
                } else {
                    navigate(`/login?extra=verified${email ? `&email=${encodeURIComponent(email)}` : ''}`, true);
                }
            } catch (err) {
                setError(errorText(err, intl.formatMessage({id: 'verify.failed', defaultMessage: 'Could not verify the email address.'})));
            }
        })();
    }, [token, email, authed, intl]);
    let body: ReactNode = <p aria-busy='true'><FormattedMessage id='verify.checking' defaultMessage='Verifying your email address…'/></p>;
    if (error) {
        body = (
            <>
                <ErrorLine error={error}/>
                {email && (resent ? (
                    <p className='form-notice' role='status'><FormattedMessage id='verify.resent' defaultMessage='A new verification link is on its way to {email}.' values={{email}}/></p>
                ) : (
                    <button className='btn btn--secondary btn--block' type='button' onClick={async () => {
                        try {
                            await client.sendVerificationEmail(email);
                            setResent(true);
                        } catch (err) {
                            setError(errorText(err));
                        }
                    }}><FormattedMessage id='verify.resend' defaultMessage='Send a new link'/></button>
                ))}
            </>
        );
    }
    return (
        <AuthCard title={intl.formatMessage({id: 'verify.title', defaultMessage: 'Verify your email'})}>
            {body}
            <BackToLogin/>
        </AuthCard>
    );
}
