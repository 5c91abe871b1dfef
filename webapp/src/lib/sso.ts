// Single sign-on buttons for the login page, from the client config (as Mattermost's webapp reads it).

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
        return 'Your sign-in method changed. Sign in with your new method.';
    }
    return '';
}
