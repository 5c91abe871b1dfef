// Client4 (@mattermost/client) against chinwag: the web app's OAuth 2.0 application pages (createOAuthApp,
// getOAuthApps, editOAuthApp, regenOAuthAppSecret, getOAuthAppInfo, deleteOAuthApp), its consent page
// (authorizeOAuthApp) and Security settings (getAuthorizedOAuthApps, deauthorizeOAuthApp); a post reminder
// (addPostReminder) and acknowledgements (acknowledgePost, refused as by an unlicensed Mattermost).
'use strict';

const {assert, expectError, scene, main, newClient} = require('./lib');

const CALLBACK = 'https://planner.example.com/cb';

main(async () => {
    const {admin, team, users} = await scene('olga', 'pavel');
    const {olga, pavel} = users;
    await admin.patchConfig({ServiceSettings: {EnableOAuthServiceProvider: true}});

    const app = await admin.createOAuthApp({name: 'Planner', description: 'plans', callback_urls: [CALLBACK],
        homepage: 'https://planner.example.com', is_trusted: false});
    assert.equal(app.client_secret.length, 26);
    assert.ok((await admin.getOAuthApps(0, 100)).some((a) => a.id === app.id));
    assert.equal((await admin.getOAuthApp(app.id)).name, 'Planner');
    const edited = await admin.editOAuthApp({...app, description: 'plans better'});
    assert.equal(edited.description, 'plans better');
    assert.equal(edited.client_secret, app.client_secret);
    const regen = await admin.regenOAuthAppSecret(app.id);
    assert.notEqual(regen.client_secret, app.client_secret);
    const info = await olga.getOAuthAppInfo(app.id);
    assert.equal(info.client_secret, '');
    await expectError(olga.createOAuthApp({name: 'x', description: '', callback_urls: [CALLBACK], homepage: CALLBACK}),
        403, 'api.context.permissions.app_error');

    // the consent page's call: the answer is where the browser goes next
    const answer = await olga.authorizeOAuthApp('code', app.id, CALLBACK, 'st8', '');
    const redirect = new URL(answer.redirect);
    assert.equal(`${redirect.origin}${redirect.pathname}`, CALLBACK);
    assert.equal(redirect.searchParams.get('state'), 'st8');
    const form = new URLSearchParams({grant_type: 'authorization_code', client_id: app.id,
        client_secret: regen.client_secret, code: redirect.searchParams.get('code'), redirect_uri: CALLBACK});
    const tokenRes = await fetch(`${olga.getUrl()}/oauth/access_token`, {method: 'POST', body: form});
    assert.equal(tokenRes.status, 200);
    const token = await tokenRes.json();
    const asApp = newClient();
    asApp.setToken(token.access_token);
    assert.equal((await asApp.getMe()).id, olga.me.id);

    const authorized = await olga.getAuthorizedOAuthApps(olga.me.id);
    assert.deepEqual(authorized.map((a) => a.id), [app.id]);
    assert.equal((await olga.deauthorizeOAuthApp(app.id)).status, 'OK');
    await expectError(asApp.getMe(), 401);
    assert.equal((await admin.deleteOAuthApp(app.id)).status, 'OK');
    await expectError(admin.getOAuthApp(app.id), 404, 'app.oauth.get_app.find.app_error');

    // "Remind me" and acknowledgements on a post
    const channels = await pavel.getMyChannels(team.id);
    const town = channels.find((c) => c.name === 'town-square');
    const post = await olga.createPost({channel_id: town.id, message: 'remind me'});
    assert.equal((await pavel.addPostReminder(pavel.me.id, post.id, Math.floor(Date.now() / 1000) + 600)).status, 'OK');
    await expectError(pavel.acknowledgePost(post.id, pavel.me.id), 501);
});
