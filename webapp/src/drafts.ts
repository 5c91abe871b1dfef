// Drafts: kept in this browser (localStorage, so a draft survives a reload at once and offline) and, when the
// server syncs drafts (its AllowSyncedDrafts, and the user has not turned "sync_drafts" off in advanced
// settings, as in Mattermost's apps), on the server too: a draft typed on one device shows on another.
// The server's draft_created/draft_deleted events (sent to my other connections, not the one that made the
// change) keep an open composer current; on (re)connecting the team's drafts are read again.
import type {Draft} from '@mattermost/types/drafts';
import type {PreferenceType} from '@mattermost/types/preferences';

import {client} from './client';
import {getState, put, update} from './store';

const PREFIX = 'chinwag:draft:';
/** Marks a local draft the server has had: gone from the server, it was sent or deleted on another device. */
const SYNCED = 'chinwag:draft-synced:';

export const draftKey = (channelId: string, rootId: string) => `${channelId}:${rootId}`;

let connectionId = '';
/** The socket's connection id (from hello): the server leaves that connection out of my own changes' events. */
export function setDraftConnection(id: string): void {
    connectionId = id;
}

export function syncOn(config: Record<string, string>, prefs: PreferenceType[]): boolean {
    return config.AllowSyncedDrafts === 'true' &&
        !prefs.some((p) => p.category === 'advanced_settings' && p.name === 'sync_drafts' && p.value === 'false');
}

function syncing(): boolean {
    const s = getState();
    return syncOn(s.config, s.prefs);
}

function get(name: string): string {
    try {
        return localStorage.getItem(name) ?? '';
    } catch {
        return '';
    }
}

function set(name: string, value: string): void {
    try {
        if (value) {
            localStorage.setItem(name, value);
        } else {
            localStorage.removeItem(name);
        }
    } catch {
        // storage full or disabled
    }
}

export function loadDraft(channelId: string, rootId: string): string {
    return get(PREFIX + draftKey(channelId, rootId));
}

/** The text the server has for each draft this page saved or heard of (not saved again unchanged). */
const onServer = new Map<string, string>();
/** Drafts saved here while a team's drafts were being read: the reading does not undo them. */
const editedWhileLoading = new Set<string>();

/** Keeps the draft here and, with syncing on, on the server (an empty one is deleted there). */
export function saveDraft(channelId: string, rootId: string, text: string): void {
    const key = draftKey(channelId, rootId);
    set(PREFIX + key, text);
    editedWhileLoading.add(key);
    // what the server has: known from this page, else a draft synced before has something there
    const there = onServer.get(key) ?? (get(SYNCED + key) ? null : '');
    if (!syncing() || there === text) {
        return;
    }
    onServer.set(key, text);
    const saved = text
        ? client.upsertDraft({channel_id: channelId, root_id: rootId, message: text, props: {}, create_at: 0,
            update_at: 0, delete_at: 0, user_id: getState().me?.id ?? ''}, connectionId).then(() => set(SYNCED + key, '1'))
        : client.deleteDraft(channelId, rootId, connectionId).then(() => set(SYNCED + key, ''));
    saved.catch(() => onServer.delete(key)); // saved again with the next change
}

/** A draft changed elsewhere: kept here, and an open composer of it shows it (`draftChanges`). */
function receive(key: string, text: string): void {
    onServer.set(key, text);
    set(PREFIX + key, text);
    set(SYNCED + key, text ? '1' : '');
    update(() => put('draftChanges', key, (getState().draftChanges[key] ?? 0) + 1));
}

export function onDraftEvent(event: string, raw: unknown): void {
    let draft: Draft | null = null;
    try {
        draft = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Draft;
    } catch {
        return;
    }
    if (!draft?.channel_id) {
        return;
    }
    receive(draftKey(draft.channel_id, draft.root_id ?? ''), event === 'draft_created' ? draft.message : '');
}

function localKeys(): string[] {
    const out: string[] = [];
    try {
        for (let i = 0; i < localStorage.length; i++) {
            const name = localStorage.key(i);
            if (name?.startsWith(PREFIX)) {
                out.push(name.slice(PREFIX.length));
            }
        }
    } catch {
        // storage disabled
    }
    return out;
}

const loaded = new Set<string>();

/** Forget which teams' drafts were read (a new connection may have missed events). */
export function draftsStale(): void {
    loaded.clear();
}

/** The server's drafts of a team (its channels, DMs and group messages) taken in, once per connection: the
 * server's text wins; a local draft the server had and no longer has was sent or deleted elsewhere and goes;
 * one it never had (typed before syncing, or offline) is saved there. */
export async function loadServerDrafts(teamId: string): Promise<void> {
    if (!teamId || !syncing() || loaded.has(teamId)) {
        return;
    }
    loaded.add(teamId);
    editedWhileLoading.clear();
    let drafts: Draft[];
    try {
        drafts = await client.getUserDrafts(teamId);
    } catch {
        loaded.delete(teamId);
        return;
    }
    const theirs = new Map(drafts.map((d) => [draftKey(d.channel_id, d.root_id ?? ''), d.message]));
    const channels = getState().channels;
    for (const key of localKeys()) {
        const [channelId, rootId = ''] = key.split(':');
        const ch = channels[channelId];
        if (!ch || (ch.team_id && ch.team_id !== teamId) || theirs.has(key) || editedWhileLoading.has(key)) {
            continue;
        }
        if (get(SYNCED + key)) {
            receive(key, '');
        } else {
            saveDraft(channelId, rootId, get(PREFIX + key));
        }
    }
    for (const [key, text] of theirs) {
        if (editedWhileLoading.has(key)) {
            continue;
        }
        if (get(PREFIX + key) !== text) {
            receive(key, text);
        } else {
            onServer.set(key, text);
            set(SYNCED + key, '1');
        }
    }
}
