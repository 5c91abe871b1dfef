"""Who may join a team: a new invite link (POST /teams/{team_id}/regenerate_invite_id, the old one dead)
and open or invite-only (PUT /teams/{team_id}/privacy) — team admins, ``manage_team``; invitations by email
(POST /teams/{team_id}/invite/email, each a one-time ``team_invitation`` token in the sign-up link, mailed
through the email queue) and withdrawing every pending one (DELETE /teams/invites/email)."""

from __future__ import annotations

import json
import secrets
import string
import time
from collections import defaultdict, deque
from typing import Any

from chinwag.app import account_mail
from chinwag.app.audit import audit
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.email_notification import EmailNotificationService
from chinwag.app.permissions import PermissionService
from chinwag.app.team import TeamService
from chinwag.app.validate import check_email
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import new_id
from chinwag.model.team import Team
from chinwag.model.user import User

#: Mattermost's token types for emailed invitations (guest ones need a licence; they are withdrawn too)
TOKEN_TEAM_INVITATION = "team_invitation"
TOKEN_GUEST_INVITATION = "guest_invitation"
#: Mattermost's InvitationExpiryTime
INVITATION_EXPIRY_MS = 48 * 3600_000
#: Mattermost's per-sender email rate limit: invitations per hour
INVITES_PER_HOUR = 20
_ALPHABET = string.ascii_lowercase + string.digits


def display_name(user: User, fmt: str) -> str:
    """Mattermost's User.GetDisplayName for TeamSettings.TeammateNameDisplay."""
    full = " ".join(p for p in (user.first_name, user.last_name) if p)
    if fmt == "nickname_full_name":
        return user.nickname or full or user.username
    if fmt == "full_name":
        return full or user.username
    return user.username


def _well_formed(email: str) -> bool:
    try:
        check_email(email, "")
    except AppError:
        return False
    return True


def email_allowed(email: str, domains: list[str]) -> bool:
    """Mattermost's isEmailAddressAllowed: no list allows everything, else the address's domain must be listed."""
    if not domains:
        return True
    return email.rsplit("@", 1)[-1] in domains


class TeamInviteService:
    def __init__(self, core: AppCore, perms: PermissionService, teams: TeamService,
                 mail: EmailNotificationService) -> None:
        self.core = core
        self.perms = perms
        self.teams = teams
        self.mail = mail
        #: sender → when their recent invitations went out (monotonic seconds), for the hourly limit
        self._sent: defaultdict[str, deque[float]] = defaultdict(deque)

    async def regenerate(self, ctx: Ctx, team_id: str) -> Team:
        where = "RegenerateTeamInviteId"
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_TEAM, where)
        team = await self.teams.get(team_id, where)
        team.invite_id = new_id()
        team.update_at = self.core.now()
        await self.teams.save_team(team)
        return await self.teams.sanitize(ctx, team)

    async def set_privacy(self, ctx: Ctx, team_id: str, privacy: str) -> Team:
        """PUT /teams/{team_id}/privacy: open to anyone on the server (``O``) or invite only (``I``)."""
        where = "UpdateTeamPrivacy"
        if privacy not in ("O", "I"):
            raise invalid_param(where, "privacy")
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_TEAM, where)
        team = await self.teams.get(team_id, where)
        team.type = privacy
        team.allow_open_invite = privacy == "O"
        team.update_at = self.core.now()
        await self.teams.save_team(team)
        return await self.teams.sanitize(ctx, team)

    # invitations by email --------------------------------------------------------------------

    async def invite_by_email(self, ctx: Ctx, team_id: str, emails: list[str], site_url: str,
                              graceful: bool) -> list[dict[str, Any]] | None:
        """Mail each address a sign-up link for the team. Without ``graceful`` one address outside the allowed
        domains refuses the whole request; with it the answer lists every address with its error (or null)."""
        where = "InviteNewUsersToTeam"
        await self.perms.require_team(ctx, team_id, permissions.INVITE_USER, "inviteUsersToTeam")
        if not await self.perms.has_team(ctx, team_id, permissions.ADD_USER_TO_TEAM):
            raise permission_denied("inviteUsersToTeam", f"userId={ctx.user_id}, permission={permissions.INVITE_USER}")
        emails = [e.strip().lower() for e in emails if e.strip()]
        if not emails:
            raise invalid_param("inviteUsersToTeam", "user_email")
        cfg = self.core.cfg
        if not cfg.ServiceSettings.EnableEmailInvitations:
            raise AppError(where, "api.team.invite_members.disabled.app_error",
                           "Email invitations are disabled.", 501)
        team = await self.teams.get(team_id, where)
        sender = await self.core.store.users.get(ctx.user_id) if ctx.user_id else None
        domains = [d.strip().lower() for d in (team.allowed_domains + "," + cfg.TeamSettings.RestrictCreationToDomains)
                   .replace("@", " ").replace(",", " ").split() if d.strip()]
        malformed = [e for e in emails if not _well_formed(e)]
        if malformed and not graceful:
            check_email(malformed[0], where)
        refused = [e for e in emails if e not in malformed and not email_allowed(e, domains)]
        results: list[dict[str, Any]] = []
        if refused and not graceful:
            raise AppError(where, "api.team.invite_members.invalid_email.app_error",
                           "The following email addresses do not belong to an accepted domain: {Addresses}. "
                           "Please contact your System Administrator for details.", 400,
                           params={"Addresses": ", ".join(refused)})
        to_send = [e for e in emails if e not in refused and e not in malformed]
        self._rate_limit(ctx.user_id, len(to_send), where)
        name = display_name(sender, cfg.TeamSettings.TeammateNameDisplay) if sender else "An administrator"
        if to_send:  # expired invitations go first (Mattermost's token cleanup job)
            await self.core.store.one_time_tokens.remove_older_than(TOKEN_TEAM_INVITATION,
                                                                    self.core.now() - INVITATION_EXPIRY_MS)
        for email in emails:
            if email in malformed:
                err = AppError(where, "model.user.is_valid.email.app_error", "Invalid email.", 400)
                results.append({"email": email, "error": err.to_dict(ctx.request_id)})
                continue
            if email in refused:
                err = AppError(where, "api.team.invite_members.invalid_email.app_error",
                               "The following email addresses do not belong to an accepted domain: {Addresses}. "
                               "Please contact your System Administrator for details.", 400,
                               params={"Addresses": email})
                results.append({"email": email, "error": err.to_dict(ctx.request_id)})
                continue
            token = "".join(secrets.choice(_ALPHABET) for _ in range(64))
            await self.core.store.one_time_tokens.save(
                token, TOKEN_TEAM_INVITATION, json.dumps({"teamId": team.id, "email": email, "senderId": ctx.user_id}),
                self.core.now())
            await self.mail.enqueue_mail(ctx.user_id, account_mail.team_invite(
                account_mail.translator_for(cfg, sender), cfg, site_url, email, name, team.display_name, team.name,
                token))
            results.append({"email": email, "error": None})
        await audit(self.core, ctx, "invite_users_to_team", "success", user_id=ctx.user_id, team_id=team.id,
                    count=len(to_send))
        return results if graceful else None

    def _rate_limit(self, sender_id: str, count: int, where: str) -> None:
        now = time.monotonic()
        sent = self._sent[sender_id]
        while sent and now - sent[0] > 3600:
            sent.popleft()
        if len(sent) + count > INVITES_PER_HOUR:
            raise AppError(where, "app.email.rate_limit_exceeded.app_error",
                           "Invite emails rate limit exceeded. Timer will be reset after an hour. "
                           "Please try again after that time.", 413)
        sent.extend([now] * count)

    async def invalidate_email_invites(self, ctx: Ctx) -> None:
        """DELETE /teams/invites/email: every link mailed so far stops working."""
        self.perms.require_system(ctx, permissions.INVALIDATE_EMAIL_INVITE, "invalidateAllEmailInvites")
        for type_ in (TOKEN_TEAM_INVITATION, TOKEN_GUEST_INVITATION):
            await self.core.store.one_time_tokens.remove_type(type_)
        await audit(self.core, ctx, "invalidate_email_invites", "success", user_id=ctx.user_id)
