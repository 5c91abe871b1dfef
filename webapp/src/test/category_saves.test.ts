import {afterEach, describe, expect, it, vi} from 'vitest';
import type {ChannelCategory} from '@mattermost/types/channel_categories';
import type {UserProfile} from '@mattermost/types/users';

import {client} from '../client';
import {onCategoryEvent, saveCategories} from '../sidebar_categories';
import {getState, update} from '../store';

const cat = (id: string, ids: string[]): ChannelCategory =>
    ({id, type: 'custom', display_name: id, sorting: 'manual', channel_ids: ids, muted: false, collapsed: false, team_id: 't', user_id: 'u'} as unknown as ChannelCategory);

function deferred<T>() {
    let resolve!: (v: T) => void;
    const promise = new Promise<T>((r) => {
        resolve = r;
    });
    return {promise, resolve};
}

const shown = () => getState().categories.t.byId.p.channel_ids;

describe('category saves', () => {
    afterEach(() => vi.restoreAllMocks());

    it('an older save\'s answer and echo do not put an older state over a newer one', async () => {
        update(() => ({me: {id: 'u'} as UserProfile, categories: {t: {order: ['p'], byId: {p: cat('p', [])}}}}));
        const answers = [deferred<ChannelCategory[]>(), deferred<ChannelCategory[]>()];
        let n = 0;
        vi.spyOn(client, 'updateChannelCategories').mockImplementation(() => answers[n++].promise);
        const load = vi.spyOn(client, 'getChannelCategories').mockResolvedValue({categories: [cat('p', ['b', 'g'])], order: ['p']} as never);

        const first = saveCategories('t', [cat('p', ['b'])]);
        const second = saveCategories('t', [cat('p', ['b', 'g'])]);
        expect(shown()).toEqual(['b', 'g']);
        // the first save's echo and answer arrive while the second is under way
        onCategoryEvent('sidebar_category_updated', 't', {updatedCategories: JSON.stringify([cat('p', ['b'])])});
        answers[0].resolve([cat('p', ['b'])]);
        await first;
        expect(shown()).toEqual(['b', 'g']);
        answers[1].resolve([cat('p', ['b', 'g'])]);
        await second;
        expect(shown()).toEqual(['b', 'g']);
        // the held-back event is caught up on with one reload once nothing is being saved
        await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(1));
        // with nothing being saved, events apply at once
        onCategoryEvent('sidebar_category_updated', 't', {updatedCategories: JSON.stringify([cat('p', ['g'])])});
        expect(shown()).toEqual(['g']);
    });

    it('saves reach the server one at a time, in the order they were made', async () => {
        update(() => ({me: {id: 'u'} as UserProfile, categories: {t: {order: ['p'], byId: {p: cat('p', [])}}}}));
        const answers = [deferred<ChannelCategory[]>(), deferred<ChannelCategory[]>(), deferred<ChannelCategory[]>()];
        const sent: string[][] = [];
        vi.spyOn(client, 'updateChannelCategories').mockImplementation((_u, _t, cats) => {
            sent.push((cats as ChannelCategory[])[0].channel_ids);
            return answers[sent.length - 1].promise;
        });
        vi.spyOn(client, 'getChannelCategories').mockResolvedValue({categories: [cat('p', ['g', 'b'])], order: ['p']} as never);

        const first = saveCategories('t', [cat('p', ['b'])]);
        const second = saveCategories('t', [cat('p', ['b', 'g'])]);
        const third = saveCategories('t', [cat('p', ['g', 'b'])]);
        expect(shown()).toEqual(['g', 'b']);
        // the second is sent only once the first is answered, the third after the second
        await vi.waitFor(() => expect(sent).toEqual([['b']]));
        answers[0].resolve([cat('p', ['b'])]);
        await first;
        await vi.waitFor(() => expect(sent).toEqual([['b'], ['b', 'g']]));
        // a failed save does not stop the ones after it
        answers[1].resolve(Promise.reject(new Error('offline')) as never);
        await expect(second).rejects.toThrow('offline');
        await vi.waitFor(() => expect(sent).toEqual([['b'], ['b', 'g'], ['g', 'b']]));
        answers[2].resolve([cat('p', ['g', 'b'])]);
        await third;
        expect(shown()).toEqual(['g', 'b']);
    });
});
