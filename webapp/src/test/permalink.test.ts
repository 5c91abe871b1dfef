// Opening a channel around a permalink's post, scrolling both ways, and catching up after a gap.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import type {ServerChannel, ChannelMembership} from '@mattermost/types/channels';
import type {Post, PostList} from '@mattermost/types/posts';
import type {UserProfile} from '@mattermost/types/users';

import {createPost, isWindow, jumpToLatest, loadAround, loadNewer, PAGE, receivePost, SINCE_LIMIT, syncSince} from '../actions';
import {client} from '../client';
import {getState, resetState} from '../store';

const me = {id: 'me', username: 'me'} as UserProfile;

function post(id: string, at: number, extra: Partial<Post> = {}): Post {
    return {
        id, user_id: 'u2', channel_id: 'c1', root_id: '', create_at: at, update_at: at, edit_at: 0, delete_at: 0,
        is_pinned: false, original_id: '', message: id, type: '', props: {}, hashtags: '', pending_post_id: '',
        reply_count: 0, metadata: {embeds: [], emojis: [], files: [], images: {}}, ...extra,
    } as Post;
}

/** A PostList the way the server sends it: newest first. */
function list(posts: Post[], extra: Partial<PostList> & {has_next?: boolean} = {}): PostList {
    return {
        order: posts.map((p) => p.id).reverse(),
        posts: Object.fromEntries(posts.map((p) => [p.id, p])),
        next_post_id: '', prev_post_id: '', first_inaccessible_post_time: 0, ...extra,
    };
}

const range = (from: number, n: number) => Array.from({length: n}, (_, i) => post(`p${from + i}`, from + i));

const channel = {id: 'c1', team_id: 't', type: 'O', name: 'town-square', display_name: 'Town Square', total_msg_count: 500, total_msg_count_root: 500, last_post_at: 500} as ServerChannel;
const member = {channel_id: 'c1', user_id: 'me', msg_count: 500, msg_count_root: 500, mention_count: 0, mention_count_root: 0, last_viewed_at: 600, notify_props: {}} as unknown as ChannelMembership;

beforeEach(() => {
    vi.useFakeTimers();
    resetState({me, users: {me}, config: {CollapsedThreads: 'always_on'}, channels: {c1: channel}, myMembers: {c1: member}});
    vi.spyOn(client, 'viewMyChannel').mockResolvedValue({status: 'OK'} as never);
    vi.spyOn(client, 'getMyTeamUnreads').mockResolvedValue([]);
    vi.spyOn(client, 'getProfilesByIds').mockResolvedValue([]);
});

afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
});

describe('a permalink window', () => {
    async function openAt100() {
        const before = vi.spyOn(client, 'getPostsBefore').mockResolvedValue(list(range(100 - PAGE, PAGE), {prev_post_id: 'older'}));
        const after = vi.spyOn(client, 'getPostsAfter').mockResolvedValue(list(range(101, PAGE), {next_post_id: 'newer'}));
        await loadAround('c1', post('p100', 100));
        expect(before.mock.calls[0].slice(0, 2)).toEqual(['c1', 'p100']);
        expect(after.mock.calls[0].slice(0, 2)).toEqual(['c1', 'p100']);
    }

    it('holds a page either side of the post, oldest first, and is not at either end', async () => {
        await openAt100();
        const feed = getState().feeds.c1;
        expect(feed.ids.length).toBe(2 * PAGE + 1);
        expect(feed.ids[PAGE]).toBe('p100');
        expect(feed.ids[0]).toBe(`p${100 - PAGE}`);
        expect(feed.atOldest).toBe(false);
        expect(isWindow(feed)).toBe(true);
    });

    it('is at the newest end when fewer than a page follow the post', async () => {
        vi.spyOn(client, 'getPostsBefore').mockResolvedValue(list(range(90, 10)));
        vi.spyOn(client, 'getPostsAfter').mockResolvedValue(list(range(101, 3)));
        await loadAround('c1', post('p100', 100));
        const feed = getState().feeds.c1;
        expect(isWindow(feed)).toBe(false);
        expect(feed.atOldest).toBe(true);
        expect(feed.ids).toEqual([...range(90, 10).map((p) => p.id), 'p100', 'p101', 'p102', 'p103']);
    });

    it('loads newer pages after its newest post until the end', async () => {
        await openAt100();
        const last = `p${100 + PAGE}`;
        const after = vi.spyOn(client, 'getPostsAfter').mockResolvedValue(list(range(101 + PAGE, 5)));
        after.mockClear();
        await loadNewer('c1');
        expect(after.mock.calls[0].slice(0, 2)).toEqual(['c1', last]);
        const feed = getState().feeds.c1;
        expect(feed.ids[feed.ids.length - 1]).toBe(`p${105 + PAGE}`);
        expect(isWindow(feed)).toBe(false);
        await loadNewer('c1'); // at the end: no more requests
        expect(after).toHaveBeenCalledTimes(1);
    });

    it('does not append live posts to a window (that would leave a hole)', async () => {
        await openAt100();
        const before = getState().feeds.c1.ids;
        receivePost(post('live', 10_000));
        expect(getState().feeds.c1.ids).toEqual(before);
        expect(getState().posts.live).toBeDefined();
    });

    it('keeps catch-up changes inside the window only', async () => {
        await openAt100();
        vi.spyOn(client, 'getPostsSince').mockResolvedValue(list([post('p100', 100, {update_at: 5000, message: 'edited'}), post('live', 10_000)]));
        await syncSince('c1');
        expect(getState().posts.p100.message).toBe('edited');
        expect(getState().feeds.c1.ids).not.toContain('live');
    });

    it('jumping to the newest posts replaces the window', async () => {
        await openAt100();
        resetState({...getState(), focusPost: {channelId: 'c1', postId: 'p100', at: 1}});
        vi.spyOn(client, 'getPosts').mockResolvedValue(list(range(1000, PAGE), {prev_post_id: 'p999'}));
        await jumpToLatest('c1');
        const feed = getState().feeds.c1;
        expect(feed.ids[0]).toBe('p1000');
        expect(feed.ids.length).toBe(PAGE);
        expect(isWindow(feed)).toBe(false);
        expect(getState().focusPost).toBeNull();
    });

    it('sending a message from a window shows the newest posts', async () => {
        await openAt100();
        const mine = post('mine', 2000, {user_id: 'me'});
        vi.spyOn(client, 'createPost').mockResolvedValue(mine);
        const latest = vi.spyOn(client, 'getPosts').mockResolvedValue(list([...range(1000, 3), mine]));
        await createPost('c1', 'hello');
        await vi.waitFor(() => expect(getState().feeds.c1.ids).toEqual(['p1000', 'p1001', 'p1002', 'mine']));
        expect(latest).toHaveBeenCalledTimes(1);
    });
});

describe('catching up after a gap', () => {
    function loaded(ids: Post[]) {
        resetState({...getState(), posts: Object.fromEntries(ids.map((p) => [p.id, p])),
            feeds: {c1: {ids: ids.map((p) => p.id), atOldest: true, atLatest: true, loading: false, syncedAt: 50}}});
    }

    it('merges a short answer into the loaded posts', async () => {
        loaded(range(1, 50));
        const since = vi.spyOn(client, 'getPostsSince').mockResolvedValue(list(range(51, 70)));
        const latest = vi.spyOn(client, 'getPosts');
        await syncSince('c1');
        expect(since.mock.calls[0].slice(0, 2)).toEqual(['c1', 50]);
        expect(getState().feeds.c1.ids.length).toBe(120);
        expect(getState().feeds.c1.syncedAt).toBe(120);
        expect(latest).not.toHaveBeenCalled();
    });

    it('when more changed than the server sends at once, reloads the latest page instead of leaving a hole', async () => {
        loaded(range(1, 50));
        // The newest 1000 changes (posts 1551..2550), has_next: posts 51..1550 are missing.
        vi.spyOn(client, 'getPostsSince').mockResolvedValue(list(range(1551, SINCE_LIMIT), {has_next: true}));
        const latest = vi.spyOn(client, 'getPosts').mockResolvedValue(list(range(2551 - PAGE, PAGE), {prev_post_id: 'p2490'}));
        await syncSince('c1');
        expect(latest).toHaveBeenCalledTimes(1);
        const feed = getState().feeds.c1;
        expect(feed.ids).toEqual(range(2551 - PAGE, PAGE).map((p) => p.id));
        expect(feed.atOldest).toBe(false); // older pages load again on scroll, with no gap
        expect(feed.syncedAt).toBe(2550);
        expect(getState().channels.c1.last_post_at).toBe(2550);
    });

    it('treats a full answer without has_next (older servers) the same way', async () => {
        loaded(range(1, 50));
        vi.spyOn(client, 'getPostsSince').mockResolvedValue(list(range(1551, SINCE_LIMIT)));
        const latest = vi.spyOn(client, 'getPosts').mockResolvedValue(list(range(2551 - PAGE, PAGE), {prev_post_id: 'x'}));
        await syncSince('c1');
        expect(latest).toHaveBeenCalledTimes(1);
        expect(getState().feeds.c1.ids[0]).toBe(`p${2551 - PAGE}`);
    });
});
