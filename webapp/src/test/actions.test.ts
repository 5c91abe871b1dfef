// Store updates driven by (mocked) Client4 answers.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import type {ServerChannel, ChannelMembership} from '@mattermost/types/channels';
import type {Post, PostList} from '@mattermost/types/posts';
import type {UserProfile} from '@mattermost/types/users';

import {createPost, deletePost, loadTeamChannels, PAGE, receivePostList} from '../actions';
import {client} from '../client';
import {unreadOf} from '../lib/channels';
import {getState, resetState} from '../store';

const me = {id: 'me', username: 'me'} as UserProfile;

function post(id: string, at: number, extra: Partial<Post> = {}): Post {
    return {
        id, user_id: 'me', channel_id: 'c1', root_id: '', create_at: at, update_at: at, edit_at: 0, delete_at: 0,
        is_pinned: false, original_id: '', message: id, type: '', props: {}, hashtags: '', pending_post_id: '',
        reply_count: 0, metadata: {embeds: [], emojis: [], files: [], images: {}}, ...extra,
    } as Post;
}

const channel = {id: 'c1', team_id: 't', type: 'O', name: 'town-square', display_name: 'Town Square', total_msg_count: 5, total_msg_count_root: 5, last_post_at: 50} as ServerChannel;
const member = {channel_id: 'c1', user_id: 'me', msg_count: 5, msg_count_root: 5, mention_count: 0, mention_count_root: 0, last_viewed_at: 60, notify_props: {}} as unknown as ChannelMembership;

beforeEach(() => {
    vi.useFakeTimers();
    resetState({me, users: {me}, config: {CollapsedThreads: 'always_on'}, channels: {c1: channel}, myMembers: {c1: member},
        feeds: {c1: {ids: [], atOldest: false, loading: false, syncedAt: 0}}});
    vi.spyOn(client, 'viewMyChannel').mockResolvedValue({status: 'OK'} as never);
    vi.spyOn(client, 'getMyTeamUnreads').mockResolvedValue([]);
    vi.spyOn(client, 'getProfilesByIds').mockResolvedValue([]);
});

afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
});

describe('own posts', () => {
    it('count toward the channel total and leave it read', async () => {
        vi.spyOn(client, 'createPost').mockResolvedValue(post('p1', 100));
        await createPost('c1', 'hello');
        const s = getState();
        expect(s.feeds.c1.ids).toEqual(['p1']);
        expect(s.channels.c1.total_msg_count).toBe(6);
        expect(unreadOf(s.channels.c1, s.myMembers.c1, true).unread).toBe(false);
    });

    it('a stale membership answer does not make the channel unread again', async () => {
        vi.spyOn(client, 'createPost').mockResolvedValue(post('p1', 100));
        await createPost('c1', 'hello');
        // The server's answer was computed before our view reached it.
        vi.spyOn(client, 'getMyChannels').mockResolvedValue([{...channel, total_msg_count: 6, total_msg_count_root: 6}]);
        vi.spyOn(client, 'getMyChannelMembers').mockResolvedValue([member]);
        await loadTeamChannels('t');
        const s = getState();
        expect(unreadOf(s.channels.c1, s.myMembers.c1, true).unread).toBe(false);
    });

    it('deleting removes the post from my view', async () => {
        vi.spyOn(client, 'createPost').mockResolvedValue(post('p1', 100));
        vi.spyOn(client, 'deletePost').mockResolvedValue({status: 'OK'});
        await createPost('c1', 'hello');
        await deletePost('p1');
        expect(getState().feeds.c1.ids).toEqual([]);
        expect(getState().posts.p1.delete_at).toBeGreaterThan(0);
    });
});

describe('post lists', () => {
    const list = (posts: Post[], prev = ''): PostList => ({
        order: posts.map((p) => p.id).reverse(),
        posts: Object.fromEntries(posts.map((p) => [p.id, p])),
        next_post_id: '', prev_post_id: prev, first_inaccessible_post_time: 0,
    });

    it('knows when the beginning of the channel is reached', () => {
        receivePostList('c1', list([post('a', 1), post('b', 2)]), 'latest');
        expect(getState().feeds.c1.atOldest).toBe(true);
        const full = Array.from({length: PAGE}, (_, i) => post(`p${i + 10}`, i + 10));
        resetState({...getState(), feeds: {}});
        receivePostList('c1', list(full, 'older-id'), 'latest');
        expect(getState().feeds.c1.atOldest).toBe(false);
        receivePostList('c1', list([post('x', 3)]), 'older');
        expect(getState().feeds.c1.atOldest).toBe(true);
        expect(getState().feeds.c1.ids[0]).toBe('x');
    });

    it('keeps replies out of a collapsed-threads channel view and tracks the sync point', () => {
        receivePostList('c1', list([post('a', 1), post('r', 2, {root_id: 'a'}), post('b', 3, {update_at: 9})]), 'since');
        expect(getState().feeds.c1.ids).toEqual(['a', 'b']);
        expect(getState().feeds.c1.syncedAt).toBe(9);
    });
});
