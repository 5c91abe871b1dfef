// Client4 (@mattermost/client) against chinwag: teams, channels, posts, threads, reactions,
// direct messages, unread counts and permissions, with the library's own calls.
'use strict';

const {assert, PASSWORD, unique, login, expectError, newestFirst, scene, main} = require('./lib');

main(async () => {
    const {admin, team, users} = await scene('alice', 'bob', 'carol');
    const {alice, bob, carol} = users;
    const [a, b, c] = [alice.me.id, bob.me.id, carol.me.id];

    // the loadMe calls of the web app
    const clientConfig = await alice.getClientConfig();
    assert.equal(typeof clientConfig.Version, 'string');
    assert.equal((await alice.getClientLicenseOld()).IsLicensed, 'false');
    assert.equal((await alice.getMe()).id, a);
    assert.ok(alice.serverVersion, 'no X-Version-Id seen');
    assert.deepEqual((await alice.getMyTeams()).map((t) => t.id), [team.id]);
    assert.equal((await alice.getTeamByName(team.name)).id, team.id);
    const myMembers = await alice.getMyTeamMembers();
    assert.equal(myMembers[0].roles, 'team_user team_admin');
    assert.ok(Array.isArray(await alice.getMyPreferences()));
    const limits = await alice.getServerLimits();
    assert.equal(typeof limits.data.activeUserCount, 'number');
    const roles = await alice.getRolesByNames(['system_user', 'team_user', 'channel_user']);
    assert.deepEqual(roles.map((r) => r.name).sort(), ['channel_user', 'system_user', 'team_user']);
    const profiles = await alice.getProfilesByIds([a, b]);
    assert.deepEqual(profiles.map((u) => u.id).sort(), [a, b].sort());
    const statuses = await alice.getStatusesByIds([a, b]);
    assert.deepEqual(statuses.map((st) => st.user_id).sort(), [a, b].sort());
    const names = (await bob.getMyChannels(team.id)).map((ch) => ch.name);
    assert.ok(names.includes('town-square') && names.includes('off-topic'), `default channels missing: ${names}`);

    // channels
    const pub = await alice.createChannel({team_id: team.id, name: 'js-public', display_name: 'JS Public', type: 'O'});
    assert.equal(pub.type, 'O');
    assert.equal(pub.creator_id, a);
    const priv = await alice.createChannel({team_id: team.id, name: 'js-private', display_name: 'JS Private', type: 'P'});
    await expectError(alice.createChannel({team_id: team.id, name: 'js-public', display_name: 'Again', type: 'O'}),
        400, 'store.sql_channel.save_channel.exists.app_error');
    await expectError(alice.createChannel({team_id: team.id, name: 'no spaces', display_name: 'x', type: 'O'}), 400);
    const added = await alice.addToChannel(b, priv.id);
    assert.equal(added.user_id, b);
    assert.equal(added.channel_id, priv.id);
    const privMembers = (await bob.getChannelMembers(priv.id)).map((m) => m.user_id).sort();
    assert.deepEqual(privMembers, [a, b].sort());
    assert.deepEqual((await bob.getChannelMembersByIds(priv.id, [a, c])).map((m) => m.user_id), [a]);
    assert.deepEqual((await bob.getProfilesInChannel(priv.id)).map((u) => u.id).sort(), [a, b].sort());
    assert.equal((await bob.getChannelStats(priv.id)).member_count, 2);
    const myMembers2 = await bob.getMyChannelMembers(team.id);
    assert.ok(myMembers2.some((m) => m.channel_id === priv.id));
    assert.equal((await bob.getChannelByName(team.id, 'js-private')).id, priv.id);
    await expectError(carol.getChannel(priv.id), 403);
    await expectError(carol.getPosts(priv.id), 403);
    await expectError(carol.createPost({channel_id: priv.id, message: 'let me in'}), 403);
    await expectError(carol.getChannelByName(team.id, 'js-private'), 404);
    const carolJoined = await carol.addToChannel(c, pub.id);
    assert.equal(carolJoined.user_id, c);

    // posts, a thread and reactions
    const root = await alice.createPost({channel_id: priv.id, message: 'hello #javascript', props: {attachments_seen: 'no'}});
    assert.equal(root.user_id, a);
    assert.equal(root.root_id, '');
    assert.equal(root.hashtags, '#javascript');
    assert.deepEqual(root.props, {attachments_seen: 'no'});
    const reply = await bob.createPost({channel_id: priv.id, message: 'a reply', root_id: root.id});
    assert.equal(reply.root_id, root.id);
    const reply2 = await alice.createPost({channel_id: priv.id, message: 'another', root_id: root.id});
    const thread = await bob.getPostThread(root.id);
    assert.deepEqual(thread.order, newestFirst([reply2, reply, root]));
    assert.equal(thread.posts[root.id].reply_count, 2);
    assert.equal(thread.posts[root.id].last_reply_at, reply2.create_at);
    await expectError(carol.getPostThread(root.id), 403);
    await expectError(carol.getPost(root.id), 403);

    const reaction = await bob.addReaction(b, root.id, 'smile');
    assert.equal(reaction.emoji_name, 'smile');
    assert.equal(reaction.post_id, root.id);
    assert.equal(reaction.user_id, b);
    await alice.addReaction(a, root.id, '+1');
    await expectError(carol.addReaction(c, root.id, 'smile'), 403);
    const reactions = await alice.getReactionsForPost(root.id);
    assert.deepEqual(reactions.map((r) => r.emoji_name).sort(), ['+1', 'smile']);
    let got = await alice.getPost(root.id);
    assert.equal(got.has_reactions, true);
    assert.deepEqual(got.metadata.reactions.map((r) => r.emoji_name).sort(), ['+1', 'smile']);
    await bob.removeReaction(b, root.id, 'smile');
    assert.deepEqual((await alice.getReactionsForPost(root.id)).map((r) => r.emoji_name), ['+1']);

    const edited = await alice.patchPost({id: root.id, message: 'hello, edited'});
    assert.equal(edited.message, 'hello, edited');
    assert.ok(edited.edit_at > 0, 'edit_at not set by an edit');
    await expectError(bob.patchPost({id: root.id, message: 'not yours'}), 403);
    await alice.pinPost(root.id);
    const pinned = await bob.getPinnedPosts(priv.id);
    assert.deepEqual(pinned.order, [root.id]);

    // flagged posts are preferences
    await bob.savePreferences(b, [{user_id: b, category: 'flagged_post', name: root.id, value: 'true'}]);
    const flagged = await bob.getFlaggedPosts(b);
    assert.deepEqual(flagged.order, [root.id]);

    // collapsed reply threads: alice follows her thread and has bob's reply unread
    const threads = await alice.getUserThreads(a, team.id, {});
    const mine = threads.threads.find((t) => t.id === root.id);
    assert.ok(mine, 'thread missing from getUserThreads');
    assert.equal(mine.reply_count, 2);
    assert.equal(mine.post.id, root.id);

    // deleting the root removes the whole thread
    await alice.deletePost(root.id);
    await expectError(bob.getPost(root.id), 404);
    await expectError(bob.getPost(reply.id), 404);
    const afterDelete = await bob.getPosts(priv.id);
    assert.ok(!afterDelete.order.includes(root.id) && !afterDelete.order.includes(reply.id));

    // direct messages and unread counts
    const dm = await alice.createDirectChannel([a, b]);
    assert.equal(dm.type, 'D');
    assert.equal(dm.team_id, '');
    assert.equal(dm.name, [a, b].sort().join('__'));
    assert.equal((await bob.createDirectChannel([b, a])).id, dm.id);
    await alice.createPost({channel_id: dm.id, message: 'psst'});
    await alice.createPost({channel_id: dm.id, message: 'psst again'});
    let dmMember = await bob.getMyChannelMember(dm.id);
    assert.equal(dmMember.mention_count, 2);
    await expectError(carol.getPosts(dm.id), 403);
    await expectError(carol.createPost({channel_id: dm.id, message: 'hi'}), 403);

    const town = await bob.getChannelByName(team.id, 'town-square');
    await bob.viewMyChannel(town.id);
    const startUnreads = await bob.getMyTeamUnreads(false);
    assert.equal(startUnreads.length, 1);
    assert.equal(startUnreads[0].team_id, team.id);
    const base = startUnreads[0].msg_count;
    const hey = await alice.createPost({channel_id: town.id, message: `hey @${bob.me.username}`});
    await alice.createPost({channel_id: town.id, message: 'and @all of you'});
    await alice.createPost({channel_id: town.id, message: 'nothing special'});
    const townMember = await bob.getMyChannelMember(town.id);
    assert.equal(townMember.mention_count, 2);
    const unreads = await bob.getMyTeamUnreads(true);
    assert.equal(unreads[0].team_id, team.id);
    assert.equal(unreads[0].msg_count, base + 3);
    assert.equal(unreads[0].mention_count, 2);
    assert.equal(typeof unreads[0].thread_count, 'number');
    const around = await bob.getPostsUnread(town.id, b, 2, 1);
    assert.equal(around.order.length, 3, 'getPostsUnread: limit_after 2 + limit_before 1');
    assert.equal(around.posts[around.order[1]].message, `hey @${bob.me.username}`);
    const viewed = await bob.viewMyChannel(town.id);
    assert.equal(viewed.status, 'OK');
    assert.ok(viewed.last_viewed_at_times[town.id] > 0);
    assert.equal((await bob.getMyChannelMember(town.id)).mention_count, 0);
    // "Mark as Unread" from the first mention
    const state = await bob.markPostAsUnread(b, hey.id);
    assert.equal(state.channel_id, town.id);
    assert.equal(state.mention_count, 2);
    assert.equal(state.last_viewed_at, hey.create_at - 1);
    assert.equal((await bob.getMyTeamUnreads(false))[0].msg_count, base + 3);
    await bob.viewMyChannel(town.id);
    await bob.viewMyChannel(dm.id);
    dmMember = await bob.getMyChannelMember(dm.id);
    assert.equal(dmMember.mention_count, 0);

    // archive and restore
    await alice.deleteChannel(pub.id);
    assert.ok((await alice.getChannel(pub.id)).delete_at > 0);
    await expectError(alice.createPost({channel_id: pub.id, message: 'x'}), 400);
    const restored = await alice.unarchiveChannel(pub.id);
    assert.equal(restored.delete_at, 0);

    // bad input
    await expectError(alice.getPost('not-an-id'), 400);
    await expectError(alice.getPost(unique('x').padEnd(26, 'a').slice(0, 26)), 404);
    await expectError(login(alice.me.username, PASSWORD + 'wrong'), 401,
        'api.user.login.invalid_credentials_email_username');
    assert.ok(admin.getToken());
});
