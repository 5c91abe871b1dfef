// Read receipts: when "Seen by …" shows, whom it names, and the read_receipt event folded into the store.
import {beforeEach, describe, expect, it} from 'vitest';
import type {WebSocketMessage} from '@mattermost/client';
import type {ServerChannel} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {PreferenceType} from '@mattermost/types/preferences';
import type {UserProfile} from '@mattermost/types/users';

import {latestOwnPostId, mergeReads, receiptsApply, receiptsOn, seenBy, seenByText} from '../lib/receipts';
import {handle} from '../realtime';
import {getState, resetState} from '../store';

const post = (id: string, user_id: string, create_at: number, extra: Partial<Post> = {}) =>
    ({id, user_id, channel_id: 'c1', create_at, type: '', delete_at: 0, ...extra}) as Post;
const chan = (type: string) => ({id: 'c1', type}) as ServerChannel;
const pref = (value: string): PreferenceType => ({user_id: 'me', category: 'chinwag', name: 'read_receipts', value});

describe('read receipts', () => {
    it('need the server setting and my own opt-in', () => {
        expect(receiptsOn({EnableReadReceipts: 'true'}, [pref('true')])).toBe(true);
        expect(receiptsOn({EnableReadReceipts: 'true'}, [pref('false')])).toBe(false);
        expect(receiptsOn({EnableReadReceipts: 'true'}, [])).toBe(false);
        expect(receiptsOn({EnableReadReceipts: 'false'}, [pref('true')])).toBe(false);
    });

    it('apply to DMs, group messages and channels up to the member limit', () => {
        const config = {ReadReceiptsMaxChannelMembers: '5'};
        expect(receiptsApply(chan('D'), undefined, config)).toBe(true);
        expect(receiptsApply(chan('G'), undefined, config)).toBe(true);
        expect(receiptsApply(chan('O'), 5, config)).toBe(true);
        expect(receiptsApply(chan('P'), 6, config)).toBe(false);
        expect(receiptsApply(chan('O'), undefined, config)).toBe(false); // member count not known yet
    });

    it('sit under my latest real post', () => {
        const posts = [post('a', 'me', 1), post('b', 'bob', 2), post('c', 'me', 3), post('d', 'me', 4, {type: 'system_join_channel'}),
            post('e', 'bob', 5), post('f', 'me', 6, {delete_at: 7})];
        expect(latestOwnPostId(posts, 'me')).toBe('c');
        expect(latestOwnPostId([post('b', 'bob', 2)], 'me')).toBe('');
    });

    it('name who read at or after the post, earliest first, keeping the latest read time', () => {
        let reads = mergeReads(undefined, [{user_id: 'carol', seen_at: 10}, {user_id: 'dave', seen_at: 20}]);
        reads = mergeReads(reads, [{user_id: 'carol', seen_at: 5}, {user_id: 'erin', seen_at: 15}]);
        expect(reads).toEqual({carol: 10, dave: 20, erin: 15});
        expect(seenBy(reads, post('p', 'me', 12), 'me')).toEqual(['erin', 'dave']);
        expect(seenBy({...reads, me: 99}, post('p', 'me', 10), 'me')).toEqual(['carol', 'erin', 'dave']);
        expect(seenBy(reads, post('p', 'me', 21), 'me')).toEqual([]);
    });

    it('read as a short sentence', () => {
        expect(seenByText([])).toBe('');
        expect(seenByText(['carol'], true)).toBe('Seen');
        expect(seenByText(['carol'])).toBe('Seen by carol');
        expect(seenByText(['carol', 'dave'])).toBe('Seen by carol and dave');
        expect(seenByText(['a', 'b', 'c', 'd'])).toBe('Seen by a, b, c, and d');
        expect(seenByText(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('Seen by a, b, c, and 3 others');
    });
});

describe('the read_receipt event', () => {
    beforeEach(() => resetState({me: {id: 'me', username: 'me'} as UserProfile}));

    it('records the reader in the channel and "Seen by" follows', () => {
        const ev = (user_id: string, seen_at: number) => ({event: 'read_receipt', data: {channel_id: 'c1', user_id, seen_at},
            broadcast: {omit_users: null, user_id: 'me', channel_id: '', team_id: ''}, seq: 1}) as unknown as WebSocketMessage;
        handle(ev('carol', 100));
        handle(ev('carol', 50)); // an older read never moves it back
        handle(ev('dave', 80));
        expect(getState().receipts.c1).toEqual({carol: 100, dave: 80});
        expect(seenBy(getState().receipts.c1, post('p', 'me', 90), 'me')).toEqual(['carol']);
    });
});

describe('the /settings/notifications route (the email unsubscribe link)', () => {
    it('parses to the notification settings, not to a team called "settings"', async () => {
        const {parseRoute, paths} = await import('../lib/routes');
        expect(parseRoute(paths.notificationSettings())).toEqual({name: 'settings', section: 'notifications'});
        expect(parseRoute('/settings/notifications/')).toEqual({name: 'settings', section: 'notifications'});
        expect(parseRoute('/settings/channels/x')).toEqual({name: 'channel', team: 'settings', channel: 'x'});
    });
});
