// Requests Client4 has no method for (or none with the parameters the console needs), made with
// Client4's own options: the same session cookie, CSRF token and headers as every other call.
import {client} from '../../client';

export type ApiError = Error & {server_error_id?: string; status_code?: number; detailed_error?: string};

export async function apiFetch<T>(path: string, init: {method?: string; body?: unknown} = {}): Promise<T> {
    const opts = client.getOptions({method: init.method || 'get', body: init.body === undefined ? undefined : JSON.stringify(init.body)});
    const resp = await fetch(`${client.getBaseRoute()}${path}`, opts as RequestInit);
    const text = await resp.text();
    let data: unknown = null;
    try {
        data = text ? JSON.parse(text) : null;
    } catch {
        data = text;
    }
    if (!resp.ok) {
        const body = (data && typeof data === 'object' ? data : {}) as {message?: string; id?: string; detailed_error?: string};
        // no message (a proxy's error page): left empty, errorText() says it in the user's language
        const err = new Error(body.message || '') as ApiError;
        err.server_error_id = body.id;
        err.status_code = resp.status;
        err.detailed_error = body.detailed_error;
        throw err;
    }
    return data as T;
}

export function query(params: Record<string, string | number | boolean | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
        if (v !== undefined && v !== '' && v !== false) {
            q.set(k, String(v));
        }
    }
    const s = q.toString();
    return s ? `?${s}` : '';
}
