// Pure helpers for post lists: merging server pages, grouping and date separators.

import type {Post, PostList} from '@mattermost/types/posts';
import type {IntlShape} from 'react-intl';

import {intl as currentIntl} from '../i18n';

export const GROUP_WINDOW_MS = 5 * 60 * 1000;

/** Ids of the list's posts (newest first in `order`) that belong in a channel view, oldest → newest. */
export function orderedIds(list: PostList, rootsOnly: boolean): string[] {
    return list.order
        .filter((id) => {
            const p = list.posts[id];
            return p && (!rootsOnly || !p.root_id);
        })
        .slice()
        .reverse();
}

/**
 * Merges ids into an existing oldest → newest ordering, de-duplicated and sorted by create_at
 * (ties broken by id so the order is stable).
 */
export function mergeOrder(existing: string[], incoming: string[], posts: Record<string, Post>): string[] {
    const seen = new Set(existing);
    const added = incoming.filter((id) => !seen.has(id) && posts[id]);
    if (!added.length) {
        return existing;
    }
    const all = existing.concat(added);
    const lastExisting = existing.length ? posts[existing[existing.length - 1]] : undefined;
    const appendOnly = lastExisting !== undefined && added.every((id) => before(lastExisting, posts[id]));
    if (appendOnly) {
        const tail = added.slice().sort((a, b) => compare(posts[a], posts[b]));
        return existing.concat(tail);
    }
    return all.sort((a, b) => compare(posts[a], posts[b]));
}

function compare(a: Post | undefined, b: Post | undefined): number {
    if (!a || !b) {
        return 0;
    }
    return a.create_at - b.create_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function before(a: Post, b: Post): boolean {
    return compare(a, b) < 0;
}

export type Row =
    | {kind: 'date'; key: string; day: number}
    | {kind: 'new'; key: string}
    | {kind: 'post'; key: string; post: Post; continuation: boolean};

export function dayStart(ms: number): number {
    const d = new Date(ms);
    d.setHours(0, 0, 0, 0);
    return d.getTime();
}

function isSystem(p: Post): boolean {
    return Boolean(p.type && p.type.startsWith('system_'));
}

/**
 * Turns posts (oldest → newest) into list rows: a date separator before the first post of each
 * day, an optional "new messages" line before the first post newer than `lastViewedAt`, and
 * consecutive posts by one author within five minutes marked as continuations (no avatar/name).
 */
export function buildRows(posts: Post[], opts: {lastViewedAt?: number; myId?: string} = {}): Row[] {
    const rows: Row[] = [];
    let prev: Post | undefined;
    let prevDay = -1;
    let newLineShown = false;
    for (const p of posts) {
        const day = dayStart(p.create_at);
        let breakGroup = false;
        if (day !== prevDay) {
            rows.push({kind: 'date', key: `date-${day}`, day});
            prevDay = day;
            breakGroup = true;
        }
        if (!newLineShown && opts.lastViewedAt !== undefined && opts.lastViewedAt > 0 &&
            p.create_at > opts.lastViewedAt && p.user_id !== opts.myId) {
            rows.push({kind: 'new', key: 'new-messages'});
            newLineShown = true;
            breakGroup = true;
        }
        const continuation = !breakGroup && prev !== undefined &&
            prev.user_id === p.user_id &&
            !isSystem(prev) && !isSystem(p) &&
            !p.props?.from_webhook && !prev.props?.from_webhook &&
            p.create_at - prev.create_at < GROUP_WINDOW_MS &&
            (p.root_id || p.id) !== undefined && Boolean(p.root_id) === Boolean(prev.root_id);
        rows.push({kind: 'post', key: p.id, post: p, continuation});
        prev = p;
    }
    return rows;
}

/** Reactions grouped by emoji, in first-use order, with whether the given user reacted. */
export function groupReactions(post: Post, myId: string): Array<{name: string; count: number; mine: boolean; userIds: string[]}> {
    const out = new Map<string, {name: string; count: number; mine: boolean; userIds: string[]}>();
    const list = (post.metadata?.reactions ?? []).slice().sort((a, b) => a.create_at - b.create_at);
    for (const r of list) {
        let g = out.get(r.emoji_name);
        if (!g) {
            g = {name: r.emoji_name, count: 0, mine: false, userIds: []};
            out.set(r.emoji_name, g);
        }
        if (!g.userIds.includes(r.user_id)) {
            g.userIds.push(r.user_id);
            g.count++;
        }
        if (r.user_id === myId) {
            g.mine = true;
        }
    }
    return [...out.values()];
}

/** A post's time of day in the UI's language ("3:07 PM", "15:07"). */
export function formatTime(ms: number, intl: IntlShape = currentIntl()): string {
    return intl.formatTime(ms, {hour: 'numeric', minute: '2-digit'});
}

/** Date and time in full, for tooltips. */
export function formatDateTime(ms: number, intl: IntlShape = currentIntl()): string {
    return intl.formatDate(ms, {dateStyle: 'full', timeStyle: 'short'});
}

/** A date separator: "Today", "Yesterday", else the weekday and date in the UI's language. */
export function formatDay(ms: number, now = Date.now(), intl: IntlShape = currentIntl()): string {
    const today = dayStart(now);
    const day = dayStart(ms);
    if (day === today) {
        return intl.formatMessage({id: 'date.today', defaultMessage: 'Today'});
    }
    if (day === dayStart(today - 12 * 3600 * 1000)) {
        return intl.formatMessage({id: 'date.yesterday', defaultMessage: 'Yesterday'});
    }
    const d = new Date(ms);
    const sameYear = d.getFullYear() === new Date(now).getFullYear();
    return intl.formatDate(d, {weekday: 'short', month: 'long', day: 'numeric', ...(sameYear ? {} : {year: 'numeric'})});
}
