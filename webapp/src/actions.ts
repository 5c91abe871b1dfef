// Everything that talks to the server (through Client4) and folds the answers into the store.
import type {ServerChannel as Channel, ChannelMembership} from '@mattermost/types/channels';
import type {Post, PostList} from '@mattermost/types/posts';
import type {PreferenceType} from '@mattermost/types/preferences';
import type {Team} from '@mattermost/types/teams';
import type {UserThread} from '@mattermost/types/threads';
import type {UserProfile} from '@mattermost/types/users';

import {client, getPostReceipts} from './client';
import {activateLocale, pickLocale} from './i18n';
import {noteRecent, parseRecent, type RecentEmoji} from './lib/emoji';
import {roleNames} from './lib/permissions';
import {mergeOrder, orderedIds} from './lib/posts';
import {mergeReads, type Receipt} from './lib/receipts';
import {isDark, themeFromPrefs, themeValue, type Theme} from './lib/theme';
import {CRT, getState, update, type ChannelFeed, type State} from './store';

export const PAGE = 60;

// ---------------------------------------------------------------- users

const pendingUsers = new Set<string>();
let userTimer: ReturnType<typeof setTimeout> | null = null;

/** Fetches profiles not yet known, batched over a tick. */
export function ensureUsers(ids: Iterable<string>): void {
    const s = getState();
    for (const id of ids) {
        if (id && !s.users[id]) {
            pendingUsers.add(id);
        }
    }
    if (!pendingUsers.size || userTimer) {
        return;
    }
    userTimer = setTimeout(async () => {
        userTimer = null;
        const batch = [...pendingUsers];
        pendingUsers.clear();
        try {
            const users = await client.getProfilesByIds(batch);
            addUsers(users);
        } catch {
            // Profiles are cosmetic; the next render retries.
        }
    }, 0);
}

export function addUsers(users: UserProfile[]): void {
    if (!users.length) {
        return;
    }
    update((s) => {
        const next = {...s.users};
        users.forEach((u) => {
            next[u.id] = u;
        });
        return {users: next};
    });
}

// ---------------------------------------------------------------- boot

export async function loadConfig(): Promise<void> {
    const config = (await client.getClientConfig()) as unknown as Record<string, string>;
    await activateLocale(pickLocale(undefined, config)).catch(() => undefined);
    update(() => ({config}));
}

export async function loadMe(): Promise<UserProfile> {
    // All in parallel: the session cookie authenticates each of them.
    const [me, config, teams, teamMembers, prefs] = await Promise.all([
        client.getMe(),
        client.getClientConfig() as unknown as Promise<Record<string, string>>,
        client.getMyTeams(),
        client.getMyTeamMembers(),
        client.getMyPreferences() as unknown as Promise<PreferenceType[]>,
    ]);
    // The first screen comes up in the user's language (its catalog loaded before the update).
    await activateLocale(pickLocale(me.locale, config)).catch(() => undefined);
    update((s) => ({
        me,
        config,
        users: {...s.users, [me.id]: me},
        teams: Object.fromEntries(teams.filter((t) => !t.delete_at).map((t) => [t.id, t])),
        teamMembers: Object.fromEntries(teamMembers.filter((m) => !m.delete_at).map((m) => [m.team_id, m])),
        prefs,
        theme: themeFrom(prefs, config),
    }));
    void loadTeamUnreads();
    void loadRoles().catch(() => undefined);
    return me;
}

// The permissions of the user's system and team roles (what the UI offers depends on them).
// A role_updated event that arrives while the roles are being fetched wins over the fetched copy
// (read before the change); the fetch is made again then.
let roleEvents = 0;

export function roleUpdated(name: string, permissions: string[]): void {
    roleEvents++;
    update((s) => ({roles: {...s.roles, [name]: permissions}}));
}

export async function loadRoles(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
        const {me, teamMembers} = getState();
        const names = roleNames(me, teamMembers);
        if (!names.length) {
            return;
        }
        const seen = roleEvents;
        // eslint-disable-next-line no-await-in-loop
        const roles = await client.getRolesByNames(names);
        if (seen !== roleEvents) {
            continue;
        }
        update((s) => ({roles: {...s.roles, ...Object.fromEntries(roles.map((r) => [r.name, r.permissions]))}}));
        return;
    }
}

function systemDark(): boolean {
    return typeof window !== 'undefined' && Boolean(window.matchMedia?.('(prefers-color-scheme: dark)').matches);
}

/** The theme in force: the `theme` preference, else the built-in that fits the system's light or dark. */
export function currentTheme(prefs: PreferenceType[], config: Record<string, string> = getState().config): Theme {
    return themeFromPrefs(prefs, '', systemDark(), config.DefaultTheme);
}

function themeFrom(prefs: PreferenceType[], config?: Record<string, string>): 'light' | 'dark' {
    return isDark(currentTheme(prefs, config)) ? 'dark' : 'light';
}

export async function loadTeamUnreads(): Promise<void> {
    try {
        const unreads = await client.getMyTeamUnreads(true);
        update(() => ({teamUnreads: Object.fromEntries(unreads.map((u) => [u.team_id, u]))}));
    } catch {
        // optional
    }
}

export function addTeam(team: Team): void {
    update((s) => ({teams: {...s.teams, [team.id]: team}}));
}

/** Loads my channels and channel memberships in a team (DMs and GMs included). */
export async function loadTeamChannels(teamId: string): Promise<void> {
    const [channels, members] = await Promise.all([
        client.getMyChannels(teamId),
        client.getMyChannelMembers(teamId),
    ]);
    mergeChannels(channels as Channel[], members, teamId);
    const me = getState().me;
    if (me) {
        const partners = channels.filter((c) => c.type === 'D').flatMap((c) => c.name.split('__'));
        ensureUsers(partners);
    }
}

function mergeChannels(channels: Channel[], members: ChannelMembership[], teamId?: string): void {
    update((s) => {
        const chans = {...s.channels};
        const mems = {...s.myMembers};
        if (teamId) {
            // Drop channels of this team I am no longer a member of.
            const keep = new Set(members.map((m) => m.channel_id));
            for (const c of Object.values(chans)) {
                if (c.team_id === teamId && !keep.has(c.id)) {
                    delete chans[c.id];
                    delete mems[c.id];
                }
            }
        }
        channels.forEach((c) => {
            chans[c.id] = c;
        });
        members.forEach((m) => {
            const local = mems[m.channel_id];
            // A view we made after the server answered must not be undone by the stale answer.
            mems[m.channel_id] = local && local.last_viewed_at > m.last_viewed_at ? {
                ...m,
                last_viewed_at: local.last_viewed_at,
                msg_count: Math.max(m.msg_count, local.msg_count),
                msg_count_root: Math.max(m.msg_count_root ?? 0, local.msg_count_root ?? 0),
                mention_count: Math.min(m.mention_count, local.mention_count),
                mention_count_root: Math.min(m.mention_count_root ?? 0, local.mention_count_root ?? 0),
            } : m;
        });
        return {channels: chans, myMembers: mems, loadedTeams: teamId ? {...s.loadedTeams, [teamId]: true} : s.loadedTeams};
    });
}

export async function refreshChannel(channelId: string): Promise<Channel | null> {
    try {
        const [channel, member] = await Promise.all([
            client.getChannel(channelId),
            client.getMyChannelMember(channelId),
        ]);
        mergeChannels([channel as Channel], [member]);
        if (channel.type === 'D') {
            ensureUsers(channel.name.split('__'));
        }
        return channel as Channel;
    } catch {
        return null;
    }
}

export function removeChannelLocally(channelId: string): void {
    update((s) => {
        const channels = {...s.channels};
        const myMembers = {...s.myMembers};
        delete channels[channelId];
        delete myMembers[channelId];
        return {channels, myMembers};
    });
}

// ---------------------------------------------------------------- posts

function mergePosts(s: State, list: Post[]): Record<string, Post> {
    if (!list.length) {
        return s.posts;
    }
    const posts = {...s.posts};
    for (const p of list) {
        const old = posts[p.id];
        if (!old || p.update_at >= old.update_at) {
            posts[p.id] = old && !p.metadata ? {...p, metadata: old.metadata} : p;
        }
    }
    return posts;
}

function maxUpdate(list: Post[], floor: number): number {
    return list.reduce((m, p) => Math.max(m, p.update_at, p.create_at, p.delete_at), floor);
}

export type ListMode = 'latest' | 'older' | 'newer' | 'since' | 'reset';

/** True when the feed holds an older window (from a permalink) rather than the newest posts. */
export function isWindow(feed: ChannelFeed | undefined): boolean {
    return Boolean(feed && feed.atLatest === false);
}

/**
 * Folds a server PostList into the store: posts, the channel feed and open threads.
 * `latest` merges the newest page (replacing the feed when it held an older window or the page
 * does not touch what is loaded, which would leave a hole); `reset` always replaces it; `older`
 * and `newer` extend it at either end; `since` merges changes, and while the feed is an older
 * window only those inside it (newer posts come with the next `newer` page).
 */
export function receivePostList(channelId: string, list: PostList, mode: ListMode): void {
    const all = list.order.map((id) => list.posts[id]).filter(Boolean);
    ensureUsers(all.map((p) => p.user_id));
    update((s) => {
        const crt = CRT(s);
        const posts = mergePosts(s, all);
        const feed: ChannelFeed = s.feeds[channelId] ?? {ids: [], atOldest: false, loading: false, syncedAt: 0};
        let incoming = orderedIds(list, crt).filter((id) => !posts[id].delete_at || feed.ids.includes(id));
        const full = list.order.length >= PAGE;
        const replace = mode === 'reset' || (mode === 'latest' && (isWindow(feed) ||
            (full && feed.ids.length > 0 && !incoming.some((id) => feed.ids.includes(id)))));
        if (mode === 'since' && isWindow(feed) && feed.ids.length) {
            const newest = posts[feed.ids[feed.ids.length - 1]];
            incoming = incoming.filter((id) => feed.ids.includes(id) || (newest && posts[id].create_at <= newest.create_at));
        }
        const ids = replace ? incoming : mergeOrder(feed.ids, incoming, posts);
        let atOldest = replace ? false : feed.atOldest;
        if (mode === 'older' || mode === 'latest' || mode === 'reset') {
            if (!list.prev_post_id && (mode === 'older' || !full)) {
                atOldest = true;
            }
        }
        let atLatest = replace || mode === 'latest' ? true : feed.atLatest;
        if (mode === 'newer') {
            atLatest = !full;
        }
        const threadReplies = mergeReplies(s.threadReplies, all, posts);
        return {
            posts,
            threadReplies,
            feeds: {...s.feeds, [channelId]: {ids, atOldest, atLatest, loading: false,
                syncedAt: replace ? maxUpdate(all, 0) : maxUpdate(all, feed.syncedAt)}},
        };
    });
}

function mergeReplies(current: Record<string, string[]>, list: Post[], posts: Record<string, Post>): Record<string, string[]> {
    let out = current;
    for (const p of list) {
        if (p.root_id && current[p.root_id] && !current[p.root_id].includes(p.id)) {
            if (out === current) {
                out = {...current};
            }
            out[p.root_id] = mergeOrder(out[p.root_id], [p.id], posts);
        }
    }
    return out;
}

export async function loadLatest(channelId: string, mode: 'latest' | 'reset' = 'latest'): Promise<void> {
    const crt = CRT(getState());
    update((s) => ({feeds: {...s.feeds, [channelId]: {...(s.feeds[channelId] ?? {ids: [], atOldest: false, syncedAt: 0}), loading: true}}}));
    try {
        const list = await client.getPosts(channelId, 0, PAGE, !crt, crt, crt);
        receivePostList(channelId, list, mode);
    } catch (e) {
        update((s) => ({feeds: {...s.feeds, [channelId]: {...s.feeds[channelId], loading: false}}}));
        throw e;
    }
}

const loadingOlder = new Set<string>();

export async function loadOlder(channelId: string): Promise<void> {
    const s = getState();
    const feed = s.feeds[channelId];
    if (!feed || feed.atOldest || !feed.ids.length || loadingOlder.has(channelId)) {
        return;
    }
    loadingOlder.add(channelId);
    try {
        const crt = CRT(s);
        const list = await client.getPostsBefore(channelId, feed.ids[0], 0, PAGE, !crt, crt, crt);
        receivePostList(channelId, list, 'older');
    } finally {
        loadingOlder.delete(channelId);
    }
}

const loadingNewer = new Set<string>();

/** The next page after the newest loaded post, while the feed is an older window. */
export async function loadNewer(channelId: string): Promise<void> {
    const s = getState();
    const feed = s.feeds[channelId];
    if (!feed || !isWindow(feed) || !feed.ids.length || loadingNewer.has(channelId)) {
        return;
    }
    loadingNewer.add(channelId);
    try {
        const crt = CRT(s);
        const list = await client.getPostsAfter(channelId, feed.ids[feed.ids.length - 1], 0, PAGE, !crt, crt, crt);
        receivePostList(channelId, list, 'newer');
    } finally {
        loadingNewer.delete(channelId);
    }
}

/**
 * Opens a channel's feed as a window around one post (a permalink): a page before it, the post,
 * and a page after it. The list then scrolls both ways (older and newer pages).
 */
export async function loadAround(channelId: string, focused: Post): Promise<void> {
    const crt = CRT(getState());
    const [before, after] = await Promise.all([
        client.getPostsBefore(channelId, focused.id, 0, PAGE, !crt, crt, crt),
        client.getPostsAfter(channelId, focused.id, 0, PAGE, !crt, crt, crt),
    ]);
    const all = [...before.order.map((id) => before.posts[id]), focused, ...after.order.map((id) => after.posts[id])].filter(Boolean);
    ensureUsers(all.map((p) => p.user_id));
    update((s) => {
        const posts = mergePosts(s, all);
        const ids = [...orderedIds(before, crt), focused.id, ...orderedIds(after, crt)]
            .filter((id, i, arr) => posts[id] && (!posts[id].delete_at || id === focused.id) && arr.indexOf(id) === i);
        const feed: ChannelFeed = {
            ids: mergeOrder([], ids, posts),
            atOldest: !before.prev_post_id && before.order.length < PAGE,
            atLatest: after.order.length < PAGE,
            loading: false,
            syncedAt: maxUpdate(all, 0),
        };
        return {posts, threadReplies: mergeReplies(s.threadReplies, all, posts), feeds: {...s.feeds, [channelId]: feed}};
    });
}

/** Drops an older window and shows the channel's newest posts. */
export async function jumpToLatest(channelId: string): Promise<void> {
    await loadLatest(channelId, 'reset');
    update((s) => ({focusPost: s.focusPost?.channelId === channelId ? null : s.focusPost}));
}

/** Most changes `?since=` returns at once; with more, the server sets has_next (and sends this many). */
export const SINCE_LIMIT = 1000;

/**
 * Catches up with posts changed since the last sync (after a reconnect, and polled while the
 * WebSocket is down). The server answers with at most SINCE_LIMIT changes, the newest first:
 * when more changed, what is loaded may have holes, so the feed is replaced by the latest page.
 */
export async function syncSince(channelId: string): Promise<void> {
    const feed = getState().feeds[channelId];
    if (!feed) {
        return;
    }
    const crt = CRT(getState());
    const list = await client.getPostsSince(channelId, feed.syncedAt, !crt, crt, crt);
    if ((list as PostList & {has_next?: boolean}).has_next || list.order.length >= SINCE_LIMIT) {
        await loadLatest(channelId, 'reset');
        bumpLastPost(channelId, getState().feeds[channelId]?.ids.map((id) => getState().posts[id]) ?? []);
        return;
    }
    if (list.order.length) {
        receivePostList(channelId, list, 'since');
        bumpLastPost(channelId, list.order.map((id) => list.posts[id]));
    }
}

function bumpLastPost(channelId: string, list: Array<Post | undefined>): void {
    const ch = getState().channels[channelId];
    if (ch) {
        const newest = list.reduce((m, p) => Math.max(m, p?.create_at ?? 0), 0);
        if (newest > ch.last_post_at) {
            update((st) => ({channels: {...st.channels, [channelId]: {...ch, last_post_at: newest}}}));
        }
    }
}

/** The CRT record of one thread (follow state, unread counts); absent when I never followed it. */
export async function loadUserThread(teamId: string, rootId: string): Promise<void> {
    const me = getState().me!;
    try {
        const t = await client.getUserThread(me.id, teamId, rootId, false);
        update((s) => ({threads: {...s.threads, [rootId]: {...s.threads[rootId], ...t, post: s.threads[rootId]?.post ?? t.post}}}));
    } catch {
        // not a thread I take part in
    }
}

export async function loadThread(rootId: string): Promise<void> {
    const crt = CRT(getState());
    const list = await client.getPostThread(rootId, true, crt, crt);
    const all = list.order.map((id) => list.posts[id]).filter(Boolean);
    ensureUsers(all.map((p) => p.user_id));
    update((s) => {
        const posts = mergePosts(s, all);
        const replies = all.filter((p) => p.root_id === rootId).map((p) => p.id);
        return {posts, threadReplies: {...s.threadReplies, [rootId]: mergeOrder([], replies, posts)}};
    });
}

/** Adds or updates one post (from the WebSocket or our own request). */
export function receivePost(post: Post): void {
    ensureUsers([post.user_id]);
    update((s) => {
        const crt = CRT(s);
        const posts = mergePosts(s, [post]);
        const out: Partial<State> = {posts};
        const feed = s.feeds[post.channel_id];
        if (feed && !isWindow(feed) && (!post.root_id || !crt) && !feed.ids.includes(post.id) && !post.delete_at) {
            out.feeds = {...s.feeds, [post.channel_id]: {...feed, ids: mergeOrder(feed.ids, [post.id], posts), syncedAt: Math.max(feed.syncedAt, post.update_at)}};
        }
        if (post.root_id) {
            out.threadReplies = mergeReplies(s.threadReplies, [post], posts);
            const root = posts[post.root_id];
            if (root && !s.posts[post.id] && post.type !== 'system_ephemeral') {
                const participants = (root.participants as UserProfile[] | undefined) ?? [];
                posts[root.id] = {
                    ...root,
                    reply_count: (root.reply_count || 0) + 1,
                    last_reply_at: post.create_at,
                    participants: participants.some((u) => u.id === post.user_id) ? participants : [...participants, {id: post.user_id} as UserProfile],
                };
            }
        }
        return out;
    });
}

export function markPostDeleted(post: Post): void {
    update((s) => {
        const old = s.posts[post.id];
        if (!old) {
            return {};
        }
        return {posts: {...s.posts, [post.id]: {...old, ...post, delete_at: post.delete_at || Date.now(), message: '', metadata: {...old.metadata, reactions: []}}}};
    });
}

export async function createPost(channelId: string, message: string, rootId = '', fileIds: string[] = []): Promise<Post> {
    const me = getState().me!;
    const pendingId = `${me.id}:${Date.now()}`;
    const fromWindow = !rootId && isWindow(getState().feeds[channelId]);
    const post = await client.createPost({channel_id: channelId, message, root_id: rootId, pending_post_id: pendingId,
        ...(fileIds.length ? {file_ids: fileIds} : {})});
    const known = Boolean(getState().posts[post.id]); // the WebSocket may have been quicker
    receivePost(post);
    if (fromWindow) {
        // Sending from an older window shows the newest posts, with mine at the bottom.
        void jumpToLatest(channelId).catch(() => undefined);
    }
    if (!known) {
        countIncoming(post, false);
    }
    markChannelRead(channelId, post.create_at);
    if (rootId && getState().config.ThreadAutoFollow !== 'false') {
        update((s) => {
            const t = s.threads[rootId];
            const root = s.posts[rootId];
            return {
                threads: t ? {...s.threads, [rootId]: {...t, is_following: true}} : s.threads,
                posts: root ? {...s.posts, [rootId]: {...root, is_following: true}} : s.posts,
            };
        });
    }
    return post;
}

export async function editPost(postId: string, message: string): Promise<void> {
    const post = await client.patchPost({id: postId, message});
    receivePost(post);
}

export async function deletePost(postId: string): Promise<void> {
    const post = getState().posts[postId];
    await client.deletePost(postId);
    if (post) {
        markPostDeleted({...post, delete_at: Date.now()});
        // The author sees it go; others see "(message deleted)" until they reload, as in Mattermost.
        update((s) => {
            const feed = s.feeds[post.channel_id];
            const out: Partial<State> = {};
            if (feed) {
                out.feeds = {...s.feeds, [post.channel_id]: {...feed, ids: feed.ids.filter((id) => id !== postId)}};
            }
            if (post.root_id && s.threadReplies[post.root_id]) {
                out.threadReplies = {...s.threadReplies, [post.root_id]: s.threadReplies[post.root_id].filter((id) => id !== postId)};
            }
            return out;
        });
    }
}

export async function togglePin(post: Post): Promise<void> {
    if (post.is_pinned) {
        await client.unpinPost(post.id);
    } else {
        await client.pinPost(post.id);
    }
    update((s) => ({posts: {...s.posts, [post.id]: {...s.posts[post.id], is_pinned: !post.is_pinned}}}));
}

export async function toggleReaction(post: Post, emoji: string): Promise<void> {
    const me = getState().me!;
    const mine = (post.metadata?.reactions ?? []).some((r) => r.user_id === me.id && r.emoji_name === emoji);
    if (mine) {
        applyReaction({user_id: me.id, post_id: post.id, emoji_name: emoji, create_at: 0}, false);
        await client.removeReaction(me.id, post.id, emoji);
    } else {
        applyReaction({user_id: me.id, post_id: post.id, emoji_name: emoji, create_at: Date.now()}, true);
        await client.addReaction(me.id, post.id, emoji);
    }
}

export function applyReaction(r: {user_id: string; post_id: string; emoji_name: string; create_at: number}, added: boolean): void {
    update((s) => {
        const post = s.posts[r.post_id];
        if (!post) {
            return {};
        }
        const list = (post.metadata?.reactions ?? []).filter((x) => !(x.user_id === r.user_id && x.emoji_name === r.emoji_name));
        if (added) {
            list.push({user_id: r.user_id, post_id: r.post_id, emoji_name: r.emoji_name, create_at: r.create_at || Date.now()});
        }
        const metadata = {...(post.metadata ?? {embeds: [], emojis: [], files: [], images: {}}), reactions: list};
        return {posts: {...s.posts, [post.id]: {...post, metadata, has_reactions: list.length > 0} as Post}};
    });
}

export async function loadPinned(channelId: string): Promise<string[]> {
    const list = await client.getPinnedPosts(channelId);
    const all = list.order.map((id) => list.posts[id]).filter(Boolean);
    ensureUsers(all.map((p) => p.user_id));
    update((s) => ({posts: mergePosts(s, all)}));
    return list.order;
}

/** The posts the user saved, newest first (GET /users/{id}/posts/flagged, in this team and DMs). */
export async function loadSaved(teamId: string): Promise<string[]> {
    const me = getState().me!;
    const list = await client.getFlaggedPosts(me.id, '', teamId, 0, 100);
    const all = list.order.map((id) => list.posts[id]).filter(Boolean);
    ensureUsers(all.map((p) => p.user_id));
    update((s) => ({posts: mergePosts(s, all)}));
    return list.order;
}

// ---------------------------------------------------------------- read state

const viewTimers = new Map<string, ReturnType<typeof setTimeout>>();
/** Channels the user marked unread from a post: reading on (focus, new posts) leaves them unread until
 * the channel is opened again or the user posts in it, as in Mattermost. */
const manualUnread = new Set<string>();

/** Marks a channel read locally now and on the server shortly after (debounced). ``how``: ``open`` when the
 * user opens the channel or posts in it (a manual unread ends), ``read`` when they just keep reading it. */
export function markChannelRead(channelId: string, at = Date.now(), how: 'open' | 'read' = 'open'): void {
    if (how === 'open') {
        manualUnread.delete(channelId);
    } else if (manualUnread.has(channelId)) {
        return;
    }
    update((s) => {
        const ch = s.channels[channelId];
        const m = s.myMembers[channelId];
        if (!ch || !m) {
            return {};
        }
        const next = {
            ...m,
            msg_count: ch.total_msg_count,
            msg_count_root: ch.total_msg_count_root,
            mention_count: 0,
            mention_count_root: 0,
            last_viewed_at: Math.max(m.last_viewed_at, at),
        };
        if (next.msg_count === m.msg_count && next.mention_count === 0 && m.mention_count === 0 &&
            next.msg_count_root === m.msg_count_root && next.last_viewed_at === m.last_viewed_at) {
            return {};
        }
        return {myMembers: {...s.myMembers, [channelId]: next}};
    });
    if (viewTimers.has(channelId)) {
        return;
    }
    viewTimers.set(channelId, setTimeout(async () => {
        viewTimers.delete(channelId);
        try {
            await client.viewMyChannel(channelId);
            void loadTeamUnreads();
        } catch {
            // retried on the next view
        }
    }, 300));
}

/** Bumps a channel's counters for a post that arrived while the channel was not being read. */
export function countIncoming(post: Post, mentionsMe: boolean): void {
    update((s) => {
        const ch = s.channels[post.channel_id];
        if (!ch) {
            return {};
        }
        const isRoot = !post.root_id;
        const channel = {
            ...ch,
            total_msg_count: ch.total_msg_count + 1,
            total_msg_count_root: (ch.total_msg_count_root ?? 0) + (isRoot ? 1 : 0),
            last_post_at: Math.max(ch.last_post_at, post.create_at),
            last_root_post_at: isRoot ? Math.max(ch.last_root_post_at ?? 0, post.create_at) : ch.last_root_post_at,
        };
        const out: Partial<State> = {channels: {...s.channels, [ch.id]: channel}};
        const m = s.myMembers[ch.id];
        if (m && mentionsMe) {
            out.myMembers = {
                ...s.myMembers,
                [ch.id]: {...m, mention_count: m.mention_count + 1, mention_count_root: (m.mention_count_root ?? 0) + (isRoot ? 1 : 0)},
            };
        }
        return out;
    });
}

// ---------------------------------------------------------------- threads (CRT)

export async function loadThreads(teamId: string): Promise<void> {
    const me = getState().me!;
    const res = await client.getUserThreads(me.id, teamId, {perPage: 50, extended: true});
    const threads = res.threads as unknown as Array<UserThread & {post: Post}>;
    const posts = threads.map((t) => t.post).filter(Boolean);
    const users = threads.flatMap((t) => t.participants).filter((u): u is UserProfile => 'username' in u);
    addUsers(users);
    ensureUsers(posts.map((p) => p.user_id));
    update((s) => ({
        posts: mergePosts(s, posts),
        threads: {...s.threads, ...Object.fromEntries(threads.map((t) => [t.id, t]))},
        threadList: {...s.threadList, [teamId]: {
            ids: threads.map((t) => t.id),
            unread: res.total_unread_threads,
            mentions: res.total_unread_mentions,
            loaded: true,
        }},
    }));
}

export async function markThreadRead(teamId: string, threadId: string): Promise<void> {
    const me = getState().me!;
    const t = getState().threads[threadId];
    if (t && !t.unread_replies && !t.unread_mentions) {
        return;
    }
    try {
        const res = await client.updateThreadReadForUser(me.id, teamId, threadId, Date.now());
        update((s) => {
            const list = s.threadList[teamId];
            const prev = s.threads[threadId];
            const out: Partial<State> = {threads: {...s.threads, [threadId]: {...(prev ?? {}), ...res, post: prev?.post ?? res.post} as UserThread}};
            if (list && prev) {
                out.threadList = {...s.threadList, [teamId]: {
                    ...list,
                    unread: Math.max(0, list.unread - (prev.unread_replies ? 1 : 0)),
                    mentions: Math.max(0, list.mentions - (prev.unread_mentions || 0)),
                }};
            }
            return out;
        });
    } catch {
        // not followed / not a thread: nothing to mark
    }
}

export async function setFollow(teamId: string, threadId: string, follow: boolean): Promise<void> {
    const me = getState().me!;
    await client.updateThreadFollowForUser(me.id, teamId, threadId, follow);
    update((s) => {
        const post = s.posts[threadId];
        const out: Partial<State> = {};
        if (post) {
            out.posts = {...s.posts, [threadId]: {...post, is_following: follow}};
        }
        const t = s.threads[threadId];
        if (t) {
            out.threads = {...s.threads, [threadId]: {...t, is_following: follow}};
        }
        return out;
    });
}

/** "Mark as unread": the channel is unread from this post on (POST /users/{id}/posts/{id}/set_unread). */
export async function markPostUnread(post: Post): Promise<void> {
    const me = getState().me!;
    const pending = viewTimers.get(post.channel_id);
    if (pending) {
        clearTimeout(pending);
        viewTimers.delete(post.channel_id);
    }
    manualUnread.add(post.channel_id);
    const res = await client.markPostAsUnread(me.id, post.id);
    update((s) => {
        const m = s.myMembers[post.channel_id];
        if (!m) {
            return {};
        }
        return {myMembers: {...s.myMembers, [post.channel_id]: {
            ...m,
            msg_count: res.msg_count,
            mention_count: res.mention_count,
            msg_count_root: res.msg_count_root ?? m.msg_count_root,
            mention_count_root: res.mention_count_root ?? m.mention_count_root,
            last_viewed_at: res.last_viewed_at,
        }}};
    });
    void loadTeamUnreads();
}

/** The user's skin tone for emoji (the `emoji`/`emoji_skintone` preference: "default" or a code point). */
export function skinTone(prefs: PreferenceType[]): string {
    return prefs.find((p) => p.category === 'emoji' && p.name === 'emoji_skintone')?.value || 'default';
}

export async function setSkinTone(code: string): Promise<void> {
    const me = getState().me!;
    await savePrefs([{user_id: me.id, category: 'emoji', name: 'emoji_skintone', value: code}]);
}

/** The user's recently used emoji (the `recent_emojis` preference, named by the user id). */
export function recentEmoji(prefs: PreferenceType[], userId: string): RecentEmoji[] {
    return parseRecent(prefs.find((p) => p.category === 'recent_emojis' && p.name === userId)?.value);
}

/** Counts an emoji the user picked (shown first in the picker next time). */
export function noteEmojiUse(name: string): void {
    const s = getState();
    const me = s.me!;
    const value = JSON.stringify(noteRecent(recentEmoji(s.prefs, me.id), name));
    void savePrefs([{user_id: me.id, category: 'recent_emojis', name: me.id, value}]).catch(() => undefined);
}

/** Whether the user saved the post (Mattermost's `flagged_post` preference). */
export function isSaved(prefs: PreferenceType[], postId: string): boolean {
    return prefs.some((p) => p.category === 'flagged_post' && p.name === postId && p.value === 'true');
}

/** Saves a post for later, or removes it from the saved ones. */
export async function toggleSaved(post: Post): Promise<void> {
    const me = getState().me!;
    const pref = {user_id: me.id, category: 'flagged_post', name: post.id, value: 'true'};
    if (isSaved(getState().prefs, post.id)) {
        await client.deletePreferences(me.id, [pref]);
        receivePrefs([pref], true);
    } else {
        await savePrefs([pref]);
    }
}

// ---------------------------------------------------------------- preferences

export async function savePrefs(prefs: PreferenceType[]): Promise<void> {
    const me = getState().me!;
    await client.savePreferences(me.id, prefs);
    receivePrefs(prefs);
}

export function receivePrefs(prefs: PreferenceType[], deleted = false): void {
    update((s) => {
        const key = (p: PreferenceType) => `${p.category}\u0000${p.name}`;
        const incoming = new Map(prefs.map((p) => [key(p), p]));
        const kept = s.prefs.filter((p) => !incoming.has(key(p)));
        const next = deleted ? kept : kept.concat(prefs);
        return {prefs: next, theme: themeFrom(next)};
    });
}

export async function toggleFavorite(channelId: string, favorite: boolean): Promise<void> {
    const me = getState().me!;
    const pref = {user_id: me.id, category: 'favorite_channel', name: channelId, value: favorite ? 'true' : 'false'};
    if (favorite) {
        await savePrefs([pref]);
    } else {
        await client.deletePreferences(me.id, [pref]);
        receivePrefs([pref], true);
    }
}

/** Saves the theme for every team (the `theme` preference, Mattermost's shape); the UI follows at once. */
export async function setTheme(theme: Theme): Promise<void> {
    const me = getState().me!;
    const pref = {user_id: me.id, category: 'theme', name: '', value: themeValue(theme)};
    const before = getState().prefs.find((p) => p.category === 'theme' && p.name === '');
    receivePrefs([pref]);
    try {
        await client.savePreferences(me.id, [pref]);
    } catch (e) {
        receivePrefs(before ? [before] : [pref], !before);
        throw e;
    }
}

// ---------------------------------------------------------------- read receipts

/** Who has read my post (GET /posts/{id}/receipts), folded into the channel's reads. */
export async function loadReceipts(post: Post): Promise<void> {
    const got = await getPostReceipts(post.id);
    receiveReceipts(post.channel_id, got);
}

export function receiveReceipts(channelId: string, receipts: Receipt[]): void {
    update((s) => ({receipts: {...s.receipts, [channelId]: mergeReads(s.receipts[channelId], receipts)}}));
}

// ---------------------------------------------------------------- misc

export async function loadStats(channelId: string): Promise<void> {
    try {
        const stats = await client.getChannelStats(channelId);
        update((s) => ({stats: {...s.stats, [channelId]: stats}}));
    } catch {
        // header shows no count
    }
}

export async function openDirect(userId: string): Promise<Channel> {
    const me = getState().me!;
    const channel = await client.createDirectChannel([me.id, userId]) as Channel;
    await refreshChannel(channel.id);
    return channel;
}

export async function openGroup(userIds: string[]): Promise<Channel> {
    const me = getState().me!;
    const channel = await client.createGroupChannel([me.id, ...userIds]) as Channel;
    await refreshChannel(channel.id);
    return channel;
}

export function setTyping(channelId: string, rootId: string, userId: string, on: boolean): void {
    const key = `${channelId}:${rootId}`;
    update((s) => {
        const cur = {...(s.typing[key] ?? {})};
        if (on) {
            cur[userId] = Date.now() + 6000;
        } else if (cur[userId]) {
            delete cur[userId];
        } else {
            return {};
        }
        return {typing: {...s.typing, [key]: cur}};
    });
}
