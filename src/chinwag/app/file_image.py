"""Image previews with Pillow: dimensions, EXIF orientation, thumbnail, preview and mini preview.

Everything here is synchronous and CPU-bound; the file service runs it in a worker thread
(``asyncio.to_thread``) behind a semaphore (FileSettings.MaxImageDecoderConcurrency). The pixel
count is checked from the header before anything is decoded, so a decompression bomb is refused
without allocating its pixels.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from chinwag.model.file import MINI_PREVIEW_SIZE, PREVIEW_WIDTH, THUMBNAIL_HEIGHT, THUMBNAIL_WIDTH

JPEG_QUALITY = 90
_SWAPPING_ORIENTATIONS = (5, 6, 7, 8)
_EXIF_ORIENTATION = 0x0112

# Pillow's own bomb guard stays on as a second line (it raises past twice its limit); ours comes first.
ImageFile.LOAD_TRUNCATED_IMAGES = False


class ImageTooLarge(Exception):
    def __init__(self, width: int, height: int) -> None:
        super().__init__(f"{width}x{height} is more pixels than allowed")
        self.width = width
        self.height = height


@dataclass
class ImageResult:
    width: int = 0
    height: int = 0
    thumbnail: bytes | None = None
    preview: bytes | None = None
    mini_preview: bytes | None = None
    #: Mattermost shows no preview for GIFs (they may be animated) but still makes the images
    has_preview_image: bool = False


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def probe(fh: IO[bytes], max_pixels: int) -> tuple[int, int] | None:
    """Upright (width, height) from the header, or None if Pillow cannot read it as an image.
    Raises ImageTooLarge when width * height exceeds ``max_pixels`` (when positive)."""
    fh.seek(0)
    try:
        with Image.open(fh) as img:
            width, height = img.size
            if max_pixels > 0 and width * height > max_pixels:
                raise ImageTooLarge(width, height)
            if _orientation(img) in _SWAPPING_ORIENTATIONS:
                width, height = height, width
            return width, height
    except ImageTooLarge:
        raise
    except Image.DecompressionBombError:  # Pillow's own guard: far beyond any sane size
        raise ImageTooLarge(0, 0) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def _jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return out.getvalue()


def _flatten(img: Image.Image) -> Image.Image:
    """RGB on a white background (JPEG has no alpha)."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB") if img.mode != "RGB" else img


def make_previews(fh: IO[bytes], mime: str, max_pixels: int) -> ImageResult:
    """Decode once (JPEGs at a reduced scale when that still gives a full-size preview) and make the
    three derived JPEGs. Returns dimensions only if the image cannot be decoded."""
    size = probe(fh, max_pixels)
    if size is None:
        return ImageResult()
    width, height = size
    result = ImageResult(width=width, height=height, has_preview_image=mime != "image/gif")
    fh.seek(0)
    try:
        with Image.open(fh) as img:
            orientation = _orientation(img)
            if img.format == "JPEG":
                # draft() picks the smallest DCT scale still at least this big: the preview's size
                want_w = min(width, PREVIEW_WIDTH)
                want_h = max(1, round(height * want_w / width)) if width else height
                if orientation in _SWAPPING_ORIENTATIONS:
                    want_w, want_h = want_h, want_w
                img.draft("RGB", (want_w, want_h))
            img.load()
            upright = ImageOps.exif_transpose(img) if orientation != 1 else img
            rgb = _flatten(upright)
            _derive(rgb, result)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return ImageResult(width=width, height=height)
    return result


def _derive(rgb: Image.Image, result: ImageResult) -> None:
    if rgb.width > PREVIEW_WIDTH:
        preview = rgb.resize((PREVIEW_WIDTH, max(1, round(rgb.height * PREVIEW_WIDTH / rgb.width))),
                             Image.Resampling.LANCZOS)
    else:
        preview = rgb
    result.preview = _jpeg(preview)
    thumb = preview.copy()
    thumb.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT), Image.Resampling.LANCZOS)
    result.thumbnail = _jpeg(thumb)
    mini = thumb.resize((MINI_PREVIEW_SIZE, MINI_PREVIEW_SIZE), Image.Resampling.LANCZOS)
    result.mini_preview = _jpeg(mini)
