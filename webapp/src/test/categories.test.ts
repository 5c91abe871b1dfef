import {describe, expect, it} from 'vitest';
import type {ChannelCategory} from '@mattermost/types/channel_categories';
import type {ServerChannel as Channel} from '@mattermost/types/channels';

import {canHold, categorized, categoryOf, effectiveSorting, moveChannel, reorder, type TeamCategories} from '../lib/categories';

const ch = (id: string, type = 'O', last = 0): Channel => ({id, name: id, display_name: id.toUpperCase(), type, last_post_at: last, create_at: 1, delete_at: 0} as unknown as Channel);
const cat = (id: string, type: string, ids: string[], sorting = ''): ChannelCategory =>
    ({id, type, display_name: id, sorting, channel_ids: ids, muted: false, collapsed: false, team_id: 't', user_id: 'u'} as unknown as ChannelCategory);

function team(): TeamCategories {
    const cats = [cat('fav', 'favorites', ['b']), cat('work', 'custom', ['d', 'c']), cat('chan', 'channels', ['a', 'e']), cat('dm', 'direct_messages', ['x', 'y'])];
    return {order: cats.map((c) => c.id), byId: Object.fromEntries(cats.map((c) => [c.id, c]))};
}

const chans = [ch('a'), ch('b'), ch('c'), ch('d'), ch('e'), ch('x', 'D', 5), ch('y', 'D', 9), ch('new')];
const title = (c: Channel) => c.display_name;

describe('categories', () => {
    it('sorts as each category says, and shows channels in no category in their home one', () => {
        const got = categorized(team(), chans, title, 'en').map((g) => [g.category.id, g.channels.map((c) => c.id)]);
        expect(got).toEqual([['fav', ['b']], ['work', ['d', 'c']], ['chan', ['a', 'e', 'new']], ['dm', ['y', 'x']]]);
        expect(effectiveSorting(cat('k', 'custom', [], 'alpha'))).toBe('alpha');
        expect(effectiveSorting(cat('k', 'direct_messages', []))).toBe('recent');
    });

    it('moves a channel into another category, out of its old one', () => {
        const changed = moveChannel(team(), ch('a'), 'work', 'c', ['d', 'c']);
        expect(Object.fromEntries(changed.map((c) => [c.id, c.channel_ids]))).toEqual({chan: ['e'], work: ['d', 'a', 'c']});
        expect(changed.find((c) => c.id === 'work')!.sorting).toBe('manual');
    });

    it('reorders within a category as shown and makes it manual', () => {
        const changed = moveChannel(team(), ch('e'), 'chan', 'a', ['a', 'e']);
        expect(changed).toHaveLength(1);
        expect(changed[0].channel_ids).toEqual(['e', 'a']);
        expect(changed[0].sorting).toBe('manual');
    });

    it('refuses DMs in Channels and channels in Direct Messages', () => {
        expect(moveChannel(team(), ch('x', 'D'), 'chan', '', [])).toEqual([]);
        expect(canHold(team().byId.dm, ch('a'))).toBe(false);
        expect(canHold(team().byId.work, ch('x', 'D'))).toBe(true);
    });

    it('reorders categories and finds a channel\'s category', () => {
        expect(reorder(['fav', 'work', 'chan', 'dm'], 'dm', 'work')).toEqual(['fav', 'dm', 'work', 'chan']);
        expect(reorder(['fav', 'work', 'chan'], 'fav', '')).toEqual(['work', 'chan', 'fav']);
        expect(categoryOf(team(), 'c')?.id).toBe('work');
    });
});

describe('sidebar_category_* events', () => {
    it('fold the updated categories and the new order into the store', async () => {
        const {handle} = await import('../realtime');
        const {getState, resetState} = await import('../store');
        resetState({me: {id: 'u', username: 'u'} as never, categories: {t: team()}});
        const moved = {...team().byId.work, channel_ids: ['a', 'd', 'c']};
        const less = {...team().byId.chan, channel_ids: ['e']};
        handle({event: 'sidebar_category_updated', data: {updatedCategories: JSON.stringify([moved, less])},
            broadcast: {team_id: 't', user_id: 'u', channel_id: '', omit_users: {}}, seq: 1} as never);
        expect(getState().categories.t.byId.work.channel_ids).toEqual(['a', 'd', 'c']);
        expect(getState().categories.t.byId.chan.channel_ids).toEqual(['e']);
        handle({event: 'sidebar_category_order_updated', data: {order: ['dm', 'fav', 'work', 'chan']},
            broadcast: {team_id: 't', user_id: 'u', channel_id: '', omit_users: {}}, seq: 2} as never);
        expect(getState().categories.t.order).toEqual(['dm', 'fav', 'work', 'chan']);
        // another team's event leaves this one alone
        handle({event: 'sidebar_category_order_updated', data: {order: ['fav']},
            broadcast: {team_id: 'other', user_id: 'u', channel_id: '', omit_users: {}}, seq: 3} as never);
        expect(getState().categories.t.order).toEqual(['dm', 'fav', 'work', 'chan']);
    });
});
