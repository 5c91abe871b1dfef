"""Mattermost's error JSON for every failure, including the framework's own 404/405/500."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from chinwag import i18n
from chinwag.app.app import App
from chinwag.app.context import Ctx
from chinwag.model.errors import AppError
from chinwag.web.responses import json_response


def error_response(err: AppError, request_id: str, developer: bool = False,
                   locale: str = i18n.SOURCE_LOCALE) -> Response:
    """The error JSON, its ``message`` in ``locale`` (one of ``i18n.LOCALES``)."""
    message = None if locale == i18n.SOURCE_LOCALE else err.localized(i18n.translator(locale).gettext)
    retry = err.params.get("retry_after") if err.status_code in (429, 503) else None
    headers = {"Retry-After": str(retry)} if retry is not None else None
    return json_response(err.to_dict(request_id, developer, message), status=err.status_code, headers=headers)


async def error_locale(app: App, request: Request, ctx: Ctx | None = None) -> str:
    """The language of an error message, as Mattermost picks it: the signed-in user's ``locale``; without
    a session the browser's ``Accept-Language``; else LocalizationSettings.DefaultClientLocale."""
    settings = app.config.effective.LocalizationSettings
    if ctx is not None and ctx.session is not None:
        try:
            user = await app.directory.user(ctx.session.user_id)
        except Exception:  # an error about the error (the database is down): say it in the default language
            user = None
        if user is not None and user.locale:
            return i18n.pick(user.locale, settings.DefaultServerLocale)
    return i18n.from_accept_language(request.headers.get("accept-language", ""), settings.DefaultClientLocale)


def not_found_error(path: str) -> AppError:
    return AppError("Handle404", "api.context.404.app_error", "Sorry, we could not find the page.", 404,
                    f"There doesn't appear to be an api call for the url='{path}'.")


def method_not_allowed(method: str, path: str) -> AppError:
    return AppError("Handle405", "api.context.405.app_error", "Method not allowed.", 405,
                    f"{method} is not allowed for {path}")


def internal_error(detail: str) -> AppError:
    return AppError("ServeHTTP", "api.context.unknown.app_error", "An unexpected error occurred.", 500, detail)
