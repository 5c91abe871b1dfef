// Pure helpers for the sidebar's categories (Mattermost's channel categories API): which channels a
// category shows and in what order, and what a move or a reorder changes.

import type {ChannelCategory} from '@mattermost/types/channel_categories';
import type {ServerChannel as Channel} from '@mattermost/types/channels';

export type TeamCategories = {order: string[]; byId: Record<string, ChannelCategory>};

export type Sorting = 'alpha' | 'recent' | 'manual';

const isDirect = (c: Channel) => c.type === 'D' || c.type === 'G';

/** How a category's channels are ordered: its own sorting, or its type's default. */
export function effectiveSorting(category: ChannelCategory): Sorting {
    switch (category.sorting as string) {
    case 'alpha':
        return 'alpha';
    case 'recent':
        return 'recent';
    case 'manual':
        return 'manual';
    }
    if (category.type === 'direct_messages') {
        return 'recent';
    }
    return category.type === 'custom' ? 'manual' : 'alpha';
}

/** Whether a channel may be put into a category: channels never go to Direct Messages, DMs never to Channels. */
export function canHold(category: ChannelCategory, channel: Channel): boolean {
    if (category.type === 'direct_messages') {
        return isDirect(channel);
    }
    if (category.type === 'channels') {
        return !isDirect(channel);
    }
    return true;
}

/**
 * The categories in their order, each with the channels it shows (the ones given: my channels in
 * this team), sorted as the category says. A channel in no category (joined since the categories
 * were loaded) shows in Channels or Direct Messages.
 */
export function categorized(
    cats: TeamCategories,
    channels: Channel[],
    title: (c: Channel) => string,
    locale: string,
): {category: ChannelCategory; channels: Channel[]}[] {
    const byId = new Map(channels.filter((c) => !c.delete_at).map((c) => [c.id, c]));
    const placed = new Set<string>();
    const ordered = cats.order.map((id) => cats.byId[id]).filter(Boolean);
    const lists = new Map<string, Channel[]>();
    for (const category of ordered) {
        const list: Channel[] = [];
        for (const id of category.channel_ids) {
            const c = byId.get(id);
            if (c && !placed.has(id)) {
                placed.add(id);
                list.push(c);
            }
        }
        lists.set(category.id, list);
    }
    for (const c of byId.values()) {
        if (placed.has(c.id)) {
            continue;
        }
        const home = ordered.find((k) => k.type === (isDirect(c) ? 'direct_messages' : 'channels'));
        if (home) {
            lists.get(home.id)!.push(c);
        }
    }
    const byTitle = (a: Channel, b: Channel) => title(a).localeCompare(title(b), locale, {sensitivity: 'base'});
    const byRecent = (a: Channel, b: Channel) => (b.last_post_at || b.create_at) - (a.last_post_at || a.create_at);
    return ordered.map((category) => {
        const list = lists.get(category.id)!;
        const sorting = effectiveSorting(category);
        if (sorting === 'alpha') {
            list.sort(byTitle);
        } else if (sorting === 'recent') {
            list.sort(byRecent);
        }
        return {category, channels: list};
    });
}

/**
 * Moves a channel to `toId` before the channel `beforeId` (at the end when empty), taking it out of
 * any other category except Favorites when the target is not Favorites (a favourite stays one when
 * filed elsewhere is not Mattermost's way: a channel is in one category). Returns the categories
 * that changed, or [] when nothing does or the target cannot hold the channel.
 * `shown` is the target's channel ids as displayed, so a drop between two shown channels lands there.
 */
export function moveChannel(
    cats: TeamCategories,
    channel: Channel,
    toId: string,
    beforeId: string,
    shown: string[],
): ChannelCategory[] {
    const target = cats.byId[toId];
    if (!target || !canHold(target, channel)) {
        return [];
    }
    const changed: ChannelCategory[] = [];
    for (const id of cats.order) {
        const c = cats.byId[id];
        if (c && c.id !== toId && c.channel_ids.includes(channel.id)) {
            changed.push({...c, channel_ids: c.channel_ids.filter((x) => x !== channel.id)});
        }
    }
    const sameCategory = changed.length === 0 && target.channel_ids.includes(channel.id);
    const sorting = effectiveSorting(target);
    // Within a category, or into a manually sorted one, the drop position counts: the displayed
    // order becomes the stored one and the category turns manual.
    let ids: string[];
    let nextSorting = target.sorting;
    if (sameCategory || sorting === 'manual') {
        const base = (shown.length ? shown : target.channel_ids).filter((x) => x !== channel.id);
        const rest = target.channel_ids.filter((x) => x !== channel.id && !base.includes(x));
        const at = beforeId ? base.indexOf(beforeId) : -1;
        const list = [...base];
        list.splice(at < 0 ? list.length : at, 0, channel.id);
        ids = [...list, ...rest];
        nextSorting = 'manual' as ChannelCategory['sorting'];
    } else {
        ids = [channel.id, ...target.channel_ids.filter((x) => x !== channel.id)];
    }
    if (sameCategory && ids.join() === target.channel_ids.join() && nextSorting === target.sorting) {
        return [];
    }
    changed.push({...target, channel_ids: ids, sorting: nextSorting});
    return changed;
}

/** The category order with `id` moved before `beforeId` (to the end when empty). */
export function reorder(order: string[], id: string, beforeId: string): string[] {
    if (id === beforeId) {
        return order;
    }
    const rest = order.filter((x) => x !== id);
    const at = beforeId ? rest.indexOf(beforeId) : -1;
    rest.splice(at < 0 ? rest.length : at, 0, id);
    return rest;
}

/** The category a channel is filed in. */
export function categoryOf(cats: TeamCategories | undefined, channelId: string): ChannelCategory | undefined {
    if (!cats) {
        return undefined;
    }
    return cats.order.map((id) => cats.byId[id]).find((c) => c?.channel_ids.includes(channelId));
}
