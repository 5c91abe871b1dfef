// Application state: one immutable object, updated with `update`, read with `useStore(selector)`.
import {useSyncExternalStore} from 'react';
import type {ServerChannel as Channel, ChannelMembership, ChannelStats} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {PreferenceType} from '@mattermost/types/preferences';
import type {Team, TeamMembership, TeamUnread} from '@mattermost/types/teams';
import type {UserThread} from '@mattermost/types/threads';
import type {UserProfile} from '@mattermost/types/users';

import type {Call, CallsConfig} from './lib/calls';
import type {TeamCategories} from './lib/categories';

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
    | {kind: 'saved'}
    | {kind: 'members'; channelId: string}
    | {kind: 'search'; terms: string}
    | null;

export type State = {
    config: Record<string, string>;
    me: UserProfile | null;
    teams: Record<string, Team>;
    teamMembers: Record<string, TeamMembership>;
    roles: Record<string, string[]>; // role name → permissions (the server's stored roles)
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
    categories: Record<string, TeamCategories>; // sidebar categories by team
    typing: Record<string, Record<string, number>>; // "channel:root" → user id → expiry ms
    receipts: Record<string, Record<string, number>>; // channel id → member id → read up to (read receipts)
    draftChanges: Record<string, number>; // "channel:root" → how often the draft changed on another device
    wsConnected: boolean;
    /** The socket said hello at least once (a later close is a lost connection, not start-up). */
    wsEverConnected: boolean;
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
    // Calls: the plugin's client config (null while it is off), the calls going on in my channels,
    // and the one I am in.
    callsConfig: CallsConfig | null;
    calls: Record<string, Call>; // by channel id
    myCall: MyCall | null;
    ringing: string[]; // channel ids of DM/GM calls ringing here
};

export type MyCall = {
    channelId: string;
    sessionId: string; // the call WebSocket's first connection id
    status: 'connecting' | 'connected' | 'reconnecting';
    muted: boolean;
    noMic: boolean; // no microphone (none, or permission refused): listening only
    hand: boolean;
    sharing: boolean;
    remoteAudio: Record<string, MediaStream>; // by m-line id
    video: boolean; // my camera is on
    localVideo: MediaStream | null; // my camera, shown to me
    remoteVideo: Record<string, MediaStream>; // others' cameras, by m-line id
    mediaMap: Record<string, {type: string; sender_id: string}>; // m-line id → whose voice, screen or camera
};

export type Modal =
    | {kind: 'create_channel'}
    | {kind: 'browse_channels'}
    | {kind: 'switcher'}
    | {kind: 'new_dm'}
    | {kind: 'channel_settings'; channelId: string}
    | {kind: 'account'}
    | {kind: 'custom_status'}
    | {kind: 'notifications'}
    | {kind: 'security'}
    | {kind: 'channel_notifications'; channelId: string}
    | {kind: 'category_name'; teamId: string; categoryId?: string; channelId?: string}
    | {kind: 'confirm'; title: string; body: string; action: string; danger?: boolean; onConfirm: () => Promise<void> | void}
    | null;

export const initialState: State = {
    config: {},
    me: null,
    teams: {},
    teamMembers: {},
    roles: {},
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
    categories: {},
    typing: {},
    receipts: {},
    draftChanges: {},
    wsConnected: false,
    wsEverConnected: false,
    rhs: null,
    focusPost: null,
    editingPostId: '',
    sidebarOpen: false,
    theme: 'light',
    modal: null,
    profile: null,
    toast: '',
    callsConfig: null,
    calls: {},
    myCall: null,
    ringing: [],
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
