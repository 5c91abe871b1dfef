"""Mattermost's validation rules for names, emails, passwords and sizes."""

from __future__ import annotations

import re

from chinwag.config.schema import PasswordSettings
from chinwag.model.errors import N_, AppError

USERNAME_RE = re.compile(r"^[a-z0-9.\-_]+$")
RESTRICTED_USERNAMES = frozenset({"all", "channel", "matterbot", "system", "here"})
# Mattermost's model.IsValidEmail: the whole input is one RFC 5322 addr-spec as Go's net/mail reads it —
# a dot-atom (printable characters but ()<>[]:;@\," and controls/space, non-ASCII allowed, dots
# neither first, last nor doubled) @ a dot-atom or a [domain literal]; no display name, comment, spaces
# or quoting around it
_ATEXT = r'[^\x00-\x20\x7f()<>\[\]:;@\\,".]'
EMAIL_RE = re.compile(rf"^{_ATEXT}+(?:\.{_ATEXT}+)*@(?:{_ATEXT}+(?:\.{_ATEXT}+)*|\[[^\x00-\x20\x7f\[\]\\]*\])$")
TEAM_NAME_RE = re.compile(r"^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+$")
CHANNEL_NAME_RE = re.compile(r"^[a-z0-9]+([a-z\-_0-9]+|(__)?)[a-z0-9]*$")
EMOJI_NAME_RE = re.compile(r"^[a-zA-Z0-9\-+_]+$")


def is_valid_username(name: str) -> bool:
    return (
        1 <= len(name) <= 64
        and USERNAME_RE.match(name) is not None
        and name[0].isalpha()
        and name not in RESTRICTED_USERNAMES
    )


def check_username(name: str, where: str) -> None:
    if not is_valid_username(name):
        raise AppError(
            where,
            "model.user.is_valid.username.app_error",
            "Username must begin with a letter and contain between 1 and 64 lowercase "
            "characters made up of numbers, letters, and the symbols '.', '-', and '_'.",
            400,
        )


def is_valid_email(email: str) -> bool:
    """model.IsValidEmail plus the 128-character limit of a user's email."""
    return 0 < len(email) <= 128 and EMAIL_RE.fullmatch(email) is not None


def check_email(email: str, where: str) -> None:
    if not is_valid_email(email):
        raise AppError(where, "model.user.is_valid.email.app_error", "Invalid email.", 400)


def check_password(password: str, settings: PasswordSettings, where: str) -> None:
    if len(password) > 72:
        raise AppError(
            where,
            "model.user.is_valid.pwd_max_length.app_error",
            "Password must be no longer than 72 characters.",
            400,
        )
    problems = []
    if len(password) < settings.MinimumLength:
        problems.append(N_("at least {Min} characters"))
    if settings.Lowercase and not re.search(r"[a-z]", password):
        problems.append(N_("a lowercase letter"))
    if settings.Uppercase and not re.search(r"[A-Z]", password):
        problems.append(N_("an uppercase letter"))
    if settings.Number and not re.search(r"[0-9]", password):
        problems.append(N_("a number"))
    if settings.Symbol and not re.search(r"[^A-Za-z0-9]", password):
        problems.append(N_("a symbol"))
    if problems:
        raise AppError(
            where,
            "model.user.is_valid.pwd.app_error",
            "Your password must contain {Problems}.",
            400,
            params={"Problems": tuple(problems), "Min": settings.MinimumLength},
        )


def check_len(value: str, limit: int, where: str, error_id: str, what: str) -> None:
    if len(value) > limit:
        raise AppError(where, error_id, "Invalid {What}: at most {Max} characters.", 400,
                       params={"What": what, "Max": limit})


def is_valid_team_name(name: str) -> bool:
    return 2 <= len(name) <= 64 and TEAM_NAME_RE.match(name) is not None


def is_valid_channel_name(name: str) -> bool:
    return 1 <= len(name) <= 64 and CHANNEL_NAME_RE.match(name) is not None
