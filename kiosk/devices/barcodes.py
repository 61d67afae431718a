"""Barcode decoding: zxing-cpp and pyzbar cross-checked, and what a read code is to the kiosk."""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import zxingcpp
from pyzbar import pyzbar
from pyzbar import wrapper as zbar_c

from kiosk.devices import preprocess
from kiosk.devices.codes import (  # noqa: F401 - re-exported: barcodes is the decoding API
    MEMBER_PREFIX,
    CodePatterns,
    Decoded,
    DecodeError,
    classify,
    ean13_ok,
    member_identifier,
    member_qr_text,
    payload,
    to_event,
    valid,
)

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

# Regions narrower than this get an upscaled look: the bars of small labels and low-resolution
# photos are a pixel or two wide.
_UPSCALE_BELOW_PX = 480
# Up to this many pixels pyzbar and the image steps look at the whole image (photos, scans);
# a larger one (a camera frame) only at the regions that look like codes: pyzbar takes
# ~20 ms on a whole 1280x720 frame, zxing-cpp ~4 ms.
_WHOLE_IMAGE_PX = 640 * 480
_DESKEW_ABOVE_DEG = 10.0
_THIN_PX = 6
_STRONG_CHECK = frozenset({"QRCode"})

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class _Candidate:
    symbology: str
    text: str
    box: Box
    decoder: str
    look: str = "image"
    # A reading that may stand on its own (else only a vote for or against others).
    trusted: bool = True

    @property
    def core(self) -> str:
        """What two readings of one symbol share: EAN-13 without its add-on (a read with and
        one without agree); Code 128 in 7 bits, since pyzbar drops the FNC4 that makes
        Latin-1 letters ("ó" comes back as "s")."""
        if self.symbology == "EAN13":
            return self.text[:13]
        if self.symbology == "Code128":
            return "".join(chr(ord(c) & 0x7F) if 0x80 <= ord(c) <= 0xFF else c for c in self.text)
        return self.text


def _check_formats(formats: Iterable[str]) -> list[str]:
    names = sorted(set(formats), key=lambda s: SYMBOLOGIES.index(s) if s in SYMBOLOGIES else 99)
    unknown = [n for n in names if n not in _ZXING_FORMATS]
    if unknown:
        raise DecodeError(f"unknown symbology {unknown}; known: {', '.join(SYMBOLOGIES)}")
    return names


@dataclass(frozen=True)
class _View:
    """An image a decoder looks at: the picture or a region of it, maybe transformed.
    Boxes found in it map back by offset and scale; a turned view reports its region."""

    image: np.ndarray
    look: str
    region: Box
    scale: float = 1.0
    turned: bool = False

    def box(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        if self.turned:
            return self.region
        s, ox, oy = self.scale, self.region[0], self.region[1]
        return (ox + x0 / s, oy + y0 / s, ox + x1 / s, oy + y1 / s)


def _zxing(view: _View, names: Sequence[str], trusted: bool = True) -> list[_Candidate]:
    found = zxingcpp.read_barcodes(
        view.image,
        formats=zxingcpp.BarcodeFormats([_ZXING_FORMATS[n] for n in names]),
        ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Read,
        # Plain, not the default HRI: the data as encoded, as pyzbar reports it (no "(01)").
        text_mode=zxingcpp.TextMode.Plain,
        # A turned view's rows already run along the label: no need to look at its columns.
        try_rotate=not view.turned,
    )
    out = []
    for b in found:
        name = _ZXING_NAMES.get(b.format)
        if name is None:
            continue
        p = b.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        box = view.box(min(xs), min(ys), max(xs), max(ys))
        out.append(_Candidate(name, b.text, box, "zxing", view.look, trusted))
    return out


# The pyzbar internals _zbar_scan builds on (pyzbar 0.1.9); without them it scans every line.
_ZBAR_INTERNALS = all(
    hasattr(pyzbar, name)
    for name in (
        "_pixel_data",
        "_image_scanner",
        "_image",
        "_decode_symbols",
        "_symbols_for_image",
        "_FOURCC",
    )
)


def _zbar_scan(image: np.ndarray, symbols: list[pyzbar.ZBarSymbol], rows: int, columns: int) -> list:
    """pyzbar.decode scanning every `rows`-th row and `columns`-th column (0: none). pyzbar
    has no option for zbar's scan densities, so this is its decode() with two more scanner
    settings: a turned view's columns cross no label, and scanning them is half the time."""
    if rows == columns == 1 or not _ZBAR_INTERNALS:
        return list(pyzbar.decode(image, symbols=symbols))
    pixels, width, height = pyzbar._pixel_data(image)
    cfg = zbar_c.ZBarConfig
    with pyzbar._image_scanner() as scanner:
        for symbol in set(pyzbar.ZBarSymbol) - set(symbols):
            zbar_c.zbar_image_scanner_set_config(scanner, symbol, cfg.CFG_ENABLE, 0)
        for symbol in symbols:
            zbar_c.zbar_image_scanner_set_config(scanner, symbol, cfg.CFG_ENABLE, 1)
        # Y density spaces the rows (horizontal scan lines), X density the columns.
        zbar_c.zbar_image_scanner_set_config(scanner, 0, cfg.CFG_X_DENSITY, columns)
        zbar_c.zbar_image_scanner_set_config(scanner, 0, cfg.CFG_Y_DENSITY, rows)
        with pyzbar._image() as img:
            zbar_c.zbar_image_set_format(img, pyzbar._FOURCC["L800"])
            zbar_c.zbar_image_set_size(img, width, height)
            zbar_c.zbar_image_set_data(img, ctypes.cast(pixels, ctypes.c_void_p), len(pixels), None)
            if zbar_c.zbar_scan_image(scanner, img) < 0:
                return []
            return list(pyzbar._decode_symbols(pyzbar._symbols_for_image(img)))


def _zbar(view: _View, names: Sequence[str], trusted: bool = True) -> list[_Candidate]:
    out = []
    symbols = [_ZBAR_SYMBOLS[n] for n in names]
    for d in _zbar_scan(view.image, symbols, 1, 0 if view.turned else 1):
        name = _ZBAR_NAMES.get(d.type)
        if name is None:
            continue
        try:
            text = d.data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        r = d.rect
        box = view.box(r.left, r.top, r.left + r.width, r.top + r.height)
        # A few scan lines across a tilted label: where pyzbar's linear misreads come from.
        thin = name != "QRCode" and r.height < _THIN_PX and r.height < 0.05 * r.width
        out.append(_Candidate(name, text, box, "zbar", view.look, trusted and not thin))
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


def _settle(group: list[_Candidate]) -> list[Decoded] | None:
    """One symbol (or several close together), possibly several readings of it; None when
    the readings disagree and more looks are needed.

    QR codes carry Reed-Solomon error correction, so a disagreement there is pyzbar
    transcoding the same bytes differently (Shift-JIS): zxing-cpp's readings stand. Linear
    codes have at most one check character (zxing-cpp misreads Code 128 from a single
    scan line of a tilted label): a rival reading stands when both decoders confirm it and
    nothing else, or when at least two more looks (decoder and image step) confirm it than
    its best rival. A reading only an enhanced pyzbar look made is a vote, never a result on
    its own: that is where pyzbar misreads.
    """
    votes: dict[str, set[str]] = {}
    for c in group:
        votes.setdefault(c.core, set()).add(f"{c.decoder}:{c.look}")
    trusted = {c.core for c in group if c.trusted}
    cores = [k for k in votes if k in trusted]
    if group[0].symbology in _STRONG_CHECK:
        zx = [k for k in cores if any(c.decoder == "zxing" and c.core == k for c in group)]
        cores = zx or (cores if len(cores) == 1 else [])
        if not cores:
            return None if len(votes) > 1 else []
    elif len(votes) > 1 and len(cores) == 1 and len(votes[cores[0]]) >= max(map(len, votes.values())):
        pass  # the rivals are only votes (thin or enhanced pyzbar reads), and no more of them
    elif len(votes) > 1:
        ranked = sorted(votes, key=lambda k: -len(votes[k]))
        both = [k for k in ranked if {v.split(":")[0] for v in votes[k]} == {"zxing", "zbar"}]
        best, second = ranked[0], ranked[1]
        if len(both) == 1 and both[0] in trusted:
            cores = both
        elif best in trusted and len(votes[best]) >= len(votes[second]) + 2:
            cores = [best]
        else:
            return None
    out = []
    for core in cores:
        readings = [c for c in group if c.core == core]
        best_c = max(readings, key=lambda c: (len(c.text), c.decoder == "zxing"))
        out.append(Decoded(best_c.symbology, best_c.text))
    return out


def _merge(cands: list[_Candidate]) -> tuple[list[Decoded], bool]:
    """The settled codes, and whether some symbol is still disputed."""
    cands = [c for c in cands if valid(c.symbology, c.text)]
    out: list[Decoded] = []
    disputed = False
    for group in _groups(cands):
        settled = _settle(group)
        if settled is None:
            disputed = True
            continue
        out.extend(d for d in settled if d not in out)
    return out, disputed


def _regions(gray: np.ndarray) -> list[Box]:
    h, w = gray.shape
    if h * w <= _WHOLE_IMAGE_PX:
        return [(0.0, 0.0, float(w), float(h))]
    return [tuple(map(float, b)) for b in preprocess.code_regions(gray)]  # type: ignore[misc]


def _crop(gray: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = (int(v) for v in box)
    return np.ascontiguousarray(gray[y0:y1, x0:x1])


def _enhanced(gray: np.ndarray, box: Box, step: str) -> _View | None:
    """The view `step` makes of one region, or None when the step does not apply there."""
    crop = _crop(gray, box)
    if min(crop.shape) < 16:
        return None
    whole = crop.shape == gray.shape
    if step == "sharpen":
        return _View(preprocess.sharpen(crop), step, box)
    # Only small pictures: in a camera frame a label spans hundreds of pixels.
    if step == "upscale" and whole and min(crop.shape) < _UPSCALE_BELOW_PX:
        return _View(preprocess.sharpen(preprocess.upscale2(crop)), step, box, scale=2.0)
    if step == "contrast":
        return _View(preprocess.local_contrast(crop), step, box)
    if step == "deskew":
        # zxing-cpp reads bars tilted up to ~10 degrees and turns by 90 itself; beyond that,
        # shear so that rows run along the label.
        tilt = (preprocess.bar_angle(crop) + 45) % 90 - 45
        if abs(tilt) > _DESKEW_ABOVE_DEG:
            return _View(preprocess.shear_level(crop, -tilt), step, box, turned=True)
    return None


STEPS: tuple[str, ...] = ("zbar", "sharpen", "upscale", "contrast", "deskew")


def decode(
    gray_or_bgr: np.ndarray,
    formats: Iterable[str] = DEFAULT,
    steps: Iterable[str] = STEPS,
) -> list[Decoded]:
    """All codes in the image, cross-checked, deduplicated.

    zxing-cpp reads the whole image; with "zbar", pyzbar too (on the whole of a small image,
    on the regions that look like codes in a large one). When that settles nothing, each
    further step (sharpen, upscale small pictures, even out local contrast, turn tilted bars
    upright) is tried on those regions until one does. A disputed symbol gets pyzbar's
    votes on the enhanced looks as well. `steps` chooses the steps (the benchmark measures
    each one's gain).

    Raises DecodeError for something that is not a uint8 gray/BGR(A) image or for an unknown
    symbology or step name. An empty or tiny image simply has no codes.
    """
    names = _check_formats(formats)
    chosen = set(steps)
    if chosen - set(STEPS):
        raise DecodeError(f"unknown decode step {sorted(chosen - set(STEPS))}; known: {', '.join(STEPS)}")
    try:
        gray = preprocess.to_gray(gray_or_bgr)
    except ValueError as e:
        raise DecodeError(f"decode: {e}") from e
    h, w = gray.shape
    if not names or h < 2 or w < 2:
        return []
    cands = _zxing(_View(gray, "image", (0.0, 0.0, float(w), float(h))), names)
    regions: list[Box] | None = None
    if "zbar" in chosen:
        regions = _regions(gray)
        for box in regions:
            cands += _zbar(_View(_crop(gray, box), "image", box), names)
    found, disputed = _merge(cands)
    for step in STEPS[1:]:
        if (found and not disputed) or step not in chosen:
            continue
        regions = _regions(gray) if regions is None else regions
        for box in regions:
            view = _enhanced(gray, box, step)
            if view is None:
                continue
            # A sheared view only makes sense of linear codes (its rows run along the bars).
            looked = [n for n in names if n != "QRCode"] if view.turned else names
            if not looked:
                continue
            cands += _zxing(view, looked)
            if disputed or step == "deskew":
                cands += _zbar(view, looked, trusted=False)
        found, disputed = _merge(cands)
    return found
