// Read receipts (chinwag's own, opt-in on the server and per user): "Seen by …" under my latest
// post in a DM, group message or small channel. Reads come from GET /posts/{id}/receipts and the
// `read_receipt` WebSocket event; both carry a member's channel last_viewed_at (`seen_at`).
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {PreferenceType} from '@mattermost/types/preferences';
import type {IntlShape} from 'react-intl';

import {intl as currentIntl} from '../i18n';

export const RECEIPTS_CATEGORY = 'chinwag';
export const RECEIPTS_NAME = 'read_receipts';

export type Receipt = {user_id: string; seen_at: number};
/** Per channel: member id → the time up to which they have read it. */
export type ChannelReads = Record<string, number>;

/** Whether this user sees (and shares) read receipts: on for the server and turned on by them. */
export function receiptsOn(config: Record<string, string>, prefs: PreferenceType[]): boolean {
    if (config.EnableReadReceipts !== 'true') {
        return false;
    }
    return prefs.some((p) => p.category === RECEIPTS_CATEGORY && p.name === RECEIPTS_NAME && p.value === 'true');
}

/** DMs and group messages always; other channels up to the server's member limit (when known). */
export function receiptsApply(channel: Channel, memberCount: number | undefined, config: Record<string, string>): boolean {
    if (channel.type === 'D' || channel.type === 'G') {
        return true;
    }
    const max = Number(config.ReadReceiptsMaxChannelMembers || '20');
    return memberCount !== undefined && memberCount > 0 && memberCount <= max;
}

/** The id of my latest real post in a feed (oldest → newest), or ''. */
export function latestOwnPostId(posts: Post[], myId: string): string {
    for (let i = posts.length - 1; i >= 0; i--) {
        const p = posts[i];
        if (p.user_id === myId && !p.type && !p.delete_at && !p.id.startsWith('pending')) {
            return p.id;
        }
    }
    return '';
}

/** Folds receipts (from the API or an event) into a channel's reads, keeping the latest time. */
export function mergeReads(reads: ChannelReads | undefined, receipts: Receipt[]): ChannelReads {
    const next = {...(reads ?? {})};
    for (const r of receipts) {
        if ((next[r.user_id] ?? 0) < r.seen_at) {
            next[r.user_id] = r.seen_at;
        }
    }
    return next;
}

/** Who has seen the post (not me), earliest first. */
export function seenBy(reads: ChannelReads | undefined, post: Post, myId: string): string[] {
    return Object.entries(reads ?? {})
        .filter(([uid, at]) => uid !== myId && uid !== post.user_id && at >= post.create_at)
        .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
        .map(([uid]) => uid);
}

/** "Seen by Carol", "Seen by Carol and Dave", "Seen by Carol, Dave, Erin, and 2 others"; '' for nobody. */
export function seenByText(names: string[], direct = false, intl: IntlShape = currentIntl()): string {
    if (!names.length) {
        return '';
    }
    if (direct) {
        return intl.formatMessage({id: 'receipts.seen', defaultMessage: 'Seen'});
    }
    const shown = names.length <= 4 ? names : [
        ...names.slice(0, 3),
        intl.formatMessage({id: 'receipts.others', defaultMessage: '{count, plural, one {# other} other {# others}}'}, {count: names.length - 3}),
    ];
    return intl.formatMessage({id: 'receipts.seen_by', defaultMessage: 'Seen by {names}'}, {names: intl.formatList(shown, {type: 'conjunction'})});
}
