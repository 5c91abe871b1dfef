import {describe, expect, it} from 'vitest';

import {loginNotice, mfaAvailable, passwordLoginEnabled, signInChoices, ssoProviders} from '../lib/sso';

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

describe('security settings', () => {
    const both = {EnableSignUpWithGitLab: 'true', GitLabButtonText: 'Company GitLab', EnableSignUpWithOpenId: 'true'};

    it('offers an email account the enabled providers', () => {
        const c = signInChoices(both, '');
        expect(c.current).toBe('email');
        expect(c.currentLabel).toBe('Email and password');
        expect(c.switches).toEqual([{to: 'gitlab', label: 'Company GitLab'}, {to: 'openid', label: 'OpenID'}]);
        expect(signInChoices({}, '').switches).toEqual([]);
        expect(signInChoices({}, '').note).toMatch(/No single sign-on provider/);
    });

    it('offers an SSO account email and password unless the server forbids it', () => {
        expect(signInChoices(both, 'gitlab')).toMatchObject({current: 'gitlab', currentLabel: 'Company GitLab',
            switches: [{to: 'email', label: 'Email and password'}]});
        const noEmail = {...both, EnableSignInWithEmail: 'false', EnableSignInWithUsername: 'false'};
        expect(signInChoices(noEmail, 'openid').switches).toEqual([]);
        expect(signInChoices({...both, EnableSignUpWithEmail: 'false'}, 'openid').note).toMatch(/does not allow/);
    });

    it('leaves directory accounts to the directory', () => {
        for (const service of ['saml', 'ldap']) {
            const c = signInChoices(both, service);
            expect(c.switches).toEqual([]);
            expect(c.note).toMatch(/managed by your organisation/);
        }
    });

    it('offers MFA to email and LDAP accounts when the server has it on', () => {
        const on = {EnableMultifactorAuthentication: 'true'};
        expect(mfaAvailable(on, '')).toBe(true);
        expect(mfaAvailable(on, 'ldap')).toBe(true);
        expect(mfaAvailable(on, 'gitlab')).toBe(false);
        expect(mfaAvailable({}, '')).toBe(false);
    });
});
