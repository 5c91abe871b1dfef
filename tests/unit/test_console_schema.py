"""The System Console's settings schema (webapp/src/admin/lib/schema.ts) against the server's config
schema: every setting it shows exists, its default is the server's, and a setting is shown masked
exactly when GET /config masks it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from chinwag.config import Config
from chinwag.config.loader import to_dict
from chinwag.config.schema import SECRET_SETTINGS

SCHEMA = Path(__file__).resolve().parents[2] / "webapp" / "src" / "admin" / "lib" / "schema.ts"
ENTRY = re.compile(r"""^\s*s\('(\w+)\.(\w+)', '(\w+)', (.*), \{$""")
#: sections the console shows once the server has them (another change adds LocalizationSettings)
NOT_YET = {"LocalizationSettings"}


def entries() -> list[tuple[str, str, str, object]]:
    out = []
    for line in SCHEMA.read_text().splitlines():
        m = ENTRY.match(line)
        if m:
            out.append((m.group(1), m.group(2), m.group(3), json.loads(m.group(4))))
    return out


def test_schema_matches_the_server_config() -> None:
    found = entries()
    assert len(found) > 150
    keys = [(section, name) for section, name, _, _ in found]
    assert len(keys) == len(set(keys)), "a setting is listed twice"
    defaults = to_dict(Config())
    for section, name, kind, default in found:
        if section in NOT_YET and section not in defaults:
            continue
        assert name in defaults.get(section, {}), f"{section}.{name} is not a chinwag setting"
        assert defaults[section][name] == default, f"{section}.{name}: default {default!r}, server has {defaults[section][name]!r}"
        assert (kind == "secret") == ((section, name) in SECRET_SETTINGS), f"{section}.{name}: masked on one side only"
        expected = {bool: "bool", int: "number", list: "list"}.get(type(defaults[section][name]))
        if expected:
            assert kind == expected, f"{section}.{name}: shown as {kind}, is {expected}"


PAGE = re.compile(r"""kind: '(settings|custom)', id: '(\w+)'(?:, resource: '(\w+)')?""")


def pages() -> list[tuple[str, str | None, list[tuple[str, str]]]]:
    """Each console page: its id, its resource and the settings it shows."""
    out: list[tuple[str, str | None, list[tuple[str, str]]]] = []
    for line in SCHEMA.read_text().splitlines():
        m = PAGE.search(line)
        if m:
            out.append((m.group(2), m.group(3), []))
            continue
        e = ENTRY.match(line)
        if e:
            out[-1][2].append((e.group(1), e.group(2)))
    return out


def test_every_page_has_the_resource_the_server_gives_its_settings() -> None:
    """The console shows a page to whoever holds sysconsole_read_<resource> and lets them edit it with
    sysconsole_write_<resource>; the server (config/access.py) must filter GET /config and PUT /config
    by that same resource for every setting on the page."""
    from chinwag.config.access import ACCESS, resources
    from chinwag.model.permissions import ALL_PERMISSIONS

    found = pages()
    assert len(found) > 30
    defaults = to_dict(Config())
    for page, resource, settings in found:
        if resource is None:
            # system admins only: the import/export jobs (Mattermost's console has no such page)
            assert page == "jobs", f"{page}: a page without a resource is the system admins' only"
            continue
        assert f"sysconsole_read_{resource}" in ALL_PERMISSIONS, f"{page}: {resource} is not a console resource"
        assert f"sysconsole_write_{resource}" in ALL_PERMISSIONS, f"{page}: {resource} is not a console resource"
        for section, name in settings:
            assert resource in resources(section, name), (
                f"{section}.{name} is on the {page} page ({resource}), the server gives it {resources(section, name)}")
    # and the table names only settings and resources that exist
    for section, table in ACCESS.items():
        assert section in defaults or section in NOT_YET, section
        for name, tag in table.items():
            assert name == "*" or name in defaults[section], f"{section}.{name}"
            for r in filter(None, tag.split(",")):
                assert f"sysconsole_read_{r}" in ALL_PERMISSIONS, f"{section}.{name}: {r}"
    assert set(defaults) <= set(ACCESS), f"sections without access: {set(defaults) - set(ACCESS)}"


#: The resource Mattermost's System Console (webapp admin_definition.tsx, its RESOURCE_KEYS) checks for each
#: page chinwag's console has: the page shows with sysconsole_read_<resource> and is editable with
#: sysconsole_write_<resource>.
MATTERMOST_PAGE_RESOURCES = {
    "users": "user_management_users", "teams": "user_management_teams", "channels": "user_management_channels",
    "system_analytics": "reporting_site_statistics", "server_logs": "reporting_server_logs",
    "web_server": "environment_web_server", "database": "environment_database",
    "file_storage": "environment_file_storage", "smtp": "environment_smtp",
    "push_notification_server": "environment_push_notification_server",
    "high_availability": "environment_high_availability", "rate_limiting": "environment_rate_limiting",
    "logging": "environment_logging", "performance_monitoring": "environment_performance_monitoring",
    "session_lengths": "environment_session_lengths",
    "customization": "site_customization", "localization": "site_localization",
    "users_and_teams": "site_users_and_teams", "notifications": "site_notifications", "posts": "site_posts",
    "file_sharing_downloads": "site_file_sharing_and_downloads", "emoji": "site_emoji",
    "signup": "authentication_signup", "email": "authentication_email", "password": "authentication_password",
    "mfa": "authentication_mfa", "gitlab": "authentication_openid", "openid": "authentication_openid",
    "saml": "authentication_saml", "ldap": "authentication_ldap", "guest_access": "authentication_guest_access",
    "plugin_management": "plugins",
    "integration_management": "integrations_integration_management",
    "bot_accounts": "integrations_bot_accounts", "cors": "integrations_cors",
}

_AUTH = {"signup", "email", "password", "mfa", "gitlab", "openid", "saml", "ldap", "guest_access"}
_ENV = {"web_server", "database", "file_storage", "smtp", "push_notification_server", "high_availability",
        "rate_limiting", "logging", "performance_monitoring", "session_lengths"}
_SITE = {"customization", "localization", "users_and_teams", "notifications", "posts", "file_sharing_downloads",
         "emoji"}
_INTEGRATIONS = {"integration_management", "bot_accounts", "cors"}

#: What Mattermost's default sub-admin roles (model/role.go: SystemUserManagerDefaultPermissions, …) see and
#: change in the console, page by page. Neither the User Manager nor the System Manager holds
#: sysconsole_read_user_management_users, so Mattermost's console hides the Users page from both; the
#: Read-only Admin sees every page and changes none.
DEFAULT_ROLE_PAGES = {
    "system_user_manager": ({"teams", "channels"} | _AUTH, {"teams", "channels"}),
    "system_manager": ({"teams", "channels", "system_analytics", "server_logs", "plugin_management"}
                       | _ENV | _SITE | _AUTH | _INTEGRATIONS,
                       {"teams", "channels"} | _ENV | _SITE | _INTEGRATIONS),
    "system_read_only_admin": (set(MATTERMOST_PAGE_RESOURCES), set()),
}


def test_pages_check_mattermosts_resources() -> None:
    found = {page: resource for page, resource, _ in pages() if page != "jobs"}
    assert found == MATTERMOST_PAGE_RESOURCES


def test_default_sub_admin_roles_see_the_pages_they_see_in_mattermost() -> None:
    from chinwag.model.permissions import DEFAULT_ROLES

    for role, (readable, writable) in DEFAULT_ROLE_PAGES.items():
        granted = DEFAULT_ROLES[role]
        seen = {page for page, resource in MATTERMOST_PAGE_RESOURCES.items()
                if {f"sysconsole_read_{resource}", f"sysconsole_write_{resource}"} & granted}
        changed = {page for page, resource in MATTERMOST_PAGE_RESOURCES.items()
                   if f"sysconsole_write_{resource}" in granted}
        assert seen == readable, (role, sorted(seen ^ readable))
        assert changed == writable, (role, sorted(changed ^ writable))
