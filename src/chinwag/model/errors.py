"""AppError: Mattermost's error JSON ``{id, message, detailed_error, request_id, status_code}``.

The message is English, written as a template whose ``{Name}`` placeholders are filled from ``params``;
the web layer shows it in the caller's language (``chinwag.i18n``, the template is the catalog's msgid)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class AppError(Exception):
    def __init__(
        self,
        where: str,
        id: str,
        message: str = "",
        status_code: int = 500,
        detailed_error: str = "",
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{where}: {id}: {message or id}")
        self.where = where
        self.id = id
        self.params = params or {}
        #: the English message before its placeholders are filled: what a catalog translates
        self.template = message or _default_message(id)
        self.message = fill(self.template, self.params)
        self.status_code = status_code
        self.detailed_error = detailed_error

    def localized(self, gettext: Callable[[str], str]) -> str:
        """The message in another language: ``gettext`` translates the template, ``params`` fill it (a
        tuple parameter is a list of phrases, each translated)."""
        params = {k: tuple(gettext(x) for x in v) if isinstance(v, tuple) else v for k, v in self.params.items()}
        return fill(gettext(self.template), params)

    def to_dict(self, request_id: str, developer: bool = False, message: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "message": self.message if message is None else message,
            "detailed_error": self.detailed_error if developer else "",
            "request_id": request_id,
            "status_code": self.status_code,
        }


def fill(template: str, params: dict[str, Any]) -> str:
    """``template`` with its ``{Name}`` placeholders filled from ``params``; unchanged when it has none
    (or braces that are not placeholders). A tuple parameter is a list of phrases (themselves filled)."""
    if not params or "{" not in template:
        return template
    plain = {k: v for k, v in params.items() if not isinstance(v, tuple)}
    flat = {k: ", ".join(fill(x, plain) for x in v) if isinstance(v, tuple) else v for k, v in params.items()}
    try:
        return template.format_map(flat)
    except (KeyError, ValueError, IndexError, AttributeError):
        return template


def _default_message(id: str) -> str:
    return id.replace(".app_error", "").replace("_", " ").replace(".", ": ")


# Frequently used constructors -------------------------------------------------------------


def invalid_param(where: str, name: str, detail: str = "") -> AppError:
    return AppError(
        where,
        "api.context.invalid_param.app_error",
        "Invalid or missing {Name} parameter in request URL or body.",
        400,
        detail,
        {"Name": name},
    )


def invalid_body_param(where: str, name: str, detail: str = "") -> AppError:
    return AppError(
        where,
        "api.context.invalid_body_param.app_error",
        "Invalid or missing {Name} in request body.",
        400,
        detail,
        {"Name": name},
    )


def invalid_url_param(where: str, name: str) -> AppError:
    return AppError(
        where,
        "api.context.invalid_url_param.app_error",
        "Invalid or missing {Name} parameter in request URL.",
        400,
        "",
        {"Name": name},
    )


def permission_denied(where: str, detail: str = "") -> AppError:
    return AppError(
        where,
        "api.context.permissions.app_error",
        "You do not have the appropriate permissions.",
        403,
        detail,
    )


def N_(message: str) -> str:
    """Marks a message for the catalogs (``make i18n-extract``); translated where it is shown."""
    return message


#: whole sentences per kind of thing, so that each language can say them its own way
NOT_FOUND = {
    "channel": N_("Unable to find the channel."),
    "user": N_("Unable to find the user."),
    "team": N_("Unable to find the team."),
    "post": N_("Unable to find the post."),
    "job": N_("Unable to find the job."),
    "export": N_("Unable to find the export."),
    "upload": N_("Unable to find the upload."),
}
ALREADY_EXISTS = {
    "channel": N_("A channel with that {field} already exists."),
    "user": N_("A user with that {field} already exists."),
    "team": N_("A team with that {field} already exists."),
}


def not_found(where: str, what: str, detail: str = "") -> AppError:
    return AppError(where, f"app.{what}.get.app_error",
                    NOT_FOUND.get(what, "Unable to find the {what}."), 404, detail, {"what": what})


def already_exists(where: str, what: str, field: str, detail: str = "") -> AppError:
    return AppError(where, f"app.{what}.save.existing.app_error",
                    ALREADY_EXISTS.get(what, "A {what} with that {field} already exists."), 400, detail,
                    {"what": what, "field": field or "value"})


def session_expired(where: str, detail: str = "") -> AppError:
    return AppError(
        where,
        "api.context.session_expired.app_error",
        "Invalid or expired session, please login again.",
        401,
        detail,
    )
