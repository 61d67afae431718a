"""Barcode decoding: zxing-cpp and pyzbar cross-checked, and what a read code is to the kiosk."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import zxingcpp
from pyzbar import pyzbar

from kiosk.core.errors import DeviceError
from kiosk.core.events import BarcodeRead

SYMBOLOGIES: tuple[str, ...] = ("EAN13", "Code128", "Code39", "Codabar", "QRCode")
DEFAULT: frozenset[str] = frozenset(SYMBOLOGIES)

_F = zxingcpp.BarcodeFormat
# Code39Std: library registration numbers are raw Code 39; the extended reading would turn
# "+A" into "a" and change the number.
_ZXING_FORMATS = {
    "EAN13": _F.EAN13,
    "Code128": _F.Code128,
    "Code39": _F.Code39Std,
    "Codabar": _F.Codabar,
    "QRCode": _F.QRCode,
}
_ZXING_NAMES = {
    _F.EAN13: "EAN13",
    _F.Code128: "Code128",
    _F.Code39: "Code39",
    _F.Code39Std: "Code39",
    _F.Codabar: "Codabar",
    _F.QRCode: "QRCode",
}
_ZBAR_SYMBOLS = {
    "EAN13": pyzbar.ZBarSymbol.EAN13,
    "Code128": pyzbar.ZBarSymbol.CODE128,
    "Code39": pyzbar.ZBarSymbol.CODE39,
    "Codabar": pyzbar.ZBarSymbol.CODABAR,
    "QRCode": pyzbar.ZBarSymbol.QRCODE,
}
_ZBAR_NAMES = {
    "EAN13": "EAN13",
    "CODE128": "Code128",
    "CODE39": "Code39",
    "CODABAR": "Codabar",
    "QRCODE": "QRCode",
}

_CODE39_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%")
_CODABAR_DATA = frozenset("0123456789-$:/.+")
_CODABAR_ENDS = frozenset("ABCD")
# Small images (scans, test photos) get a second, upscaled look when nothing was found;
# camera frames are large enough that this never costs frame time.
_UPSCALE_BELOW_PX = 480
_STRONG_CHECK = frozenset({"QRCode", "Code128"})

Box = tuple[float, float, float, float]


class DecodeError(DeviceError):
    """The image handed to decode() is not one (wrong type, shape or dtype), or a symbology
    name is unknown."""


@dataclass(frozen=True)
class Decoded:
    """One code read from an image. Texts follow zxing-cpp: Codabar keeps its start/stop
    characters; an EAN-13 add-on (2 or 5 digits, e.g. the Korean ISBN add-on) is appended."""

    symbology: str
    text: str


@dataclass(frozen=True)
class _Candidate:
    symbology: str
    text: str
    box: Box
    decoder: str

    @property
    def core(self) -> str:
        """The text without an EAN add-on: a read with and one without agree."""
        return self.text[:13] if self.symbology == "EAN13" else self.text


def ean13_ok(digits: str) -> bool:
    """EAN-13 check digit of the first 13 digits; an appended 2- or 5-digit add-on is allowed."""
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (13, 15, 18):
        return False
    body = [int(c) for c in digits[:12]]
    total = sum(body[0::2]) + 3 * sum(body[1::2])
    return (10 - total % 10) % 10 == int(digits[12])


def valid(symbology: str, text: str) -> bool:
    """Whether `text` is something `symbology` can carry: catches misreads the decoders let by."""
    if not text or "\ufffd" in text:
        return False
    if symbology == "EAN13":
        return ean13_ok(text)
    if symbology == "Code39":
        return set(text) <= _CODE39_CHARS
    if symbology == "Codabar":
        return (
            len(text) >= 3
            and text[0] in _CODABAR_ENDS
            and text[-1] in _CODABAR_ENDS
            and set(text[1:-1]) <= _CODABAR_DATA
        )
    if symbology == "Code128":
        return all(c.isprintable() or c == "\x1d" for c in text)
    return True


def _gray(image: object) -> np.ndarray:
    if not isinstance(image, np.ndarray):
        raise DecodeError(f"decode expects a numpy image array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise DecodeError(f"decode expects a uint8 image, got dtype {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and image.shape[2] in (3, 4):
        # BT.601 luma on B, G, R: what cv2.cvtColor does, without importing cv2 here.
        b, g, r = (image[:, :, i].astype(np.uint16) for i in range(3))
        image = ((29 * b + 150 * g + 77 * r + 128) >> 8).astype(np.uint8)
    if image.ndim != 2:
        raise DecodeError(f"decode expects a gray or BGR image, got shape {image.shape}")
    return np.ascontiguousarray(image)


def _upscale2(gray: np.ndarray) -> np.ndarray:
    """Twice the size, linearly interpolated: narrow bars in small photos need it."""
    g = gray.astype(np.uint16)
    rows = np.empty((2 * g.shape[0], g.shape[1]), np.uint16)
    rows[0::2] = g
    rows[1:-1:2] = (g[:-1] + g[1:] + 1) >> 1
    rows[-1] = g[-1]
    out = np.empty((rows.shape[0], 2 * g.shape[1]), np.uint16)
    out[:, 0::2] = rows
    out[:, 1:-1:2] = (rows[:, :-1] + rows[:, 1:] + 1) >> 1
    out[:, -1] = rows[:, -1]
    return out.astype(np.uint8)


def _check_formats(formats: Iterable[str]) -> list[str]:
    names = sorted(set(formats), key=lambda s: SYMBOLOGIES.index(s) if s in SYMBOLOGIES else 99)
    unknown = [n for n in names if n not in _ZXING_FORMATS]
    if unknown:
        raise DecodeError(f"unknown symbology {unknown}; known: {', '.join(SYMBOLOGIES)}")
    return names


def _zxing(gray: np.ndarray, names: Sequence[str], scale: float) -> list[_Candidate]:
    found = zxingcpp.read_barcodes(
        gray,
        formats=zxingcpp.BarcodeFormats([_ZXING_FORMATS[n] for n in names]),
        ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Read,
        # Plain, not the default HRI: the data as encoded, as pyzbar reports it (no "(01)").
        text_mode=zxingcpp.TextMode.Plain,
    )
    out = []
    for b in found:
        name = _ZXING_NAMES.get(b.format)
        if name is None:
            continue
        p = b.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        box = (min(xs) / scale, min(ys) / scale, max(xs) / scale, max(ys) / scale)
        out.append(_Candidate(name, b.text, box, "zxing"))
    return out


def _zbar(gray: np.ndarray, names: Sequence[str], scale: float) -> list[_Candidate]:
    out = []
    for d in pyzbar.decode(gray, symbols=[_ZBAR_SYMBOLS[n] for n in names]):
        name = _ZBAR_NAMES.get(d.type)
        if name is None:
            continue
        try:
            text = d.data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        r = d.rect
        box = (
            r.left / scale,
            r.top / scale,
            (r.left + r.width) / scale,
            (r.top + r.height) / scale,
        )
        out.append(_Candidate(name, text, box, "zbar"))
    return out


def _near(a: Box, b: Box) -> bool:
    """Boxes of one symbol seen by two decoders: pyzbar's box only spans the scan lines
    that decoded, so each box is grown by a quarter of its larger side before comparing."""
    ma = 0.25 * max(a[2] - a[0], a[3] - a[1])
    mb = 0.25 * max(b[2] - b[0], b[3] - b[1])
    return (
        a[0] - ma <= b[2] + mb
        and b[0] - mb <= a[2] + ma
        and a[1] - ma <= b[3] + mb
        and b[1] - mb <= a[3] + ma
    )


def _groups(cands: list[_Candidate]) -> list[list[_Candidate]]:
    parent = list(range(len(cands)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(cands):
        for j in range(i + 1, len(cands)):
            b = cands[j]
            if a.symbology == b.symbology and (a.core == b.core or _near(a.box, b.box)):
                parent[root(j)] = root(i)
    groups: dict[int, list[_Candidate]] = {}
    for i, c in enumerate(cands):
        groups.setdefault(root(i), []).append(c)
    return list(groups.values())


def _settle(group: list[_Candidate]) -> list[Decoded]:
    """One symbol (or several close together), possibly several readings of it.

    Agreeing readings give the longest text (the one with the add-on). QR and Code 128 carry
    strong checks (Reed-Solomon, mod 103), so a disagreement there is pyzbar transcoding the
    same bytes differently (Shift-JIS, FNC): zxing-cpp's readings stand. For EAN-13, Code 39
    and Codabar a disagreement may be a misread: only a reading both decoders confirm stands.
    """
    cores = list(dict.fromkeys(c.core for c in group))
    if len(cores) > 1 and group[0].symbology in _STRONG_CHECK:
        # Only pyzbar and it disagrees with itself: nothing trustworthy, so nothing.
        cores = list(dict.fromkeys(c.core for c in group if c.decoder == "zxing"))
    elif len(cores) > 1:
        cores = [k for k in cores if {c.decoder for c in group if c.core == k} == {"zxing", "zbar"}]
        if len(cores) != 1:
            return []
    out = []
    for core in cores:
        best = max((c for c in group if c.core == core), key=lambda c: len(c.text))
        out.append(Decoded(best.symbology, best.text))
    return out


def _merge(cands: list[_Candidate]) -> list[Decoded]:
    cands = [c for c in cands if valid(c.symbology, c.text)]
    out: list[Decoded] = []
    for group in _groups(cands):
        out.extend(d for d in _settle(group) if d not in out)
    return out


def decode(gray_or_bgr: np.ndarray, formats: Iterable[str] = DEFAULT) -> list[Decoded]:
    """All codes in the image that zxing-cpp or pyzbar reads, cross-checked, deduplicated.

    Raises DecodeError for something that is not a uint8 gray/BGR(A) image or for an unknown
    symbology name. An empty or tiny image simply has no codes.
    """
    names = _check_formats(formats)
    gray = _gray(gray_or_bgr)
    if not names or gray.shape[0] < 2 or gray.shape[1] < 2:
        return []
    cands = _zxing(gray, names, 1.0) + _zbar(gray, names, 1.0)
    if not cands and min(gray.shape) < _UPSCALE_BELOW_PX:
        big = _upscale2(gray)
        cands = _zxing(big, names, 2.0) + _zbar(big, names, 2.0)
    return _merge(cands)


# --- what a read code is to the kiosk -----------------------------------------------------

MEMBER_PREFIX = "CHAEKIEUM:"


@dataclass(frozen=True)
class CodePatterns:
    """Regular expressions (full match) saying what a text is. `member` is the mobile
    membership card's QR content; its group `id` is the patron identifier."""

    item: str = r"^[A-Z]{2}\d{10}$"
    isbn: str = r"^97[89]\d{10}(\d{2}|\d{5})?$"
    member: str = r"^CHAEKIEUM:(?P<id>[0-9A-Za-z-]{4,32})$"

    def __post_init__(self) -> None:
        for field_name in ("item", "isbn", "member"):
            try:
                re.compile(getattr(self, field_name))
            except re.error as e:
                raise DecodeError(f"barcode pattern {field_name!r} is not a regex: {e}") from e


def payload(decoded: Decoded) -> str:
    """The data a code carries: Codabar without its start/stop characters, else the text."""
    if decoded.symbology == "Codabar" and len(decoded.text) >= 2:
        return decoded.text[1:-1]
    return decoded.text


def classify(decoded: Decoded, patterns: CodePatterns = CodePatterns()) -> str:
    """What the code is: "item", "isbn", "member" or "unknown". ISBNs only come as EAN-13 and
    member cards only as QR; an item label can be any linear code."""
    text = payload(decoded)
    if decoded.symbology == "QRCode" and re.fullmatch(patterns.member, text):
        return "member"
    if decoded.symbology == "EAN13" and re.fullmatch(patterns.isbn, text):
        return "isbn"
    if decoded.symbology != "QRCode" and re.fullmatch(patterns.item, text):
        return "item"
    return "unknown"


def member_identifier(text: str, patterns: CodePatterns = CodePatterns()) -> str | None:
    """The patron identifier in a mobile card's QR text, or None if it is not one."""
    m = re.fullmatch(patterns.member, text)
    if m is None:
        return None
    return m.groupdict().get("id") or text


def member_qr_text(identifier: str) -> str:
    """What a mobile membership card's QR code holds for `identifier` (inverse of the above)."""
    return MEMBER_PREFIX + identifier


def to_event(decoded: Decoded, patterns: CodePatterns = CodePatterns()) -> BarcodeRead:
    """The event a read code becomes. Its text is what the library system needs: the item's
    registration number, the ISBN digits, or, for a member card, the patron identifier."""
    kind = classify(decoded, patterns)
    text = payload(decoded)
    if kind == "member":
        text = member_identifier(text, patterns) or text
    return BarcodeRead(text=text, symbology=decoded.symbology, kind=kind)
