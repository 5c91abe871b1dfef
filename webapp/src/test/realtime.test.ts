// The WebSocket side: Mattermost's event payloads (JSON strings inside `data`) folded into the store.
import {beforeEach, describe, expect, it} from 'vitest';
import type {WebSocketMessage} from '@mattermost/client';
import type {ServerChannel, ChannelMembership} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {UserProfile} from '@mattermost/types/users';

import {focus, handle} from '../realtime';
import {getState, resetState} from '../store';

const me = {id: 'me', username: 'me'} as UserProfile;
const bob = {id: 'bob', username: 'bob'} as UserProfile;

function post(id: string, extra: Partial<Post> = {}): Post {
    return {
        id, user_id: 'bob', channel_id: 'c1', root_id: '', create_at: 100, update_at: 100, edit_at: 0, delete_at: 0,
        is_pinned: false, original_id: '', message: 'hi', type: '', props: {}, hashtags: '', pending_post_id: '',
        reply_count: 0, metadata: {embeds: [], emojis: [], files: [], images: {}}, ...extra,
    } as Post;
}

function event(name: string, data: Record<string, unknown>, broadcast: Record<string, unknown> = {}): WebSocketMessage {
    return {event: name, data, broadcast: {omit_users: null, user_id: '', channel_id: '', team_id: '', ...broadcast}, seq: 1} as unknown as WebSocketMessage;
}

function seed() {
    resetState({
        me,
        users: {me, bob},
        config: {CollapsedThreads: 'always_on'},
        channels: {
            c1: {id: 'c1', team_id: 't', type: 'O', name: 'town-square', display_name: 'Town Square', total_msg_count: 5, total_msg_count_root: 5, last_post_at: 50} as ServerChannel,
            c2: {id: 'c2', team_id: 't', type: 'O', name: 'off-topic', display_name: 'Off-Topic', total_msg_count: 2, total_msg_count_root: 2, last_post_at: 50} as ServerChannel,
        },
        myMembers: {
            c1: {channel_id: 'c1', user_id: 'me', msg_count: 5, msg_count_root: 5, mention_count: 0, mention_count_root: 0, last_viewed_at: 60, notify_props: {}} as unknown as ChannelMembership,
            c2: {channel_id: 'c2', user_id: 'me', msg_count: 2, msg_count_root: 2, mention_count: 0, mention_count_root: 0, last_viewed_at: 60, notify_props: {}} as unknown as ChannelMembership,
        },
        feeds: {c1: {ids: [], atOldest: true, loading: false, syncedAt: 0}},
    });
    focus.channelId = 'c1';
    focus.teamId = '';
    focus.threadId = '';
}

describe('WebSocket events', () => {
    beforeEach(seed);

    it('hello marks the socket connected', () => {
        handle(event('hello', {server_version: '10.11.0', connection_id: 'x'}));
        expect(getState().wsConnected).toBe(true);
    });

    it('posted adds the post to the open channel', () => {
        handle(event('posted', {post: JSON.stringify(post('p1')), channel_type: 'O', sender_name: '@bob'}, {channel_id: 'c1'}));
        expect(getState().feeds.c1.ids).toEqual(['p1']);
        expect(getState().posts.p1.message).toBe('hi');
    });

    it('ephemeral_message is shown in place but counts as neither unread nor a reply', () => {
        seed();
        const root = post('r1', {reply_count: 2});
        resetState({...getState(), posts: {r1: root}, feeds: {...getState().feeds, c2: {ids: [], atOldest: true, loading: false, syncedAt: 0}}});
        const before = getState().myMembers.c2;
        handle(event('ephemeral_message', {post: JSON.stringify(post('e1', {channel_id: 'c2', user_id: 'me', type: 'system_ephemeral', message: 'You are now away'}))}, {channel_id: 'c2'}));
        expect(getState().feeds.c2.ids).toEqual(['e1']);
        expect(getState().posts.e1.type).toBe('system_ephemeral');
        expect(getState().myMembers.c2).toBe(before);
        expect(getState().channels.c2.total_msg_count).toBe(2);
        handle(event('ephemeral_message', {post: JSON.stringify(post('e2', {root_id: 'r1', type: 'system_ephemeral'}))}, {channel_id: 'c1'}));
        expect(getState().posts.r1.reply_count).toBe(2);
    });

    it('posted in another channel makes it unread and counts a mention of me', () => {
        handle(event('posted', {post: JSON.stringify(post('p2', {channel_id: 'c2'})), mentions: JSON.stringify(['me'])}, {channel_id: 'c2'}));
        const s = getState();
        expect(s.channels.c2.total_msg_count).toBe(3);
        expect(s.myMembers.c2.mention_count).toBe(1);
        expect(s.myMembers.c2.msg_count).toBe(2);
    });

    it('a reply is not added to a collapsed channel feed but bumps the root', () => {
        handle(event('posted', {post: JSON.stringify(post('root'))}, {channel_id: 'c1'}));
        handle(event('posted', {post: JSON.stringify(post('r1', {root_id: 'root', create_at: 200}))}, {channel_id: 'c1'}));
        const s = getState();
        expect(s.feeds.c1.ids).toEqual(['root']);
        expect(s.posts.root.reply_count).toBe(1);
        expect(s.posts.root.last_reply_at).toBe(200);
    });

    it('post_edited and post_deleted update the post', () => {
        handle(event('posted', {post: JSON.stringify(post('p1'))}, {channel_id: 'c1'}));
        handle(event('post_edited', {post: JSON.stringify(post('p1', {message: 'edited', edit_at: 150, update_at: 150}))}, {channel_id: 'c1'}));
        expect(getState().posts.p1.message).toBe('edited');
        handle(event('post_deleted', {post: JSON.stringify(post('p1', {delete_at: 160, update_at: 160}))}, {channel_id: 'c1'}));
        expect(getState().posts.p1.delete_at).toBe(160);
    });

    it('reaction_added and reaction_removed change post metadata', () => {
        handle(event('posted', {post: JSON.stringify(post('p1'))}, {channel_id: 'c1'}));
        const reaction = {user_id: 'bob', post_id: 'p1', emoji_name: 'tada', create_at: 170};
        handle(event('reaction_added', {reaction: JSON.stringify(reaction)}, {channel_id: 'c1'}));
        expect(getState().posts.p1.metadata.reactions).toEqual([reaction]);
        handle(event('reaction_removed', {reaction: JSON.stringify(reaction)}, {channel_id: 'c1'}));
        expect(getState().posts.p1.metadata.reactions).toEqual([]);
    });

    it('typing shows who is typing, and their post clears it', () => {
        handle(event('typing', {user_id: 'bob', parent_id: ''}, {channel_id: 'c1', omit_users: {me: true}}));
        expect(Object.keys(getState().typing['c1:'])).toEqual(['bob']);
        handle(event('posted', {post: JSON.stringify(post('p1'))}, {channel_id: 'c1'}));
        expect(getState().typing['c1:']).toEqual({});
    });

    it('multiple_channels_viewed clears unread state viewed on another device', () => {
        handle(event('posted', {post: JSON.stringify(post('p2', {channel_id: 'c2'})), mentions: JSON.stringify(['me'])}, {channel_id: 'c2'}));
        handle(event('multiple_channels_viewed', {channel_times: {c2: 999}}, {user_id: 'me'}));
        expect(getState().myMembers.c2.msg_count).toBe(3);
        expect(getState().myMembers.c2.mention_count).toBe(0);
    });

    it('channel_updated replaces the channel', () => {
        const ch = {...getState().channels.c2, display_name: 'Random'};
        handle(event('channel_updated', {channel: JSON.stringify(ch)}, {channel_id: 'c2'}));
        expect(getState().channels.c2.display_name).toBe('Random');
    });

    it('user_updated (an object, not a string) updates the profile', () => {
        handle(event('user_updated', {user: {...bob, first_name: 'Bobby'}}));
        expect(getState().users.bob.first_name).toBe('Bobby');
    });
});
