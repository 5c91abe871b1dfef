// Client4 (@mattermost/client) against chinwag: the calls of the web app's profile settings —
// language (patchMe), profile picture (uploadProfileImage, setDefaultProfileImage, the image URL) and
// custom status (updateCustomStatus, removeRecentCustomStatus, unsetCustomStatus).
'use strict';

const {assert, expectError, scene, main} = require('./lib');

// a 40×20 green PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAACgAAAAUCAIAAABwJOjsAAAAJklEQVR4nO3NQQEAAAQEMCQUUVQx7rMVWNdtJUxkFYvFYrFYLI54oZsBGNSLhgEAAAAASUVORK5CYII=', 'base64');

main(async () => {
    const {users} = await scene('dora', 'egor');
    const {dora, egor} = users;
    const d = dora.me.id;

    // the language picker's call, and the settings it reads
    const config = await dora.getClientConfig();
    assert.equal(typeof config.DefaultClientLocale, 'string');
    assert.equal(typeof config.AvailableLocales, 'string');
    assert.equal((await dora.patchMe({locale: 'ru'})).locale, 'ru');
    assert.equal((await dora.getMe()).locale, 'ru');

    // profile picture
    const before = await fetch(dora.getProfilePictureUrl(d, 0), {headers: {Authorization: `Bearer ${dora.getToken()}`}});
    assert.equal(before.status, 200);
    assert.equal(before.headers.get('content-type'), 'image/png');
    const uploaded = await dora.uploadProfileImage(d, new Blob([PNG], {type: 'image/png'}));
    assert.equal(uploaded.status, 'OK');
    const me = await dora.getMe();
    assert.ok(me.last_picture_update > 0, 'last_picture_update not set');
    const seen = await egor.getUser(d);
    assert.equal(seen.last_picture_update, me.last_picture_update);
    const img = await fetch(egor.getProfilePictureUrl(d, seen.last_picture_update), {headers: {Authorization: `Bearer ${egor.getToken()}`}});
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('etag'), String(me.last_picture_update));
    const bytes = Buffer.from(await img.arrayBuffer());
    assert.equal(bytes.readUInt32BE(16), 128, 'not 128 pixels wide');
    assert.equal(bytes.readUInt32BE(20), 128, 'not 128 pixels high');
    await expectError(egor.uploadProfileImage(d, new Blob([PNG], {type: 'image/png'})), 403);
    await expectError(dora.uploadProfileImage(d, new Blob([Buffer.from('not an image')], {type: 'image/png'})), 400,
        'api.user.upload_profile_user.decode.app_error');
    assert.equal((await dora.setDefaultProfileImage(d)).status, 'OK');
    assert.ok(!(await dora.getMe()).last_picture_update);

    // custom status
    const expires = new Date(Date.now() + 3600 * 1000).toISOString();
    assert.equal((await dora.updateCustomStatus({emoji: 'calendar', text: 'В отпуске', duration: 'one_hour', expires_at: expires})).status, 'OK');
    const props = (await egor.getUser(d)).props;
    const status = JSON.parse(props.customStatus);
    assert.equal(status.text, 'В отпуске');
    assert.equal(status.duration, 'one_hour');
    assert.equal(new Date(status.expires_at).getTime(), new Date(expires).getTime());
    const prefs = await dora.getMyPreferences();
    const recent = JSON.parse(prefs.find((p) => p.category === 'custom_status' && p.name === 'recent_custom_statuses').value);
    assert.equal(recent[0].text, 'В отпуске');
    assert.equal((await dora.removeRecentCustomStatus(recent[0])).status, 'OK');
    assert.equal((await dora.unsetCustomStatus()).status, 'OK');
    assert.equal((await egor.getUser(d)).props.customStatus, '');
});
