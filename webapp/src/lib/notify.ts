// Desktop notifications and the tab title: the decisions, kept pure so they are tested without a browser.
import type {ServerChannel as Channel, ChannelMembership} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {TeamUnread} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

import {unreadOf} from './channels';

export type DesktopLevel = 'all' | 'mention' | 'none';

function escapeRe(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The message without code (fenced blocks and inline spans), where mentions do not count. */
function withoutCode(text: string): string {
    return text.replace(/```[\s\S]*?(```|$)/g, ' ').replace(/`[^`\n]*`/g, ' ');
}

/**
 * Whether a message mentions the user, for servers that send no `mentions` list with the
 * `posted` event: @username, @channel/@all/@here (unless the user turned channel-wide mentions
 * off), the first name when that is on, and the custom mention keys — each as a whole word,
 * case-insensitively (the first name case-sensitively, as in Mattermost).
 */
export function mentionsUser(message: string, me: UserProfile, ignoreChannelMentions = false): boolean {
    const text = withoutCode(message);
    const props = (me.notify_props ?? {}) as Record<string, string>;
    const end = '(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}_-])';
    const start = '(?<![\\p{L}\\p{N}_@.-])';
    const has = (word: string, flags = 'iu') => new RegExp(`${start}${escapeRe(word)}${end}`, flags).test(text);
    if (has(`@${me.username}`)) {
        return true;
    }
    if (props.channel !== 'false' && !ignoreChannelMentions && ['@channel', '@all', '@here'].some((w) => has(w))) {
        return true;
    }
    if (props.first_name === 'true' && me.first_name && has(me.first_name, 'u')) {
        return true;
    }
    const keys = (props.mention_keys ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    return keys.some((k) => has(k));
}

/** The desktop setting that applies in a channel: the channel's own unless it is "default". */
export function desktopLevel(me: UserProfile, member: ChannelMembership | undefined): DesktopLevel {
    const own = (member?.notify_props as Record<string, string> | undefined)?.desktop;
    const user = ((me.notify_props ?? {}) as Record<string, string>).desktop;
    const level = own && own !== 'default' ? own : user || 'mention';
    return level === 'all' || level === 'none' ? level : 'mention';
}

export type AlertInput = {
    post: Post;
    me: UserProfile;
    channel: Channel | undefined;
    member: ChannelMembership | undefined;
    mentions: string[] | null; // from the posted event, when the server sends it
    focused: boolean; // the post's channel is open and the tab visible
    crt?: boolean; // collapsed reply threads: replies alert their thread's followers
    followers?: string[] | null; // from the posted event: who follows the reply's thread
};

/** Whether a new post shows a desktop notification, and whether it plays the sound. */
export function desktopAlert({post, me, channel, member, mentions, focused, crt = false, followers = null}: AlertInput): {show: boolean; sound: boolean; mention: boolean} {
    const no = {show: false, sound: false, mention: false};
    if (!channel || post.user_id === me.id || focused || (post.type && post.type.startsWith('system_'))) {
        return no;
    }
    const memberProps = (member?.notify_props ?? {}) as Record<string, string>;
    const direct = channel.type === 'D' || channel.type === 'G';
    const mention = direct || (mentions ? mentions.includes(me.id)
        : mentionsUser(post.message, me, memberProps.ignore_channel_mentions === 'on'));
    if (memberProps.mark_unread === 'mention' && !mention) {
        return no; // muted
    }
    const level = desktopLevel(me, member);
    let show = level === 'all' || (level === 'mention' && mention);
    if (crt && post.root_id && !direct) {
        // With collapsed threads a reply alerts on a mention, or its thread's followers when their
        // desktop_threads setting is "all" (Mattermost's default); other replies stay in the thread.
        const threads = ((me.notify_props ?? {}) as Record<string, string>).desktop_threads || 'all';
        show = level !== 'none' && (mention || (threads === 'all' && Boolean(followers?.includes(me.id))));
    }
    const sound = show && ((me.notify_props ?? {}) as Record<string, string>).desktop_sound !== 'false';
    return {show, sound, mention};
}

/** Unread state across what the tab knows: this team's channels and DMs, plus other teams' counts. */
export function unreadTotals(opts: {
    channels: Record<string, Channel>;
    members: Record<string, ChannelMembership>;
    crt: boolean;
    teamId: string;
    teamUnreads: Record<string, TeamUnread>;
}): {mentions: number; unread: boolean} {
    let mentions = 0;
    let unread = false;
    for (const c of Object.values(opts.channels)) {
        if (c.team_id !== opts.teamId && c.team_id !== '') {
            continue;
        }
        const u = unreadOf(c, opts.members[c.id], opts.crt);
        mentions += u.mentions;
        unread = unread || u.unread;
    }
    for (const [teamId, u] of Object.entries(opts.teamUnreads)) {
        if (teamId !== opts.teamId) {
            mentions += u.mention_count || 0;
            unread = unread || u.msg_count > 0;
        }
    }
    return {mentions, unread};
}

/** The tab title, like Mattermost's: "(3) Town Square - Acme" with mentions, "* Town Square - Acme" with only unreads. */
export function tabTitle(place: string, teamName: string, totals: {mentions: number; unread: boolean}): string {
    const prefix = totals.mentions > 0 ? `(${totals.mentions}) ` : totals.unread ? '* ' : '';
    return `${prefix}${place} - ${teamName}`;
}

/** The notification's text: "sender: message" in plain words, cut to a readable length. */
export function notificationBody(sender: string, message: string, max = 160): string {
    const plain = message
        .replace(/```[\s\S]*?(```|$)/g, '[code]')
        .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
        .replace(/[*_~`>#]+/g, '')
        .replace(/\s+/g, ' ')
        .trim();
    const text = plain || 'sent an attachment';
    const body = `${sender}: ${text}`;
    return body.length > max ? `${body.slice(0, max - 1)}…` : body;
}
