// Custom statuses as Mattermost's apps keep them: JSON text in the user's props.customStatus
// ({emoji, text, duration, expires_at}), expired once expires_at has passed (the server also clears
// them), the last ones in the custom_status/recent_custom_statuses preference.
import type {PreferenceType} from '@mattermost/types/preferences';
import type {UserProfile} from '@mattermost/types/users';

export type Duration = '' | 'thirty_minutes' | 'one_hour' | 'four_hours' | 'today' | 'this_week' | 'date_and_time';
export type CustomStatus = {emoji: string; text: string; duration: Duration; expires_at: string};

export const ZERO_TIME = '0001-01-01T00:00:00Z';
export const DURATIONS: Duration[] = ['', 'thirty_minutes', 'one_hour', 'four_hours', 'today', 'this_week', 'date_and_time'];

/** Suggestions offered before anything is typed (Mattermost's defaults). */
export const SUGGESTED: Array<{emoji: string; key: 'meeting' | 'lunch' | 'sick' | 'home' | 'vacation'; duration: Duration}> = [
    {emoji: 'calendar', key: 'meeting', duration: 'one_hour'},
    {emoji: 'hamburger', key: 'lunch', duration: 'thirty_minutes'},
    {emoji: 'sneezing_face', key: 'sick', duration: 'today'},
    {emoji: 'house', key: 'home', duration: 'today'},
    {emoji: 'palm_tree', key: 'vacation', duration: 'this_week'},
];

export function hasExpiry(cs: CustomStatus): boolean {
    return Boolean(cs.expires_at) && !cs.expires_at.startsWith('0001-01-01');
}

export function isExpired(cs: CustomStatus, now = Date.now()): boolean {
    if (!hasExpiry(cs)) {
        return false;
    }
    const at = Date.parse(cs.expires_at);
    return Number.isFinite(at) && at < now;
}

function parse(raw: unknown): CustomStatus | null {
    if (typeof raw !== 'string' || !raw) {
        return null;
    }
    try {
        const v = JSON.parse(raw) as Partial<CustomStatus>;
        if (!v || typeof v !== 'object' || (!v.emoji && !v.text)) {
            return null;
        }
        return {emoji: v.emoji || '', text: v.text || '', duration: (v.duration || '') as Duration, expires_at: v.expires_at || ZERO_TIME};
    } catch {
        return null;
    }
}

/** A user's status, or null when they have none or it has expired. */
export function customStatusOf(user: Pick<UserProfile, 'props'> | undefined, now = Date.now()): CustomStatus | null {
    const cs = parse((user?.props as Record<string, unknown> | undefined)?.customStatus);
    return cs && !isExpired(cs, now) ? cs : null;
}

/** The recent statuses from the preference (newest first). */
export function recentStatuses(prefs: PreferenceType[]): CustomStatus[] {
    const raw = prefs.find((p) => p.category === 'custom_status' && p.name === 'recent_custom_statuses')?.value;
    if (!raw) {
        return [];
    }
    try {
        const list = JSON.parse(raw) as unknown;
        return Array.isArray(list) ? list.map((x) => parse(JSON.stringify(x))).filter((x): x is CustomStatus => x !== null) : [];
    } catch {
        return [];
    }
}

/** The expires_at to send for a duration chosen at `now` (local time for "today" and "this week"). */
export function expiryFor(duration: Duration, now: Date, chosen?: Date): string {
    const plus = (minutes: number) => new Date(now.getTime() + minutes * 60000).toISOString();
    switch (duration) {
    case 'thirty_minutes':
        return plus(30);
    case 'one_hour':
        return plus(60);
    case 'four_hours':
        return plus(240);
    case 'today': {
        const end = new Date(now);
        end.setHours(23, 59, 59, 999);
        return end.toISOString();
    }
    case 'this_week': {
        // the end of Sunday, as Mattermost's "This week"
        const end = new Date(now);
        end.setDate(end.getDate() + ((7 - end.getDay()) % 7));
        end.setHours(23, 59, 59, 999);
        return end.toISOString();
    }
    case 'date_and_time':
        return (chosen ?? now).toISOString();
    default:
        return ZERO_TIME;
    }
}
