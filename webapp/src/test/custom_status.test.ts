import {describe, expect, it} from 'vitest';

import {customStatusOf, expiryFor, isExpired, recentStatuses, ZERO_TIME} from '../lib/custom_status';

const user = (raw: unknown) => ({props: {customStatus: raw}} as never);

describe('custom status', () => {
    const now = Date.parse('2026-12-02T10:00:00Z'); // a Wednesday

    it('reads the JSON kept in props, ignoring cleared, broken and expired ones', () => {
        const cs = {emoji: 'palm_tree', text: 'Away', duration: '', expires_at: ZERO_TIME};
        expect(customStatusOf(user(JSON.stringify(cs)), now)).toEqual(cs);
        expect(customStatusOf(user(''), now)).toBeNull();
        expect(customStatusOf(user('{not json'), now)).toBeNull();
        expect(customStatusOf(user(JSON.stringify({emoji: '', text: ''})), now)).toBeNull();
        expect(customStatusOf(undefined, now)).toBeNull();
        const due = {...cs, duration: 'one_hour', expires_at: '2026-12-02T09:59:00Z'};
        expect(isExpired(due as never, now)).toBe(true);
        expect(customStatusOf(user(JSON.stringify(due)), now)).toBeNull();
        expect(customStatusOf(user(JSON.stringify({...due, expires_at: '2026-12-02T10:30:00Z'})), now)?.text).toBe('Away');
    });

    it('computes expires_at for each duration', () => {
        const at = new Date(now);
        expect(expiryFor('', at)).toBe(ZERO_TIME);
        expect(expiryFor('thirty_minutes', at)).toBe('2026-12-02T10:30:00.000Z');
        expect(expiryFor('four_hours', at)).toBe('2026-12-02T14:00:00.000Z');
        const today = new Date(expiryFor('today', at));
        expect([today.getDate(), today.getHours(), today.getMinutes()]).toEqual([at.getDate(), 23, 59]);
        const week = new Date(expiryFor('this_week', at));
        expect(week.getDay()).toBe(0);
        expect(week.getTime()).toBeGreaterThan(now);
        expect(week.getTime() - now).toBeLessThan(7 * 86400000);
        const chosen = new Date('2026-12-24T18:00:00Z');
        expect(expiryFor('date_and_time', at, chosen)).toBe('2026-12-24T18:00:00.000Z');
    });

    it('reads the recent list from its preference', () => {
        const value = JSON.stringify([{emoji: 'tea', text: 'Break', duration: 'thirty_minutes', expires_at: ZERO_TIME}, {bad: 1}]);
        expect(recentStatuses([{user_id: 'u', category: 'custom_status', name: 'recent_custom_statuses', value}]))
            .toEqual([{emoji: 'tea', text: 'Break', duration: 'thirty_minutes', expires_at: ZERO_TIME}]);
        expect(recentStatuses([])).toEqual([]);
    });
});
