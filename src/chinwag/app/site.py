"""Server-wide things the apps read at start-up: product notices, the first admin's onboarding,
terms of service and the brand image (plugins are ``app/plugins.py``)."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import structlog
from PIL import Image, UnidentifiedImageError

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.file import FileService
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param
from chinwag.platform.events import Event
from chinwag.store.errors import StoreError

log = structlog.get_logger("chinwag.client")

FIRST_ADMIN_SETUP_COMPLETE = "FirstAdminSetupComplete"
FIRST_ADMIN_VISIT_MARKETPLACE = "FirstAdminVisitMarketplace"
#: where Mattermost keeps the custom brand image in the file store
BRAND_PATH = "brand/image.png"
NOTICE_CLIENTS = frozenset({"all", "web", "desktop", "mobile-ios", "mobile-android"})
EDIT_BRAND = "edit_brand"


class SiteService:
    def __init__(self, core: AppCore, perms: PermissionService, files: FileService) -> None:
        self.core = core
        self.perms = perms
        self.files = files

    # product notices -------------------------------------------------------------------------

    def product_notices(self, client: str) -> list[dict[str, Any]]:
        """Mattermost fetches these from its own notices feed; chinwag has none to show."""
        if client not in NOTICE_CLIENTS:
            raise invalid_param("getProductNotices", "client")
        return []

    # client logs -------------------------------------------------------------------------------

    def client_log(self, ctx: Ctx, level: str, message: str, entry: dict[str, str]) -> dict[str, str]:
        """POST /logs (Mattermost's postLog): a signed-in client's message in the server log — at error
        level only from system admins or with EnableDeveloper, else at debug level."""
        developer = self.core.cfg.ServiceSettings.EnableDeveloper
        if not developer and not ctx.user_id and not ctx.local:
            raise AppError("postLog", "api.context.permissions.app_error",
                           "You do not have the appropriate permissions.", 403)
        as_error = level == "ERROR" and (developer or self.perms.has_system(ctx, permissions.MANAGE_SYSTEM))
        text = "Client Logs API Endpoint Message: " + message[:399]
        (log.error if as_error else log.debug)(text, type="client_message", user_agent=ctx.user_agent,
                                               user_id=ctx.user_id)
        return {**entry, "message": text}

    # first admin onboarding ------------------------------------------------------------------

    async def onboarding(self) -> dict[str, str]:
        value = await self.core.store.system.get(FIRST_ADMIN_SETUP_COMPLETE)
        return {"name": FIRST_ADMIN_SETUP_COMPLETE, "value": "true" if value == "true" else "false"}

    async def complete_onboarding(self, ctx: Ctx) -> None:
        """The System Console's first-run wizard is done (its plugin choices have nothing to install:
        chinwag has no plugin marketplace)."""
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "completeOnboarding")
        await self.core.store.system.set(FIRST_ADMIN_SETUP_COMPLETE, "true")

    async def first_admin_visit(self, ctx: Ctx) -> dict[str, str]:
        """GET /plugins/marketplace/first_admin_visit: whether an admin has opened the (empty) marketplace."""
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "getFirstAdminVisitMarketplaceStatus")
        value = await self.core.store.system.get(FIRST_ADMIN_VISIT_MARKETPLACE)
        return {"name": FIRST_ADMIN_VISIT_MARKETPLACE, "value": "true" if value == "true" else "false"}

    async def set_first_admin_visit(self, ctx: Ctx) -> None:
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "setFirstAdminVisitMarketplaceStatus")
        await self.core.store.system.set(FIRST_ADMIN_VISIT_MARKETPLACE, "true")
        self.core.publish(Event("first_admin_visit_marketplace_status_received",
                                {"firstAdminVisitMarketplaceStatus": "true"}))

    # terms of service --------------------------------------------------------------------------

    def latest_terms_of_service(self) -> dict[str, Any]:
        """Custom terms of service need a licence in Mattermost; a Team Edition server has none."""
        raise AppError("GetLatestTermsOfService", "app.terms_of_service.get.no_rows.app_error",
                       "No terms of service found.", 404)

    def create_terms_of_service(self, ctx: Ctx) -> dict[str, Any]:
        where = "createTermsOfService"
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        raise AppError(where, "api.create_terms_of_service.custom_terms_of_service_disabled.app_error",
                       "Custom terms of service feature is disabled.", 400)

    def save_user_terms_of_service(self, ctx: Ctx, terms_id: str, accepted: bool) -> None:
        """POST /users/{user_id}/terms_of_service: accepting terms that do not exist (there are none without a
        licence) is Mattermost's 404."""
        del ctx, terms_id, accepted
        raise AppError("GetTermsOfService", "app.terms_of_service.get.no_rows.app_error",
                       "No terms of service found.", 404)

    def user_terms_of_service(self, ctx: Ctx, user_id: str) -> dict[str, Any]:
        where = "getUserTermsOfService"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        raise AppError(where, "app.user_terms_of_service.get_by_user.no_rows.app_error",
                       "No terms of service found.", 404)

    # brand image -------------------------------------------------------------------------------

    async def brand_image(self) -> bytes | None:
        try:
            backend = self.files.backend("GetBrandImage")
            if not await backend.exists(BRAND_PATH):
                return None
            return await backend.read_file(BRAND_PATH)
        except (AppError, OSError, StoreError):
            return None

    async def save_brand_image(self, ctx: Ctx, data: bytes) -> None:
        where = "SaveBrandImage"
        self.perms.require_system(ctx, EDIT_BRAND, "uploadBrandImage")
        png = await asyncio.to_thread(_to_png, data, self.core.cfg.FileSettings.MaxImageResolution)
        backend = self.files.backend(where)
        await backend.write_file(BRAND_PATH, png, "image/png")

    async def delete_brand_image(self, ctx: Ctx) -> None:
        where = "DeleteBrandImage"
        self.perms.require_system(ctx, EDIT_BRAND, "deleteBrandImage")
        backend = self.files.backend(where)
        if not await backend.exists(BRAND_PATH):
            raise AppError(where, "api.admin.delete_brand_image.storage.not_found",
                           "Unable to delete brand image, not found.", 404)
        await backend.remove(BRAND_PATH)


def _to_png(data: bytes, max_pixels: int) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as img:
            if max_pixels > 0 and img.width * img.height > max_pixels:
                raise AppError("SaveBrandImage", "brand.save_brand_image.too_large.app_error",
                               "Unable to read image. It is too large.", 400)
            out = io.BytesIO()
            img.save(out, format="PNG")
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise AppError("SaveBrandImage", "brand.save_brand_image.decode.app_error",
                       "Unable to decode image data.", 400) from None
