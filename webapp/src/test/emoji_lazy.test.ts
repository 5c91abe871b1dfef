// The emoji table is its own chunk, fetched on first use: before it is here only the quick reactions are
// known and search finds nothing (and the saved recent emoji are kept, not judged); loading it once tells
// every subscriber, and a second load fetches nothing more.
import {describe, expect, it} from 'vitest';

import {emojiCategories, emojiFor, emojiLoaded, loadEmoji, parseRecent, searchEmoji, subscribeEmoji} from '../lib/emoji';

describe('the emoji table, loaded lazily', () => {
    it('knows only the quick reactions before it loads, everything after', async () => {
        expect(emojiLoaded()).toBe(false);
        expect(emojiFor('+1')).toBe('👍');
        expect(emojiFor('smile')).toBeUndefined();
        expect(emojiFor('+1_medium_skin_tone')).toBeUndefined();
        expect(searchEmoji('smile')).toEqual([]);
        expect(emojiCategories()).toEqual([]);
        expect(parseRecent(JSON.stringify([{name: 'smile', usageCount: 2}])).map((e) => e.name)).toEqual(['smile']);

        let told = 0;
        const stop = subscribeEmoji(() => told++);
        const first = loadEmoji();
        expect(loadEmoji()).toBe(first);  // one fetch however many ask
        await first;
        stop();
        expect(told).toBe(1);
        expect(emojiLoaded()).toBe(true);
        expect(emojiFor('smile')).toBe('😄');
        expect(emojiFor('+1_medium_skin_tone')).toBe('👍🏽');
        expect(searchEmoji('smile')[0].name).toBe('smile');
        expect(emojiCategories().length).toBeGreaterThan(3);
        expect(parseRecent(JSON.stringify([{name: 'smile', usageCount: 2}, {name: 'not_an_emoji', usageCount: 1}]))
            .map((e) => e.name)).toEqual(['smile']);
        await loadEmoji();
        expect(told).toBe(1);
    });
});
