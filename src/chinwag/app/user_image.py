"""Profile pictures, as Mattermost keeps them.

An uploaded picture is decoded with Pillow (its pixel count checked from the header first), turned
upright by its EXIF orientation, cropped to the centre and scaled to a 128×128 PNG, and stored in
the file store at ``users/{user_id}/profile.png``; the user's ``last_picture_update`` becomes the
time of the upload (the apps add it to the image URL as ``?_=`` to get past their caches) and a
``user_updated`` event goes out. Removing the picture deletes the file and resets
``last_picture_update`` to 0. Without a picture the image is the generated default: the user's
initials in white on a colour picked from their id.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass

import msgspec
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.file import FileService, storage_error
from chinwag.app.permissions import PermissionService
from chinwag.app.user import UserService
from chinwag.filestore.base import FileBackend, FileBackendError, FileNotFound
from chinwag.model import permissions
from chinwag.model.errors import AppError
from chinwag.model.user import User

PROFILE_SIZE = 128
#: the colours of generated pictures (white initials stay readable on each: contrast ≥ 4.5)
COLOURS = ("#1e6fd9", "#2e7d32", "#c62828", "#7b1fa2", "#b45309", "#00796b", "#3949ab", "#6d4c41",
           "#ad1457", "#455a64")


def profile_path(user_id: str) -> str:
    return f"users/{user_id}/profile.png"


def initials(user: User) -> str:
    """Two initials from the first and last name when both start with a Latin letter or digit (the
    bundled font's range), else the first character of the username (always ASCII)."""
    first, last = user.first_name.strip()[:1], user.last_name.strip()[:1]
    if first and last and (first + last).isascii() and (first + last).isalnum():
        return (first + last).upper()
    return (user.username[:1] or "?").upper()


def colour_of(user_id: str) -> str:
    return COLOURS[int.from_bytes(hashlib.sha256(user_id.encode()).digest()[:4], "big") % len(COLOURS)]


_fonts = threading.local()  # FreeType faces are not shared between threads; renders run in worker threads


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The default font at ``size``, loaded once per thread (loading it was half of a render)."""
    by_size: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] | None = getattr(_fonts, "by_size", None)
    if by_size is None:
        by_size = _fonts.by_size = {}
    font = by_size.get(size)
    if font is None:
        font = by_size[size] = ImageFont.load_default(size=size)
    return font


def render_default(user: User) -> bytes:
    """The generated picture: initials centred on a colour, a 128×128 PNG."""
    img = Image.new("RGB", (PROFILE_SIZE, PROFILE_SIZE), colour_of(user.id))
    text = initials(user)
    font = _font(58 if len(text) == 1 else 50)
    draw = ImageDraw.Draw(img)
    draw.text((PROFILE_SIZE / 2, PROFILE_SIZE / 2), text, fill="#ffffff", font=font, anchor="mm")
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


#: generated pictures kept (≈400 bytes each): more than the users a big server's clients show at once,
#: so a channel switch does not re-render its posters' pictures (≈2–3 ms each)
DEFAULT_IMAGES_CACHED = 20_000
#: generated pictures' ETags kept (then the memo starts over)
ETAGS_CACHED = 100_000


class _Undecodable(Exception):
    pass


class _TooManyPixels(Exception):
    pass


def crop_to_png(data: bytes, max_pixels: int) -> bytes:
    """Upright, centre-cropped, 128×128 PNG of an uploaded image (transparency kept)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if max_pixels > 0 and width * height > max_pixels:
                raise _TooManyPixels
            img.load()
            upright = ImageOps.exif_transpose(img)
            mode = "RGBA" if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info else "RGB"
            square = ImageOps.fit(upright.convert(mode), (PROFILE_SIZE, PROFILE_SIZE), Image.Resampling.LANCZOS)
    except _TooManyPixels:
        raise
    except Image.DecompressionBombError:
        raise _TooManyPixels from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as e:
        raise _Undecodable(str(e)) from None
    out = io.BytesIO()
    square.save(out, "PNG", optimize=True)
    return out.getvalue()


@dataclass
class ProfileImage:
    #: None when the caller's copy is current (its If-None-Match is the ETag)
    data: bytes | None
    #: an uploaded picture (cached for a day) rather than the generated one (cached briefly)
    custom: bool
    last_picture_update: int
    etag: str


def generated_etag(user: User) -> str:
    """The generated picture's ETag: it changes with what is drawn (the initials; the colour follows the id),
    so a client that revalidates after a rename gets the new picture. Mattermost's is the user's
    ``last_picture_update`` ("0"), the same before and after a change of name; its generated picture is
    the username's initial only and it regenerates it (and resets that time) on a change of username — ours
    shows the first and last names' initials too, which change without it. Never only digits, so never an
    uploaded picture's ETag."""
    digest = hashlib.blake2s(f"{user.id}:{initials(user)}".encode(), digest_size=6).hexdigest()
    return f"g{digest}"


class UserImageService:
    def __init__(self, core: AppCore, perms: PermissionService, users: UserService, files: FileService) -> None:
        self.core = core
        self.perms = perms
        self.users = users
        self.files = files
        self._defaults: OrderedDict[tuple[str, str, str, str], bytes] = OrderedDict()
        #: the generated pictures' ETags by what they are computed from (a revalidation hashes nothing)
        self._etags: dict[tuple[str, str, str, str], str] = {}

    def _backend(self, where: str) -> FileBackend:
        if not self.core.cfg.FileSettings.DriverName:
            raise AppError(where, "api.user.upload_profile_user.storage.app_error",
                           "Unable to upload file. Image storage is not configured.", 501)
        return self.files.backend(where)

    def check_upload(self, ctx: Ctx, user_id: str, content_length: int) -> None:
        """What Mattermost checks before reading an upload's body."""
        where = "uploadProfileImage"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        self._backend(where)
        if content_length > self.core.cfg.FileSettings.MaxFileSize:
            raise too_large(where, 413)

    async def set(self, ctx: Ctx, user_id: str, data: bytes) -> User:
        where = "uploadProfileImage"
        self.check_upload(ctx, user_id, len(data))
        try:
            user = await self.users.get(user_id, where)
        except AppError:
            raise AppError(where, "api.context.invalid_url_param.app_error",
                           "Invalid or missing user_id parameter in request URL.", 400) from None
        try:
            png = await asyncio.to_thread(crop_to_png, data, self.core.cfg.FileSettings.MaxImageResolution)
        except _TooManyPixels:
            raise too_large(where, 400) from None
        except _Undecodable as e:
            raise AppError(where, "api.user.upload_profile_user.decode.app_error",
                           "Could not decode profile image.", 400, str(e)) from None
        backend = self._backend(where)
        try:
            await backend.write_file(profile_path(user_id), png, "image/png")
        except FileBackendError as e:
            raise storage_error(where, e) from None
        now = self.core.now()
        updated = msgspec.structs.replace(user, last_picture_update=now, update_at=now)
        async with self.core.unit_of_work() as uow:
            await self.core.store.users.set_last_picture_update(user_id, now, now, uow.conn)
            self.users.updated(uow, updated)
        return updated

    async def reset(self, ctx: Ctx, user_id: str) -> User:
        where = "setDefaultProfileImage"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        backend = self._backend(where)
        user = await self.users.get(user_id, where)
        try:
            await backend.remove(profile_path(user_id))
        except FileNotFound:
            pass
        except FileBackendError as e:
            raise storage_error(where, e) from None
        now = self.core.now()
        updated = msgspec.structs.replace(user, last_picture_update=0, update_at=now)
        async with self.core.unit_of_work() as uow:
            await self.core.store.users.set_last_picture_update(user_id, 0, now, uow.conn)
            self.users.updated(uow, updated)
        return updated

    async def image(self, ctx: Ctx, user_id: str, if_none_match: str = "") -> ProfileImage:
        """The uploaded picture, or the generated one when there is none (or it cannot be read). As
        Mattermost's getProfileImage, the ETag is compared with ``if_none_match`` before the picture is read
        (or drawn): when they are equal, no data."""
        user = await self.users.require_visible(ctx, await self._picture_user(user_id), "getProfileImage")
        lpu = user.last_picture_update
        if lpu > 0 and self.core.cfg.FileSettings.DriverName:
            etag = str(lpu)
            if if_none_match == etag:
                return ProfileImage(None, True, lpu, etag)
            try:
                data = await self.files.backend("getProfileImage").read_file(profile_path(user.id))
                return ProfileImage(data, True, lpu, etag)
            except (FileBackendError, AppError):
                pass  # gone from the store: the generated picture, briefly cached
        key = (user.id, user.username, user.first_name, user.last_name)
        known = self._etags.get(key)
        if known is None:
            if len(self._etags) >= ETAGS_CACHED:
                self._etags.clear()
            known = self._etags[key] = generated_etag(user)
        etag = known
        if if_none_match == etag:
            return ProfileImage(None, False, lpu, etag)
        return ProfileImage(await self.default_for(user), False, lpu, etag)

    async def _picture_user(self, user_id: str) -> User:
        """The user as far as its picture goes (name, username, ``last_picture_update``), from a cache
        that keeps it ten times longer than the users' cache: every change of those goes through
        ``user_updated`` (or the caches' flush), which drops it on every node."""
        caches = self.core.caches
        user = caches.picture_users.lookup(user_id)
        if user is None:
            mark = caches.user_drops.mark()
            user = await self.users.get(user_id)
            if caches.user_drops.fresh(user_id, mark):  # not changed while it was read
                caches.picture_users[user_id] = user
        return user

    async def default(self, ctx: Ctx, user_id: str) -> bytes:
        user = await self.users.require_visible(ctx, await self.users.get(user_id), "getDefaultProfileImage")
        return await self.default_for(user)

    async def default_for(self, user: User) -> bytes:
        key = (user.id, user.username, user.first_name, user.last_name)
        data = self._defaults.get(key)
        if data is None:
            data = await asyncio.to_thread(render_default, user)
            self._defaults[key] = data
            if len(self._defaults) > DEFAULT_IMAGES_CACHED:
                self._defaults.popitem(last=False)
        else:
            self._defaults.move_to_end(key)
        return data


def too_large(where: str, status: int) -> AppError:
    return AppError(where, "api.user.upload_profile_user.too_large.app_error",
                    "Unable to upload profile image. File is too large.", status)
