import {describe, expect, it} from 'vitest';
import type {TeamMembership} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

import {canManageIntegrations, hasPermission, roleNames} from '../lib/permissions';

const me = {id: 'u1', roles: 'system_user'} as UserProfile;
const member = {team_id: 't1', user_id: 'u1', roles: 'team_user'} as TeamMembership;
const admin = {team_id: 't1', user_id: 'u1', roles: 'team_user team_admin'} as TeamMembership;
const roles = {
    system_user: ['create_team', 'create_emojis'],
    team_user: ['view_team', 'create_public_channel'],
    team_admin: ['manage_team', 'manage_own_incoming_webhooks'],
};

describe('permissions from stored roles', () => {
    it('gathers the role names of the user and the team memberships', () => {
        expect(roleNames(me, {t1: admin})).toEqual(['system_user', 'team_admin', 'team_user']);
        expect(roleNames(null, {})).toEqual([]);
    });

    it('grants through system or team roles', () => {
        expect(hasPermission(roles, me, member, 'create_team')).toBe(true);
        expect(hasPermission(roles, me, member, 'view_team')).toBe(true);
        expect(hasPermission(roles, me, member, 'manage_team')).toBe(false);
        expect(hasPermission({}, me, member, 'create_team')).toBe(false);
    });

    it('offers integrations only to those who may manage some', () => {
        expect(canManageIntegrations(roles, me, member)).toBe(false);
        expect(canManageIntegrations(roles, me, admin)).toBe(true);
        expect(canManageIntegrations({...roles, team_user: ['manage_own_slash_commands']}, me, member)).toBe(true);
    });
});
