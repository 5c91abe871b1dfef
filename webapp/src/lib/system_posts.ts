// System posts ("@ann joined the channel") in the reader's language. The server stores one message for
// everyone in its own language (LocalizationSettings.DefaultServerLocale), with the facts in `props`;
// like Mattermost's web app we write the known types from their props, as Markdown (so @names stay
// mentions), and fall back to the stored message for the others.
import type {Post} from '@mattermost/types/posts';
import {defineMessages, type IntlShape, type MessageDescriptor} from 'react-intl';

const m: Record<string, MessageDescriptor> = defineMessages({
    joinChannel: {id: 'system_post.join_channel', defaultMessage: '@{username} joined the channel.'},
    joinTeam: {id: 'system_post.join_team', defaultMessage: '@{username} joined the team.'},
    leaveChannel: {id: 'system_post.leave_channel', defaultMessage: '@{username} left the channel.'},
    leaveTeam: {id: 'system_post.leave_team', defaultMessage: '@{username} left the team.'},
    addedBy: {id: 'system_post.added_by', defaultMessage: '@{added} added to the channel by @{username}.'},
    added: {id: 'system_post.added', defaultMessage: '@{added} added to the channel.'},
    removed: {id: 'system_post.removed', defaultMessage: '@{removed} was removed from the channel.'},
    archived: {id: 'system_post.archived', defaultMessage: '@{username} archived the channel.'},
    unarchived: {id: 'system_post.unarchived', defaultMessage: '@{username} unarchived the channel.'},
    headerSet: {id: 'system_post.header_set', defaultMessage: '@{username} updated the channel header to: {new}'},
    headerChanged: {id: 'system_post.header_changed', defaultMessage: '@{username} updated the channel header from: {old} to: {new}'},
    headerRemoved: {id: 'system_post.header_removed', defaultMessage: '@{username} removed the channel header (was: {old})'},
    purposeSet: {id: 'system_post.purpose_set', defaultMessage: '@{username} updated the channel purpose to: {new}'},
    purposeChanged: {id: 'system_post.purpose_changed', defaultMessage: '@{username} updated the channel purpose from: {old} to: {new}'},
    purposeRemoved: {id: 'system_post.purpose_removed', defaultMessage: '@{username} removed the channel purpose (was: {old})'},
    renamed: {id: 'system_post.renamed', defaultMessage: '@{username} updated the channel display name from: {old} to: {new}'},
});

function prop(post: Post, key: string): string {
    const v = post.props?.[key];
    return typeof v === 'string' ? v : '';
}

function changed(post: Post, intl: IntlShape, field: 'header' | 'purpose'): string {
    const username = prop(post, 'username');
    const old = prop(post, `old_${field}`);
    const now = prop(post, `new_${field}`);
    const [set, change, removed] = field === 'header' ? [m.headerSet, m.headerChanged, m.headerRemoved] : [m.purposeSet, m.purposeChanged, m.purposeRemoved];
    if (!now) {
        return intl.formatMessage(removed, {username, old});
    }
    return intl.formatMessage(old ? change : set, {username, old, new: now});
}

/** The text of a system post in the reader's language (Markdown), or the stored message for a type we do
 * not know or a post whose props lack the facts. */
export function systemPostText(post: Post, intl: IntlShape): string {
    const username = prop(post, 'username');
    switch (post.type as string) {
    case 'system_join_channel':
        return username ? intl.formatMessage(m.joinChannel, {username}) : post.message;
    case 'system_join_team':
        return username ? intl.formatMessage(m.joinTeam, {username}) : post.message;
    case 'system_leave_channel':
        return username ? intl.formatMessage(m.leaveChannel, {username}) : post.message;
    case 'system_leave_team':
        return username ? intl.formatMessage(m.leaveTeam, {username}) : post.message;
    case 'system_add_to_channel': {
        const added = prop(post, 'addedUsername');
        if (!added) {
            return post.message;
        }
        return username ? intl.formatMessage(m.addedBy, {added, username}) : intl.formatMessage(m.added, {added});
    }
    case 'system_remove_from_channel': {
        const removed = prop(post, 'removedUsername');
        return removed ? intl.formatMessage(m.removed, {removed}) : post.message;
    }
    case 'system_channel_deleted':
        return username ? intl.formatMessage(m.archived, {username}) : post.message;
    case 'system_channel_restored':
        return username ? intl.formatMessage(m.unarchived, {username}) : post.message;
    case 'system_header_change':
        return username ? changed(post, intl, 'header') : post.message;
    case 'system_purpose_change':
        return username ? changed(post, intl, 'purpose') : post.message;
    case 'system_displayname_change':
        return username ? intl.formatMessage(m.renamed, {username, old: prop(post, 'old_displayname'), new: prop(post, 'new_displayname')}) : post.message;
    default:
        return post.message;
    }
}
