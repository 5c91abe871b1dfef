// Live updates: the Mattermost WebSocket through WebSocketClient, with REST polling whenever the
// socket is not connected (so the UI keeps working against a server without the socket).
import type {WebSocketMessage} from '@mattermost/client';
import type {ServerChannel as Channel, ChannelMembership} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {PreferenceType} from '@mattermost/types/preferences';
import type {UserThread} from '@mattermost/types/threads';
import type {UserProfile} from '@mattermost/types/users';

import {
    addUsers, applyReaction, countIncoming, loadRoles, loadTeamChannels, loadTeamUnreads, loadThread, loadThreads,
    loadStats, markChannelRead, markPostDeleted, receivePost, receivePrefs, receiveReceipts, refreshChannel, removeChannelLocally,
    roleUpdated, setTyping, syncSince,
} from './actions';
import {loadCalls, onCallsEvent} from './calls';
import {websocketUrl, ws} from './client';
import {draftsStale, loadServerDrafts, onDraftEvent, setDraftConnection} from './drafts';
import {CALLS_EVENT, CALLS_PLUGIN} from './lib/calls';
import {notifyPosted} from './notifications';
import {loadCategories, onCategoryEvent} from './sidebar_categories';
import {getState, update} from './store';

/** What the user is looking at, so incoming posts there count as read. */
export const focus = {channelId: '', teamId: '', threadId: ''};

const POLL_MS = 3000;
let pollTimer: ReturnType<typeof setInterval> | null = null;
let polls = 0;
let started = false;

function parse<T>(v: unknown): T | null {
    if (typeof v === 'string') {
        try {
            return JSON.parse(v) as T;
        } catch {
            return null;
        }
    }
    return (v ?? null) as T | null;
}

function visible(): boolean {
    return typeof document === 'undefined' || document.visibilityState === 'visible';
}

function onPosted(data: Record<string, unknown>): void {
    const post = parse<Post>(data.post);
    if (!post) {
        return;
    }
    const s = getState();
    const me = s.me;
    setTyping(post.channel_id, post.root_id, post.user_id, false);
    const known = Boolean(s.posts[post.id]);
    receivePost(post);
    if (known) {
        return;
    }
    if (!s.channels[post.channel_id]) {
        void refreshChannel(post.channel_id);
        return;
    }
    const mine = post.user_id === me?.id;
    const sent = data.mentions === undefined ? null : parse<string[]>(data.mentions);
    const mentions = sent ?? [];
    const reading = focus.channelId === post.channel_id && visible();
    countIncoming(post, !mine && Boolean(me && mentions.includes(me.id)));
    if (!mine && post.type !== 'system_ephemeral') {
        const team = getState().teams[focus.teamId];
        notifyPosted(post, sent, reading, team?.name ?? '', parse<string[]>(data.followers));
    }
    if (mine || reading) {
        markChannelRead(post.channel_id, post.create_at, mine ? 'open' : 'read');
    }
    if (post.root_id && focus.teamId && getState().threadList[focus.teamId]) {
        void loadThreads(focus.teamId).catch(() => undefined);
    }
}

/** Folds one WebSocket event (Mattermost's wire format) into the store. */
export function handle(msg: WebSocketMessage): void {
    const data = (msg.data ?? {}) as Record<string, unknown>;
    const broadcast = msg.broadcast ?? ({} as WebSocketMessage['broadcast']);
    const me = getState().me;
    switch (msg.event as string) {
    case 'hello':
        // a new connection: what changed before it (and after the page loaded the roles) came as no event
        setConnected(true);
        markSocket('open');
        void loadRoles().catch(() => undefined);
        setDraftConnection(String(data.connection_id ?? ''));
        draftsStale();
        void loadServerDrafts(focus.teamId);
        break;
    case 'draft_created':
    case 'draft_deleted':
        onDraftEvent(msg.event as string, data.draft);
        break;
    case 'posted':
        onPosted(data);
        break;
    case 'ephemeral_message': {
        // Only for me and never stored: shown in place, not counted as unread.
        const post = parse<Post>(data.post);
        if (post) {
            receivePost({...post, type: post.type || 'system_ephemeral'} as Post);
        }
        break;
    }
    case 'post_edited': {
        const post = parse<Post>(data.post);
        if (post) {
            receivePost(post);
        }
        break;
    }
    case 'post_deleted': {
        const post = parse<Post>(data.post);
        if (post) {
            markPostDeleted(post);
        }
        break;
    }
    case 'reaction_added':
    case 'reaction_removed': {
        const r = parse<{user_id: string; post_id: string; emoji_name: string; create_at: number}>(data.reaction);
        if (r) {
            applyReaction(r, msg.event === 'reaction_added');
        }
        break;
    }
    case 'typing':
        if (data.user_id && data.user_id !== me?.id) {
            setTyping(broadcast.channel_id, String(data.parent_id ?? ''), String(data.user_id), true);
        }
        break;
    case 'read_receipt':
        // chinwag's own: another member (who shares read receipts) read the channel up to seen_at
        if (data.channel_id && data.user_id) {
            receiveReceipts(String(data.channel_id), [{user_id: String(data.user_id), seen_at: Number(data.seen_at) || 0}]);
        }
        break;
    case 'channel_viewed':
        if (data.channel_id) {
            markViewedElsewhere([String(data.channel_id)]);
        }
        break;
    case 'multiple_channels_viewed': {
        const times = (data.channel_times ?? {}) as Record<string, number>;
        markViewedElsewhere(Object.keys(times));
        break;
    }
    case 'channel_created':
    case 'direct_added':
    case 'group_added': {
        const id = String(data.channel_id ?? broadcast.channel_id ?? '');
        if (id) {
            void refreshChannel(id);
        }
        break;
    }
    case 'channel_updated': {
        const ch = parse<Channel>(data.channel);
        if (ch) {
            update((s) => ({channels: s.channels[ch.id] ? {...s.channels, [ch.id]: {...s.channels[ch.id], ...ch}} : s.channels}));
        }
        break;
    }
    case 'channel_deleted':
    case 'channel_restored': {
        const id = String(data.channel_id ?? '');
        if (id) {
            void refreshChannel(id);
        }
        break;
    }
    case 'channel_member_updated': {
        const m = parse<ChannelMembership>(data.channelMember);
        if (m && m.user_id === me?.id) {
            update((s) => ({myMembers: {...s.myMembers, [m.channel_id]: m}}));
        }
        break;
    }
    case 'user_added': {
        const channelId = broadcast.channel_id;
        if (data.user_id === me?.id && channelId) {
            void refreshChannel(channelId);
        } else if (channelId && getState().stats[channelId]) {
            void loadStats(channelId);
        }
        break;
    }
    case 'user_removed': {
        const channelId = String(data.channel_id ?? '');
        if (channelId && broadcast.user_id === me?.id) {
            removeChannelLocally(channelId);
        } else if (broadcast.channel_id && getState().stats[broadcast.channel_id]) {
            void loadStats(broadcast.channel_id);
        }
        break;
    }
    case 'user_updated': {
        const u = parse<UserProfile>(data.user);
        if (u) {
            addUsers([u]);
            if (u.id === me?.id) {
                update((s) => ({me: {...s.me!, ...u}}));
            }
        }
        break;
    }
    case 'status_change':
        if (data.user_id) {
            update((s) => ({statuses: {...s.statuses, [String(data.user_id)]: String(data.status)}}));
        }
        break;
    case 'preferences_changed':
    case 'preferences_deleted': {
        const prefs = parse<PreferenceType[]>(data.preferences);
        if (prefs) {
            receivePrefs(prefs, msg.event === 'preferences_deleted');
            if (prefs.some((p) => p.category === 'favorite_channel')) {
                // the server files favourites in the Favorites category
                Object.keys(getState().categories).forEach((teamId) => void loadCategories(teamId).catch(() => undefined));
            }
        }
        break;
    }
    case 'sidebar_category_created':
    case 'sidebar_category_updated':
    case 'sidebar_category_deleted':
    case 'sidebar_category_order_updated':
        onCategoryEvent(msg.event as string, broadcast.team_id, data);
        break;
    case 'thread_updated':
    case 'thread_read_changed':
    case 'thread_follow_changed': {
        const t = parse<UserThread>(data.thread);
        if (t) {
            update((s) => ({threads: {...s.threads, [t.id]: {...s.threads[t.id], ...t}}}));
        }
        if (focus.teamId) {
            void loadThreads(focus.teamId).catch(() => undefined);
        }
        break;
    }
    case 'added_to_team':
    case 'leave_team':
    case 'update_team':
        void loadTeamUnreads();
        break;
    case 'role_updated': {
        const role = parse<{name: string; permissions: string[]}>(data.role);
        if (role && role.name) {
            roleUpdated(role.name, role.permissions);
        }
        break;
    }
    case 'plugin_enabled':
    case 'plugin_disabled':
        if ((data.manifest as {id?: string} | undefined)?.id === CALLS_PLUGIN) {
            void loadCalls();
        }
        break;
    default:
        if ((msg.event as string).startsWith(CALLS_EVENT)) {
            onCallsEvent(msg.event as string, data, broadcast.channel_id ?? '');
        }
    }
}

function markViewedElsewhere(ids: string[]): void {
    for (const id of ids) {
        if (getState().channels[id]) {
            markChannelReadLocal(id);
        }
    }
}

function markChannelReadLocal(channelId: string): void {
    update((s) => {
        const ch = s.channels[channelId];
        const m = s.myMembers[channelId];
        if (!ch || !m) {
            return {};
        }
        return {myMembers: {...s.myMembers, [channelId]: {
            ...m, msg_count: ch.total_msg_count, msg_count_root: ch.total_msg_count_root, mention_count: 0, mention_count_root: 0,
        }}};
    });
}

/** `<body data-socket="open">` once the server said hello (or took a resume) on this page's socket:
 * from then on every change reaches the page as an event (browser tests wait for it). */
function markSocket(state: 'open' | 'closed'): void {
    if (typeof document !== 'undefined' && document.body) {
        document.body.dataset.socket = state;
    }
}

function setConnected(on: boolean): void {
    if (getState().wsConnected !== on) {
        update((s) => ({wsConnected: on, wsEverConnected: s.wsEverConnected || on}));
    }
    if (on) {
        stopPolling();
    } else {
        startPolling();
    }
}

/** Brings the visible state up to date after a gap (reconnect, missed events, polling). */
export async function resync(full = true): Promise<void> {
    const tasks: Array<Promise<unknown>> = [];
    if (focus.channelId) {
        tasks.push(syncSince(focus.channelId).then(() => {
            if (visible()) {
                markChannelRead(focus.channelId, Date.now(), 'read');
            }
        }));
    }
    if (focus.threadId) {
        tasks.push(loadThread(focus.threadId));
    }
    if (full && focus.channelId) {
        tasks.push(loadStats(focus.channelId));
    }
    if (full && focus.teamId) {
        tasks.push(loadTeamChannels(focus.teamId));
        tasks.push(loadTeamUnreads());
        tasks.push(loadCategories(focus.teamId));
        tasks.push(loadCalls());
        if (getState().threadList[focus.teamId]) {
            tasks.push(loadThreads(focus.teamId));
        }
    }
    await Promise.allSettled(tasks);
}

function startPolling(): void {
    if (pollTimer) {
        return;
    }
    pollTimer = setInterval(() => {
        if (!visible() && polls % 5 !== 0) {
            polls++;
            return;
        }
        polls++;
        void resync(polls % 2 === 0);
    }, POLL_MS);
}

function stopPolling(): void {
    if (pollTimer) {
        clearInterval(pollTimer);
        pollTimer = null;
    }
}

/** Connects the socket (cookie-authenticated) and starts polling until it says hello. */
export function startRealtime(): void {
    if (started) {
        return;
    }
    started = true;
    ws.addMessageListener(handle);
    ws.addReconnectListener(() => {
        setConnected(true);
        markSocket('open');
        void resync();
        void loadRoles().catch(() => undefined);
    });
    ws.addMissedMessageListener(() => {
        void resync();
    });
    ws.addCloseListener(() => {
        setConnected(false);
        markSocket('closed');
    });
    ws.addFirstConnectListener(() => setConnected(true));
    startPolling();
    ws.initialize(websocketUrl());
    void loadCalls();
    // Expire typing indicators.
    setInterval(() => {
        const now = Date.now();
        const typing = getState().typing;
        let changed = false;
        const next: typeof typing = {};
        for (const [k, users] of Object.entries(typing)) {
            const keep = Object.fromEntries(Object.entries(users).filter(([, exp]) => exp > now));
            if (Object.keys(keep).length !== Object.keys(users).length) {
                changed = true;
            }
            next[k] = keep;
        }
        if (changed) {
            update(() => ({typing: next}));
        }
    }, 1000);
}

export function stopRealtime(): void {
    if (!started) {
        return;
    }
    started = false;
    ws.removeMessageListener(handle);
    ws.close();
    stopPolling();
}

let lastTyping = 0;

export function sendTyping(channelId: string, rootId: string): void {
    const now = Date.now();
    if (now - lastTyping < 3000 || !getState().wsConnected) {
        return;
    }
    lastTyping = now;
    ws.userTyping(channelId, rootId);
}
