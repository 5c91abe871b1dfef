// Client4 paging over a channel of 130+ posts: getPosts (page/perPage), getPostsBefore and
// getPostsAfter with the next_post_id/prev_post_id cursors, and getPostsSince.
'use strict';

const {assert, assertNewestFirst, newestFirst, scene, main} = require('./lib');

const TOTAL = 133;
const PER_PAGE = 30;

main(async () => {
    const {team, users} = await scene('alice', 'bob');
    const {alice, bob} = users;
    const channel = await alice.createChannel({team_id: team.id, name: 'js-long', display_name: 'Long', type: 'O'});
    await bob.addToChannel(bob.me.id, channel.id); // a join message: the first post in the channel
    const created = [];
    for (let i = 0; i < TOTAL; i++) {
        const post = {channel_id: channel.id, message: `post ${i}`};
        if (i % 25 === 24) {
            post.root_id = created[3].id; // replies to an old post, spread through the channel
        }
        created.push(await alice.createPost(post));
    }

    // page/per_page: the whole channel, newest first, each post once
    const all = [];
    for (let page = 0; ; page++) {
        const list = await bob.getPosts(channel.id, page, PER_PAGE);
        assertNewestFirst(list, `page ${page}`);
        for (const id of list.order) {
            const p = list.posts[id];
            if (p.root_id) {
                assert.ok(list.posts[p.root_id], `page ${page}: the root of reply ${id} is not in posts`);
            }
        }
        all.push(...list.order);
        if (list.order.length < PER_PAGE) {
            assert.equal(page, Math.floor((TOTAL + 1) / PER_PAGE));
            break;
        }
    }
    assert.equal(all.length, TOTAL + 1);
    assert.equal(new Set(all).size, TOTAL + 1);
    const byId = Object.fromEntries(created.map((p) => [p.id, p]));
    assert.deepEqual(all.slice(0, TOTAL), newestFirst(created));
    const joinPost = all[TOTAL];
    assert.ok(!byId[joinPost]);

    // first page: nothing newer, the cursor to older posts
    const first = await bob.getPosts(channel.id, 0, PER_PAGE);
    assert.equal(first.next_post_id, '');
    assert.equal(first.prev_post_id, all[PER_PAGE]);

    // getPostsBefore: follow prev_post_id down to the oldest post
    const down = [...first.order];
    let prev = first.prev_post_id;
    while (prev) {
        const list = await bob.getPostsBefore(channel.id, down[down.length - 1], 0, PER_PAGE);
        assertNewestFirst(list, 'before');
        assert.equal(list.next_post_id, down[down.length - 1]);
        down.push(...list.order);
        prev = list.prev_post_id;
        assert.equal(prev, all[down.length] || '');
    }
    assert.deepEqual(down, all);
    const none = await bob.getPostsBefore(channel.id, joinPost, 0, PER_PAGE);
    assert.deepEqual(none.order, []);
    assert.equal(none.next_post_id, joinPost);
    assert.equal(none.prev_post_id, '');

    // getPostsAfter: follow next_post_id up from the oldest post
    let up = [];
    let anchor = joinPost;
    for (;;) {
        const list = await bob.getPostsAfter(channel.id, anchor, 0, PER_PAGE);
        assertNewestFirst(list, 'after');
        assert.equal(list.prev_post_id, anchor);
        up = [...list.order, ...up];
        if (!list.next_post_id) {
            break;
        }
        assert.equal(list.next_post_id, all[all.length - 2 - up.length]);
        anchor = list.order[0];
    }
    assert.deepEqual([...up, joinPost], all);
    const nothingNewer = await bob.getPostsAfter(channel.id, all[0], 0, PER_PAGE);
    assert.deepEqual(nothingNewer.order, []);
    assert.equal(nothingNewer.prev_post_id, all[0]);
    assert.equal(nothingNewer.next_post_id, '');

    // a window in the middle, and page 1 of it
    const mid = all[60];
    const older = await bob.getPostsBefore(channel.id, mid, 0, 10);
    assert.deepEqual(older.order, all.slice(61, 71));
    assert.equal(older.next_post_id, mid);
    assert.equal(older.prev_post_id, all[71]);
    const older1 = await bob.getPostsBefore(channel.id, mid, 1, 10);
    assert.deepEqual(older1.order, all.slice(71, 81));
    const newer = await bob.getPostsAfter(channel.id, mid, 0, 10);
    assert.deepEqual(newer.order, all.slice(50, 60));
    assert.equal(newer.prev_post_id, mid);
    assert.equal(newer.next_post_id, all[49]);

    // without thread fetching, replies still bring their roots, but not the rest of the thread
    const lean = await bob.getPosts(channel.id, 0, PER_PAGE, false);
    assert.deepEqual(lean.order, first.order);
    const threadRoot = created[3].id;
    assert.ok(lean.posts[threadRoot], 'skipFetchThreads: the root of a reply is missing');
    assert.ok(!lean.order.includes(threadRoot));
    const leanReplies = Object.values(lean.posts).filter((p) => p.root_id === threadRoot).map((p) => p.id);
    assert.deepEqual(leanReplies.sort(), lean.order.filter((id) => lean.posts[id].root_id === threadRoot).sort());
    const fullReplies = Object.values(first.posts).filter((p) => p.root_id === threadRoot);
    assert.equal(fullReplies.length, created.filter((p) => p.root_id === threadRoot).length);

    // collapsed threads: roots only, with the thread's counters
    const collapsed = await bob.getPosts(channel.id, 0, 200, true, true);
    const replies = created.filter((p) => p.root_id);
    assert.equal(collapsed.order.length, TOTAL + 1 - replies.length);
    assert.ok(collapsed.order.every((id) => !collapsed.posts[id].root_id));
    const root = collapsed.posts[created[3].id];
    assert.equal(root.reply_count, replies.length);
    assert.equal(root.last_reply_at, replies[replies.length - 1].create_at);

    // since: what changed after a moment, edits included
    const t = created[120].create_at;
    await alice.patchPost({id: created[5].id, message: 'edited late'});
    const since = await bob.getPostsSince(channel.id, t);
    assert.equal(since.posts[created[5].id].message, 'edited late');
    for (const p of created) {
        if (p.create_at > t) {
            assert.ok(since.posts[p.id], `since: missing ${p.message}`);
        }
    }
    assert.ok(!since.posts[created[50].id], 'since: returned an old, unchanged post');
    assert.equal(since.next_post_id, '');
    assert.equal(since.prev_post_id, '');
});
