"""``POST /ldap/test_diagnostics?test=filters|attributes|group_attributes``: the AD/LDAP page's checks of
the settings as typed (Mattermost 10.9+), run against the directory with them and answered as Mattermost's
``[]LdapDiagnosticResult``.

- ``filters``: ``BaseDN``, ``UserFilter``, ``GroupFilter``, ``GuestFilter`` and ``AdminFilter``, each the
  number of entries it finds under the base DN (the guest and admin filters among the users) and a few of
  them;
- ``attributes``: each user attribute setting (``IdAttribute`` … ``PictureAttribute``), how many of the users
  the user filter finds have a value for it, with examples;
- ``group_attributes``: the same for ``GroupDisplayNameAttribute`` and ``GroupIdAttribute`` over the groups
  ``GroupFilter`` finds.

A setting left empty is answered with an empty ``test_value`` (the System Console shows nothing for it); a
filter the directory refuses is that item's ``error``. Counting stops at ``COUNT_LIMIT`` entries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPException

from chinwag.app.ldap import _first

TEST_TYPES = ("filters", "attributes", "group_attributes")
#: Mattermost's default LdapSettings.GroupFilter
DEFAULT_GROUP_FILTER = "(|(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))"
SAMPLES = 5
COUNT_LIMIT = 10_000
USER_ATTRIBUTES = ("IdAttribute", "LoginIdAttribute", "UsernameAttribute", "EmailAttribute", "FirstNameAttribute",
                   "LastNameAttribute", "NicknameAttribute", "PositionAttribute", "PictureAttribute")
GROUP_ATTRIBUTES = ("GroupDisplayNameAttribute", "GroupIdAttribute")


def result(name: str, value: str, **fields: Any) -> dict[str, Any]:
    """One ``LdapDiagnosticResult`` (``message`` is left out when empty, as Go's ``omitempty``)."""
    out: dict[str, Any] = {"test_name": name, "test_value": value, "total_count": 0, "entries_with_value": 0,
                           "error": "", "sample_results": []}
    out.update({k: v for k, v in fields.items() if v or k != "message"})
    return out


def _wrap(condition: str) -> str:
    c = condition.strip()
    return c if c.startswith("(") else f"({c})"


class Diagnostics:
    """The checks on one bound connection; ``s`` is every LdapSettings value sent (strings)."""

    def __init__(self, conn: ldap3.Connection, s: dict[str, str], page_size: int) -> None:
        self.conn = conn
        self.s = s
        self.page_size = page_size or 500

    def _search(self, ldap_filter: str, attributes: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """Entries under BaseDN matching the filter, a page at a time, at most COUNT_LIMIT."""
        found = 0
        for entry in self.conn.extend.standard.paged_search(
                self.s["BaseDN"], ldap_filter, attributes=attributes or [ldap3.NO_ATTRIBUTES],
                paged_size=self.page_size, generator=True):
            if entry.get("type") != "searchResEntry":
                continue
            yield entry["dn"], dict(entry.get("attributes") or {})
            found += 1
            if found >= COUNT_LIMIT:
                return
        if self.conn.result.get("result") not in (0, None):
            raise LDAPException(str(self.conn.result.get("description")))

    def _users_filter(self, condition: str = "") -> str:
        user_filter = self.s.get("UserFilter", "").strip()
        parts = [_wrap(p) for p in (user_filter, condition) if p.strip()]
        if not parts:
            return "(objectClass=*)"
        return parts[0] if len(parts) == 1 else f"(&{''.join(parts)})"

    def _groups_filter(self) -> str:
        return _wrap(self.s.get("GroupFilter", "").strip() or DEFAULT_GROUP_FILTER)

    def _user_sample(self, dn: str, attrs: dict[str, Any]) -> dict[str, Any]:
        s = self.s
        sample = {"dn": dn, "username": _first(attrs, s.get("UsernameAttribute", "")),
                  "email": _first(attrs, s.get("EmailAttribute", "")),
                  "first_name": _first(attrs, s.get("FirstNameAttribute", "")),
                  "last_name": _first(attrs, s.get("LastNameAttribute", "")), "id": _first(attrs, s.get("IdAttribute", ""))}
        return {k: v for k, v in sample.items() if v or k == "dn"}

    def _group_sample(self, dn: str, attrs: dict[str, Any]) -> dict[str, Any]:
        sample = {"dn": dn, "display_name": _first(attrs, self.s.get("GroupDisplayNameAttribute", "")),
                  "id": _first(attrs, self.s.get("GroupIdAttribute", ""))}
        return {k: v for k, v in sample.items() if v or k == "dn"}

    def _profile_attrs(self) -> list[str]:
        return sorted({self.s.get(k, "") for k in ("UsernameAttribute", "EmailAttribute", "FirstNameAttribute",
                                                   "LastNameAttribute", "IdAttribute") if self.s.get(k, "")})

    def _count(self, name: str, value: str, ldap_filter: str, groups: bool = False) -> dict[str, Any]:
        attrs = (sorted({self.s.get(k, "") for k in GROUP_ATTRIBUTES if self.s.get(k, "")}) if groups
                 else self._profile_attrs())
        total, samples = 0, list[dict[str, Any]]()
        try:
            for dn, entry in self._search(ldap_filter, attrs):
                total += 1
                if len(samples) < SAMPLES:
                    samples.append(self._group_sample(dn, entry) if groups else self._user_sample(dn, entry))
        except LDAPException as e:
            return result(name, value, message="The search failed", error=str(e) or e.__class__.__name__)
        message = "" if total else "No entries found"
        if total >= COUNT_LIMIT:
            message = f"Counting stopped at {COUNT_LIMIT} entries"
        return result(name, value, total_count=total, message=message, sample_results=samples)

    def filters(self) -> list[dict[str, Any]]:
        s = self.s
        out = [self._count("BaseDN", s.get("BaseDN", ""), "(objectClass=*)")]
        user_filter = s.get("UserFilter", "").strip()
        out.append(self._count("UserFilter", user_filter, self._users_filter()) if user_filter
                   else result("UserFilter", ""))
        group_filter = s.get("GroupFilter", "").strip()
        out.append(self._count("GroupFilter", group_filter, self._groups_filter(), groups=True) if group_filter
                   else result("GroupFilter", ""))
        for name in ("GuestFilter", "AdminFilter"):
            value = s.get(name, "").strip()
            out.append(self._count(name, value, self._users_filter(value)) if value else result(name, ""))
        return out

    def _attributes(self, names: tuple[str, ...], ldap_filter: str, groups: bool) -> list[dict[str, Any]]:
        wanted = {n: self.s.get(n, "").strip() for n in names}
        attrs = sorted({a for a in wanted.values() if a})
        if not attrs:
            return [result(n, "") for n in names]
        try:
            entries = list(self._search(ldap_filter, attrs))
        except LDAPException as e:
            return [result(n, a, message="The search failed", error=str(e) or e.__class__.__name__) if a
                    else result(n, "") for n, a in wanted.items()]
        out = []
        for name, attr in wanted.items():
            if not attr:
                out.append(result(name, ""))
                continue
            having = [(dn, _first(entry, attr)) for dn, entry in entries if _first(entry, attr)]
            samples = [{"dn": dn, "available_attributes": {attr: value}} for dn, value in having[:SAMPLES]]
            error = "" if having or not entries else f"No entry has a value for {attr}"
            what = "groups" if groups else "users"
            message = f"{len(having)} of {len(entries)} {what} have a value" if entries else f"No {what} found"
            out.append(result(name, attr, total_count=len(entries), entries_with_value=len(having), message=message,
                              error=error, sample_results=samples))
        return out

    def attributes(self) -> list[dict[str, Any]]:
        return self._attributes(USER_ATTRIBUTES, self._users_filter(), groups=False)

    def group_attributes(self) -> list[dict[str, Any]]:
        return self._attributes(GROUP_ATTRIBUTES, self._groups_filter(), groups=True)

    def run(self, test: str) -> list[dict[str, Any]]:
        if test == "filters":
            return self.filters()
        if test == "attributes":
            return self.attributes()
        return self.group_attributes()
