"""Draws the app icons (a white check-shield on a teal rounded square) with Pillow.

Geometric on purpose: it needs no CJK font, so it renders the same on every machine.
Run from the repository root: `.venv/bin/python pwa/tools/make_icons.py`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parents[1] / "icons"
TOP = (16, 128, 108)  # gradient top: teal
BOTTOM = (8, 84, 72)  # gradient bottom: deep teal
SHIELD = (255, 255, 255)
CHECK = (10, 107, 92)
SCALE = 4  # draw large, then downsample for smooth edges


def _gradient(size: int) -> Image.Image:
    img = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(img)
    for y in range(size):
        k = y / (size - 1)
        colour = tuple(round(a + (b - a) * k) for a, b in zip(TOP, BOTTOM, strict=True))
        draw.line([(0, y), (size, y)], fill=colour)
    return img


def _bezier(p0, p1, p2, steps=32):
    for i in range(1, steps + 1):
        t = i / steps
        yield (
            (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t**2 * p2[0],
            (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t**2 * p2[1],
        )


def _shield(cx: float, top: float, width: float, height: float) -> list[tuple[float, float]]:
    """A shield outline: a slightly arched top with rounded corners, straight sides, and
    curves meeting in a point at the bottom."""
    half = width / 2
    corner = width * 0.10
    arch = height * 0.05
    right: list[tuple[float, float]] = [(cx, top)]
    right += _bezier(
        (cx, top), (cx + half * 0.55, top + arch * 1.6), (cx + half - corner, top + arch)
    )
    right += _bezier(
        (cx + half - corner, top + arch),
        (cx + half, top + arch * 0.6),
        (cx + half, top + arch + corner),
    )
    right.append((cx + half, top + height * 0.48))
    right += _bezier(
        (cx + half, top + height * 0.48), (cx + half, top + height * 0.82), (cx, top + height)
    )
    left = [(2 * cx - x, y) for x, y in reversed(right[1:-1])]
    return right + left


def draw_icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * SCALE
    canvas = _gradient(big).convert("RGBA")
    mask = Image.new("L", (big, big), 0)
    if maskable:
        mask.paste(255, (0, 0, big, big))  # full bleed: the platform applies its own mask
    else:
        ImageDraw.Draw(mask).rounded_rectangle(
            (0, 0, big - 1, big - 1), radius=big * 0.22, fill=255
        )
    icon = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    icon.paste(canvas, (0, 0), mask)
    draw = ImageDraw.Draw(icon)
    # keep the mark inside the maskable safe zone (a circle of 80% of the size)
    extent = 0.50 if maskable else 0.62
    width = big * extent * 0.86
    height = big * extent
    top = (big - height) / 2
    cx = big / 2
    draw.polygon(_shield(cx, top, width, height), fill=SHIELD)
    stroke = big * extent * 0.11
    check = [
        (cx - width * 0.24, top + height * 0.50),
        (cx - width * 0.05, top + height * 0.68),
        (cx + width * 0.27, top + height * 0.33),
    ]
    draw.line(check, fill=CHECK, width=round(stroke), joint="curve")
    for x, y in (check[0], check[2]):
        r = stroke / 2
        draw.ellipse((x - r, y - r, x + r, y + r), fill=CHECK)
    return icon.resize((size, size), Image.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    draw_icon(192, maskable=False).save(ICONS / "icon-192.png", optimize=True)
    draw_icon(512, maskable=False).save(ICONS / "icon-512.png", optimize=True)
    draw_icon(512, maskable=True).convert("RGB").save(
        ICONS / "icon-maskable-512.png", optimize=True
    )
    draw_icon(180, maskable=True).convert("RGB").save(ICONS / "apple-touch-icon.png", optimize=True)
    draw_icon(32, maskable=False).save(ICONS / "favicon-32.png", optimize=True)


if __name__ == "__main__":
    main()
