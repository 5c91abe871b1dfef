// Single sign-on buttons for the login page, from the client config (as Mattermost's webapp reads it).
import {intl} from '../i18n';

export type SsoProvider = {id: 'gitlab' | 'openid' | 'saml'; label: string; href: string; color: string};

type Config = Partial<Record<string, string>>;

export function ssoProviders(config: Config, redirectTo?: string | null): SsoProvider[] {
    const query = redirectTo && redirectTo.startsWith('/') && !redirectTo.startsWith('//') ?
        `?redirect_to=${encodeURIComponent(redirectTo)}` : '';
    const out: SsoProvider[] = [];
    if (config.EnableSignUpWithGitLab === 'true') {
        out.push({id: 'gitlab', label: config.GitLabButtonText || 'GitLab', href: `/oauth/gitlab/login${query}`,
            color: config.GitLabButtonColor || ''});
    }
    if (config.EnableSignUpWithOpenId === 'true') {
        out.push({id: 'openid', label: config.OpenIdButtonText || 'OpenID', href: `/oauth/openid/login${query}`,
            color: config.OpenIdButtonColor || ''});
    }
    if (config.EnableSaml === 'true') {
        out.push({id: 'saml', label: config.SamlLoginButtonText || 'SAML', href: `/login/sso/saml${query}`,
            color: config.SamlLoginButtonColor || ''});
    }
    return out;
}

/** Whether the email/username and password form is offered at all. */
export function passwordLoginEnabled(config: Config): boolean {
    return config.EnableSignInWithEmail !== 'false' || config.EnableSignInWithUsername !== 'false';
}

/** The server's answer to every call while MFA is enforced and this account has not set it up. */
export const MFA_REQUIRED_ID = 'api.context.mfa_required.app_error';

/** The Mattermost error id in a Client4 error (ClientError.server_error_id). */
export function errorId(e: unknown): string {
    return e && typeof e === 'object' && 'server_error_id' in e ? String((e as {server_error_id: unknown}).server_error_id) : '';
}

/** The server's answer when the account has MFA on and no (or a wrong) code was sent. */
export const MFA_ERROR_ID = 'api.user.check_user_mfa.bad_code.app_error';

export function loginNotice(search: string): string {
    const extra = new URLSearchParams(search).get('extra');
    if (extra === 'signin_change') {
        return intl().formatMessage({id: 'login.signin_changed', defaultMessage: 'Your sign-in method changed. Sign in with your new method.'});
    }
    if (extra === 'verified') {
        return intl().formatMessage({id: 'login.email_verified', defaultMessage: 'Your email address is verified. Sign in to continue.'});
    }
    if (extra === 'passwordChange') {
        return intl().formatMessage({id: 'login.password_changed', defaultMessage: 'Your password is changed. Sign in with the new one.'});
    }
    return '';
}

/** How an account signs in, as its `auth_service` says. */
export type SignInMethod = 'email' | 'gitlab' | 'openid' | 'saml' | 'ldap';

const METHOD_LABELS: Record<SignInMethod, string> = {
    email: 'Email and password', gitlab: 'GitLab', openid: 'OpenID Connect', saml: 'SAML', ldap: 'AD/LDAP',
};

function methodLabel(m: SignInMethod): string {
    return m === 'email' ? intl().formatMessage({id: 'security.method.email', defaultMessage: 'Email and password'}) : METHOD_LABELS[m];
}

export type SignInSwitch = {to: SignInMethod; label: string};

export type SignInChoices = {
    current: SignInMethod;
    currentLabel: string;
    /** The methods this account may switch to with POST /users/login/switch. */
    switches: SignInSwitch[];
    /** Why there is nothing to switch to, when there is not. */
    note: string;
};

/**
 * The "Sign-in method" section of Security settings: email/password accounts may move to an enabled
 * GitLab or OpenID provider (the provider then confirms the same email), GitLab/OpenID accounts back to
 * email and password when the server allows it. SAML and AD/LDAP accounts are managed by the directory.
 */
export function signInChoices(config: Config, authService: string): SignInChoices {
    const current: SignInMethod = (authService || 'email') in METHOD_LABELS ? (authService || 'email') as SignInMethod : 'email';
    const providerLabel = (id: 'gitlab' | 'openid') => ssoProviders(config).find((p) => p.id === id)?.label || METHOD_LABELS[id];
    const switches: SignInSwitch[] = [];
    let note = '';
    if (current === 'email') {
        for (const id of ['gitlab', 'openid'] as const) {
            if (ssoProviders(config).some((p) => p.id === id)) {
                switches.push({to: id, label: providerLabel(id)});
            }
        }
        if (!switches.length) {
            note = intl().formatMessage({id: 'security.no_sso', defaultMessage: 'No single sign-on provider is enabled on this server.'});
        }
    } else if (current === 'gitlab' || current === 'openid') {
        if (passwordLoginEnabled(config) && config.EnableSignUpWithEmail !== 'false') {
            switches.push({to: 'email', label: methodLabel('email')});
        } else {
            note = intl().formatMessage({id: 'security.no_email', defaultMessage: 'This server does not allow signing in with email and password.'});
        }
    } else {
        note = intl().formatMessage({id: 'security.directory', defaultMessage: 'Your {method} account is managed by your organisation’s directory.'},
            {method: METHOD_LABELS[current]});
    }
    const currentLabel = current === 'gitlab' || current === 'openid' ? providerLabel(current) : methodLabel(current);
    return {current, currentLabel, switches, note};
}

/** Whether this account can set up MFA from settings (email and AD/LDAP accounts, when the server has it on). */
export function mfaAvailable(config: Config, authService: string): boolean {
    return config.EnableMultifactorAuthentication === 'true' && (authService === '' || authService === 'ldap');
}
