// The users list's filters, as the queries the server pages through (GET /users, /users/search,
// /users/stats/filtered): nothing is filtered over the whole list in the browser.

export type RoleFilter = '' | 'system_admin' | 'system_user' | 'system_guest' | 'system_manager' | 'system_user_manager' | 'system_read_only_admin';
export type StatusFilter = 'all' | 'active' | 'inactive';

export type UserFilter = {
    term: string;
    role: RoleFilter;
    /** '' any team, 'none' in no team, else a team id */
    team: string;
    status: StatusFilter;
};

export const EMPTY_FILTER: UserFilter = {term: '', role: '', team: '', status: 'all'};

export const PER_PAGE = 50;

/** Query options for GET /users (Client4.getProfiles). */
export function listOptions(f: UserFilter): Record<string, string | boolean> {
    const o: Record<string, string | boolean> = {};
    if (f.role) {
        o.role = f.role;
    }
    if (f.team === 'none') {
        o.without_team = true;
    } else if (f.team) {
        o.in_team = f.team;
    }
    if (f.status === 'active') {
        o.active = true;
    } else if (f.status === 'inactive') {
        o.inactive = true;
    }
    return o;
}

/**
 * The /users/stats/filtered queries whose counts give the list's total: one count, or for
 * "inactive" the count with deactivated users minus the count without them. Null when the server
 * cannot count this filter (users in no team): the pager then shows no total.
 */
export function statsQueries(f: UserFilter): {plus: Record<string, string | boolean>; minus?: Record<string, string | boolean>} | null {
    if (f.team === 'none') {
        return null;
    }
    const base: Record<string, string | boolean> = {include_bots: true};
    if (f.team) {
        base.in_team = f.team;
    }
    if (f.role) {
        base.roles = f.role;
    }
    if (f.status === 'active') {
        return {plus: base};
    }
    if (f.status === 'inactive') {
        return {plus: {...base, include_deleted: true}, minus: base};
    }
    return {plus: {...base, include_deleted: true}};
}

/** Body options for POST /users/search (Client4.searchUsers). */
export function searchOptions(f: UserFilter): Record<string, string | boolean | number> {
    const o: Record<string, string | boolean | number> = {allow_inactive: f.status !== 'active', limit: 100};
    if (f.role) {
        o.role = f.role;
    }
    if (f.team === 'none') {
        o.without_team = true;
    } else if (f.team) {
        o.team_id = f.team;
    }
    return o;
}

/** Search answers hold active and (when asked) inactive users: keep those the status filter wants. */
export function keepStatus<T extends {delete_at: number}>(users: T[], status: StatusFilter): T[] {
    if (status === 'active') {
        return users.filter((u) => !u.delete_at);
    }
    if (status === 'inactive') {
        return users.filter((u) => u.delete_at > 0);
    }
    return users;
}

/** The System Console sub-admin roles (Mattermost's System Manager, User Manager, Read-only Admin). */
export const SUB_ADMIN_ROLES = ['system_manager', 'system_user_manager', 'system_read_only_admin'] as const;
export type SubAdminRole = typeof SUB_ADMIN_ROLES[number];
export type Role = 'system_admin' | 'system_user' | 'system_guest' | SubAdminRole;

export function mainRole(roles: string): Role {
    const list = roles.split(' ');
    if (list.includes('system_admin')) {
        return 'system_admin';
    }
    if (list.includes('system_guest')) {
        return 'system_guest';
    }
    return SUB_ADMIN_ROLES.find((r) => list.includes(r)) || 'system_user';
}

/** The roles string PUT /users/{id}/roles gets for a member, a system admin or a sub-admin. */
export function rolesFor(role: Exclude<Role, 'system_guest'>): string {
    return role === 'system_user' ? 'system_user' : `system_user ${role}`;
}
