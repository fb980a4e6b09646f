"""``checkin icons``: the skill's icons (108 and 512 px PNG, as the Alexa skill store asks), drawn
here in pure Python so that no image library is a dependency. The PNGs are committed in
``skill/static/`` and served by the service at ``/static/``; run this only to change the design.
``checkin icons --check`` exits 1 when a committed icon's pixels differ from the drawing.

The design: two overlapping circles, two people, warm where they meet, under a crescent moon
on a night sky. Edges are anti-aliased from each shape's signed distance, one sample a pixel."""

from __future__ import annotations

import argparse
import math
import struct
import sys
import zlib
from pathlib import Path

from . import PROJECT_ROOT

STATIC = PROJECT_ROOT / "skill" / "static"
SIZES = (108, 512)

SKY_TOP, SKY_BOTTOM = (27, 26, 58), (46, 42, 99)
AMBER, ROSE, GLOW, MOON = (244, 184, 96), (232, 131, 126), (251, 227, 176), (246, 239, 216)
# (centre x, centre y, radius) as fractions of the side
LEFT, RIGHT = (0.39, 0.56, 0.23), (0.61, 0.56, 0.23)
MOON_DISC, MOON_BITE = (0.77, 0.21, 0.08), (0.805, 0.185, 0.07)
STARS = ((0.2, 0.2, 0.013), (0.31, 0.11, 0.009), (0.9, 0.43, 0.011), (0.12, 0.4, 0.008))


def icon_path(size: int) -> Path:
    return STATIC / f"icon-{size}.png"


def _cover(x: float, y: float, circle: tuple[float, float, float], size: int) -> float:
    """How much of the pixel at (x, y) the circle covers, 0 to 1."""
    cx, cy, r = circle
    distance = (math.hypot(x - cx, y - cy) - r) * size  # in pixels, negative inside
    return min(1.0, max(0.0, 0.5 - distance))


def _over(base: tuple[float, ...], color: tuple[int, int, int], alpha: float) -> tuple[float, ...]:
    return tuple(b + (c - b) * alpha for b, c in zip(base, color))


def _pixel(px: int, py: int, size: int) -> tuple[float, ...]:
    x, y = (px + 0.5) / size, (py + 0.5) / size
    color: tuple[float, ...] = _over(SKY_TOP, SKY_BOTTOM, y)
    for star in STARS:
        color = _over(color, MOON, _cover(x, y, star, size))
    moon = _cover(x, y, MOON_DISC, size) * (1 - _cover(x, y, MOON_BITE, size))
    color = _over(color, MOON, moon)
    left, right = _cover(x, y, LEFT, size), _cover(x, y, RIGHT, size)
    color = _over(color, AMBER, left)
    color = _over(color, ROSE, right * 0.92)
    return _over(color, GLOW, min(left, right))


def draw(size: int) -> bytes:
    """The icon's pixels: RGB rows, top to bottom."""
    rows = bytearray()
    for py in range(size):
        for px in range(size):
            rows.extend(round(channel) for channel in _pixel(px, py, size))
    return bytes(rows)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(size: int, rgb: bytes) -> bytes:
    stride = size * 3
    raw = b"".join(b"\x00" + rgb[row * stride:(row + 1) * stride] for row in range(size))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


def decode_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB rows of a PNG this module wrote (8-bit RGB, filter 0 rows)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if header is None or header[2:5] != (8, 2, 0):
        raise ValueError("not an 8-bit RGB PNG")
    width, height = header[0], header[1]
    raw, stride = zlib.decompress(idat), width * 3 + 1
    if any(raw[row * stride] != 0 for row in range(height)):
        raise ValueError("rows use PNG filters this reader does not undo")
    return width, height, b"".join(raw[row * stride + 1:(row + 1) * stride] for row in range(height))


def stale() -> list[Path]:
    """The committed icons whose pixels differ from the drawing."""
    out = []
    for size in SIZES:
        path = icon_path(size)
        try:
            same = decode_png(path.read_bytes()) == (size, size, draw(size))
        except (OSError, ValueError):
            same = False
        if not same:
            out.append(path)
    return out


def icons_command(args: argparse.Namespace) -> int:
    if args.check:
        for path in (out_of_date := stale()):
            print(f"stale: {path.relative_to(PROJECT_ROOT)} (run: checkin icons)", file=sys.stderr)
        return 1 if out_of_date else 0
    STATIC.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        icon_path(size).write_bytes(encode_png(size, draw(size)))
        print(f"wrote {icon_path(size).relative_to(PROJECT_ROOT)}")
    return 0


def add_command(subparsers) -> None:
    p = subparsers.add_parser("icons", help="draw the skill's icons into skill/static/")
    p.add_argument("--check", action="store_true",
                   help="only list committed icons that differ from the drawing (exit 1 if any)")
    p.set_defaults(func=icons_command)
