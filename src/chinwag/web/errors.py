"""Mattermost's error JSON for every failure, including the framework's own 404/405/500."""

from __future__ import annotations

from starlette.responses import Response

from chinwag.model.errors import AppError
from chinwag.web.responses import json_response


def error_response(err: AppError, request_id: str, developer: bool = False) -> Response:
    return json_response(err.to_dict(request_id, developer), status=err.status_code)


def not_found_error(path: str) -> AppError:
    return AppError("Handle404", "api.context.404.app_error", "Sorry, we could not find the page.", 404,
                    f"There doesn't appear to be an api call for the url='{path}'.")


def method_not_allowed(method: str, path: str) -> AppError:
    return AppError("Handle405", "api.context.405.app_error", "Method not allowed.", 405,
                    f"{method} is not allowed for {path}")


def internal_error(detail: str) -> AppError:
    return AppError("ServeHTTP", "api.context.unknown.app_error", "An unexpected error occurred.", 500, detail)
