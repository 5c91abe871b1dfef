// Client-side routes, shaped like Mattermost's URLs.

export type Route =
    | {name: 'root'}
    | {name: 'login'}
    | {name: 'signup'}
    | {name: 'reset_password'}
    | {name: 'reset_password_complete'}
    | {name: 'verify_email'}
    | {name: 'select_team'}
    | {name: 'create_team'}
    | {name: 'channel'; team: string; channel: string}
    | {name: 'dm'; team: string; username: string}
    | {name: 'gm'; team: string; channel: string}
    | {name: 'threads'; team: string; threadId?: string}
    | {name: 'permalink'; team: string; postId: string}
    | {name: 'integrations'; team: string; tab: 'incoming_webhooks' | 'outgoing_webhooks' | 'commands' | 'bots'}
    | {name: 'settings'; section: 'notifications'}
    | {name: 'notfound'; path: string};

export function parseRoute(pathname: string): Route {
    const parts = pathname.split('/').filter(Boolean).map((p) => {
        try {
            return decodeURIComponent(p);
        } catch {
            return p;
        }
    });
    if (parts.length === 0) {
        return {name: 'root'};
    }
    if (parts.length === 1) {
        switch (parts[0]) {
        case 'login':
            return {name: 'login'};
        case 'signup':
        case 'signup_user_complete':
            return {name: 'signup'};
        case 'select_team':
            return {name: 'select_team'};
        case 'reset_password':
            return {name: 'reset_password'};
        case 'reset_password_complete':
            return {name: 'reset_password_complete'};
        case 'do_verify_email':
            return {name: 'verify_email'};
        case 'create_team':
            return {name: 'create_team'};
        }
    }
    if (parts.length === 2 && parts[0] === 'settings' && parts[1] === 'notifications') {
        // The email unsubscribe link: opens the notification settings over the last place visited.
        return {name: 'settings', section: 'notifications'};
    }
    const [team, section, arg, extra] = parts;
    if (section === 'channels' && arg && !extra) {
        return {name: 'channel', team, channel: arg};
    }
    if (section === 'messages' && arg && !extra) {
        if (arg.startsWith('@') && arg.length > 1) {
            return {name: 'dm', team, username: arg.slice(1).toLowerCase()};
        }
        return {name: 'gm', team, channel: arg};
    }
    if (section === 'threads' && !extra) {
        return arg ? {name: 'threads', team, threadId: arg} : {name: 'threads', team};
    }
    if (section === 'integrations' && !extra) {
        const tabs = ['incoming_webhooks', 'outgoing_webhooks', 'commands', 'bots'] as const;
        const tab = tabs.find((t) => t === (arg || 'incoming_webhooks'));
        if (tab) {
            return {name: 'integrations', team, tab};
        }
    }
    if (section === 'pl' && arg && !extra) {
        return {name: 'permalink', team, postId: arg};
    }
    if (parts.length === 1) {
        return {name: 'channel', team, channel: 'town-square'};
    }
    return {name: 'notfound', path: pathname};
}

export const paths = {
    channel: (team: string, channel: string) => `/${team}/channels/${channel}`,
    dm: (team: string, username: string) => `/${team}/messages/@${username}`,
    gm: (team: string, channel: string) => `/${team}/messages/${channel}`,
    threads: (team: string, threadId?: string) => (threadId ? `/${team}/threads/${threadId}` : `/${team}/threads`),
    permalink: (team: string, postId: string) => `/${team}/pl/${postId}`,
    integrations: (team: string, tab = 'incoming_webhooks') => `/${team}/integrations/${tab}`,
    notificationSettings: () => '/settings/notifications',
    resetPassword: () => '/reset_password',
};
