"""The virtual printer's own fonts, metrics and paper: what its head puts down, in dots."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

MARGIN_TOP = 16
MARGIN_BOTTOM = 40  # what the feed to the cutter leaves below the last line
DEFAULT_LINE_SPACING = 30  # dots: ESC 2, 1/6 inch at 180 dpi, as an 80 mm Epson-compatible
STATUS_OK = 0x12  # DLE EOT reply with nothing to report: fixed bits 1 and 4 set


@dataclass(frozen=True)
class CellFont:
    """A printer font: a half-width (ANK) character cell; a double-byte (Korean) character
    takes two cells' width at the same height."""

    name: str
    cell_w: int
    cell_h: int
    px: int  # glyph size in dots: Latin in the monospaced CJK face is half of it wide


# Font A and B of a typical 80 mm / 58 mm Epson-compatible thermal printer (180 dpi).
FONT_A = CellFont("A", 12, 24, 24)
FONT_B = CellFont("B", 9, 17, 17)

# Noto Sans Mono CJK KR: Latin exactly half an em wide, like a printer's ANK cell.
_FONT_FAMILY = "Noto Sans Mono CJK KR"
_KNOWN_DIRS = (
    "/usr/share/fonts/opentype/noto",  # Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/noto-cjk",  # Arch
    "/usr/share/fonts/google-noto-cjk",  # Fedora
)
_MONO_KR_FACE = 6  # the face of Noto Sans Mono CJK KR in the NotoSansCJK-*.ttc collections


class FontMissing(RuntimeError):
    pass


@functools.lru_cache(maxsize=2)
def find_font(bold: bool) -> tuple[str, int]:
    """(file, face index) of the CJK font the virtual printer draws with, by fontconfig
    (fc-match), else at the paths Debian, Arch and Fedora install it."""
    style = "Bold" if bold else "Regular"
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{family}\n%{file}\n%{index}", f"{_FONT_FAMILY}:style={style}"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.split("\n")
        except (OSError, subprocess.SubprocessError):
            out = []
        # fc-match answers with some font always: take it only if it is the CJK family.
        if len(out) == 3 and "CJK" in out[0] and Path(out[1]).is_file() and out[2].isdigit():
            return out[1], int(out[2])
    for folder in _KNOWN_DIRS:
        path = Path(folder) / f"NotoSansCJK-{style}.ttc"
        if path.is_file():
            return str(path), _MONO_KR_FACE
    raise FontMissing(f"the virtual printer needs the {_FONT_FAMILY} font (install Debian fonts-noto-cjk)")


@functools.lru_cache(maxsize=8)
def _face(bold: bool, px: int) -> ImageFont.FreeTypeFont:
    path, index = find_font(bold)
    return ImageFont.truetype(path, px, index=index)


@functools.lru_cache(maxsize=4096)
def glyph(ch: str, font: CellFont, wide: bool, bold: bool) -> Image.Image:
    """`ch` in its cell ("L", black on white): one cell, or two when `wide`; None of the
    kiosk's code is used, so a wrong width or height from the encoder shows."""
    w = font.cell_w * (2 if wide else 1)
    img = Image.new("L", (w, font.cell_h), 255)
    if ch.isspace():
        return img
    draw = ImageDraw.Draw(img)
    if ch == "\ufffd":  # a code the font has no character for: the printer's hollow box
        draw.rectangle((1, 2, w - 2, font.cell_h - 3), outline=0)
        return img
    # The CJK em box spans 0.88 em above the baseline and 0.12 below: centre it in the cell.
    baseline = (font.cell_h - font.px) // 2 + round(font.px * 0.88)
    draw.text((w / 2, baseline), ch, font=_face(bold, font.px), fill=0, anchor="ms")
    return img


class Paper:
    """The paper of one receipt: strips of printed dots, stacked as the paper advances."""

    def __init__(self, dots: int) -> None:
        self.dots = dots
        self.strips: list[Image.Image] = []
        self.inked = False

    def advance(self, dots: int) -> None:
        if dots > 0:
            self.strips.append(Image.new("L", (self.dots, dots), 255))

    def paste(self, img: Image.Image, align: int) -> None:
        """Print `img` (already at dot scale) as its own band."""
        img = img.crop((0, 0, min(img.width, self.dots), img.height))
        strip = Image.new("L", (self.dots, img.height), 255)
        strip.paste(img, (x_for(align, img.width, self.dots), 0))
        self.strips.append(strip)
        self.inked = True

    def text_line(self, cells: list[Image.Image], align: int, spacing: int) -> None:
        """Print a line of character cells (each already scaled), bottoms on one line."""
        tallest = max(c.height for c in cells)
        # A line feeds at least its tallest character: a smaller spacing does not overlap lines.
        strip = Image.new("L", (self.dots, max(spacing, tallest)), 255)
        x = x_for(align, sum(c.width for c in cells), self.dots)
        for c in cells:
            strip.paste(c, (x, tallest - c.height))
            x += c.width
        self.strips.append(strip)
        self.inked = True

    def finish(self) -> Image.Image:
        height = MARGIN_TOP + sum(s.height for s in self.strips) + MARGIN_BOTTOM
        page = Image.new("L", (self.dots, height), 255)
        y = MARGIN_TOP
        for s in self.strips:
            page.paste(s, (0, y))
            y += s.height
        return page


def x_for(align: int, width: int, dots: int) -> int:
    if align == 1:
        return max(0, (dots - width) // 2)
    if align == 2:
        return max(0, dots - width)
    return 0
