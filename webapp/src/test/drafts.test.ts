// Server-side drafts: when they sync, saving here reaches the server (once per change, deleted when emptied),
// another device's changes come in by event, and a team's drafts read from the server win over this browser's.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import type {ServerChannel} from '@mattermost/types/channels';
import type {Draft} from '@mattermost/types/drafts';
import type {PreferenceType} from '@mattermost/types/preferences';
import type {UserProfile} from '@mattermost/types/users';

import {client} from '../client';
import {draftsStale, loadDraft, loadServerDrafts, onDraftEvent, saveDraft, setDraftConnection, syncOn} from '../drafts';
import {getState, resetState, update} from '../store';

class MemoryStorage {
    items = new Map<string, string>();
    get length() {
        return this.items.size;
    }
    key(i: number) {
        return [...this.items.keys()][i] ?? null;
    }
    getItem(k: string) {
        return this.items.get(k) ?? null;
    }
    setItem(k: string, v: string) {
        this.items.set(k, v);
    }
    removeItem(k: string) {
        this.items.delete(k);
    }
}

const pref = (value: string): PreferenceType => ({user_id: 'me', category: 'advanced_settings', name: 'sync_drafts', value});
const draft = (channel_id: string, message: string, root_id = ''): Draft =>
    ({channel_id, root_id, message, user_id: 'me', create_at: 1, update_at: 2, delete_at: 0, props: {}});
const chan = (id: string, team_id: string) => ({id, team_id, type: team_id ? 'O' : 'D'}) as ServerChannel;

async function settle() {
    for (let i = 0; i < 5; i++) {
        await Promise.resolve();
    }
}

describe('drafts', () => {
    let storage: MemoryStorage;
    beforeEach(() => {
        storage = new MemoryStorage();
        vi.stubGlobal('localStorage', storage);
        resetState();
        update(() => ({config: {AllowSyncedDrafts: 'true'}, me: {id: 'me'} as UserProfile,
            channels: {a: chan('a', 't'), b: chan('b', 't'), c: chan('c', 'other'), d: chan('d', '')}}));
        draftsStale();
        setDraftConnection('conn-1');
    });
    afterEach(() => {
        vi.restoreAllMocks();
        vi.unstubAllGlobals();
    });

    it('sync with the server setting unless the user turned it off', () => {
        expect(syncOn({AllowSyncedDrafts: 'true'}, [])).toBe(true);
        expect(syncOn({AllowSyncedDrafts: 'true'}, [pref('true')])).toBe(true);
        expect(syncOn({AllowSyncedDrafts: 'true'}, [pref('false')])).toBe(false);
        expect(syncOn({AllowSyncedDrafts: 'false'}, [])).toBe(false);
        expect(syncOn({}, [])).toBe(false);
    });

    it('are saved to the server once per change and deleted there when emptied', async () => {
        const upsert = vi.spyOn(client, 'upsertDraft').mockResolvedValue(draft('a', 'x'));
        const remove = vi.spyOn(client, 'deleteDraft').mockResolvedValue(null);
        saveDraft('a', '', 'hello');
        saveDraft('a', '', 'hello');
        expect(loadDraft('a', '')).toBe('hello');
        expect(upsert).toHaveBeenCalledTimes(1);
        expect(upsert.mock.calls[0][0]).toMatchObject({channel_id: 'a', root_id: '', message: 'hello', user_id: 'me'});
        expect(upsert.mock.calls[0][1]).toBe('conn-1');
        await settle();
        saveDraft('a', '', '');
        expect(remove).toHaveBeenCalledWith('a', '', 'conn-1');
        expect(loadDraft('a', '')).toBe('');
        // an empty draft never saved is not deleted on the server
        saveDraft('b', 'r1', '');
        expect(remove).toHaveBeenCalledTimes(1);
    });

    it('stay in this browser only when syncing is off', () => {
        const upsert = vi.spyOn(client, 'upsertDraft').mockResolvedValue(draft('a', 'x'));
        update(() => ({prefs: [pref('false')]}));
        saveDraft('a', '', 'local only');
        expect(loadDraft('a', '')).toBe('local only');
        expect(upsert).not.toHaveBeenCalled();
    });

    it('follow another device through the events', () => {
        const upsert = vi.spyOn(client, 'upsertDraft').mockResolvedValue(draft('a', 'x'));
        onDraftEvent('draft_created', JSON.stringify(draft('a', 'from the phone', 'r1')));
        expect(loadDraft('a', 'r1')).toBe('from the phone');
        expect(getState().draftChanges['a:r1']).toBe(1);
        // the composer showing it saves the same text: not sent back
        saveDraft('a', 'r1', 'from the phone');
        expect(upsert).not.toHaveBeenCalled();
        onDraftEvent('draft_deleted', JSON.stringify(draft('a', 'from the phone', 'r1')));
        expect(loadDraft('a', 'r1')).toBe('');
        expect(getState().draftChanges['a:r1']).toBe(2);
        onDraftEvent('draft_created', 'not json');
    });

    it('are read from the server per team: its text wins, ones gone there go, ones it never had are sent', async () => {
        const upsert = vi.spyOn(client, 'upsertDraft').mockResolvedValue(draft('b', 'x'));
        const remove = vi.spyOn(client, 'deleteDraft').mockResolvedValue(null);
        const get = vi.spyOn(client, 'getUserDrafts').mockResolvedValue([draft('a', 'newer'), draft('d', 'in a DM')]);
        storage.setItem('chinwag:draft:a:', 'older');
        storage.setItem('chinwag:draft:b:', 'typed offline'); // never on the server
        storage.setItem('chinwag:draft:b:r9', 'sent elsewhere');
        storage.setItem('chinwag:draft-synced:b:r9', '1'); // the server had it
        storage.setItem('chinwag:draft:c:', 'other team'); // not this team's
        await loadServerDrafts('t');
        expect(get).toHaveBeenCalledWith('t');
        expect(loadDraft('a', '')).toBe('newer');
        expect(loadDraft('d', '')).toBe('in a DM');
        expect(loadDraft('b', 'r9')).toBe('');
        expect(loadDraft('c', '')).toBe('other team');
        expect(upsert).toHaveBeenCalledTimes(1);
        expect(upsert.mock.calls[0][0]).toMatchObject({channel_id: 'b', message: 'typed offline'});
        expect(remove).not.toHaveBeenCalled();
        // typing while the drafts are read: the typed text stays
        draftsStale();
        get.mockResolvedValue([draft('a', 'from elsewhere')]);
        const reading = loadServerDrafts('t');
        saveDraft('a', '', 'typed meanwhile');
        await reading;
        expect(loadDraft('a', '')).toBe('typed meanwhile');
        // once per connection
        await loadServerDrafts('t');
        expect(get).toHaveBeenCalledTimes(2);
        draftsStale();
        await loadServerDrafts('t');
        expect(get).toHaveBeenCalledTimes(3);
    });
});
