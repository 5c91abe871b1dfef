"""Rendering a meme: a bundled template with each line of text fitted into its box (largest font that
fits, wrapped on words, white with a black outline, or dark text for the ``dark`` style)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

ASSETS = Path(__file__).resolve().parent.parent / "assets"


@dataclass
class Template:
    name: str
    description: str
    style: str
    boxes: list[dict[str, int]]
    path: Path


def templates() -> dict[str, Template]:
    index: dict[str, Any] = json.loads((ASSETS / "templates.json").read_text())
    return {name: Template(name, t["description"], t["style"], t["boxes"], ASSETS / t["file"])
            for name, t in index.items()}


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(lines[-1] + " " + word, font=font) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _fit(draw: ImageDraw.ImageDraw, text: str, box: dict[str, int]) -> tuple[Any, list[str], int]:
    for size in range(64, 9, -2):
        font = ImageFont.load_default(size=size)
        lines = _wrap(draw, text, font, box["w"])
        height = len(lines) * int(size * 1.15)
        if height <= box["h"] and all(draw.textlength(line, font=font) <= box["w"] for line in lines):
            return font, lines, size
    font = ImageFont.load_default(size=10)
    return font, _wrap(draw, text, font, box["w"]), 10


def render(template: Template, texts: list[str]) -> bytes:
    """The meme as PNG bytes (run it in a thread: Pillow works synchronously)."""
    with Image.open(template.path) as src:
        img = src.convert("RGB")
    draw = ImageDraw.Draw(img)
    for text, box in zip(texts, template.boxes, strict=False):
        text = text.upper() if template.style == "impact" else text
        font, lines, size = _fit(draw, text, box)
        line_h = int(size * 1.15)
        y = box["y"] + (box["h"] - line_h * len(lines)) // 2
        for line in lines:
            x = box["x"] + (box["w"] - int(draw.textlength(line, font=font))) // 2
            if template.style == "impact":
                draw.text((x, y), line, font=font, fill="white", stroke_width=max(2, size // 12), stroke_fill="black")
            else:
                draw.text((x, y), line, font=font, fill="black")
            y += line_h
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
