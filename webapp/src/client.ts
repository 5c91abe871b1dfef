// The one Client4 instance the UI uses: same origin, session kept in the server's cookies.
import {Client4, WebSocketClient} from '@mattermost/client';

import {intl} from './i18n';

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

/** A request that never got an answer (the server or the network is down): fetch rejects with a TypeError whose
 * text is the browser's, in the browser's language ("Failed to fetch", "NetworkError when attempting…"). */
export function isNetworkError(e: unknown): boolean {
    return e instanceof TypeError || (e instanceof Error && e.name === 'TypeError');
}

/** Client4's own English text for an answer it could not read (a proxy's HTML error page, a cut-off body). */
const INVALID_RESPONSE = 'Received invalid response from the server.';

/** What to tell the user about a failed request, in their language: the server's message (the server writes
 * it in the user's locale), else a sentence of ours for the network being down, an unreadable answer, or a
 * proxy's error page with no message, else the fallback. */
export function errorText(e: unknown, fallback?: string): string {
    const i = intl();
    fallback ??= i.formatMessage({id: 'error.generic', defaultMessage: 'Something went wrong.'});
    if (isNetworkError(e)) {
        return i.formatMessage({id: 'error.network', defaultMessage: 'Cannot reach the server. Check your connection and try again.'});
    }
    if (e && typeof e === 'object' && 'message' in e && typeof (e as {message: unknown}).message === 'string') {
        const message = (e as {message: string}).message;
        if (message === INVALID_RESPONSE) {
            return i.formatMessage({id: 'error.invalid_response', defaultMessage: 'The server sent an answer that could not be read. Try again in a moment.'});
        }
        const status = statusOf(e);
        if (!message && status >= 500) {
            return i.formatMessage({id: 'error.unavailable', defaultMessage: 'The server is not available right now (error {status}). Try again in a moment.'}, {status});
        }
        return message || fallback;
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
        throw Object.assign(new Error(body?.message || intl().formatMessage({id: 'receipts.load_failed', defaultMessage: 'Could not load read receipts.'})), {status_code: resp.status});
    }
    return body;
}
