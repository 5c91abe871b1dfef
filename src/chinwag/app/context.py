"""The request context the app sees instead of an HTTP request."""

from __future__ import annotations

from dataclasses import dataclass, field

from chinwag.model.user import Session


@dataclass
class Ctx:
    session: Session | None = None
    request_id: str = ""
    ip: str = ""
    user_agent: str = ""
    #: local-mode (unix socket) requests: no session, every permission
    local: bool = False
    #: the caller's system roles, from the session
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        return self.session.user_id if self.session else ""

    @property
    def roles(self) -> set[str]:
        return set(self.session.roles.split()) if self.session else set()
