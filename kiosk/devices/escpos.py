"""ESC/POS wire codec: receipt lines to printer bytes (Korean double-byte or raster), status."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

from kiosk.core.errors import ConfigError
from kiosk.core.receipt import PrintLine, cell_width

log = logging.getLogger(__name__)

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
DLE = b"\x10"
EOT = b"\x04"

INIT = ESC + b"@"
KOREAN_ON = FS + b"&"  # Kanji (here KS X 1001) character mode on
KOREAN_OFF = FS + b"."
BOLD_ON = ESC + b"E\x01"
BOLD_OFF = ESC + b"E\x00"
SIZE_DOUBLE = GS + b"!\x11"  # double width and height
SIZE_NORMAL = GS + b"!\x00"
FEED_LINES = ESC + b"d"  # + n: print and feed n lines
PARTIAL_CUT = GS + b"VB\x00"  # feed to the cutter, then partial cut
RASTER = GS + b"v0"  # GS v 0 m xL xH yL yH: raster bit image
# The longest raster command sent: a taller image goes as several GS v 0 bands, which the
# printer stacks without a gap. At 9600 baud (8N1, ~960 bytes/s) 1 KB is about a second on
# the line, so a status query follows soon after and no single write outlasts a write timeout
# (a 576-dot QR code in one command is ~9.7 KB: over 10 s at 9600 baud).
RASTER_BAND_BYTES = 1024
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}

# Real-time status queries (DLE EOT n) and what each n asks.
STATUS_PRINTER = 1
STATUS_OFFLINE_CAUSE = 2
STATUS_ERROR_CAUSE = 3
STATUS_PAPER = 4
STATUS_OK = 0x12  # fixed bits 1 and 4 set, nothing to report

# Font A on 80 mm and 58 mm thermal heads: 12 x 24 dots per half-width character.
CELL_W = 12
CELL_H = 24
LINE_SPACING = 30  # dots: the default 1/6 inch line pitch a text line takes

FONT_REGULAR = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
# Face 6 of the Noto CJK collections is "Noto Sans Mono CJK KR": Latin exactly half an em,
# which matches a printer's half-width/full-width cell grid.
FONT_MONO_KR_INDEX = 6


def status_query(n: int) -> bytes:
    """The DLE EOT n bytes asking the printer for real-time status `n` (1-4)."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT status n must be 1-4, got {n!r}")
    return DLE + EOT + bytes([n])


FLOW_CONTROLS = ("none", "rtscts", "xonxoff")


@dataclass(frozen=True)
class PrinterProfile:
    """What the kiosk needs to know about a receipt printer model.

    korean: "double-byte" when the firmware has a KS X 1001 font (Korean models), else
    "raster" (Hangul is drawn here and sent as images). codepage: "ks_x_1001", the part of
    CP949 every Korean printer font carries, or "cp949" for fonts with all 11,172 syllables;
    a line with a character outside it is sent as a raster image. baud: the line speed when
    the device URL names none. flow_control: "none", "rtscts" or "xonxoff", as the printer's
    DIP switches / memory switch say (a URL's ?flow= overrides it).
    """

    name: str
    paper_mm: int = 80
    dots: int = 576
    cells: int = 48
    korean: str = "double-byte"
    codepage: str = "ks_x_1001"
    qr_native: bool = True
    qr_module: int = 6
    feed_lines: int = 3
    font_path: str = FONT_REGULAR
    bold_font_path: str = FONT_BOLD
    baud: int = 19200
    flow_control: str = "none"

    def __post_init__(self) -> None:
        if self.flow_control not in FLOW_CONTROLS:
            raise ConfigError(
                f"printer profile {self.name}: flow_control must be one of {', '.join(FLOW_CONTROLS)}, "
                f"got {self.flow_control!r}"
            )
        if self.baud <= 0:
            raise ConfigError(f"printer profile {self.name}: baud must be positive, got {self.baud!r}")
        if self.korean not in ("double-byte", "raster"):
            raise ConfigError(
                f"printer profile {self.name}: korean must be 'double-byte' or 'raster', got {self.korean!r}"
            )
        if self.codepage not in ("ks_x_1001", "cp949"):
            raise ConfigError(
                f"printer profile {self.name}: codepage must be 'ks_x_1001' or 'cp949', got {self.codepage!r}"
            )
        if self.dots % 8 or self.cells * CELL_W > self.dots:
            raise ConfigError(
                f"printer profile {self.name}: {self.cells} cells of {CELL_W} "
                f"dots do not fit {self.dots} dots (dots must be a multiple of 8)"
            )


PROFILES: dict[str, PrinterProfile] = {
    # Bixolon SRP-350/330, Sewoo SLK-TS400 and other Korean-firmware printers.
    "generic-80-ko": PrinterProfile("generic-80-ko"),
    "generic-58-ko": PrinterProfile("generic-58-ko", paper_mm=58, dots=384, cells=32, qr_module=5),
    # Any ESC/POS printer without a Korean font: Hangul goes as raster images.
    "raster-80": PrinterProfile("raster-80", korean="raster", qr_native=False),
    # Epson-compatible printers without a Korean font but with the GS ( k QR command
    # (TM-T20 and TM-T88 from model V on, most clones): the QR code costs tens of bytes.
    "raster-80-qr": PrinterProfile("raster-80-qr", korean="raster", qr_native=True),
    "raster-58": PrinterProfile(
        "raster-58", paper_mm=58, dots=384, cells=32, korean="raster", qr_native=False, qr_module=5
    ),
}


def get_profile(name: str) -> PrinterProfile:
    """The profile called `name`, or a ConfigError naming the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ConfigError(f"unknown printer profile {name!r}; known: {', '.join(PROFILES)}") from None


# --- raster rendering: Hangul drawn here for printers without a Korean font ---


@functools.lru_cache(maxsize=8)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size, index=FONT_MONO_KR_INDEX)
    except OSError:
        try:
            return ImageFont.truetype(path, size)  # a single-face font file
        except OSError as e:
            raise ConfigError(
                f"cannot load the receipt font {path}: {e} (install Debian fonts-noto-cjk)"
            ) from e


def draw_text(
    text: str, *, bold: bool = False, font_path: str = FONT_REGULAR, bold_font_path: str = FONT_BOLD
) -> Image.Image:
    """`text` drawn black on white ("L" image) on the printer's cell grid: each character
    in a 12 x 24 dot cell, wide (Hangul) characters in two."""
    width = max(1, cell_width(text)) * CELL_W
    img = Image.new("L", (width, CELL_H), 255)
    draw = ImageDraw.Draw(img)
    font = _font(bold_font_path if bold else font_path, 22)
    x = 0
    for ch in text:
        w = cell_width(ch) * CELL_W
        if not ch.isspace():
            # Centre each glyph in its cell; baseline at 19 leaves room for descenders.
            draw.text((x + w / 2, 19), ch, font=font, fill=0, anchor="ms")
        x += w
    return img


def raster_bytes(img: Image.Image) -> bytes:
    """GS v 0 (raster bit image, normal density) for `img` in one command; dark pixels print."""
    return b"".join(raster_bands(img))


def raster_bands(img: Image.Image, max_bytes: int | None = None) -> list[bytes]:
    """`img` as GS v 0 commands, top to bottom, each of whole dot rows and at most
    `max_bytes` long (at least one row each; None: one command)."""
    dark = np.asarray(img.convert("L")) < 128
    packed = np.packbits(dark, axis=1)  # pads each row to whole bytes, MSB = leftmost dot
    rows, width_bytes = packed.shape
    step = max(1, rows if max_bytes is None else (max_bytes - 8) // max(1, width_bytes))
    bands = []
    for top in range(0, rows, step):
        band = packed[top : top + step]
        header = RASTER + b"\x00" + width_bytes.to_bytes(2, "little") + len(band).to_bytes(2, "little")
        bands.append(header + band.tobytes())
    return bands


def _place(img: Image.Image, align: str, dots: int) -> Image.Image:
    """`img` padded on the left to its place on the paper, so alignment never depends on the
    printer's ESC a (sent as left before images); the blank right side is not sent: it would
    cost a byte per 8 dots per dot row."""
    if img.width > dots:
        img = img.crop((0, 0, dots, img.height))
    x = {"center": (dots - img.width) // 2, "right": dots - img.width}.get(align, 0)
    strip = Image.new("L", (min(dots, -(-(x + img.width) // 8) * 8), img.height), 255)
    strip.paste(img, (x, 0))
    return strip


def _raster_text_line(line: PrintLine, profile: PrinterProfile, band_bytes: int) -> list[bytes]:
    img = draw_text(
        line.text,
        bold=line.style in ("bold", "big"),
        font_path=profile.font_path,
        bold_font_path=profile.bold_font_path,
    )
    if line.style == "big":
        img = img.resize((img.width * 2, img.height * 2), Image.Resampling.NEAREST)
    gap = LINE_SPACING - img.height
    # Feeding the gap costs 3 bytes; drawing it as white rows would cost 72 per dot row.
    feed = ESC + b"J" + bytes([gap]) if gap > 0 else b""
    bands = raster_bands(_place(img, line.align, profile.dots), band_bytes)
    bands[-1] += feed
    return bands


def qr_image(data: str, module: int) -> Image.Image:
    import qrcode  # only for the raster fallback; python-escpos depends on it anyway

    code = qrcode.QRCode(border=2, box_size=module, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image().get_image().convert("L")


def _qr(line: PrintLine, profile: PrinterProfile, band_bytes: int) -> list[bytes]:
    if not line.text:
        return []
    if not profile.qr_native:
        bands = raster_bands(
            _place(qr_image(line.text, profile.qr_module), line.align, profile.dots), band_bytes
        )
        bands[-1] += b"\n"
        return bands
    dummy = Dummy()
    # python-escpos' GS ( k sequence: model 2, module size, error correction M, store, print.
    dummy.qr(line.text, ec=1, size=profile.qr_module, native=True)
    return [dummy.output + b"\n"]


# --- receipt encoding ---


def _text_bytes(line: PrintLine, profile: PrinterProfile) -> bytes | None:
    """The line as native text bytes, or None when the printer cannot show it as text."""
    if line.text.isascii():
        return line.text.encode("ascii")
    if profile.korean != "double-byte":
        return None
    body = encode_korean(line.text, profile.codepage)
    return None if body is None else KOREAN_ON + body + KOREAN_OFF


def encode_korean(text: str, codepage: str = "ks_x_1001") -> bytes | None:
    """CP949 bytes of `text`, or None when a character is not in the printer's font:
    with "ks_x_1001" only the 2,350 KS X 1001 syllables and symbols (both bytes 0xA1-0xFE);
    Python's euc_kr would spell the others as 8-byte jamo sequences the printer garbles."""
    try:
        data = text.encode("cp949")
    except UnicodeEncodeError:
        return None  # e.g. emoji: draw it instead
    if codepage == "ks_x_1001":
        i = 0
        while i < len(data):
            if data[i] < 0x80:
                i += 1
                continue
            if data[i] < 0xA1 or data[i + 1] < 0xA1:
                return None  # a UHC extension syllable such as 똠
            i += 2
    return data


def encode_line(line: PrintLine, profile: PrinterProfile, band_bytes: int = RASTER_BAND_BYTES) -> bytes:
    """One receipt line as ESC/POS bytes, starting from normal style and leaving it there.
    Alignment is the caller's business (see encode_receipt_parts)."""
    return b"".join(_line_commands(line, profile, band_bytes))


def _line_commands(line: PrintLine, profile: PrinterProfile, band_bytes: int) -> list[bytes]:
    """encode_line's bytes as whole commands: an image is one command per band."""
    style = line.style
    if style == "feed":
        return [FEED_LINES + bytes([profile.feed_lines])]
    if style == "cut":
        return [PARTIAL_CUT]
    if style == "qr":
        return _qr(line, profile, band_bytes)
    if style == "rule":
        return [b"-" * profile.cells + b"\n"]
    if style not in ("normal", "bold", "big"):
        raise ValueError(f"unknown receipt line style {style!r}")
    body = _text_bytes(line, profile)
    if body is None:
        log.debug("line sent as raster (%d cells)", cell_width(line.text))
        return _raster_text_line(line, profile, band_bytes)
    if style == "bold":
        return [BOLD_ON + body + b"\n" + BOLD_OFF]
    if style == "big":
        return [SIZE_DOUBLE + BOLD_ON + body + b"\n" + BOLD_OFF + SIZE_NORMAL]
    return [body + b"\n"]


def encode_receipt_parts(
    lines: list[PrintLine], profile: PrinterProfile, band_bytes: int = RASTER_BAND_BYTES
) -> list[bytes]:
    """The receipt as a list of whole commands (init, then each line's: one, or one per band
    of an image, none longer than `band_bytes` but unsplittable text), so a sender can
    interleave status queries between parts without splitting a command in two."""
    parts = [INIT]
    align = "left"
    for line in lines:
        if line.align not in ALIGN:
            raise ValueError(f"unknown receipt line alignment {line.align!r}")
        commands = _line_commands(line, profile, band_bytes)
        if not commands:
            continue
        # An image carries its own placement (see _place): the printer must not move it again.
        wanted = "left" if commands[0].startswith(RASTER) else line.align
        if line.style in ("normal", "bold", "big", "rule", "qr") and wanted != align:
            align = wanted
            commands[0] = ALIGN[align] + commands[0]
        parts.extend(commands)
    return parts


def encode_receipt(
    lines: list[PrintLine], profile: PrinterProfile, band_bytes: int = RASTER_BAND_BYTES
) -> bytes:
    """The receipt as the bytes to send: ESC @, the lines, feed and partial cut."""
    return b"".join(encode_receipt_parts(lines, profile, band_bytes))


def transfer_seconds(n_bytes: int, baud: int) -> float:
    """Time on a serial line at `baud` (8N1: ten bit times per byte)."""
    return n_bytes * 10 / baud if baud > 0 else 0.0


# --- status ---

_STATUS_BITS: dict[int, dict[str, int]] = {
    STATUS_PRINTER: {
        "drawer_open": 0x04,
        "offline": 0x08,
        "waiting_recovery": 0x20,
        "feed_button": 0x40,
    },
    STATUS_OFFLINE_CAUSE: {
        "cover_open": 0x04,
        "feeding": 0x08,
        "paper_out_stop": 0x20,
        "error": 0x40,
    },
    STATUS_ERROR_CAUSE: {
        "recoverable_error": 0x04,
        "cutter_error": 0x08,
        "unrecoverable_error": 0x20,
        "auto_recoverable_error": 0x40,
    },
    STATUS_PAPER: {"paper_near_end": 0x0C, "paper_out": 0x60},
}


def parse_status(n: int, byte: int | bytes | None) -> dict[str, Any]:
    """Decode the reply to DLE EOT `n`. Always has "n", "raw" and "known"; "known" is False
    when there was no reply or the byte is not a status byte (fixed bits wrong), and then no
    condition is claimed either way. Otherwise each condition of `n` is a bool."""
    if n not in _STATUS_BITS:
        raise ValueError(f"DLE EOT status n must be 1-4, got {n!r}")
    if isinstance(byte, bytes | bytearray):
        byte = byte[0] if len(byte) == 1 else None
    result: dict[str, Any] = {"n": n, "raw": byte, "known": False}
    # Bits 0 and 7 are always 0, bits 1 and 4 always 1 in a status reply.
    if byte is None or not 0 <= byte <= 0xFF or byte & 0x93 != 0x12:
        return result
    result["known"] = True
    for name, mask in _STATUS_BITS[n].items():
        result[name] = bool(byte & mask)
    return result
