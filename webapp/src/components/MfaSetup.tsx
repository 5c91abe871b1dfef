import {useEffect, useState, type FormEvent} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';

import {client, errorText} from '../client';

/** Shown when the server enforces MFA and this account has none yet: scan, type a code, done. */
export function MfaSetup() {
    const intl = useIntl();
    const [secret, setSecret] = useState<{secret: string; qr_code: string} | null>(null);
    const [userId, setUserId] = useState('');
    const [code, setCode] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);

    useEffect(() => {
        (async () => {
            try {
                const me = await client.getMe();
                setUserId(me.id);
                setSecret(await client.generateMfaSecret(me.id));
            } catch (err) {
                setError(errorText(err, intl.formatMessage({id: 'mfa.setup.start_failed', defaultMessage: 'Could not start the set-up.'})));
            }
        })();
    }, []);

    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            await client.updateUserMfa(userId, true, code.replace(/\s/g, ''));
            window.location.assign('/');
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'mfa.code_failed', defaultMessage: 'That code did not work.'})));
            setBusy(false);
        }
    };
    return (
        <div className='auth'>
            <main className='auth__card'>
                <h1><FormattedMessage id='mfa.setup.title' defaultMessage='Set up multi-factor authentication'/></h1>
                <p className='auth__subtitle'>
                    <FormattedMessage
                        id='mfa.setup.required'
                        defaultMessage='This server requires it. Scan the code with an authenticator app (or type the secret), then enter the 6-digit code it shows.'
                    />
                </p>
                {secret && (
                    <div className='mfa-setup'>
                        <img src={`data:image/png;base64,${secret.qr_code}`} alt={intl.formatMessage({id: 'mfa.qr_alt', defaultMessage: 'QR code for your authenticator app'})} width={180} height={180}/>
                        <p>
                            <FormattedMessage
                                id='mfa.secret'
                                defaultMessage='Secret: {secret}'
                                values={{secret: <code data-testid='mfa-secret'>{secret.secret}</code>}}
                            />
                        </p>
                    </div>
                )}
                <form onSubmit={submit} className='form'>
                    <label className='field'>
                        <span className='field__label'><FormattedMessage id='mfa.code' defaultMessage='Authenticator code'/></span>
                        <input className='input' name='code' inputMode='numeric' autoComplete='one-time-code'
                            value={code} onChange={(e) => setCode(e.target.value)} required/>
                    </label>
                    {error && <p className='form-error' role='alert'>{error}</p>}
                    <button className='btn btn--primary btn--block' type='submit' disabled={busy || !secret}><FormattedMessage id='mfa.activate' defaultMessage='Activate'/></button>
                </form>
                <p className='auth__alt'>
                    <button className='link' onClick={async () => {
                        await client.logout().catch(() => undefined);
                        window.location.href = '/login';
                    }}><FormattedMessage id='common.log_out' defaultMessage='Log out'/></button>
                </p>
            </main>
        </div>
    );
}
