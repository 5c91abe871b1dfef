// Application state: one immutable object, updated with `update`, read with `useStore(selector)`.
import {useSyncExternalStore} from 'react';
import type {ServerChannel as Channel, ChannelMembership, ChannelStats} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {PreferenceType} from '@mattermost/types/preferences';
import type {Team, TeamMembership, TeamUnread} from '@mattermost/types/teams';
import type {UserThread} from '@mattermost/types/threads';
import type {UserProfile} from '@mattermost/types/users';

export type ChannelFeed = {
    ids: string[]; // oldest → newest (roots only when collapsed threads are on)
    atOldest: boolean;
    // False while the feed holds a window of older posts (opened at a permalink): new posts are not
    // appended (they would leave a hole) until the newer pages are loaded or the latest page replaces it.
    atLatest?: boolean;
    loading: boolean;
    syncedAt: number; // highest update_at seen (server clock), for ?since= polling
};

export type Rhs =
    | {kind: 'thread'; rootId: string; highlight?: string}
    | {kind: 'pinned'; channelId: string}
    | {kind: 'members'; channelId: string}
    | {kind: 'search'; terms: string}
    | null;

export type State = {
    config: Record<string, string>;
    me: UserProfile | null;
    teams: Record<string, Team>;
    teamMembers: Record<string, TeamMembership>;
    teamUnreads: Record<string, TeamUnread>;
    channels: Record<string, Channel>;
    myMembers: Record<string, ChannelMembership>;
    loadedTeams: Record<string, boolean>;
    users: Record<string, UserProfile>;
    statuses: Record<string, string>;
    posts: Record<string, Post>;
    feeds: Record<string, ChannelFeed>;
    threadReplies: Record<string, string[]>; // root id → reply ids, oldest → newest
    threads: Record<string, UserThread>; // CRT threads by root id
    threadList: Record<string, {ids: string[]; unread: number; mentions: number; loaded: boolean}>; // by team
    stats: Record<string, ChannelStats>;
    prefs: PreferenceType[];
    typing: Record<string, Record<string, number>>; // "channel:root" → user id → expiry ms
    receipts: Record<string, Record<string, number>>; // channel id → member id → read up to (read receipts)
    wsConnected: boolean;
    rhs: Rhs;
    // The post a permalink points at: its channel opens scrolled to it, highlighted. `at` tells
    // one visit from the next (the list re-opens around the post each time).
    focusPost: {channelId: string; postId: string; at: number} | null;
    editingPostId: string;
    sidebarOpen: boolean;
    theme: 'light' | 'dark';
    modal: Modal;
    profile: {userId: string; x: number; y: number} | null;
    toast: string;
};

export type Modal =
    | {kind: 'create_channel'}
    | {kind: 'browse_channels'}
    | {kind: 'new_dm'}
    | {kind: 'channel_settings'; channelId: string}
    | {kind: 'account'}
    | {kind: 'notifications'}
    | {kind: 'security'}
    | {kind: 'channel_notifications'; channelId: string}
    | {kind: 'confirm'; title: string; body: string; action: string; danger?: boolean; onConfirm: () => Promise<void> | void}
    | null;

export const initialState: State = {
    config: {},
    me: null,
    teams: {},
    teamMembers: {},
    teamUnreads: {},
    channels: {},
    myMembers: {},
    loadedTeams: {},
    users: {},
    statuses: {},
    posts: {},
    feeds: {},
    threadReplies: {},
    threads: {},
    threadList: {},
    stats: {},
    prefs: [],
    typing: {},
    receipts: {},
    wsConnected: false,
    rhs: null,
    focusPost: null,
    editingPostId: '',
    sidebarOpen: false,
    theme: 'light',
    modal: null,
    profile: null,
    toast: '',
};

let state: State = initialState;
const listeners = new Set<() => void>();

export function getState(): State {
    return state;
}

export function update(fn: (s: State) => Partial<State>): void {
    const patch = fn(state);
    state = {...state, ...patch};
    listeners.forEach((l) => l());
}

export function resetState(keep: Partial<State> = {}): void {
    state = {...initialState, ...keep};
    listeners.forEach((l) => l());
}

function subscribe(cb: () => void): () => void {
    listeners.add(cb);
    return () => listeners.delete(cb);
}

export function useStore<T>(selector: (s: State) => T): T {
    return useSyncExternalStore(subscribe, () => selector(state));
}

/** Replaces one entry of a record field immutably. */
export function put<K extends keyof State>(key: K, id: string, value: unknown): Partial<State> {
    return {[key]: {...(state[key] as Record<string, unknown>), [id]: value}} as Partial<State>;
}

export function CRT(s: State): boolean {
    const mode = s.config.CollapsedThreads || 'always_on';
    const pref = s.prefs.find((p) => p.category === 'display_settings' && p.name === 'collapsed_reply_threads')?.value;
    switch (mode) {
    case 'disabled':
        return false;
    case 'default_off':
        return pref === 'on';
    case 'default_on':
        return pref !== 'off';
    default:
        return true;
    }
}

export const feedKey = (channelId: string, rootId = '') => `${channelId}:${rootId}`;
