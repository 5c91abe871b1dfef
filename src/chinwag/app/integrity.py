"""Mattermost's relational integrity check (``POST /integrity``, `mmctl integrity`): for each parent/child
relation, the child rows that point at a missing parent. The relations and their order are Mattermost's;
those whose tables chinwag does not have (schemes, compliance exports, OAuth data, channel member
history) are left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.store.sql.integrity_store import SqlIntegrityStore

DIRECT_AND_GROUP = ("D", "G")


@dataclass(frozen=True)
class Relation:
    parent: str  # Mattermost's table name, as reported
    parent_attr: str
    child: str
    child_id_attr: str
    parent_may_be_empty: bool = False


#: Mattermost's checks in its order (CheckRelationalIntegrity)
RELATIONS = [
    Relation("Channels", "ChannelId", "CommandWebhooks", "Id"),
    Relation("Channels", "ChannelId", "ChannelMemberHistory", ""),
    Relation("Channels", "ChannelId", "ChannelMembers", ""),
    Relation("Channels", "ChannelId", "IncomingWebhooks", "Id"),
    # (Mattermost also reports outgoing webhooks for a whole team, which have no channel)
    Relation("Channels", "ChannelId", "OutgoingWebhooks", "Id", parent_may_be_empty=True),
    Relation("Channels", "ChannelId", "Posts", "Id"),
    Relation("Commands", "CommandId", "CommandWebhooks", "Id"),
    Relation("Posts", "PostId", "FileInfo", "Id"),
    Relation("Posts", "RootId", "Posts", "Id", parent_may_be_empty=True),
    Relation("Posts", "PostId", "Reactions", ""),
    # (Mattermost also reports threads with no team; direct and group message threads have none)
    Relation("Teams", "ThreadTeamId", "Threads", "PostId", parent_may_be_empty=True),
    Relation("Schemes", "SchemeId", "Channels", "Id", parent_may_be_empty=True),
    Relation("Schemes", "SchemeId", "Teams", "Id", parent_may_be_empty=True),
    Relation("Sessions", "SessionId", "Audits", "Id", parent_may_be_empty=True),
    Relation("Teams", "TeamId", "Channels", "Id"),
    Relation("Teams", "TeamId", "Commands", "Id"),
    Relation("Teams", "TeamId", "IncomingWebhooks", "Id"),
    Relation("Teams", "TeamId", "OutgoingWebhooks", "Id"),
    Relation("Teams", "TeamId", "TeamMembers", ""),
    Relation("Users", "UserId", "Audits", "Id", parent_may_be_empty=True),
    Relation("Users", "UserId", "CommandWebhooks", "Id"),
    Relation("Users", "UserId", "ChannelMemberHistory", ""),
    Relation("Users", "UserId", "ChannelMembers", ""),
    Relation("Users", "CreatorId", "Channels", "Id", parent_may_be_empty=True),
    Relation("Users", "CreatorId", "Commands", "Id"),
    Relation("Users", "UserId", "Compliances", "Id"),
    Relation("Users", "CreatorId", "Emoji", "Id"),
    Relation("Users", "CreatorId", "FileInfo", "Id"),
    Relation("Users", "UserId", "IncomingWebhooks", "Id"),
    Relation("Users", "UserId", "OAuthAccessData", "Token"),
    Relation("Users", "CreatorId", "OAuthApps", "Id"),
    Relation("Users", "UserId", "OAuthAuthData", "Code"),
    Relation("Users", "CreatorId", "OutgoingWebhooks", "Id"),
    Relation("Users", "UserId", "Posts", "Id"),
    Relation("Users", "UserId", "Preferences", ""),
    Relation("Users", "UserId", "Reactions", ""),
    Relation("Users", "UserId", "Sessions", "Id"),
    Relation("Users", "UserId", "Status", ""),
    Relation("Users", "UserId", "TeamMembers", ""),
    Relation("Users", "UserId", "UserAccessTokens", "Id"),
]

#: Mattermost's table names → chinwag's, where they differ by more than case
TABLES = {"IncomingWebhooks": "incominghooks", "OutgoingWebhooks": "outgoinghooks"}


def _table(name: str) -> str:
    return TABLES.get(name, name.lower())


class IntegrityCheck:
    def __init__(self, core: AppCore, perms: PermissionService, store: SqlIntegrityStore) -> None:
        self.core = core
        self.perms = perms
        self.store = store

    async def run(self, ctx: Ctx) -> list[dict[str, Any]]:
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "checkIntegrity")
        results = []
        for r in RELATIONS:
            parent, child = _table(r.parent), _table(r.child)
            if not (self.store.has_table(parent) and self.store.has_table(child)):
                continue
            if r.parent == "Teams" and r.child == "Channels":  # direct and group channels have no team
                records = await self.store.orphans(parent, "teamid", child, "id", child_type_not_in=DIRECT_AND_GROUP)
                records += await self.store.orphans(parent, "teamid", child, "id", parent_may_be_empty=True,
                                                    child_type_in=DIRECT_AND_GROUP)
            else:
                records = await self.store.orphans(parent, r.parent_attr.lower(), child, r.child_id_attr.lower(),
                                                   parent_may_be_empty=r.parent_may_be_empty)
            results.append({"data": {"parent_name": r.parent, "child_name": r.child,
                                     "parent_id_attr": r.parent_attr, "child_id_attr": r.child_id_attr,
                                     "records": [{"parent_id": p, "child_id": c} for p, c in records]},
                            "err": None})
        return results
