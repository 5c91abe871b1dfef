import {describe, expect, it} from 'vitest';

import {switcherMatches, type SwitchItem} from '../lib/switcher';

const item = (id: string, title: string, extra: Partial<SwitchItem> = {}): SwitchItem => ({
    id, title, name: title.toLowerCase().replace(/\s+/g, '-'), kind: 'O', unread: false, lastPostAt: 0, ...extra,
});

describe('channel switcher', () => {
    const items = [
        item('a', 'Town Square', {lastPostAt: 5}),
        item('b', 'Release Plans', {unread: true}),
        item('c', 'Off-Topic', {lastPostAt: 9}),
        item('d', 'Bob Smith', {kind: 'D', name: 'bob'}),
        item('e', 'Планёрка', {name: 'planerka'}),
    ];

    it('ranks starts before word starts before the rest', () => {
        expect(switcherMatches(items, 'pl').map((i) => i.id)).toEqual(['e', 'b']);
        expect(switcherMatches(items, 'square').map((i) => i.id)).toEqual(['a']);
        expect(switcherMatches(items, 'ic').map((i) => i.id)).toEqual(['c']);
        expect(switcherMatches(items, '@bob').map((i) => i.id)).toEqual(['d']);
        expect(switcherMatches(items, '~off').map((i) => i.id)).toEqual(['c']);
        expect(switcherMatches(items, 'планерка').map((i) => i.id)).toEqual(['e']); // ё as е
        expect(switcherMatches(items, 'nothing')).toEqual([]);
    });

    it('lists unread, then recent conversations when nothing is typed', () => {
        expect(switcherMatches(items, '').map((i) => i.id).slice(0, 3)).toEqual(['b', 'c', 'a']);
    });
});
