// /admin_console/... paths (Mattermost's).

export type AdminRoute =
    | {kind: 'root'}
    | {kind: 'page'; section: string; page: string}
    | {kind: 'user'; userId: string}
    | {kind: 'unknown'};

export const ADMIN_PREFIX = '/admin_console';

export function isAdminPath(pathname: string): boolean {
    return pathname === ADMIN_PREFIX || pathname.startsWith(`${ADMIN_PREFIX}/`);
}

export function parseAdminPath(pathname: string): AdminRoute {
    if (!isAdminPath(pathname)) {
        return {kind: 'unknown'};
    }
    const parts = pathname.slice(ADMIN_PREFIX.length).split('/').filter(Boolean);
    if (parts.length === 0) {
        return {kind: 'root'};
    }
    if (parts.length === 3 && parts[0] === 'user_management' && parts[1] === 'user' && /^[a-z0-9]{26}$/.test(parts[2])) {
        return {kind: 'user', userId: parts[2]};
    }
    if (parts.length === 2) {
        return {kind: 'page', section: parts[0], page: parts[1]};
    }
    return {kind: 'unknown'};
}

export const adminPaths = {
    user: (id: string) => `${ADMIN_PREFIX}/user_management/user/${id}`,
    users: () => `${ADMIN_PREFIX}/user_management/users`,
};
