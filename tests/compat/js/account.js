// Client4 (@mattermost/client) against chinwag: the account and system calls of issue 16 — password reset
// and email verification requests, invitations by email, team icons, scheme roles, the admin's account
// switch and the System Console's maintenance buttons.
'use strict';

const {assert, expectError, newClient, scene, main} = require('./lib');

// a 40×20 green PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAACgAAAAUCAIAAABwJOjsAAAAJklEQVR4nO3NQQEAAAQEMCQUUVQx7rMVWNdtJUxkFYvFYrFYLI54oZsBGNSLhgEAAAAASUVORK5CYII=', 'base64');

main(async () => {
    const {admin, team, users} = await scene('fay', 'gus');
    const {fay, gus} = users;
    const anon = newClient();

    // the login page's "forgot password" and the verification page: the same answer for any address
    assert.equal((await anon.sendPasswordResetEmail(fay.me.email)).status, 'OK');
    assert.equal((await anon.sendPasswordResetEmail('nobody@example.com')).status, 'OK');
    await expectError(anon.resetUserPassword('x'.repeat(64), 'compat-new-password'), 400,
        'api.user.reset_password.invalid_link.app_error');
    assert.equal((await anon.sendVerificationEmail(gus.me.email)).status, 'OK');
    await expectError(anon.verifyUserEmail('y'.repeat(64)), 400, 'api.user.verify_email.bad_link.app_error');

    // invitations by email are off by default; the System Console's "invalidate pending invites"
    await expectError(fay.sendEmailInvitesToTeamGracefully(team.id, ['new@example.com']), 501,
        'api.team.invite_members.disabled.app_error');
    await expectError(gus.invalidateAllEmailInvites(), 403);
    assert.equal((await admin.invalidateAllEmailInvites()).status, 'OK');

    // team icon: upload, read through the URL the apps build, remove
    assert.equal((await fay.setTeamIcon(team.id, new Blob([PNG], {type: 'image/png'}))).status, 'OK');
    const updated = (await gus.getTeam(team.id)).last_team_icon_update;
    assert.ok(updated > 0, 'last_team_icon_update not set');
    const icon = await fetch(gus.getTeamIconUrl(team.id, updated), {headers: {Authorization: `Bearer ${gus.getToken()}`}});
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('content-type'), 'image/png');
    await expectError(gus.setTeamIcon(team.id, new Blob([PNG], {type: 'image/png'})), 403);
    assert.equal((await fay.removeTeamIcon(team.id)).status, 'OK');
    assert.ok(!(await gus.getTeam(team.id)).last_team_icon_update);

    // scheme roles: gus becomes a team admin
    assert.equal((await fay.updateTeamMemberSchemeRoles(team.id, gus.me.id, true, true)).status, 'OK');
    const member = await gus.getTeamMember(team.id, gus.me.id);
    assert.ok(member.scheme_admin && member.scheme_user);

    // a system admin changes gus's sign-in method
    const auth = await admin.updateUserAuth(gus.me.id, {auth_data: `uid=${gus.me.username}`, auth_service: 'saml'});
    assert.deepEqual(auth, {auth_data: `uid=${gus.me.username}`, auth_service: 'saml'});
    assert.equal((await admin.getUser(gus.me.id)).auth_service, 'saml');

    // System Console: audits, caches, database connections, the site URL test, the marketplace visit
    const audits = await admin.getAudits(0, 50);
    assert.ok(audits.some((a) => a.user_id === fay.me.id), 'fay\'s sign-in is not in the audits');
    await expectError(fay.getAudits(), 403);
    assert.equal((await admin.invalidateCaches()).status, 'OK');
    assert.equal((await admin.recycleDatabase()).status, 'OK');
    assert.equal((await admin.testSiteURL(process.env.CHINWAG_URL)).status, 'OK');
    await expectError(admin.testSiteURL('http://127.0.0.1:1'), 400, 'app.admin.test_site_url.failure');
    assert.equal((await admin.setFirstAdminVisitMarketplaceStatus()).status, 'OK');
    assert.equal((await admin.getFirstAdminVisitMarketplaceStatus()).value, 'true');
    // everything still answers after the caches and connections were dropped
    assert.equal((await fay.getMe()).id, fay.me.id);
});
