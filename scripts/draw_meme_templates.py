"""Draw the meme plugin's templates (src/chinwag/plugin/bundled/memes/assets/*.png): simple pictures
made here with Pillow, so the plugin ships no image taken from elsewhere. Run it again after changing
a drawing; ``templates.json`` beside them names each template's text boxes."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "src/chinwag/plugin/bundled/memes/assets"
W, H = 600, 600


def gradient(top: tuple[int, int, int], bottom: tuple[int, int, int], size: tuple[int, int] = (W, H)) -> Image.Image:
    img = Image.new("RGB", size)
    d = ImageDraw.Draw(img)
    for y in range(size[1]):
        t = y / max(size[1] - 1, 1)
        d.line([(0, y), (size[0], y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return img


def stick_figure(d: ImageDraw.ImageDraw, x: int, y: int, scale: float = 1.0, arms_up: bool = False) -> None:
    s = scale
    d.ellipse([x - 25 * s, y - 50 * s, x + 25 * s, y], outline="black", width=4, fill="#ffe0bd")
    d.line([(x, y), (x, y + 90 * s)], fill="black", width=5)
    if arms_up:
        d.line([(x, y + 25 * s), (x - 45 * s, y - 20 * s)], fill="black", width=5)
        d.line([(x, y + 25 * s), (x + 45 * s, y - 20 * s)], fill="black", width=5)
    else:
        d.line([(x, y + 25 * s), (x - 40 * s, y + 60 * s)], fill="black", width=5)
        d.line([(x, y + 25 * s), (x + 40 * s, y + 60 * s)], fill="black", width=5)
    d.line([(x, y + 90 * s), (x - 30 * s, y + 150 * s)], fill="black", width=5)
    d.line([(x, y + 90 * s), (x + 30 * s, y + 150 * s)], fill="black", width=5)


def classic() -> tuple[Image.Image, list[dict[str, int]]]:
    img = gradient((40, 90, 160), (10, 20, 60))
    d = ImageDraw.Draw(img)
    d.ellipse([200, 180, 400, 380], fill="#f5c542", outline="#7a5c00", width=6)  # a round, smiling sun
    d.ellipse([250, 240, 275, 265], fill="black")
    d.ellipse([325, 240, 350, 265], fill="black")
    d.arc([245, 260, 355, 340], 20, 160, fill="black", width=6)
    return img, [{"x": 20, "y": 10, "w": 560, "h": 150}, {"x": 20, "y": 440, "w": 560, "h": 150}]


def choice() -> tuple[Image.Image, list[dict[str, int]]]:
    img = gradient((235, 235, 240), (200, 205, 215))
    d = ImageDraw.Draw(img)
    for x0 in (60, 320):
        d.rounded_rectangle([x0, 60, x0 + 220, 200], 30, fill="#d9342b", outline="#6b1410", width=6)
    stick_figure(d, 300, 360, 1.2, arms_up=True)
    d.ellipse([270, 305, 285, 320], fill="#3aa0ff")  # a drop of sweat
    return img, [{"x": 70, "y": 70, "w": 200, "h": 120}, {"x": 330, "y": 70, "w": 200, "h": 120},
                 {"x": 20, "y": 530, "w": 560, "h": 60}]


def sign() -> tuple[Image.Image, list[dict[str, int]]]:
    img = gradient((150, 210, 250), (120, 190, 110))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 450, W, H], fill="#5a9a3c")
    d.rectangle([110, 90, 490, 330], fill="#fffbe6", outline="#8b5a2b", width=10)
    d.line([(300, 330), (300, 420)], fill="#8b5a2b", width=12)
    stick_figure(d, 300, 400, 0.9)
    return img, [{"x": 130, "y": 110, "w": 340, "h": 200}]


def galaxy() -> tuple[Image.Image, list[dict[str, int]]]:
    img = Image.new("RGB", (W, H), "white")
    colors = [((60, 60, 70), (90, 90, 100)), ((40, 70, 140), (90, 130, 200)), ((120, 60, 180), (200, 120, 240)),
              ((250, 200, 60), (255, 250, 220))]
    boxes = []
    for i, (a, b) in enumerate(colors):
        panel = gradient(a, b, (W // 2, H // 4))
        img.paste(panel, (W // 2, i * H // 4))
        d = ImageDraw.Draw(img)
        cx, cy, r = 3 * W // 4, i * H // 4 + H // 8, 20 + i * 12
        d.ellipse([cx - r, cy - r, cx + r, cy + r], outline="white", width=3 + i)
        boxes.append({"x": 10, "y": i * H // 4 + 10, "w": W // 2 - 20, "h": H // 4 - 20})
    d = ImageDraw.Draw(img)
    for i in range(1, 4):
        d.line([(0, i * H // 4), (W, i * H // 4)], fill="black", width=3)
    d.line([(W // 2, 0), (W // 2, H)], fill="black", width=3)
    return img, boxes


TEMPLATES = {
    "classic": ("A smiling sun, text on top and at the bottom", classic, "impact"),
    "choice": ("Two red buttons and someone who cannot choose", choice, "dark"),
    "sign": ("Someone holding up a sign", sign, "dark"),
    "galaxy": ("Four panels, each brighter than the last", galaxy, "dark"),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    index = {}
    for name, (description, draw, style) in TEMPLATES.items():
        img, boxes = draw()
        img.save(OUT / f"{name}.png", optimize=True)
        index[name] = {"file": f"{name}.png", "description": description, "style": style, "boxes": boxes}
    (OUT / "templates.json").write_text(json.dumps(index, indent=2) + "\n")


if __name__ == "__main__":
    main()
