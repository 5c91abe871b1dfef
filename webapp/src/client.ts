// The one Client4 instance the UI uses: same origin, session kept in the server's cookies.
import {Client4, WebSocketClient} from '@mattermost/client';

export const client = new Client4();
client.setUrl(typeof window === 'undefined' ? 'http://localhost' : window.location.origin);
client.setIncludeCookies(true);

export const ws = new WebSocketClient({
    // Poll (see realtime.ts) while the socket is down, so keep retrying but not too eagerly.
    maxWebSocketRetryTime: 30000,
    minWebSocketRetryTime: 2000,
});

export function websocketUrl(): string {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${window.location.host}${new URL(client.getWebSocketUrl()).pathname}`;
}

export function avatarUrl(userId: string, lastPictureUpdate = 0): string {
    return client.getProfilePictureUrl(userId, lastPictureUpdate);
}

/** The server's error message, or a fallback. */
export function errorText(e: unknown, fallback = 'Something went wrong.'): string {
    if (e && typeof e === 'object' && 'message' in e && typeof (e as {message: unknown}).message === 'string') {
        return (e as {message: string}).message || fallback;
    }
    return fallback;
}

export function statusOf(e: unknown): number {
    if (e && typeof e === 'object' && 'status_code' in e) {
        return Number((e as {status_code: unknown}).status_code) || 0;
    }
    return 0;
}

/** chinwag's own GET /posts/{id}/receipts (read receipts; not in Client4). */
export async function getPostReceipts(postId: string): Promise<{user_id: string; seen_at: number}[]> {
    const opts = client.getOptions({method: 'get'});
    const resp = await fetch(`${client.getPostRoute(postId)}/receipts`, opts as RequestInit);
    const body = await resp.json();
    if (!resp.ok) {
        throw Object.assign(new Error(body?.message || 'Could not load read receipts.'), {status_code: resp.status});
    }
    return body;
}
