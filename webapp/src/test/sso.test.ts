import {describe, expect, it} from 'vitest';

import {loginNotice, passwordLoginEnabled, ssoProviders} from '../lib/sso';

describe('single sign-on buttons', () => {
    it('lists the enabled providers with their button text and colour', () => {
        const config = {EnableSignUpWithGitLab: 'true', GitLabButtonText: '', GitLabButtonColor: '',
            EnableSignUpWithOpenId: 'true', OpenIdButtonText: 'Company login', OpenIdButtonColor: '#145dbf'};
        expect(ssoProviders(config)).toEqual([
            {id: 'gitlab', label: 'GitLab', href: '/oauth/gitlab/login', color: ''},
            {id: 'openid', label: 'Company login', href: '/oauth/openid/login', color: '#145dbf'},
        ]);
        expect(ssoProviders({EnableSignUpWithGitLab: 'false'})).toEqual([]);
        expect(ssoProviders({EnableSaml: 'true', SamlLoginButtonText: 'Okta'}, '/a')).toEqual([
            {id: 'saml', label: 'Okta', href: '/login/sso/saml?redirect_to=%2Fa', color: ''},
        ]);
    });

    it('carries a same-site redirect_to only', () => {
        const config = {EnableSignUpWithGitLab: 'true'};
        expect(ssoProviders(config, '/acme/channels/x')[0].href).toBe('/oauth/gitlab/login?redirect_to=%2Facme%2Fchannels%2Fx');
        expect(ssoProviders(config, '//evil.example')[0].href).toBe('/oauth/gitlab/login');
        expect(ssoProviders(config, 'https://evil.example')[0].href).toBe('/oauth/gitlab/login');
    });

    it('hides the password form when email and username sign-in are both off', () => {
        expect(passwordLoginEnabled({})).toBe(true);
        expect(passwordLoginEnabled({EnableSignInWithEmail: 'false', EnableSignInWithUsername: 'true'})).toBe(true);
        expect(passwordLoginEnabled({EnableSignInWithEmail: 'false', EnableSignInWithUsername: 'false'})).toBe(false);
    });

    it('explains a changed sign-in method', () => {
        expect(loginNotice('?extra=signin_change')).toMatch(/sign-in method changed/);
        expect(loginNotice('')).toBe('');
    });
});
