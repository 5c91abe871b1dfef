// Pure helpers for channels: display names, sidebar sections, unread state.

import type {ServerChannel as Channel, ChannelMembership} from '@mattermost/types/channels';
import type {PreferenceType} from '@mattermost/types/preferences';
import type {UserProfile} from '@mattermost/types/users';

import {intl} from '../i18n';

export type Unread = {unread: boolean; mentions: number; muted: boolean};

/**
 * Unread state of a channel for its member: unread when the channel has more messages than the
 * member has seen; mentions from the member's mention counter. With collapsed reply threads the
 * root-only counters are used, as replies are tracked per thread.
 */
export function unreadOf(channel: Channel, member: ChannelMembership | undefined, crt: boolean): Unread {
    if (!member) {
        return {unread: false, mentions: 0, muted: false};
    }
    const muted = member.notify_props?.mark_unread === 'mention';
    const total = crt ? (channel.total_msg_count_root ?? channel.total_msg_count) : channel.total_msg_count;
    const seen = crt ? (member.msg_count_root ?? member.msg_count) : member.msg_count;
    const mentions = crt ? (member.mention_count_root ?? member.mention_count) : member.mention_count;
    return {unread: !muted && total > seen, mentions: mentions || 0, muted};
}

export function displayName(user: UserProfile | undefined, mode = 'username'): string {
    if (!user) {
        return intl().formatMessage({id: 'user.someone', defaultMessage: 'Someone'});
    }
    const full = [user.first_name, user.last_name].filter(Boolean).join(' ');
    if (mode === 'full_name' && full) {
        return full;
    }
    if (mode === 'nickname_full_name' && (user.nickname || full)) {
        return user.nickname || full;
    }
    return user.username;
}

/** The other user's id in a direct channel (name "<idA>__<idB>"); my own id for a self-DM. */
export function dmPartnerId(channel: Channel, myId: string): string {
    const [a, b] = channel.name.split('__');
    if (a === myId) {
        return b ?? a;
    }
    return a;
}

export function channelTitle(channel: Channel, myId: string, users: Record<string, UserProfile>, nameMode = 'username'): string {
    if (channel.type === 'D') {
        const other = users[dmPartnerId(channel, myId)];
        const name = other ? displayName(other, nameMode)
            : channel.display_name || intl().formatMessage({id: 'channel.direct_message', defaultMessage: 'Direct message'});
        return other?.id === myId ? intl().formatMessage({id: 'user.you_suffix', defaultMessage: '{name} (you)'}, {name}) : name;
    }
    if (channel.type === 'G') {
        // The server's display name lists every member's username; leave myself out.
        const me = users[myId]?.username;
        const names = (channel.display_name || '').split(',').map((s) => s.trim()).filter((n) => n && n !== me);
        return names.join(', ') || channel.display_name;
    }
    return channel.display_name || channel.name;
}

export function favoriteIds(prefs: PreferenceType[]): Set<string> {
    return new Set(prefs.filter((p) => p.category === 'favorite_channel' && p.value === 'true').map((p) => p.name));
}

export type Sections = {favorites: Channel[]; channels: Channel[]; direct: Channel[]};

/** Sidebar sections: favourites, public + private channels (alphabetical), DMs/GMs (most recent first). */
export function sidebarSections(channels: Channel[], favorites: Set<string>, title: (c: Channel) => string): Sections {
    const alive = channels.filter((c) => !c.delete_at);
    const byTitle = (a: Channel, b: Channel) => title(a).localeCompare(title(b), intl().locale, {sensitivity: 'base'});
    const byRecent = (a: Channel, b: Channel) => (b.last_post_at || b.create_at) - (a.last_post_at || a.create_at);
    return {
        favorites: alive.filter((c) => favorites.has(c.id)).sort(byTitle),
        channels: alive.filter((c) => !favorites.has(c.id) && (c.type === 'O' || c.type === 'P')).sort(byTitle),
        direct: alive.filter((c) => !favorites.has(c.id) && (c.type === 'D' || c.type === 'G')).sort(byRecent),
    };
}

// Cyrillic letters in Latin (a simple transliteration, so Russian names give readable URLs).
const CYRILLIC: Record<string, string> = {
    а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm',
    н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch',
    ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya', і: 'i', ї: 'yi', є: 'ye', ґ: 'g', ў: 'u',
};

/** A valid Mattermost channel name from a display name (lower case, a-z0-9 and dashes). */
export function channelNameFrom(display: string): string {
    const name = display
        .toLowerCase()
        .replace(/[Ѐ-ӿ]/g, (c) => CYRILLIC[c] ?? '')
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 64);
    return name.length >= 2 ? name : '';
}
