"""Custom emoji: create (image checked and scaled to 128 px, stored in the file store), read, list,
search, delete. ``ServiceSettings.EnableCustomEmoji`` switches the whole API on."""

from __future__ import annotations

import asyncio
import io

import msgspec
from PIL import Image, ImageSequence, UnidentifiedImageError

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.file import FileService
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.emoji import (
    EMOJI_NAME_MAX,
    MAX_EMOJI_FILE_SIZE,
    MAX_EMOJI_HEIGHT,
    MAX_EMOJI_ORIGINAL_HEIGHT,
    MAX_EMOJI_ORIGINAL_WIDTH,
    MAX_EMOJI_WIDTH,
    Emoji,
    emoji_image_path,
    emoji_name_error,
)
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id, new_id
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import Conflict, NotFound

_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
SEARCH_LIMIT = 200
AUTOCOMPLETE_LIMIT = 100


def image_type(data: bytes) -> str:
    """The content type of a stored emoji image, from its first bytes."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def prepare_image(data: bytes, where: str) -> bytes:
    """The image to store: PNG, JPEG, GIF (animated too) or WebP, at most 1028 px on a side; larger than
    128 px is scaled down to fit (every frame of an animation)."""
    try:
        img = Image.open(io.BytesIO(data))
        fmt = img.format or ""
        width, height = img.size
    except (UnidentifiedImageError, OSError, ValueError):
        fmt, width, height = "", 0, 0
    if fmt not in _FORMATS:
        raise AppError(where, "api.emoji.upload.image.app_error",
                       "Unable to create emoji. File must be a PNG, JPEG, GIF or WebP image.", 400)
    if width > MAX_EMOJI_ORIGINAL_WIDTH or height > MAX_EMOJI_ORIGINAL_HEIGHT:
        raise AppError(where, "api.emoji.upload.large_image.too_large.app_error",
                       "Unable to create emoji. Image must be at most {MaxWidth} by {MaxHeight} pixels.", 400,
                       params={"MaxWidth": MAX_EMOJI_ORIGINAL_WIDTH, "MaxHeight": MAX_EMOJI_ORIGINAL_HEIGHT})
    try:
        img.load()
        if width <= MAX_EMOJI_WIDTH and height <= MAX_EMOJI_HEIGHT:
            return data
        scale = min(MAX_EMOJI_WIDTH / width, MAX_EMOJI_HEIGHT / height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        out = io.BytesIO()
        frames = [f.copy().resize(size, Image.Resampling.LANCZOS) for f in ImageSequence.Iterator(img)]
        if fmt == "GIF" and len(frames) > 1:
            frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], loop=img.info.get("loop", 0),
                           duration=img.info.get("duration", 100), disposal=2)
        else:
            first = frames[0]
            if fmt == "JPEG" and first.mode not in ("RGB", "L"):
                first = first.convert("RGB")
            first.save(out, fmt)
        return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise AppError(where, "api.emoji.upload.image.app_error", "Unable to create emoji. The image cannot be "
                       "read.", 400, str(e)) from None


@service
class EmojiService:
    core: AppCore
    perms: PermissionService
    files: FileService

    def require_enabled(self, where: str) -> None:
        if not self.core.cfg.ServiceSettings.EnableCustomEmoji:
            raise AppError(where, "api.emoji.disabled.app_error",
                           "Custom emoji have been disabled by the system admin.", 501)

    async def create(self, ctx: Ctx, name: str, creator_id: str, image: bytes, *, check_creator: bool = True
                     ) -> Emoji:
        where = "createEmoji"
        self.require_enabled(where)
        if not self.perms.has_system(ctx, permissions.CREATE_EMOJIS):
            raise permission_denied(where)
        if len(image) > MAX_EMOJI_FILE_SIZE:
            raise too_large(where)
        if check_creator and not ctx.local and creator_id != ctx.user_id:
            raise AppError(where, "api.emoji.create.other_user.app_error",
                           "Invalid user id: an emoji is created by the user who uploads it.", 401)
        problem = emoji_name_error(name)
        if problem:
            raise AppError(where, "model.emoji.name.app_error", "Invalid emoji name: {Problem}.", 400,
                           params={"Problem": problem})
        try:
            await self.core.store.emoji.get_by_name(name)
            raise duplicate(where)
        except NotFound:
            pass
        try:
            return await self._store(where, name, creator_id, image)
        except Conflict:
            raise duplicate(where) from None

    async def import_emoji(self, name: str, image: bytes, creator_id: str = "") -> Emoji | None:
        """An emoji from an import (whatever EnableCustomEmoji says): the same name and image rules;
        None when one with this name exists."""
        where = "importEmoji"
        problem = emoji_name_error(name)
        if problem:
            raise AppError(where, "model.emoji.name.app_error", "Invalid emoji name: {Problem}.", 400,
                           params={"Problem": problem})
        if len(image) > MAX_EMOJI_FILE_SIZE:
            raise too_large(where)
        try:
            await self.core.store.emoji.get_by_name(name)
            return None
        except NotFound:
            pass
        try:
            return await self._store(where, name, creator_id, image)
        except Conflict:  # made meanwhile
            return None

    async def _store(self, where: str, name: str, creator_id: str, image: bytes) -> Emoji:
        data = await asyncio.to_thread(prepare_image, image, where)
        now = self.core.now()
        emoji = Emoji(id=new_id(), create_at=now, update_at=now, creator_id=creator_id, name=name)
        backend = self.files.backend(where)
        await backend.write_file(emoji_image_path(emoji.id), data, image_type(data))
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.emoji.save(emoji, uow.conn)
                uow.publish(Event("emoji_added", {"emoji": msgspec.json.encode(emoji.to_dict()).decode()},
                                  Broadcast()))
        except Conflict:
            await backend.remove(emoji_image_path(emoji.id))
            raise
        return emoji

    async def get(self, ctx: Ctx, emoji_id: str) -> Emoji:
        where = "getEmoji"
        self.require_enabled(where)
        if not is_valid_id(emoji_id):
            raise invalid_param(where, "emoji_id")
        try:
            return await self.core.store.emoji.get(emoji_id)
        except NotFound:
            raise AppError(where, "app.emoji.get.no_result", "Unable to find the emoji.", 404) from None

    async def get_by_name(self, ctx: Ctx, name: str) -> Emoji:
        where = "getEmojiByName"
        self.require_enabled(where)
        if not name or len(name) > EMOJI_NAME_MAX:
            raise invalid_param(where, "emoji_name")
        try:
            return await self.core.store.emoji.get_by_name(name)
        except NotFound:
            raise AppError(where, "app.emoji.get_by_name.no_result", "Unable to find the emoji.", 404) from None

    async def by_names(self, ctx: Ctx, names: list[str]) -> list[Emoji]:
        where = "getEmojisByNames"
        self.require_enabled(where)
        if len(names) > SEARCH_LIMIT:
            raise AppError(where, "api.emoji.get_multiple_by_name.too_many_names.app_error",
                           "Unable to get emojis for more than {Max} names.", 400,
                           params={"Max": SEARCH_LIMIT})
        return await self.core.store.emoji.get_by_names([n for n in names if isinstance(n, str)])

    async def page(self, ctx: Ctx, page: int, per_page: int, sort: str) -> list[Emoji]:
        where = "getEmojiList"
        self.require_enabled(where)
        if sort not in ("", "name"):
            raise invalid_param(where, "sort")
        return await self.core.store.emoji.page(page, per_page, by_name=sort == "name")

    async def search(self, ctx: Ctx, term: str, prefix_only: bool, limit: int = SEARCH_LIMIT) -> list[Emoji]:
        where = "searchEmoji"
        self.require_enabled(where)
        if not term.strip():
            raise invalid_param(where, "term")
        return await self.core.store.emoji.search(term.strip(), prefix_only, limit)

    async def image(self, ctx: Ctx, emoji_id: str) -> tuple[bytes, str]:
        where = "getEmojiImage"
        emoji = await self.get(ctx, emoji_id)
        try:
            data = await self.files.backend(where).read_file(emoji_image_path(emoji.id))
        except Exception:
            raise AppError(where, "api.emoji.get_image.read.app_error", "Unable to read the emoji's image.",
                           404) from None
        return data, image_type(data)

    async def delete(self, ctx: Ctx, emoji_id: str) -> Emoji:
        where = "deleteEmoji"
        emoji = await self.get(ctx, emoji_id)
        if not self.perms.has_system(ctx, permissions.DELETE_EMOJIS):
            raise permission_denied(where)
        if emoji.creator_id != ctx.user_id and not self.perms.has_system(ctx, permissions.DELETE_OTHERS_EMOJIS):
            raise permission_denied(where)
        try:
            await self.core.store.emoji.delete(emoji.id, self.core.now())
        except NotFound:
            raise AppError(where, "app.emoji.get.no_result", "Unable to find the emoji.", 404) from None
        try:
            await self.files.backend(where).remove(emoji_image_path(emoji.id))
        except Exception:
            pass
        return emoji


def too_large(where: str) -> AppError:
    return AppError(where, "api.emoji.create.too_large.app_error",
                    "Unable to create emoji. Image must be less than {MaxKiB} KiB in size.",
                    413, params={"MaxKiB": MAX_EMOJI_FILE_SIZE // 1024})


def duplicate(where: str) -> AppError:
    return AppError(where, "api.emoji.create.duplicate.app_error",
                    "Unable to create emoji. Another emoji with the same name already exists.", 400)
