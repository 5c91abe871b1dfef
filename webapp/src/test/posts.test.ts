import {describe, expect, it} from 'vitest';
import type {Post, PostList} from '@mattermost/types/posts';

import {buildRows, GROUP_WINDOW_MS, groupReactions, mergeOrder, orderedIds} from '../lib/posts';

const day = new Date(2024, 4, 10, 9, 0).getTime();

function post(id: string, userId: string, at: number, extra: Partial<Post> = {}): Post {
    return {
        id, user_id: userId, create_at: at, update_at: at, edit_at: 0, delete_at: 0, is_pinned: false,
        channel_id: 'c', root_id: '', original_id: '', message: id, type: '', props: {}, hashtags: '',
        pending_post_id: '', reply_count: 0, metadata: {embeds: [], emojis: [], files: [], images: {}}, ...extra,
    } as Post;
}

describe('grouping', () => {
    it('groups consecutive posts by one author within five minutes', () => {
        const rows = buildRows([
            post('a', 'u1', day),
            post('b', 'u1', day + 60_000),
            post('c', 'u2', day + 120_000),
            post('d', 'u2', day + 120_000 + GROUP_WINDOW_MS + 1),
        ]);
        expect(rows.map((r) => (r.kind === 'post' ? `${r.key}:${r.continuation}` : r.kind))).toEqual([
            'date', 'a:false', 'b:true', 'c:false', 'd:false',
        ]);
    });

    it('puts a date separator before each new day and never groups across it', () => {
        const rows = buildRows([post('a', 'u1', day), post('b', 'u1', day + 24 * 3600 * 1000)]);
        expect(rows.map((r) => r.kind)).toEqual(['date', 'post', 'date', 'post']);
        expect(rows[3].kind === 'post' && rows[3].continuation).toBe(false);
    });

    it('does not group system messages', () => {
        const rows = buildRows([post('a', 'u1', day, {type: 'system_join_channel'}), post('b', 'u1', day + 1000)]);
        expect(rows[2].kind === 'post' && rows[2].continuation).toBe(false);
    });

    it('marks the first unread post from someone else with a "new messages" line', () => {
        const rows = buildRows([post('a', 'u1', day), post('b', 'me', day + 10), post('c', 'u1', day + 20)], {lastViewedAt: day + 5, myId: 'me'});
        expect(rows.map((r) => r.kind === 'post' ? r.key : r.kind)).toEqual(['date', 'a', 'b', 'new', 'c']);
    });
});

describe('ordering', () => {
    it('takes a PostList (newest first) as oldest → newest, roots only when asked', () => {
        const list: PostList = {
            order: ['r2', 'x', 'r1'],
            posts: {r1: post('r1', 'u', 1), x: post('x', 'u', 2, {root_id: 'r1'}), r2: post('r2', 'u', 3)},
            next_post_id: '', prev_post_id: '', first_inaccessible_post_time: 0,
        };
        expect(orderedIds(list, false)).toEqual(['r1', 'x', 'r2']);
        expect(orderedIds(list, true)).toEqual(['r1', 'r2']);
    });

    it('merges pages without duplicates, sorted by time then id', () => {
        const posts = {a: post('a', 'u', 1), b: post('b', 'u', 2), c: post('c', 'u', 3), d: post('d', 'u', 3)};
        expect(mergeOrder(['b', 'c'], ['a', 'b'], posts)).toEqual(['a', 'b', 'c']);
        expect(mergeOrder(['a', 'b'], ['d', 'c'], posts)).toEqual(['a', 'b', 'c', 'd']);
        const same = ['a'];
        expect(mergeOrder(same, ['a', 'zz'], posts)).toBe(same);
    });
});

it('groups reactions by emoji with counts and my own', () => {
    const p = post('p', 'u', 1, {metadata: {embeds: [], emojis: [], files: [], images: {}, reactions: [
        {user_id: 'u1', post_id: 'p', emoji_name: '+1', create_at: 1},
        {user_id: 'me', post_id: 'p', emoji_name: 'tada', create_at: 2},
        {user_id: 'me', post_id: 'p', emoji_name: '+1', create_at: 3},
    ]}});
    expect(groupReactions(p, 'me')).toEqual([
        {name: '+1', count: 2, mine: true, userIds: ['u1', 'me']},
        {name: 'tada', count: 1, mine: true, userIds: ['me']},
    ]);
});
