// The official web app's own actions (the published mattermost-redux, pinned in package.json) against a
// real chinwag: log in, run the start-up actions the web app runs, then everyday actions. Every step's
// outcome and every HTTP request it made are printed as JSON lines; test_redux_compat.py judges them.
'use strict';

const {ADMIN, PASSWORD, unique, login} = require('./lib');

// Record every request the redux client makes (Client4 calls the global fetch at request time).
const requests = [];
const realFetch = global.fetch;
global.fetch = async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input.url;
    const method = (init.method || 'GET').toUpperCase();
    const res = await realFetch(input, init);
    const entry = {method, path: new URL(url).pathname, status: res.status};
    if (res.status >= 400) {
        try {
            entry.id = (await res.clone().json()).id;
        } catch {
            entry.id = '';
        }
    }
    requests.push(entry);
    return res;
};

const crypto = require('node:crypto');
const WS = require('ws');
const {WebSocketClient} = require('@mattermost/client');
const {Client4} = require('mattermost-redux/client');
const {ChannelCategoryTypes} = require('mattermost-redux/action_types');
const configureStore = require('mattermost-redux/store').default;
const users = require('mattermost-redux/actions/users');
const teams = require('mattermost-redux/actions/teams');
const channels = require('mattermost-redux/actions/channels');
const categories = require('mattermost-redux/actions/channel_categories');
const roles = require('mattermost-redux/actions/roles');
const posts = require('mattermost-redux/actions/posts');
const threads = require('mattermost-redux/actions/threads');
const general = require('mattermost-redux/actions/general');
const preferences = require('mattermost-redux/actions/preferences');
const search = require('mattermost-redux/actions/search');
const admin = require('mattermost-redux/actions/admin');

// The roles the System Console's permission pages load, beyond the user's own.
const CONSOLE_ROLES = [
    'system_admin', 'system_user', 'system_guest', 'team_admin', 'team_user', 'team_guest', 'channel_admin',
    'channel_user', 'channel_guest', 'playbook_admin', 'playbook_member', 'run_admin', 'run_member',
    'system_user_manager', 'system_manager', 'system_read_only_admin', 'system_custom_group_admin',
    'system_shared_channel_manager', 'system_secure_connection_manager', 'system_post_all',
    'system_post_all_public', 'system_user_access_token',
];

const results = [];

async function step(name, fn) {
    const first = requests.length;
    let ok = true;
    let error = '';
    try {
        const out = await fn();
        if (out && out.error) {
            ok = false;
            const e = out.error;
            error = `${e.status_code || ''} ${e.server_error_id || ''} ${e.message || e}`.trim();
        }
    } catch (e) {
        ok = false;
        error = String(e && e.stack ? e.stack : e);
    }
    const result = {step: name, ok, error, requests: requests.slice(first)};
    results.push(result);
    process.stdout.write(JSON.stringify(result) + '\n');
    return ok;
}

function check(cond, message) {
    if (!cond) {
        throw new Error(message);
    }
    return {data: true};
}

async function main() {
    // The scene, made with a plain Client4: alice (the web app's user) and bob in a team.
    const adminClient = await login(ADMIN.username, ADMIN.password);
    const names = {alice: unique('alice'), bob: unique('bob')};
    const ids = {};
    for (const [who, username] of Object.entries(names)) {
        ids[who] = (await adminClient.createUser({username, email: `${username}@example.com`, password: PASSWORD})).id;
    }
    const team = await adminClient.createTeam({name: unique('team'), display_name: 'Redux', type: 'O'});
    await adminClient.addToTeam(team.id, ids.alice);
    await adminClient.addToTeam(team.id, ids.bob);

    // The web app: its Client4 singleton logs in, then the store is filled by its actions.
    Client4.setUrl(process.env.CHINWAG_URL);
    const me = await Client4.login(names.alice, PASSWORD);
    const store = configureStore({});
    const {dispatch, getState} = store;
    const state = () => getState().entities;

    // The web app's WebSocket: its sidebar_category_* handlers (actions/websocket_actions.jsx) keep the store in
    // step with what the server announces, for the current team only.
    globalThis.WebSocket = WS;
    const events = [];
    const ws = new WebSocketClient({newWebSocketFn: (url) => new WS(url)});
    ws.addMessageListener((msg) => {
        events.push(msg);
        const teamId = msg.broadcast && msg.broadcast.team_id;
        if (!teamId || teamId !== team.id) {
            return;
        }
        if (msg.event === 'sidebar_category_created') {
            dispatch(categories.fetchMyCategories(teamId));
        } else if (msg.event === 'sidebar_category_updated') {
            dispatch(categories.fetchMyCategories(teamId, true));
        } else if (msg.event === 'sidebar_category_deleted') {
            dispatch({type: ChannelCategoryTypes.CATEGORY_DELETED, data: msg.data.category_id});
            dispatch(categories.fetchMyCategories(teamId));
        } else if (msg.event === 'sidebar_category_order_updated') {
            dispatch(categories.receivedCategoryOrder(teamId, msg.data.order));
        }
    });
    ws.initialize(process.env.CHINWAG_URL.replace(/^http/, 'ws') + '/api/v4/websocket', Client4.getToken());
    const until = async (pred, what, ms = 10000) => {
        const started = Date.now();
        while (!pred()) {
            if (Date.now() - started > ms) {
                throw new Error(`timed out waiting for ${what}`);
            }
            await new Promise((r) => setTimeout(r, 20));
        }
        return {data: true};
    };
    const mine = () => Object.values(state().channelCategories.byId).filter((c) => c.team_id === team.id);
    const order = () => state().channelCategories.orderByTeam[team.id] || [];

    // Start-up (the web app's loadMe and what the channel view loads next).
    await step('loadMe: client config, license, me, preferences, teams, team members, unreads, limits',
        () => dispatch(users.loadMe()));
    await step('client config has the keys the web app reads', () => {
        const cfg = state().general.config;
        return check(cfg.EnableThemeSelection === 'true' && cfg.EnableCustomEmoji === 'true' &&
            'ExperimentalEnableDefaultChannelLeaveJoinMessages' in cfg && cfg.Version, 'client config keys');
    });
    await step('license is unlicensed', () => check(state().general.license.IsLicensed === 'false', 'license'));
    await step('me and my team are in the store', () => check(state().users.currentUserId === me.id &&
        Boolean(state().teams.teams[team.id]) && Boolean(state().teams.myMembers[team.id]), 'store'));
    await step('selectTeam', () => dispatch(teams.selectTeam(team.id)));
    await step('fetchChannelsAndMembers', () => dispatch(channels.fetchChannelsAndMembers(team.id)));
    const town = Object.values(state().channels.channels).find((c) => c.name === 'town-square' &&
        c.team_id === team.id);
    await step('town square is among my channels', () => check(Boolean(town) &&
        Boolean(state().channels.myMembers[town.id]), 'town-square'));
    await step('fetchMyCategories (sidebar)', () => dispatch(categories.fetchMyCategories(team.id)));
    const myRoles = new Set(me.roles.split(' '));
    for (const m of Object.values(state().teams.myMembers)) {
        m.roles.split(' ').forEach((r) => r && myRoles.add(r));
    }
    for (const m of Object.values(state().channels.myMembers)) {
        m.roles.split(' ').forEach((r) => r && myRoles.add(r));
    }
    await step("loadRolesIfNeeded: my roles", () => dispatch(roles.loadRolesIfNeeded([...myRoles])));
    await step('every one of my roles was returned', () => {
        const got = state().roles.roles;
        const missing = [...myRoles].filter((r) => !got[r]);
        return check(missing.length === 0, `roles not returned: ${missing}`);
    });
    await step('getRolesByNames: the System Console roles', () => dispatch(roles.getRolesByNames(CONSOLE_ROLES)));
    await step('every System Console role was returned', () => {
        const got = state().roles.roles;
        const missing = CONSOLE_ROLES.filter((r) => !got[r]);
        return check(missing.length === 0, `roles not returned: ${missing}`);
    });
    await step('getThreadCounts', () => dispatch(threads.getThreadCounts(me.id, team.id)));
    await step('getTotalUsersStats', () => dispatch(users.getTotalUsersStats()));
    await step('getKnownUsers', () => dispatch(users.getKnownUsers()));
    await step('getInProductNotices', () => dispatch(teams.getInProductNotices(team.id, 'web', '11.9.0')));

    // Everyday use. createPost answers at once and sends in the background; afterSubmit gets the post.
    const send = (post) => new Promise((resolve) => {
        const timer = setTimeout(() => resolve({error: new Error('the post was not created')}), 15000);
        dispatch(posts.createPost({user_id: me.id, ...post}, [], ({created}) => {
            clearTimeout(timer);
            resolve({data: created});
        }));
    });
    const posted = {};
    await step('createPost', async () => {
        const out = await send({channel_id: town.id, message: 'hello from redux'});
        Object.assign(posted, out.data || {});
        return out;
    });
    await step('the post is in the store with a server id', () => check(posted.id && posted.id.length === 26 &&
        state().posts.posts[posted.id], 'post'));
    await step('addReaction', () => dispatch(posts.addReaction(posted.id, 'tada')));
    await step('reply (thread)', () => send({channel_id: town.id, message: 'a reply', root_id: posted.id}));
    await step('getPostThread', () => dispatch(posts.getPostThread(posted.id)));
    await step('fetchThreads', () => dispatch(threads.fetchThreads(me.id, team.id)));
    await step('setUnreadPost (mark unread)', () => dispatch(posts.setUnreadPost(me.id, posted.id)));
    await step('searchPostsWithParams', () => dispatch(search.searchPostsWithParams(team.id,
        {terms: 'redux', is_or_search: false, include_deleted_channels: false, page: 0, per_page: 20})));
    await step('search found the post', () => check((state().search.results || []).includes(posted.id),
        `search results: ${JSON.stringify(state().search.results)}`));
    await step('createDirectChannel (DM)', () => dispatch(channels.createDirectChannel(me.id, ids.bob)));
    await step('saveTheme', () => dispatch(preferences.saveTheme(team.id, {type: 'Onyx', sidebarBg: '#121317'})));
    await step('the theme preference was saved', () => check(Object.values(state().preferences.myPreferences)
        .some((p) => p.category === 'theme' && p.value.includes('Onyx')), 'theme preference'));
    await step('setCustomStatus', () => dispatch(users.setCustomStatus({emoji: 'calendar', text: 'In a meeting',
        expires_at: new Date(Date.now() + 3600000).toISOString(), duration: 'one_hour'})));
    await step('uploadProfileImage', () => dispatch(users.uploadProfileImage(me.id,
        new Blob([Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')], {type: 'image/png'}))));
    await step('the sidebar has Favorites, Channels and Direct Messages', () => {
        const mine = Object.values(state().channelCategories.byId).filter((c) => c.team_id === team.id);
        const channelsCat = mine.find((c) => c.type === 'channels');
        return check(['favorites', 'channels', 'direct_messages'].every((t) => mine.some((c) => c.type === t)) &&
            channelsCat && channelsCat.channel_ids.includes(town.id), `categories: ${JSON.stringify(mine)}`);
    });
    const offTopic = Object.values(state().channels.channels).find((c) => c.name === 'off-topic' &&
        c.team_id === team.id);
    const server = () => Client4.getChannelCategories(me.id, team.id);
    const byType = (found, type) => found.categories.find((c) => c.type === type);
    let created = {};
    await step('createCategory', async () => {
        const out = await dispatch(categories.createCategory(team.id, 'Projects', [town.id]));
        created = out.data || {};
        return out;
    });
    await step('sidebar_category_created puts the new category in the store, after Favorites',
        () => until(() => state().channelCategories.byId[created.id] && order()[1] === created.id,
            'the created category in the store'));
    await step('the new category holds town square, after Favorites', async () => {
        const found = await server();
        const mine = found.categories.find((c) => c.id === created.id);
        return check(mine && mine.type === 'custom' && mine.channel_ids.join() === town.id &&
            found.order[1] === created.id && !byType(found, 'channels').channel_ids.includes(town.id),
        `server categories: ${JSON.stringify(found)}`);
    });
    await step('moveChannelToCategory (off-topic into Projects)',
        () => dispatch(categories.moveChannelToCategory(created.id, offTopic.id, 0)));
    await step('the server moved off-topic', async () => {
        const found = await server();
        return check(found.categories.find((c) => c.id === created.id).channel_ids[0] === offTopic.id &&
            !byType(found, 'channels').channel_ids.includes(offTopic.id), `server categories: ${JSON.stringify(found)}`);
    });
    await step('the move reached the store through sidebar_category_updated', () => until(() =>
        events.some((e) => e.event === 'sidebar_category_updated' && e.broadcast.team_id === team.id &&
            JSON.parse(e.data.updatedCategories).some((c) => c.id === created.id)) &&
        state().channelCategories.byId[created.id].channel_ids[0] === offTopic.id, 'the update event'));
    await step('moveCategory (Projects first)', () => dispatch(categories.moveCategory(team.id, created.id, 0)));
    await step('sidebar_category_order_updated carries the order', () => until(() =>
        events.some((e) => e.event === 'sidebar_category_order_updated' && e.data.order[0] === created.id) &&
        order()[0] === created.id, 'the order event'));
    await step('the server has the new order', async () => {
        const order = await Client4.getChannelCategoryOrder(me.id, team.id);
        return check(order[0] === created.id && order.length === 4, `order: ${order}`);
    });
    await step('setCategorySorting, setCategoryCollapsed, renameCategory', async () => {
        for (const out of [await dispatch(categories.setCategorySorting(created.id, 'alpha')),
            await dispatch(categories.setCategoryCollapsed(created.id, true)),
            await dispatch(categories.renameCategory(created.id, 'Work'))]) {
            if (out.error) {
                return out;
            }
        }
        const got = await Client4.getChannelCategory(me.id, team.id, created.id);
        return check(got.sorting === 'alpha' && got.collapsed && got.display_name === 'Work', JSON.stringify(got));
    });
    await step('setCategoryMuted mutes its channels', async () => {
        const out = await dispatch(categories.setCategoryMuted(created.id, true));
        if (out.error) {
            return out;
        }
        const member = await Client4.getChannelMember(offTopic.id, me.id);
        return check(member.notify_props.mark_unread === 'mention', JSON.stringify(member.notify_props));
    });
    await step('favoriteChannel (through the Favorites category)', () => dispatch(channels.favoriteChannel(town.id)));
    await step('town square is a favorite on the server, preference included', async () => {
        const found = await server();
        const prefs = await Client4.getMyPreferences();
        return check(byType(found, 'favorites').channel_ids.includes(town.id) &&
            prefs.some((p) => p.category === 'favorite_channel' && p.name === town.id && p.value === 'true'),
        `server categories: ${JSON.stringify(found)}`);
    });
    await step('unfavoriteChannel', () => dispatch(channels.unfavoriteChannel(town.id)));
    await step('deleteCategory', () => dispatch(categories.deleteCategory(created.id)));
    await step('sidebar_category_deleted takes it out of the store', () => until(() =>
        !state().channelCategories.byId[created.id] && !order().includes(created.id) && mine().length === 3 &&
        mine().find((c) => c.type === 'channels').channel_ids.includes(offTopic.id), 'the delete event'));
    await step('the deleted category gave its channels back to Channels', async () => {
        const found = await server();
        const chans = byType(found, 'channels').channel_ids;
        return check(found.order.length === 3 && chans.includes(town.id) && chans.includes(offTopic.id) &&
            byType(found, 'favorites').channel_ids.length === 0, `server categories: ${JSON.stringify(found)}`);
    });

    ws.close();

    // The System Console, as the system admin.
    await Client4.logout().catch(() => undefined);
    Client4.setToken('');
    await Client4.login(ADMIN.username, ADMIN.password);
    await step('getFirstAdminSetupComplete', () => dispatch(general.getFirstAdminSetupComplete()));
    await step('getPluginStatuses', () => dispatch(admin.getPluginStatuses()));
    await step('getPlugins', () => dispatch(admin.getPlugins()));
    await step('enablePlugin (memes)', () => dispatch(admin.enablePlugin('memes')));
    await step('disablePlugin (memes)', () => dispatch(admin.disablePlugin('memes')));
    await step('getStandardAnalytics (site statistics)', () => dispatch(admin.getStandardAnalytics()));
    // What the System Console loads on its pages (issue 20): config, environment, licence, reports.
    await step('getConfig', () => dispatch(admin.getConfig()));
    await step('getEnvironmentConfig', () => dispatch(admin.getEnvironmentConfig()));
    await step('getLicenseConfig', () => dispatch(general.getLicenseConfig()));
    await step('getClusterStatus', () => dispatch(admin.getClusterStatus()));
    await step('getAdvancedAnalytics', () => dispatch(admin.getAdvancedAnalytics()));
    await step('getPostsPerDayAnalytics', () => dispatch(admin.getPostsPerDayAnalytics()));
    await step('getBotPostsPerDayAnalytics', () => dispatch(admin.getBotPostsPerDayAnalytics()));
    await step('getUsersPerDayAnalytics', () => dispatch(admin.getUsersPerDayAnalytics()));
    await step('getAppliedSchemaMigrations', () => dispatch(admin.getAppliedSchemaMigrations()));
    await step('getLogs', () => dispatch(admin.getLogs({page: 0, logs_per_page: 50})));
    await step('getAudits', () => dispatch(admin.getAudits()));
    await step('getFilteredUsersStats', () => dispatch(users.getFilteredUsersStats({include_bots: true})));
    // Authentication → SAML 2.0 and AD/LDAP: the certificate uploads (a key made here).
    const {privateKey} = crypto.generateKeyPairSync('rsa', {
        modulusLength: 2048, privateKeyEncoding: {type: 'pkcs8', format: 'pem'},
        publicKeyEncoding: {type: 'spki', format: 'pem'}});
    const keyFile = () => new File([privateKey], 'sp.key', {type: 'application/x-pem-file'});
    await step('getSamlCertificateStatus', () => dispatch(admin.getSamlCertificateStatus()));
    await step('uploadPrivateSamlCertificate', () => dispatch(admin.uploadPrivateSamlCertificate(keyFile())));
    await step('the SAML key is stored and named in the config', async () => {
        const status = await Client4.getSamlCertificateStatus();
        const config = await Client4.getConfig();
        return check(status.private_key_file === true && config.SamlSettings.PrivateKeyFile === 'saml-private.key',
            `status ${JSON.stringify(status)}, PrivateKeyFile ${config.SamlSettings.PrivateKeyFile}`);
    });
    await step('removePrivateSamlCertificate', () => dispatch(admin.removePrivateSamlCertificate()));
    await step('the SAML key is gone', async () => {
        const status = await Client4.getSamlCertificateStatus();
        return check(status.private_key_file === false, JSON.stringify(status));
    });
    await step('uploadPrivateLdapCertificate', () => dispatch(admin.uploadPrivateLdapCertificate(keyFile())));
    await step('removePrivateLdapCertificate', () => dispatch(admin.removePrivateLdapCertificate()));
    process.stdout.write(JSON.stringify({done: true, steps: results.length}) + '\n');
}

main().catch((e) => {
    process.stderr.write(`FAILED: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
});
