// The sidebar's categories: loaded per team from the server, changed optimistically (the server's
// answer or its `sidebar_category_*` event puts the truth back).
import type {ChannelCategory} from '@mattermost/types/channel_categories';
import type {ServerChannel as Channel} from '@mattermost/types/channels';

import {client} from './client';
import {moveChannel, reorder, type TeamCategories} from './lib/categories';
import {getState, update} from './store';

function put(teamId: string, cats: TeamCategories): void {
    update((s) => ({categories: {...s.categories, [teamId]: cats}}));
}

function merge(teamId: string, changed: ChannelCategory[]): void {
    const cats = getState().categories[teamId];
    if (!cats) {
        return;
    }
    const byId = {...cats.byId};
    for (const c of changed) {
        byId[c.id] = c;
    }
    put(teamId, {order: cats.order.filter((id) => byId[id]), byId});
}

const loading: Record<string, Promise<void> | undefined> = {};
const again: Record<string, boolean> = {};

/** (Re)loads a team's categories; calls while one is under way fold into one more load after it. */
export function loadCategories(teamId: string): Promise<void> {
    const me = getState().me;
    if (!me || !teamId) {
        return Promise.resolve();
    }
    if (loading[teamId]) {
        again[teamId] = true;
        return loading[teamId]!;
    }
    const run = (async () => {
        try {
            const got = await client.getChannelCategories(me.id, teamId);
            const byId: Record<string, ChannelCategory> = {};
            for (const c of got.categories) {
                byId[c.id] = c;
            }
            put(teamId, {order: got.order.filter((id) => byId[id]), byId});
        } finally {
            loading[teamId] = undefined;
            if (again[teamId]) {
                again[teamId] = false;
                void loadCategories(teamId).catch(() => undefined);
            }
        }
    })();
    loading[teamId] = run;
    return run;
}

// Saves under way per team. While one is, the server's answer to an older save and the events it
// caused would put an older state over the newer one on screen: an answer is applied only when no
// save started after it, events are held back, and one reload after the last save catches up on
// whatever changed elsewhere meanwhile. The saves themselves go to the server one at a time, in the
// order they were made: sent at once, a later one could be written first and the older one last.
const saving: Record<string, number> = {};
const saveGen: Record<string, number> = {};
const missed: Record<string, boolean> = {};
const queue: Record<string, Promise<unknown> | undefined> = {};

async function whileSaving<T>(teamId: string, run: (latest: () => boolean) => Promise<T>): Promise<T> {
    const mine = (saveGen[teamId] = (saveGen[teamId] ?? 0) + 1);
    saving[teamId] = (saving[teamId] ?? 0) + 1;
    const turn = (queue[teamId] ?? Promise.resolve()).then(() => run(() => saveGen[teamId] === mine));
    queue[teamId] = turn.catch(() => undefined);
    try {
        return await turn;
    } finally {
        saving[teamId] -= 1;
        if (!saving[teamId] && missed[teamId]) {
            missed[teamId] = false;
            void loadCategories(teamId).catch(() => undefined);
        }
    }
}

/** Saves changed categories; on failure the server's state is loaded back. */
export async function saveCategories(teamId: string, changed: ChannelCategory[]): Promise<void> {
    if (!changed.length) {
        return;
    }
    merge(teamId, changed);
    await whileSaving(teamId, async (latest) => {
        try {
            const saved = await client.updateChannelCategories(getState().me!.id, teamId, changed);
            if (latest()) {
                merge(teamId, saved);
            }
        } catch (e) {
            await loadCategories(teamId).catch(() => undefined);
            throw e;
        }
    });
}

export async function createCategory(teamId: string, name: string, channelIds: string[] = []): Promise<ChannelCategory> {
    const me = getState().me!;
    // Mattermost's web app takes a channel filed into a new category out of its old one first.
    const cats = getState().categories[teamId];
    const created = await client.createChannelCategory(me.id, teamId, {
        display_name: name, team_id: teamId, user_id: me.id, type: 'custom' as ChannelCategory['type'], channel_ids: channelIds,
    });
    if (cats) {
        const byId = {...cats.byId, [created.id]: created};
        for (const id of channelIds) {
            for (const c of Object.values(byId)) {
                if (c.id !== created.id && c.channel_ids.includes(id)) {
                    byId[c.id] = {...c, channel_ids: c.channel_ids.filter((x) => x !== id)};
                }
            }
        }
        const order = cats.order.includes(created.id) ? cats.order : [...cats.order.slice(0, 1), created.id, ...cats.order.slice(1)];
        put(teamId, {order, byId});
    }
    await loadCategories(teamId).catch(() => undefined);
    return created;
}

export async function renameCategory(teamId: string, categoryId: string, name: string): Promise<void> {
    const c = getState().categories[teamId]?.byId[categoryId];
    if (c) {
        await saveCategories(teamId, [{...c, display_name: name}]);
    }
}

export async function deleteCategory(teamId: string, categoryId: string): Promise<void> {
    await client.deleteChannelCategory(getState().me!.id, teamId, categoryId);
    await loadCategories(teamId);
}

export async function setCollapsed(teamId: string, categoryId: string, collapsed: boolean): Promise<void> {
    const c = getState().categories[teamId]?.byId[categoryId];
    if (c) {
        await saveCategories(teamId, [{...c, collapsed}]);
    }
}

export async function setSorting(teamId: string, categoryId: string, sorting: string): Promise<void> {
    const c = getState().categories[teamId]?.byId[categoryId];
    if (c) {
        await saveCategories(teamId, [{...c, sorting: sorting as ChannelCategory['sorting']}]);
    }
}

export async function setCategoryMuted(teamId: string, categoryId: string, muted: boolean): Promise<void> {
    const c = getState().categories[teamId]?.byId[categoryId];
    if (c) {
        await saveCategories(teamId, [{...c, muted}]);
    }
}

/** Files a channel in a category, before `beforeId` (see lib/categories moveChannel). */
export async function moveChannelTo(teamId: string, channel: Channel, toId: string, beforeId = '', shown: string[] = []): Promise<void> {
    const cats = getState().categories[teamId];
    if (cats) {
        await saveCategories(teamId, moveChannel(cats, channel, toId, beforeId, shown));
    }
}

/** Favourites a channel by filing it in Favorites, or unfavourites it back to its home category. */
export async function setFavoriteCategory(teamId: string, channel: Channel, favorite: boolean): Promise<void> {
    const cats = getState().categories[teamId];
    if (!cats) {
        return;
    }
    const find = (type: string) => cats.order.map((id) => cats.byId[id]).find((c) => c?.type === type);
    const target = favorite ? find('favorites')
        : find(channel.type === 'D' || channel.type === 'G' ? 'direct_messages' : 'channels');
    if (target) {
        await moveChannelTo(teamId, channel, target.id);
    }
}

export async function reorderCategories(teamId: string, id: string, beforeId: string): Promise<void> {
    const cats = getState().categories[teamId];
    if (!cats) {
        return;
    }
    const order = reorder(cats.order, id, beforeId);
    if (order.join() === cats.order.join()) {
        return;
    }
    put(teamId, {...cats, order});
    await whileSaving(teamId, async (latest) => {
        try {
            const saved = await client.updateChannelCategoryOrder(getState().me!.id, teamId, order);
            const now = getState().categories[teamId];
            if (now && latest()) {
                put(teamId, {...now, order: saved.filter((x) => now.byId[x])});
            }
        } catch (e) {
            await loadCategories(teamId).catch(() => undefined);
            throw e;
        }
    });
}

/** Folds a `sidebar_category_*` WebSocket event in (from this or another tab or device). */
export function onCategoryEvent(event: string, teamId: string, data: Record<string, unknown>): void {
    const cats = getState().categories[teamId];
    if (!cats) {
        return; // not loaded: the team's sidebar loads them when shown
    }
    if (saving[teamId]) {
        missed[teamId] = true; // possibly the echo of an older save: caught up on after the last one
        return;
    }
    if (event === 'sidebar_category_order_updated' && Array.isArray(data.order)) {
        const order = (data.order as string[]).filter((id) => cats.byId[id]);
        if (order.length === cats.order.length) {
            put(teamId, {...cats, order});
            return;
        }
    }
    if (event === 'sidebar_category_updated' && typeof data.updatedCategories === 'string') {
        try {
            const changed = JSON.parse(data.updatedCategories) as ChannelCategory[];
            if (changed.every((c) => cats.byId[c.id])) {
                merge(teamId, changed);
                return;
            }
        } catch {
            // fall through to a reload
        }
    }
    void loadCategories(teamId).catch(() => undefined);
}
