// Desktop notification decisions and the tab title.
import {describe, expect, it} from 'vitest';
import type {ServerChannel, ChannelMembership} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {UserProfile} from '@mattermost/types/users';

import {desktopAlert, desktopLevel, mentionsUser, notificationBody, tabTitle, unreadTotals} from '../lib/notify';

function user(props: Record<string, string> = {}, extra: Partial<UserProfile> = {}): UserProfile {
    return {id: 'me', username: 'alice', first_name: 'Alice', notify_props: {desktop: 'mention', desktop_sound: 'true', channel: 'true', ...props}, ...extra} as unknown as UserProfile;
}
const chan = (type: string, id = 'c1', extra: Partial<ServerChannel> = {}) =>
    ({id, type, team_id: type === 'D' || type === 'G' ? '' : 't', name: id, display_name: id, total_msg_count: 0, total_msg_count_root: 0, ...extra}) as ServerChannel;
const member = (props: Record<string, string> = {}, extra: Partial<ChannelMembership> = {}) =>
    ({channel_id: 'c1', user_id: 'me', msg_count: 0, msg_count_root: 0, mention_count: 0, mention_count_root: 0, notify_props: props, ...extra}) as unknown as ChannelMembership;
const post = (message: string, extra: Partial<Post> = {}) => ({id: 'p', user_id: 'bob', channel_id: 'c1', message, type: '', ...extra}) as Post;

describe('mentionsUser (no mentions list from the server)', () => {
    it('finds @username as a whole word, any case, with trailing punctuation', () => {
        expect(mentionsUser('hi @alice', user())).toBe(true);
        expect(mentionsUser('hi @ALICE.', user())).toBe(true);
        expect(mentionsUser('(@alice)', user())).toBe(true);
        expect(mentionsUser('hi @alicex', user())).toBe(false);
        expect(mentionsUser('mail alice@alice.com', user())).toBe(false);
        expect(mentionsUser('@alice.b is someone else', user())).toBe(false);
    });

    it('ignores code', () => {
        expect(mentionsUser('`@alice`', user())).toBe(false);
        expect(mentionsUser('```\n@alice\n```', user())).toBe(false);
    });

    it('counts channel-wide mentions unless turned off', () => {
        for (const w of ['@channel', '@all', '@here']) {
            expect(mentionsUser(`${w} lunch`, user())).toBe(true);
        }
        expect(mentionsUser('@channel lunch', user({channel: 'false'}))).toBe(false);
        expect(mentionsUser('@channel lunch', user(), true)).toBe(false);
    });

    it('uses the first name (case-sensitive) and custom keys when set', () => {
        expect(mentionsUser('Alice, look', user())).toBe(false);
        expect(mentionsUser('Alice, look', user({first_name: 'true'}))).toBe(true);
        expect(mentionsUser('alice, look', user({first_name: 'true'}))).toBe(false);
        expect(mentionsUser('the Deploy failed', user({mention_keys: 'deploy, oncall'}))).toBe(true);
        expect(mentionsUser('redeploy it', user({mention_keys: 'deploy'}))).toBe(false);
    });
});

describe('desktopAlert', () => {
    const base = {me: user(), channel: chan('O'), member: member(), mentions: null, focused: false};

    it('alerts for mentions from the event, not for my own or focused posts', () => {
        expect(desktopAlert({...base, post: post('hello'), mentions: ['me']})).toMatchObject({show: true, sound: true});
        expect(desktopAlert({...base, post: post('hello @alice'), mentions: ['someone-else']}).show).toBe(false);
        expect(desktopAlert({...base, post: post('@alice', {user_id: 'me'})}).show).toBe(false);
        expect(desktopAlert({...base, post: post('@alice'), focused: true}).show).toBe(false);
        expect(desktopAlert({...base, post: post('@alice', {type: 'system_join_channel'})}).show).toBe(false);
    });

    it('falls back to the message text, and DMs and GMs always count', () => {
        expect(desktopAlert({...base, post: post('ping @alice')}).show).toBe(true);
        expect(desktopAlert({...base, post: post('just chatting')}).show).toBe(false);
        expect(desktopAlert({...base, channel: chan('D'), post: post('just chatting')}).show).toBe(true);
        expect(desktopAlert({...base, channel: chan('G'), post: post('just chatting')}).show).toBe(true);
    });

    it('follows the user setting and the channel override', () => {
        expect(desktopAlert({...base, me: user({desktop: 'all'}), post: post('anything')}).show).toBe(true);
        expect(desktopAlert({...base, me: user({desktop: 'none'}), post: post('@alice')}).show).toBe(false);
        expect(desktopAlert({...base, me: user({desktop: 'none'}), member: member({desktop: 'all'}), post: post('anything')}).show).toBe(true);
        expect(desktopAlert({...base, member: member({desktop: 'none'}), post: post('@alice')}).show).toBe(false);
        expect(desktopAlert({...base, member: member({desktop: 'default'}), post: post('@alice')}).show).toBe(true);
        expect(desktopLevel(user({desktop: ''}), undefined)).toBe('mention');
    });

    it('muted channels alert only for mentions; the sound follows desktop_sound', () => {
        expect(desktopAlert({...base, me: user({desktop: 'all'}), member: member({mark_unread: 'mention'}), post: post('anything')}).show).toBe(false);
        expect(desktopAlert({...base, member: member({mark_unread: 'mention'}), post: post('@alice')}).show).toBe(true);
        expect(desktopAlert({...base, me: user({desktop_sound: 'false'}), post: post('@alice')})).toMatchObject({show: true, sound: false});
        expect(desktopAlert({...base, member: member({ignore_channel_mentions: 'on'}), post: post('@channel hi')}).show).toBe(false);
    });
});

describe('thread replies with collapsed threads', () => {
    const base = {me: user({desktop: 'all'}), channel: chan('O'), member: member(), mentions: null, focused: false, crt: true};
    const reply = post('a reply', {root_id: 'root'});

    it('alert followers (desktop_threads "all") and mentions, not everyone', () => {
        expect(desktopAlert({...base, post: reply, followers: ['other']}).show).toBe(false);
        expect(desktopAlert({...base, post: reply, followers: ['me']}).show).toBe(true);
        expect(desktopAlert({...base, me: user({desktop: 'mention'}), post: reply, followers: ['me']}).show).toBe(true);
        expect(desktopAlert({...base, me: user({desktop_threads: 'mention'}), post: reply, followers: ['me']}).show).toBe(false);
        expect(desktopAlert({...base, me: user({desktop_threads: 'mention'}), post: reply, mentions: ['me']}).show).toBe(true);
        expect(desktopAlert({...base, me: user({desktop: 'none'}), post: reply, followers: ['me']}).show).toBe(false);
    });

    it('without collapsed threads a reply is like any post', () => {
        expect(desktopAlert({...base, crt: false, post: reply, followers: ['other']}).show).toBe(true);
    });
});

describe('tab title', () => {
    it('shows mentions in brackets, or a star for unreads only', () => {
        expect(tabTitle('Town Square', 'Acme', {mentions: 3, unread: true})).toBe('(3) Town Square - Acme');
        expect(tabTitle('Town Square', 'Acme', {mentions: 0, unread: true})).toBe('* Town Square - Acme');
        expect(tabTitle('Town Square', 'Acme', {mentions: 0, unread: false})).toBe('Town Square - Acme');
    });

    it('adds up this team, DMs and other teams, skipping muted channels for unreads', () => {
        const channels = {
            c1: chan('O', 'c1', {total_msg_count: 5, total_msg_count_root: 5}),
            c2: chan('O', 'c2', {total_msg_count: 2, total_msg_count_root: 2}),
            d1: chan('D', 'd1', {total_msg_count: 1, total_msg_count_root: 1}),
            x1: {...chan('O', 'x1', {total_msg_count: 9, total_msg_count_root: 9}), team_id: 'other'} as ServerChannel,
        };
        const members = {
            c1: member({}, {channel_id: 'c1', msg_count: 5, msg_count_root: 5}),
            c2: member({mark_unread: 'mention'}, {channel_id: 'c2', msg_count: 0, msg_count_root: 0}),
            d1: member({}, {channel_id: 'd1', msg_count: 0, msg_count_root: 0, mention_count: 1, mention_count_root: 1}),
            x1: member({}, {channel_id: 'x1', mention_count: 4, mention_count_root: 4}),
        };
        const teamUnreads = {other: {team_id: 'other', msg_count: 3, mention_count: 2, mention_count_root: 2, msg_count_root: 3, thread_count: 0, thread_mention_count: 0, thread_urgent_mention_count: 0}};
        expect(unreadTotals({channels, members, crt: true, teamId: 't', teamUnreads})).toEqual({mentions: 3, unread: true});
        expect(unreadTotals({channels: {c2: channels.c2}, members, crt: true, teamId: 't', teamUnreads: {}})).toEqual({mentions: 0, unread: false});
    });
});

describe('notification body', () => {
    it('is plain text, shortened', () => {
        expect(notificationBody('bob', 'see **this** [link](http://x)')).toBe('bob: see this link');
        expect(notificationBody('bob', '')).toBe('bob: sent an attachment');
        expect(notificationBody('bob', 'x'.repeat(500)).length).toBe(160);
    });
});
