// Helpers shared by the Client4 compat scripts: clients, assertions, and a main() wrapper that
// exits non-zero with a clear message on the first mismatch.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const {Client4, ClientError} = require('@mattermost/client');

const URL_BASE = process.env.CHINWAG_URL;
const ADMIN = {
    username: process.env.CHINWAG_ADMIN_USERNAME,
    password: process.env.CHINWAG_ADMIN_PASSWORD,
};
const PASSWORD = 'compat-password';

function unique(prefix) {
    return prefix + crypto.randomBytes(5).toString('hex');
}

function newClient() {
    const c = new Client4();
    c.setUrl(URL_BASE);
    return c;
}

async function login(loginId, password) {
    const c = newClient();
    const me = await c.login(loginId, password);
    assert.ok(c.getToken(), `login(${loginId}) did not pick up the Token header`);
    assert.equal(typeof me.id, 'string', 'login returned no user JSON');
    c.me = me;
    return c;
}

// Expect a Client4 call to fail with this HTTP status (and error id, when given).
async function expectError(promise, status, errorId) {
    try {
        await promise;
    } catch (e) {
        assert.ok(e instanceof ClientError, `expected a ClientError, got ${e}`);
        assert.equal(e.status_code, status, `expected status ${status}, got ${e.status_code}: ${e.message}`);
        if (errorId) {
            assert.equal(e.server_error_id, errorId);
        }
        assert.ok(e.message, 'error without a message');
        return e;
    }
    throw new assert.AssertionError({message: `expected an error with status ${status}, the call succeeded`});
}

// newest first, strictly (create_at, then id, descending)
function assertNewestFirst(list, where) {
    const keys = list.order.map((id) => {
        assert.ok(list.posts[id], `${where}: order id ${id} missing from posts`);
        return [list.posts[id].create_at, id];
    });
    for (let i = 1; i < keys.length; i++) {
        const [a, ida] = keys[i - 1];
        const [b, idb] = keys[i];
        assert.ok(a > b || (a === b && ida > idb), `${where}: order is not newest first at ${i}`);
    }
}

// ids in a PostList's order: create_at descending, ties by id descending
function newestFirst(posts) {
    return [...posts].sort((x, y) => (y.create_at - x.create_at) || (y.id < x.id ? -1 : 1)).map((p) => p.id);
}

// A fresh team owned by the first named user, with every named user in it.
async function scene(...names) {
    const admin = await login(ADMIN.username, ADMIN.password);
    const users = {};
    for (const name of names) {
        const username = unique(name);
        const created = await admin.createUser({username, email: `${username}@example.com`, password: PASSWORD});
        assert.equal(created.username, username);
        assert.equal(created.password, undefined, 'password leaked in the user JSON');
        users[name] = await login(username, PASSWORD);
    }
    const owner = users[names[0]];
    const team = await owner.createTeam({name: unique('team'), display_name: 'Compat JS', type: 'O'});
    assert.equal(team.type, 'O');
    for (const name of names.slice(1)) {
        const member = await owner.addToTeam(team.id, users[name].me.id);
        assert.equal(member.user_id, users[name].me.id);
    }
    return {admin, team, users};
}

function main(fn) {
    fn().then(() => {
        process.stdout.write('ok\n');
    }, (e) => {
        process.stderr.write(`MISMATCH: ${e && e.stack ? e.stack : e}\n`);
        if (e instanceof ClientError) {
            process.stderr.write(`server said: ${e.status_code} ${e.server_error_id} ${e.message} (${e.url})\n`);
        }
        process.exit(1);
    });
}

module.exports = {
    assert, ADMIN, PASSWORD, unique, newClient, login, expectError, assertNewestFirst, newestFirst, scene, main,
};
