import {beforeAll, describe, expect, it} from 'vitest';

import {emojiFor, hasSkinTones, loadEmoji, noteRecent, parseRecent, RECENT_EMOJI_MAX, withSkinTone} from '../lib/emoji';

beforeAll(loadEmoji);

describe('skin tones', () => {
    it('names and draws hand emoji in a tone', () => {
        expect(hasSkinTones('+1')).toBe(true);
        expect(hasSkinTones('smile')).toBe(false);
        expect(withSkinTone('+1', '1F3FD')).toBe('+1_medium_skin_tone');
        expect(withSkinTone('+1', 'default')).toBe('+1');
        expect(withSkinTone('smile', '1F3FD')).toBe('smile');
        expect(emojiFor('+1_medium_skin_tone')).toBe('👍🏽');
        expect(emojiFor('wave_medium_dark_skin_tone')).toBe('👋🏾');
        expect(emojiFor('v_light_skin_tone')).toBe('✌🏻'); // the variation selector gives way to the tone
        expect(emojiFor('smile_dark_skin_tone')).toBeUndefined();
    });
});

describe('recent emoji', () => {
    it('keeps the most recent first, counted, and at most a screenful', () => {
        let list = parseRecent('');
        list = noteRecent(list, 'smile');
        list = noteRecent(list, 'tada');
        list = noteRecent(list, 'smile');
        expect(list).toEqual([{name: 'smile', usageCount: 2}, {name: 'tada', usageCount: 1}]);
        expect(parseRecent(JSON.stringify(list))).toEqual(list);
        expect(parseRecent('[{"name":"no_such_emoji","usageCount":1},{"name":"+1_dark_skin_tone","usageCount":3}]'))
            .toEqual([{name: '+1_dark_skin_tone', usageCount: 3}]);
        expect(parseRecent('not json')).toEqual([]);
        for (let i = 0; i < 40; i++) {
            list = noteRecent(list, i % 2 ? 'heart' : `+1_${['light', 'dark'][i % 2]}_skin_tone`);
        }
        expect(list.length).toBeLessThanOrEqual(RECENT_EMOJI_MAX);
    });
});
