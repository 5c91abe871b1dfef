"""`chinwag user …`: mmctl's user commands, with its flags, messages and output."""

from __future__ import annotations

import re
from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import ApiError, CliError, Ctx, command, confirm, die, local_only, raise_all

app = typer.Typer(help="Management of users", no_args_is_help=True)

SEARCH_TEMPLATE = ("id: {id}\nusername: {username}\nnickname: {nickname}\nposition: {position}\n"
                   "first_name: {first_name}\nlast_name: {last_name}\nemail: {email}\nauth_service: {auth_service}")
_EMAIL = re.compile(r"^[^\s@<>(),;:\\\"\[\]]+@[^\s@<>(),;:\\\"\[\]]+$")
_USERNAME = re.compile(r"^[a-z][a-z0-9.\-_]{2,63}$")


def valid_email(email: str) -> bool:
    """model.IsValidEmail: one address, nothing around it, lower or upper case."""
    return bool(_EMAIL.match(email))


def _f(u: dict[str, Any], key: str) -> str:
    v = u.get(key)
    return "" if v is None else str(v)


def user_line(u: dict[str, Any]) -> str:
    return f"{u['id']}: {u['username']} ({_f(u, 'email')})"


def search_text(u: dict[str, Any]) -> str:
    return SEARCH_TEMPLATE.format(**{k: _f(u, k) for k in ("id", "username", "nickname", "position",
                                                            "first_name", "last_name", "email", "auth_service")})


def _users(c: Ctx, args: list[str]) -> tuple[list[dict[str, Any]], list[Exception]]:
    found, errors = lookup.users(c.client, args)
    return found, list(errors)


def _set_active(c: Ctx, args: list[str], active: bool) -> None:
    found, errors = _users(c, args)
    for e in errors:
        c.p.error(str(e))
    for u in found:
        if not active and u.get("auth_service") not in ("", None, "email"):
            c.p.print(f"You must also deactivate user {u['id']} in the SSO provider or they will be reactivated "
                      "on next login or sync.")
        try:
            c.client.put(f"/users/{u['id']}/active", {"active": active})
        except ApiError:
            e = CliError(f"unable to change activation status of user: {u['id']}")
            c.p.error(str(e))
            errors.append(e)
    raise_all(errors)


@command(app, "activate")
def activate(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Activate users"""
    _set_active(c, users, True)


@command(app, "deactivate")
def deactivate(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Deactivate users (their sessions end)"""
    _set_active(c, users, False)


@command(app, "create")
def create(c: Ctx, username: str = typer.Option("", "--username", help="Required. Username for the new user "
                                                 "account"),
           email: str = typer.Option("", "--email", help="Required. The email address for the new user account"),
           password: str = typer.Option("", "--password", help="Required. The password for the new user account"),
           nickname: str = typer.Option("", "--nickname", help="Optional. The nickname for the new user account"),
           firstname: str = typer.Option("", "--firstname", help="Optional. The first name for the new user "
                                         "account"),
           lastname: str = typer.Option("", "--lastname", help="Optional. The last name for the new user account"),
           locale: str = typer.Option("", "--locale", help="Optional. The locale (ex: en, fr) for the new user "
                                      "account"),
           system_admin: bool = typer.Option(False, "--system-admin", help="Optional. If supplied, the new user "
                                             "will be a system administrator. Defaults to false"),
           system_admin_old: bool = typer.Option(False, "--system_admin", hidden=True),
           guest: bool = typer.Option(False, "--guest", help="Optional. If supplied, the new user will be a "
                                      "guest. Defaults to false"),
           email_verified: bool = typer.Option(False, "--email-verified", help="Optional. If supplied, the new "
                                               "user will have the email verified. Defaults to false"),
           email_verified_old: bool = typer.Option(False, "--email_verified", hidden=True),
           disable_welcome_email: bool = typer.Option(False, "--disable-welcome-email", help="Optional. If "
                                                      "supplied, the new user will not receive a welcome email. "
                                                      "Defaults to false")) -> None:
    """Create a user"""
    c.p.single = True
    for value, flag in ((username, "username"), (email, "email"), (password, "password")):
        if not value:
            die(f"{flag.capitalize()} is required")
    body: dict[str, Any] = {"username": username, "email": email, "password": password, "nickname": nickname,
                            "first_name": firstname, "last_name": lastname, "locale": locale,
                            "email_verified": email_verified or email_verified_old,
                            "disable_welcome_email": disable_welcome_email}
    try:
        u = c.client.post("/users", body)
    except ApiError as e:
        die(f"Unable to create user. Error: {e}")
    if system_admin or system_admin_old:
        try:
            c.client.put(f"/users/{u['id']}/roles", {"roles": "system_user system_admin"})
        except ApiError as e:
            die(f"Unable to update user roles. Error: {e}")
        u["roles"] = "system_user system_admin"
    elif guest:
        try:
            c.client.post(f"/users/{u['id']}/demote")
        except ApiError as e:
            die(f"Unable to demote use to guest: {e}")
        u["roles"] = "system_guest"
    c.p.print_t(f"Created user {u['username']}", u)


@command(app, "invite")
def invite(c: Ctx, email: str = typer.Argument(..., help="The email to invite."),
           teams: list[str] = typer.Argument(..., help="Team names or ids.")) -> None:
    """Send user an email invite to a team."""
    errors: list[Exception] = []
    if not valid_email(email):
        errors.append(CliError(f"invalid email \"{email}\""))
    for arg in teams:
        t = lookup.team_or_none(c.client, arg)
        try:
            if t is None:
                raise CliError(f"can't find team '{arg}'")
            try:
                c.client.post(f"/teams/{t['id']}/invite/email", [email])
            except ApiError as e:
                raise CliError(f"Unable to invite user with email {email} to team {t['name']}. Error: {e}") from None
            c.p.print("Invites may or may not have been sent.")
        except CliError as e:
            errors.append(e)
            c.p.error(str(e))
    raise_all(errors)


@command(app, "reset-password")
def reset_password(c: Ctx, emails: list[str] = typer.Argument(..., help="Emails of the users.")) -> None:
    """Send users an email to reset their password"""
    errors: list[Exception] = []
    for email in emails:
        if not valid_email(email):
            errors.append(CliError(f"invalid email '{email}'"))
            c.p.error(f"Invalid email '{email}'")
            continue
        try:
            c.client.post("/users/password/reset/send", {"email": email})
        except ApiError as e:
            errors.append(CliError(f"unable send reset password email to email {email}: {e}"))
            c.p.error(f"Unable send reset password email to email {email}. Error: {e}")
    raise_all(errors)


def _update(c: Ctx, u: dict[str, Any], field: str, value: str) -> None:
    c.p.single = True
    try:
        updated = c.client.put(f"/users/{u['id']}/patch", {field: value})
    except ApiError as e:
        die(str(e))
    c.p.print_t(f"User {updated['username']} updated successfully", updated)


@command(app, "email")
def email_(c: Ctx, user: str = typer.Argument(..., help="Email, username or id."),
           new_email: str = typer.Argument(..., help="The new email.")) -> None:
    """Change email of the user"""
    if not valid_email(new_email):
        die(f"invalid email: '{new_email}'")
    _update(c, lookup.user(c.client, user), "email", new_email)


@command(app, "username")
def username_(c: Ctx, user: str = typer.Argument(..., help="Email, username or id."),
              new_username: str = typer.Argument(..., help="The new username.")) -> None:
    """Change username of the user"""
    if not _USERNAME.match(new_username):
        die(f"invalid username: '{new_username}'")
    u = lookup.or_die(lookup.user_or_none(c.client, user), f"unable to find user '{user}'")
    _update(c, u, "username", new_username)


@command(app, "change-password")
def change_password(c: Ctx, user: str = typer.Argument(..., help="Email, username or id."),
                    current: str = typer.Option("", "--current", "-c", help="The current password of the user. "
                                                "Use only if changing your own password"),
                    password: str = typer.Option("", "--password", "-p", help="The new password for the user"),
                    hashed: bool = typer.Option(False, "--hashed", help="The supplied password is already hashed")
                    ) -> None:
    """Changes a user's password"""
    if not password:
        if typer.confirm("Are you changing your own password?", default=False):
            current = typer.prompt("Current password", hide_input=True)
        password = typer.prompt("New password", hide_input=True)
    u = lookup.user(c.client, user)
    try:
        if hashed:
            c.client.put(f"/users/{u['id']}/password", {"new_password": password, "already_hashed": "true"})
        else:
            c.client.put(f"/users/{u['id']}/password", {"current_password": current, "new_password": password})
    except ApiError as e:
        die(f"changing user {'hashed ' if hashed else ''}password failed: {e}")
    c.p.print_t(f"Password for user {u['username']} successfully changed", u)


@command(app, "resetmfa")
def resetmfa(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Turn off MFA"""
    found, errors = _users(c, users)
    for u in found:
        try:
            c.client.put(f"/users/{u['id']}/mfa", {"activate": False, "code": ""})
        except ApiError as e:
            errors.append(CliError(f"unable to reset user \"{u['id']}\" MFA. Error: {e}"))
    raise_all(errors)


@command(app, "delete")
def delete(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids."),
           confirm_: bool = typer.Option(False, "--confirm", help="Confirm you really want to delete the user and "
                                         "a DB backup has been performed")) -> None:
    """Delete users"""
    if not confirm_:
        confirm("Are you sure you want to delete the users specified? All data will be permanently deleted?", True)
    found, errors = _users(c, users)
    for e in errors:
        c.p.error(str(e))
    for u in found:
        try:
            r = c.client.request("DELETE", f"/users/{u['id']}", params={"permanent": "true"}, ok=(200, 202))
        except ApiError as e:
            c.p.error(f"Unable to delete user '{u['username']}' error: {e}")
            continue
        if r.status_code == 202:
            c.p.error("There were issues with deleting profile image of the user. Please delete it manually. "
                      f"Id: {u['id']}")
        c.p.print_t(f"Deleted user '{u['username']}'", u)


@command(app, "deleteall")
def deleteall(c: Ctx, confirm_: bool = typer.Option(False, "--confirm", help="Confirm you really want to delete "
                                                    "the user and a DB backup has been performed")) -> None:
    """Delete all users and all posts (local mode only)"""
    local_only(c)
    if not confirm_:
        confirm("Are you sure you want to permanently delete all user accounts?", True)
    c.client.delete("/users")
    c.p.print("All users successfully deleted")


@command(app, "search")
def search(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Search for users"""
    c.p.single = True
    found, errors = _users(c, users)
    for e in errors:
        c.p.error(str(e))
    for i, u in enumerate(found):
        c.p.print_t(("------------------------------\n" if i else "") + search_text(u), u)


@command(app, "list")
def list_users(c: Ctx, page: int = typer.Option(0, "--page", help="Page number to fetch for the list of users"),
               per_page: int = typer.Option(200, "--per-page", help="Number of users to be fetched"),
               all_: bool = typer.Option(False, "--all", help="Fetch all users. --page flag will be ignore if "
                                         "provided"),
               team: str = typer.Option("", "--team", help="If supplied, only users belonging to this team will be "
                                        "listed"),
               inactive: bool = typer.Option(False, "--inactive", help="Only deactivated users (chinwag)")) -> None:
    """List users"""
    if all_:
        page = 0
    params: dict[str, Any] = {"per_page": per_page}
    if team:
        r = c.client.http.get(f"/api/v4/teams/name/{team}")
        if r.status_code != 200:
            die(f"Failed to get team {team}: {ApiError(r)}")
        params["in_team"] = r.json()["id"]
    if inactive:
        params["inactive"] = "true"
    while True:
        try:
            batch = c.client.get("/users", params={**params, "page": page})
        except ApiError as e:
            die(f"Failed to fetch users for team {team}: {e}" if team else f"Failed to fetch users: {e}")
        if not batch:
            break
        for u in batch:
            c.p.print_t(user_line, u)
        if not all_:
            break
        page += 1


@command(app, "verify")
def verify(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Mark user's email as verified"""
    found, errors = _users(c, users)
    for u in found:
        try:
            v = c.client.post(f"/users/{u['id']}/email/verify/member")
        except ApiError as e:
            errors.append(CliError(f"unable to verify user {u['id']} email: {e}"))
            continue
        c.p.print_t(f"User {v['username']} verified", v)
    raise_all(errors)


@command(app, "promote")
def promote(c: Ctx, guests: list[str] = typer.Argument(..., help="Emails, usernames or ids of guests.")) -> None:
    """Promote guests to users"""
    for arg in guests:
        u = lookup.user_or_none(c.client, arg)
        if u is None:
            c.p.error(f"can't find guest '{arg}'")
            continue
        try:
            c.client.post(f"/users/{u['id']}/promote")
        except ApiError as e:
            c.p.error(f"unable to promote guest {arg}: {e}")
            continue
        c.p.print_t(f"User {u['username']} promoted.", u)


@command(app, "demote")
def demote(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Demote users to guests"""
    errors: list[Exception] = []
    for arg in users:
        u = lookup.user_or_none(c.client, arg)
        try:
            if u is None:
                raise CliError(f"can't find user '{arg}'")
            try:
                c.client.post(f"/users/{u['id']}/demote")
            except ApiError as e:
                raise CliError(f"unable to demote user {arg}: {e}") from None
        except CliError as e:
            errors.append(e)
            c.p.error(str(e))
            continue
        c.p.print_t(f"User {u['username']} demoted.", u)
    raise_all(errors)


@command(app, "convert")
def convert(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids."),
            bot: bool = typer.Option(False, "--bot", help="If supplied, convert users to bots"),
            user: bool = typer.Option(False, "--user", help="If supplied, convert a bot to a user"),
            password: str = typer.Option("", "--password", help="The password for converted new user account. "
                                         "Required when \"user\" flag is set"),
            username: str = typer.Option("", "--username", help="Username for the converted user account."),
            email: str = typer.Option("", "--email", help="The email address for the converted user account."),
            nickname: str = typer.Option("", "--nickname", help="The nickname for the converted user account."),
            firstname: str = typer.Option("", "--firstname", help="The first name for the converted user account."),
            lastname: str = typer.Option("", "--lastname", help="The last name for the converted user account."),
            locale: str = typer.Option("", "--locale", help="The locale (ex: en, fr) for converted new user "
                                       "account."),
            system_admin: bool = typer.Option(False, "--system-admin", help="If supplied, the converted user will "
                                              "be a system administrator. Defaults to false."),
            system_admin_old: bool = typer.Option(False, "--system_admin", hidden=True)) -> None:
    """Convert users to bots, or a bot to a user"""
    if not (user or bot):
        die('either "user" flag or "bot" flag should be provided')
    if bot:
        found, errors = _users(c, users)
        for e in errors:
            c.p.error(str(e))
        for u in found:
            try:
                b = c.client.post(f"/users/{u['id']}/convert_to_bot")
            except ApiError as e:
                c.p.error(str(e))
                continue
            c.p.print_t(f"{b['username']} converted to bot.", b)
        return
    u = lookup.user(c.client, users[0])
    if not password:
        die("password is required")
    patch: dict[str, Any] = {"password": password}
    for key, value, current in (("username", username, u.get("username")), ("email", email, u.get("email"))):
        if value:
            patch[key] = value
        elif not current:
            die(f"{key} is empty")
    for key, value in (("nickname", nickname), ("first_name", firstname), ("last_name", lastname),
                       ("locale", locale)):
        if value:
            patch[key] = value
    new = c.client.post(f"/bots/{u['id']}/convert_to_user", patch,
                        params={"set_system_admin": str(system_admin or system_admin_old).lower()})
    c.p.print_t(f"{new['username']} converted to user.", new)
