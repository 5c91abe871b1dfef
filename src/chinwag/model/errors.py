"""AppError: Mattermost's error JSON ``{id, message, detailed_error, request_id, status_code}``."""

from __future__ import annotations

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
        self.message = message or _default_message(id)
        self.status_code = status_code
        self.detailed_error = detailed_error
        self.params = params or {}

    def to_dict(self, request_id: str, developer: bool = False) -> dict[str, Any]:
        return {
            "id": self.id,
            "message": self.message,
            "detailed_error": self.detailed_error if developer else "",
            "request_id": request_id,
            "status_code": self.status_code,
        }


def _default_message(id: str) -> str:
    return id.replace(".app_error", "").replace("_", " ").replace(".", ": ")


# Frequently used constructors -------------------------------------------------------------


def invalid_param(where: str, name: str, detail: str = "") -> AppError:
    return AppError(
        where,
        "api.context.invalid_param.app_error",
        f"Invalid or missing {name} parameter in request URL or body.",
        400,
        detail,
        {"Name": name},
    )


def invalid_body_param(where: str, name: str, detail: str = "") -> AppError:
    return AppError(
        where,
        "api.context.invalid_body_param.app_error",
        f"Invalid or missing {name} in request body.",
        400,
        detail,
        {"Name": name},
    )


def invalid_url_param(where: str, name: str) -> AppError:
    return AppError(
        where,
        "api.context.invalid_url_param.app_error",
        f"Invalid or missing {name} parameter in request URL.",
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


def not_found(where: str, what: str, detail: str = "") -> AppError:
    return AppError(where, f"app.{what}.get.app_error", f"Unable to find the {what}.", 404, detail)


def session_expired(where: str, detail: str = "") -> AppError:
    return AppError(
        where,
        "api.context.session_expired.app_error",
        "Invalid or expired session, please login again.",
        401,
        detail,
    )
