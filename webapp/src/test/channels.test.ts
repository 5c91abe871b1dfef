import {describe, expect, it} from 'vitest';
import type {ServerChannel, ChannelMembership} from '@mattermost/types/channels';
import type {UserProfile} from '@mattermost/types/users';

import {channelNameFrom, channelTitle, dmPartnerId, favoriteIds, sidebarSections, unreadOf} from '../lib/channels';

function channel(id: string, extra: Partial<ServerChannel> = {}): ServerChannel {
    return {
        id, create_at: 1, update_at: 1, delete_at: 0, team_id: 't', type: 'O', display_name: id, name: id,
        header: '', purpose: '', last_post_at: 0, last_root_post_at: 0, creator_id: '', scheme_id: '', group_constrained: false,
        total_msg_count: 10, total_msg_count_root: 6, ...extra,
    } as ServerChannel;
}

function member(extra: Partial<ChannelMembership> = {}): ChannelMembership {
    return {
        channel_id: 'c', user_id: 'me', roles: '', last_viewed_at: 0, msg_count: 10, msg_count_root: 6, mention_count: 0,
        mention_count_root: 0, urgent_mention_count: 0, notify_props: {}, last_update_at: 0, scheme_user: true, scheme_admin: false,
        ...extra,
    } as ChannelMembership;
}

describe('unread state', () => {
    it('is unread when the channel has more messages than the member has seen', () => {
        expect(unreadOf(channel('c'), member(), false)).toEqual({unread: false, mentions: 0, muted: false});
        expect(unreadOf(channel('c'), member({msg_count: 8}), false).unread).toBe(true);
    });

    it('uses root counters with collapsed threads (replies do not make a channel unread)', () => {
        const ch = channel('c', {total_msg_count: 12, total_msg_count_root: 6});
        expect(unreadOf(ch, member(), true).unread).toBe(false);
        expect(unreadOf(ch, member(), false).unread).toBe(true);
        expect(unreadOf(ch, member({mention_count: 3, mention_count_root: 1}), true).mentions).toBe(1);
        expect(unreadOf(ch, member({mention_count: 3, mention_count_root: 1}), false).mentions).toBe(3);
    });

    it('is not unread for muted channels but still counts mentions', () => {
        const m = member({msg_count: 1, mention_count: 2, notify_props: {mark_unread: 'mention'} as ChannelMembership['notify_props']});
        expect(unreadOf(channel('c'), m, false)).toEqual({unread: false, mentions: 2, muted: true});
    });

    it('is never unread without a membership', () => {
        expect(unreadOf(channel('c'), undefined, false).unread).toBe(false);
    });
});

describe('names', () => {
    const users = {
        me: {id: 'me', username: 'me'} as UserProfile,
        bob: {id: 'bob', username: 'bob', first_name: 'Bob', last_name: 'Stone'} as UserProfile,
    };

    it('names a DM after the other person, and a self-DM after me', () => {
        expect(dmPartnerId(channel('d', {type: 'D', name: 'bob__me'}), 'me')).toBe('bob');
        expect(channelTitle(channel('d', {type: 'D', name: 'bob__me'}), 'me', users)).toBe('bob');
        expect(channelTitle(channel('d', {type: 'D', name: 'bob__me'}), 'me', users, 'full_name')).toBe('Bob Stone');
        expect(channelTitle(channel('d', {type: 'D', name: 'me__me'}), 'me', users)).toBe('me (you)');
    });

    it('leaves me out of group message names', () => {
        expect(channelTitle(channel('g', {type: 'G', display_name: 'bob, carol, me'}), 'me', users)).toBe('bob, carol');
    });

    it('derives channel names from display names', () => {
        expect(channelNameFrom('Release Plans 2.0!')).toBe('release-plans-2-0');
        expect(channelNameFrom('Café')).toBe('cafe');
        expect(channelNameFrom('日本')).toBe('');
        expect(channelNameFrom('Отдел продаж')).toBe('otdel-prodazh');
        expect(channelNameFrom('Щука и ёжик')).toBe('shchuka-i-ezhik');
    });
});

it('splits the sidebar into favourites, channels and direct messages', () => {
    const chans = [
        channel('b', {display_name: 'beta'}),
        channel('a', {display_name: 'Alpha', type: 'P'}),
        channel('f', {display_name: 'fav'}),
        channel('d1', {type: 'D', name: 'x__me', last_post_at: 5}),
        channel('d2', {type: 'G', last_post_at: 9}),
        channel('gone', {delete_at: 3}),
    ];
    const favs = favoriteIds([
        {user_id: 'me', category: 'favorite_channel', name: 'f', value: 'true'},
        {user_id: 'me', category: 'favorite_channel', name: 'b', value: 'false'},
    ]);
    const s = sidebarSections(chans, favs, (c) => c.display_name);
    expect(s.favorites.map((c) => c.id)).toEqual(['f']);
    expect(s.channels.map((c) => c.id)).toEqual(['a', 'b']);
    expect(s.direct.map((c) => c.id)).toEqual(['d2', 'd1']);
});
