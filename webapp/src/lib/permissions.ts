// Permission checks on the roles the server stores (GET /roles/names), as Mattermost's web app makes
// them: a permission is granted by any of the user's system roles, or the team member's roles.
import type {TeamMembership} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

export type RolePermissions = Record<string, string[]>; // role name → permissions

export function roleNames(me: UserProfile | null, teamMembers: Record<string, TeamMembership>): string[] {
    const names = new Set<string>((me?.roles ?? '').split(' ').filter(Boolean));
    for (const m of Object.values(teamMembers)) {
        m.roles.split(' ').filter(Boolean).forEach((r) => names.add(r));
    }
    return [...names].sort();
}

export function hasPermission(
    roles: RolePermissions, me: UserProfile | null, member: TeamMembership | undefined, permission: string,
): boolean {
    const names = [...(me?.roles ?? '').split(' '), ...(member?.roles ?? '').split(' ')].filter(Boolean);
    return names.some((r) => roles[r]?.includes(permission));
}

// The permissions that open the Integrations pages (webhooks, slash commands, bots).
export const INTEGRATION_PERMISSIONS = [
    'manage_own_incoming_webhooks', 'manage_others_incoming_webhooks', 'manage_own_outgoing_webhooks',
    'manage_others_outgoing_webhooks', 'manage_own_slash_commands', 'manage_others_slash_commands',
    'create_bot', 'manage_bots', 'manage_others_bots',
];

export function canManageIntegrations(
    roles: RolePermissions, me: UserProfile | null, member: TeamMembership | undefined,
): boolean {
    return INTEGRATION_PERMISSIONS.some((p) => hasPermission(roles, me, member, p));
}
