"""Barcode decoding: zxing-cpp and pyzbar cross-checked, and what a read code is to the kiosk."""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import zxingcpp
from pyzbar import pyzbar
from pyzbar import wrapper as zbar_c

from kiosk.devices import looks, preprocess
from kiosk.devices.codes import (  # noqa: F401 - re-exported: barcodes is the decoding API
    MEMBER_PREFIX,
    CodePatterns,
    Decoded,
    DecodeError,
    admit,
    classify,
    ean13_ok,
    member_identifier,
    member_qr_text,
    payload,
    rejection,
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

_THIN_PX = 6
_STRONG_CHECK = frozenset({"QRCode"})

# An image turned by some degrees (bars at that angle made upright), canvas grown to fit.
Rotate = Callable[[np.ndarray, float], np.ndarray]


@dataclass(frozen=True)
class _Candidate:
    symbology: str
    text: str
    box: looks.Box
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


def _zxing(
    view: looks.View,
    names: Sequence[str],
    trusted: bool = True,
    rows: list[tuple[int, int]] | None = None,
    camera: bool = False,
) -> list[_Candidate]:
    """zxing-cpp's readings of a view; `rows` collects the rows of the view each one spans.
    `camera`: a camera frame's labels are dark on light (no inverted look) and a label on
    its side is turned upright by the frame pipeline (no look at the columns): a third of
    the time."""
    found = zxingcpp.read_barcodes(
        view.image,
        formats=zxingcpp.BarcodeFormats([_ZXING_FORMATS[n] for n in names]),
        ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Read,
        # Plain, not the default HRI: the data as encoded, as pyzbar reports it (no "(01)").
        text_mode=zxingcpp.TextMode.Plain,
        # A turned view's rows already run along the label: no need to look at its columns.
        try_rotate=not (view.turned or camera),
        try_invert=not camera,
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
        if rows is not None:
            rows.append((int(min(ys)), int(max(ys)) + 1))
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


def _zbar(
    view: looks.View,
    names: Sequence[str],
    trusted: bool = True,
    scan: tuple[int, int] = (1, 1),
    min_quality: int = 0,
    averaged: int = 1,
) -> list[_Candidate]:
    """pyzbar's readings of a view, every `scan` (row, column) line; a turned view's rows
    (every `scan[0]`-th one). A linear reading fewer than `min_quality` scan lines agree on
    is only a vote. `averaged`: how many of the label's rows each row of the view is the
    mean of (its height in the frame is that many times its height here)."""
    out = []
    symbols = [_ZBAR_SYMBOLS[n] for n in names]
    rows, columns = (max(1, scan[0]), 0) if view.turned else scan
    for d in _zbar_scan(view.image, symbols, rows, columns):
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
        tall = r.height * averaged
        thin = name != "QRCode" and tall < _THIN_PX and tall < 0.05 * r.width
        weak = name != "QRCode" and d.quality < min_quality
        out.append(_Candidate(name, text, box, "zbar", view.look, trusted and not thin and not weak))
    return out


def _near(a: looks.Box, b: looks.Box) -> bool:
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


def _settle(group: list[_Candidate], strict: bool = False) -> list[Decoded] | None:
    """One symbol (or several close together), possibly several readings of it; None when
    the readings disagree and more looks are needed.

    QR codes carry Reed-Solomon error correction, so a disagreement there is pyzbar
    transcoding the same bytes differently (Shift-JIS): zxing-cpp's readings stand. Linear
    codes have at most one check character (zxing-cpp misreads Code 128 from a single
    scan line of a tilted label): a rival reading stands when both decoders confirm it and
    nothing else, or when at least two more looks (decoder and image step) confirm it than
    its best rival. A reading only an enhanced pyzbar look made is a vote, never a result on
    its own: that is where pyzbar misreads. `strict` (camera frames, where the next frame
    is another chance): a linear reading with any rival, vote or not, is only settled by
    those two rules.
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
    elif (
        not strict
        and len(votes) > 1
        and len(cores) == 1
        and len(votes[cores[0]]) >= max(map(len, votes.values()))
    ):
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
    if not cores and len(votes) == 1 and any(c.look == "profile" for c in group):
        # Only one half of a label's profiles read it (and maybe another look's vote, no
        # rival): not sure, but a reading the camera posts once another frame agrees (the
        # next frame's noise is its own).
        best_c = max(group, key=lambda c: (len(c.text), c.decoder == "zxing"))
        return [Decoded(best_c.symbology, best_c.text, sure=False)]
    out = []
    for core in cores:
        readings = [c for c in group if c.core == core]
        best_c = max(readings, key=lambda c: (len(c.text), c.decoder == "zxing"))
        out.append(Decoded(best_c.symbology, best_c.text))
    return out


def _merge(cands: list[_Candidate], strict: bool = False) -> tuple[list[Decoded], bool]:
    """The settled codes, and whether some symbol is still disputed."""
    cands = [c for c in cands if valid(c.symbology, c.text)]
    out: list[Decoded] = []
    disputed = False
    for group in _groups(cands):
        settled = _settle(group, strict)
        if settled is None:
            disputed = True
            continue
        out.extend(d for d in settled if d not in out)
    return out, disputed


STEPS: tuple[str, ...] = ("zbar", "sharpen", "upscale", "contrast", "deskew")


def decode(
    gray_or_bgr: np.ndarray,
    formats: Iterable[str] = DEFAULT,
    steps: Iterable[str] = STEPS,
    deadline: float | None = None,
) -> list[Decoded]:
    """All codes in the image, cross-checked, deduplicated.

    zxing-cpp reads the whole image; with "zbar", pyzbar too (on the whole of a small image,
    on the regions that look like codes in a large one). When that settles nothing, each
    further step (sharpen, upscale small pictures, even out local contrast, turn tilted bars
    upright) is tried on those regions until one does. A disputed symbol gets pyzbar's
    votes on the enhanced looks as well. `steps` chooses the steps (the benchmark measures
    each one's gain).

    `deadline` (a time.perf_counter() value) is for camera frames, where the next frame is
    due: pyzbar then scans a linear code's region in the one direction that crosses its
    bars, and an image step skips a region it would not finish by then, except that the
    largest region is always deskewed (where tilted labels are read).

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
    timed = deadline is not None
    cands = _zxing(looks.View(gray, "image", (0.0, 0.0, float(w), float(h))), names)
    regions: list[looks.Region] | None = None
    if "zbar" in chosen:
        regions = looks.found_regions(gray, timed)
        for r in regions:
            cands += _zbar(looks.View(looks.crop(gray, r.box), "image", r.box), names, scan=r.scan())
    found, disputed = _merge(cands)
    for step in STEPS[1:]:
        if (found and not disputed) or step not in chosen:
            continue
        regions = looks.found_regions(gray, timed) if regions is None else regions
        for i, r in enumerate(regions):
            must = step == "deskew" and i == 0
            if deadline is not None and not must and not looks.affordable(step, r.box, deadline):
                continue
            t0 = time.perf_counter()
            view = looks.enhanced(gray, r.box, step, r.tilt)
            if view is None:
                continue
            # A sheared view only makes sense of linear codes (its rows run along the bars).
            looked = [n for n in names if n != "QRCode"] if view.turned else names
            if not looked:
                continue
            spans: list[tuple[int, int]] = []
            cands += _zxing(view, looked, rows=spans)
            if disputed:
                cands += _zbar(view, looked, trusted=False)
            elif step == "deskew":
                # pyzbar's vote can confirm or dispute zxing-cpp's readings of the turned view,
                # and can do nothing else (an untrusted reading never stands on its own):
                # so only the rows of those readings, the symbol's height, need scanning.
                for band in looks.bands(spans, view.image.shape[0]):
                    cands += _zbar(
                        looks.View(view.image[band[0] : band[1]], step, r.box, turned=True), looked, False
                    )
            if timed:
                looks.learn(step, r.box, time.perf_counter() - t0)
        found, disputed = _merge(cands)
    return found


# A camera frame's deskewed label: pyzbar scans every second row of it (the bars run the
# whole height, so no row is needed twice), and a reading only pyzbar makes counts when at
# least this many of its scan lines agree (zbar's quality; its misreads on hard frames come
# from one or two lines).
_FRAME_ROW_STEP = 2
_FRAME_MIN_QUALITY = 3
# A remembered label whose bars turned more than this is in a new pose: searched afresh.
_SAME_POSE_DEG = 6.0
# A label turned upright is read with every few rows averaged into one (along its bars: a
# dim frame's noise averaged away, the bars kept their width): 4 rows, then 8 for pyzbar
# when that read nothing sure. More rows blur the slightly fanned bars of a slanted label.
_STRIP_ROWS = (4, 8)
# What one more look at the strips costs at most (pyzbar on a few dozen rows).
_STRIPS_S = 0.004
# A QR code the whole frame did not read: its region smoothed this much (Gaussian sigma,
# pixels) against the sensor noise that breaks up its modules in a dim frame.
_QR_SMOOTHING = 1.0


@dataclass
class FrameMemory:
    """Where the last frame read its codes, for the next frame to look there first.

    A patron holds a book up for a second or more: a label read in one frame is almost
    where it was in the next. Looking at those regions first, and not searching the whole
    frame when they read again, saves the whole-frame zxing-cpp pass and the region search.
    Every `search_every`-th frame is searched as without a memory, so a second code shown
    beside the first is found within a few frames.
    """

    search_every: int = 3
    # Linear regions with their bar angle; a QR code's (or upright label's) box without.
    regions: list[looks.Region] = field(default_factory=list)
    frames: int = 0
    # Frames in a row that read nothing.
    missed: int = 0


def read_frame(
    gray: np.ndarray,
    formats: Iterable[str] = DEFAULT,
    deadline: float | None = None,
    memory: FrameMemory | None = None,
    rotate: Rotate | None = None,
) -> list[Decoded]:
    """The codes in one gray camera frame, cross-checked, within `deadline` (a
    time.perf_counter() value) when given.

    zxing-cpp reads the whole frame for QR codes first. Each region whose edges run one way
    (a linear label) is then levelled: turned upright when on its side, sheared when tilted,
    so that rows cross all its bars. pyzbar scans its rows, confirming or disputing what
    zxing-cpp read there, and zxing-cpp reads the levelled view of a region it has not read
    yet. Regions go biggest first and one is skipped when its measured cost would overrun
    the deadline, pyzbar included.

    `rotate(image, degrees)` (OpenCV's, from the camera module) gives a region nothing was
    read in at half size a look turned truly upright rather than sheared, which is what a
    long Code 39 label held at a slant (its bars fanned out) needs.

    With a `memory`, the regions where the last frame read codes are looked at first; when
    they read again (and this is not one of the memory's searched frames), the rest of the
    frame is not searched.

    A reading only pyzbar makes on a levelled view comes back with `sure=False`: the camera
    posts it once another frame agrees."""
    names = _check_formats(formats)
    h, w = gray.shape
    if not names or h < 2 or w < 2:
        return []
    linear = [n for n in names if n != "QRCode"]
    frame = (0.0, 0.0, float(w), float(h))
    cands: list[_Candidate] = []
    looked: list[looks.Region] = []
    must = True  # the first region always gets its first look
    if memory is not None:
        memory.frames += 1
    # A searched frame looks at the whole frame only, as without a memory.
    if memory is not None and memory.frames % memory.search_every:
        for was in memory.regions:
            part = looks.crop(gray, was.box)
            if min(part.shape) < 16:
                continue
            # zxing-cpp on the region as it is: QR codes and upright labels (a few rows of a
            # tilted one only a vote).
            seen = _zxing(looks.View(part, "image", was.box), names, camera=True)
            cands += [replace(c, trusted=False) if _thin(c) else c for c in seen]
            looked.append(was)
            if was.tilt is None or not linear:
                continue
            tilt, coherence = preprocess.bar_tilt(part)
            # Turned since: a new pose, which the search below finds afresh.
            turned = abs((tilt - was.tilt + 90) % 180 - 90)
            least = looks.WEAK_COHERENCE if was.read_by == "profile" else looks.LINEAR_COHERENCE
            if coherence < least or turned > _SAME_POSE_DEG:
                looked.pop()
                continue
            looked[-1] = looks.Region(was.box, tilt, coherence, was.read_by)
            _look_linear(gray, looked[-1], cands, linear, deadline, True, rotate, remembered=True)
        found, _ = _merge(cands, strict=True)
        if found:
            return _remember(found, cands, looked, memory, gray.shape)
        # The remembered regions had their looks: the search gets only what time is left,
        # and none when it would overrun (the next frame starts again from what is
        # remembered; every third frame is searched whatever it is).
        must = not looked
        if looked and deadline is not None and not looks.affordable("search", frame, deadline):
            return _remember([], cands, looked, memory, gray.shape)
    # The whole frame is read for QR codes only (a third of what all five symbologies
    # cost): on a hard frame zxing-cpp reads almost no linear label there, and the regions'
    # looks below read the upright ones as well.
    t0 = time.perf_counter()
    whole = _zxing(looks.View(gray, "image", frame), ["QRCode"], camera=True) if "QRCode" in names else []
    cands += whole
    qr_unread = "QRCode" in names and not whole
    # The regions (a few ms a frame): for the linear looks, or for the QR look below.
    found_regions = looks.found_regions(gray, True) if linear or qr_unread else []
    if deadline is not None:
        looks.learn("search", frame, time.perf_counter() - t0)
    if linear:
        for r in found_regions:
            if r.coherence < looks.LINEAR_COHERENCE or any(looks.same_place(r.box, b.box) for b in looked):
                continue
            # A label the last frame read where this region is (a searched frame) gets
            # first the look that read it there. After a frame that read nothing, every
            # other frame gets the profiles first (no frame has time for every look on a
            # hard label; a patron holds it for many).
            if memory is not None:
                then = [m.read_by for m in memory.regions if m.read_by and looks.same_place(m.box, r.box)]
                if then or memory.missed % 2:
                    r = replace(r, read_by=then[0] if then else "profile")
            must = _look_linear(gray, r, cands, linear, deadline, must, rotate)
            looked.append(r)
        # Regions whose bars hardly stand out (a label at a steep slant, glare on it): their
        # profiles, while no label was read (not even one half of a profile's vote) and
        # time is left.
        for r in found_regions:
            weak = looks.WEAK_COHERENCE <= r.coherence < looks.LINEAR_COHERENCE
            read = any(c.trusted or c.look == "profile" for c in cands)
            if not weak or r.tilt is None or rotate is None or read:
                continue
            box = looks.grown(r.box, gray.shape, looks.LEVEL_MARGIN)
            if deadline is not None and not must and not looks.affordable("profile-weak", box, deadline):
                break
            must = False
            cands += _timed_profile(gray, box, r.tilt, linear, rotate, deadline, "profile-weak")
            looked.append(r)
    # A frame that read a label already (a book, not a phone) spends no more time on QR looks.
    if qr_unread and not any(c.symbology == "QRCode" or c.trusted for c in cands):
        _look_qr(gray, [r for r in found_regions if r.coherence < looks.LINEAR_COHERENCE], cands, deadline)
    found, _ = _merge(cands, strict=True)
    return _remember(found, cands, looked, memory, gray.shape)


def _look_qr(
    gray: np.ndarray, found: list[looks.Region], cands: list[_Candidate], deadline: float | None
) -> None:
    """The regions whose edges run every way (a QR code's modules, or print), smoothed, for
    zxing-cpp, until one reads a QR code: a phone's code in a dim frame, its modules broken
    up by noise that the whole-frame pass could not see through."""
    for r in found:
        box = looks.grown(r.box, gray.shape, 0.1)
        if deadline is not None and not looks.affordable("qr-smoothed", box, deadline):
            return
        t0 = time.perf_counter()
        smoothed = preprocess.gaussian(looks.crop(gray, box), _QR_SMOOTHING)
        part = np.clip(smoothed + 0.5, 0, 255).astype(np.uint8)
        read = _zxing(looks.View(part, "qr-smoothed", box), ["QRCode"], camera=True)
        cands += read
        if deadline is not None:
            looks.learn("qr-smoothed", box, time.perf_counter() - t0)
        if read:
            return


def _look_linear(
    gray: np.ndarray,
    r: looks.Region,
    cands: list[_Candidate],
    linear: list[str],
    deadline: float | None,
    must: bool,
    rotate: Rotate | None = None,
    remembered: bool = False,
) -> bool:
    """The levelled looks at one linear region, their readings added to `cands`; whether
    the next region still must get a look (none has yet). `remembered`: a region where the
    last frame read a label."""
    box = looks.grown(r.box, gray.shape, looks.LEVEL_MARGIN)
    measured: list[float] = []

    def label_axis() -> float:
        """The label's long axis, measured once for the looks that turn it so."""
        if not measured:
            assert r.tilt is not None
            measured.append(preprocess.label_axis(looks.crop(gray, box), r.tilt))
        return measured[0]

    # At half size first, rows along the label: a quarter of the pixels, and the 2x2
    # mean evens out the noise of a dim frame. When that read nothing sure, its profiles
    # along each bar (`_look_profile`: a label in perspective, dim, blurred); then turned
    # truly upright at full size, read with every 4 (then 8) rows averaged along the bars;
    # then, while nothing is settled, levelled at full size with rows across the bars.
    # A region remembered from the last frame gets first the look that read it there.
    order: tuple[str, ...] = ("level-half", "rotated", "profile", "level")
    if r.read_by in order:
        order = (r.read_by, *(o for o in order if o != r.read_by))
    for look in order:
        mine = [c for c in cands if c.symbology in linear and _near(c.box, r.box)]
        # A remembered label the look that read it last frame now finds nothing of (not
        # even a vote) has most likely moved: the search finds it where it is now, for less
        # than the other looks here would cost (a label seen and not read is remembered for
        # all the looks, profiles first).
        if remembered and r.read_by not in ("", "profile") and look != order[0] and not mine:
            break
        if look != "level-half" and _region_settled(mine):
            break
        # The look that read it last frame read it again, and nothing disputes it: the
        # others would only add votes.
        if (
            r.read_by
            and look != order[0]
            and any(c.trusted for c in mine)
            and len({c.core for c in mine}) == 1
        ):
            break
        # A sure reading from the upright look: the full-size levelled one would only add a
        # vote (what frame votes and the next frame give for less).
        if look == "level" and any(c.trusted and c.look in ("rotated", "profile") for c in mine):
            break
        # Only a region nothing sure was read in yet (a slanted Code 39 label, a dim one).
        if look in ("rotated", "profile") and (
            rotate is None or r.tilt is None or any(c.trusted for c in mine)
        ):
            continue
        if deadline is not None and not looks.affordable(look, box, deadline):
            if not must:
                break
            # A late frame's one look at its first region: the cheapest (the half-size one).
            if look != "level-half":
                continue
        must = False
        if look == "profile":
            assert rotate is not None and r.tilt is not None
            cands += _timed_profile(gray, box, r.tilt, linear, rotate, deadline, axis=label_axis())
            continue
        t0 = time.perf_counter()
        upright = None
        if look == "rotated":
            assert rotate is not None and r.tilt is not None
            upright = rotate(looks.crop(gray, box), r.tilt)
            view = looks.View(preprocess.row_means(upright, _STRIP_ROWS[0]), look, box, turned=True)
        else:
            along = look == "level-half" and r.tilt is not None
            level = looks.levelled(gray, r, along_label=along, axis=label_axis() if along else None)
            if level is None:
                break
            view = level if look == "level" else replace(level, image=preprocess.half(level.image), look=look)
        if not any(c.trusted and c.decoder == "zxing" for c in mine):
            # At half size, bars a module or two wide: zxing-cpp has misread Code 128
            # there (a valid check character), so its reading is only a vote for
            # what pyzbar reads.
            cands += _zxing(view, linear, trusted=look != "level-half", camera=True)
        # Every row of the upright look's strips (each already several rows averaged, and a
        # quarter as many): more agreeing scan lines for pyzbar's count.
        step = 1 if upright is not None else _FRAME_ROW_STEP
        averaged = _STRIP_ROWS[0] if upright is not None else 1
        cands += _zbar(view, linear, scan=(step, 0), min_quality=_FRAME_MIN_QUALITY, averaged=averaged)
        for rows in _STRIP_ROWS[1:]:
            sure = any(c.trusted for c in cands if c.symbology in linear and _near(c.box, r.box))
            late = deadline is not None and time.perf_counter() + _STRIPS_S > deadline
            if upright is None or sure or late:
                break
            strips = replace(view, image=preprocess.row_means(upright, rows))
            cands += _zbar(strips, linear, scan=(step, 0), min_quality=_FRAME_MIN_QUALITY, averaged=rows)
        if deadline is not None:
            looks.learn(look, box, time.perf_counter() - t0)
    return must


def _timed_profile(
    gray: np.ndarray,
    box: looks.Box,
    tilt: float,
    linear: list[str],
    rotate: Rotate,
    deadline: float | None,
    step: str = "profile",
    axis: float | None = None,
) -> list[_Candidate]:
    """`_look_profile` on a region of the frame, its cost learned as `step` when under a
    deadline (a weak region's, mostly print and clutter, apart: it costs more per pixel)."""
    t0 = time.perf_counter()
    read = _look_profile(looks.crop(gray, box), tilt, box, linear, rotate, axis)
    # A region where no bars were found costs a fraction of a look: not what it costs.
    if deadline is not None and read is not None:
        looks.learn(step, box, time.perf_counter() - t0)
    return read or []


# The order the profile look reads in, as (profile kind, decoder): the plain profile (what
# a crisp label needs; pyzbar reads it most often on a hard one too), then zxing-cpp, cheap
# on a line, on the evened and the sharpened one, then pyzbar on those. A label both read
# off both halves of the plain profile costs two pictures.
_PROFILE_READS = (
    ("plain", "zbar"),
    ("plain", "zxing"),
    ("even", "zxing"),
    ("sharp", "zxing"),
    ("sharp", "zbar"),
    ("even", "zbar"),
)


def _look_profile(
    part: np.ndarray,
    tilt: float,
    box: looks.Box,
    linear: list[str],
    rotate: Rotate,
    axis: float | None = None,
) -> list[_Candidate] | None:
    """A region's bars read as two profiles along the bars (`preprocess.fan_profiles`):
    the label turned so its long axis (`axis`, measured when not given) runs along the
    rows, each column followed down its own bar (in perspective they fan out), the upper
    and lower half of the bars averaged into one line each. Both decoders read each as it
    is, then sharpened, then with the light evened out (`preprocess.profile_image`), until
    both decoders read the same off both halves. A reading off one half only is a vote;
    the same reading off both halves (their noise is independent) may stand. None when
    no bars stand out."""
    level = rotate(part, preprocess.label_axis(part, tilt) if axis is None else axis)
    halves = preprocess.fan_profiles(level)
    if halves is None:
        return None
    read: tuple[list[_Candidate], list[_Candidate]] = ([], [])
    images: list[dict[str, looks.View]] = [{}, {}]
    for kind, decoder in _PROFILE_READS:
        for profile, mine, made in zip(halves, read, images, strict=True):
            if kind not in made:
                image = preprocess.profile_image(profile, kind)
                made[kind] = looks.View(image, "profile", box, turned=True)
            if decoder == "zbar":
                mine += _zbar(made[kind], linear, trusted=False, scan=(1, 0))
            else:
                mine += _zxing(made[kind], linear, trusted=False, camera=True)
        # Both decoders read one text off both halves and nothing else was read: the other
        # reads would only add votes for it.
        cores = {c.core for c in read[0] + read[1]}
        if len(cores) == 1 and all({c.decoder for c in mine} == {"zbar", "zxing"} for mine in read):
            break
    both = {(c.symbology, c.core) for c in read[0]} & {(c.symbology, c.core) for c in read[1]}
    return [replace(c, trusted=(c.symbology, c.core) in both) for half in read for c in half]


def _remember(
    found: list[Decoded],
    cands: list[_Candidate],
    looked: list[looks.Region],
    memory: FrameMemory | None,
    shape: tuple[int, ...],
) -> list[Decoded]:
    """`found`, each marked sure or not; the memory keeps where they were read."""
    if memory is not None:
        kept: list[looks.Region] = []
        for d in found:
            mine = [c for c in cands if c.symbology == d.symbology and c.core == _core(d)]
            at = [r for r in looked if any(_near(c.box, r.box) for c in mine)]
            # Read outside the looked regions (a QR code off the whole frame or its smoothed
            # look): its own box, with room for the hand's movement.
            r = at[0] if at else looks.Region(looks.grown(mine[0].box, shape, 0.25))
            by = [c.look for c in sorted(mine, key=lambda c: not c.trusted) if _near(c.box, r.box)]
            r = replace(r, read_by=by[0] if by else "")
            if r not in kept:
                kept.append(r)
        if not found:
            # A label seen and not read (bars standing out): the next frame looks at it first,
            # with the profiles, skipping the whole-frame read and the region search that
            # took most of this frame when it can.
            seen = [r for r in looked if r.tilt is not None and r.coherence >= looks.LINEAR_COHERENCE]
            kept = [replace(seen[0], read_by="profile")] if seen else []
        memory.regions = kept
        memory.missed = 0 if found else memory.missed + 1
    return [d if d.sure and _sure(d, cands) else Decoded(d.symbology, d.text, sure=False) for d in found]


def _region_settled(mine: list[_Candidate]) -> bool:
    """Both decoders read the same and nothing else there: pyzbar over enough scan lines,
    zxing-cpp even at half size (its misread there was a rival to pyzbar's reading, never
    the same text). A full-size look would only add a third vote."""
    cores = {c.core for c in mine}
    return (
        len(cores) == 1
        and any(c.decoder == "zbar" and c.trusted for c in mine)
        and any(c.decoder == "zxing" for c in mine)
    )


def _sure(d: Decoded, cands: list[_Candidate]) -> bool:
    """Read by zxing-cpp (over more than a few rows), or by both decoders."""
    core = _Candidate(d.symbology, d.text, (0.0, 0.0, 0.0, 0.0), "").core
    mine = [c for c in cands if c.core == core and c.symbology == d.symbology]
    decoders = {c.decoder for c in mine}
    return decoders == {"zxing", "zbar"} or any(c.decoder == "zxing" and c.trusted for c in mine)


def _thin(c: _Candidate) -> bool:
    """A linear reading from a few rows of the frame (a tilted label's single scan line is
    where zxing-cpp's camera misreads come from)."""
    x0, y0, x1, y1 = c.box
    return c.symbology != "QRCode" and (y1 - y0 < _THIN_PX or y1 - y0 < 0.05 * (x1 - x0))


def _core(d: Decoded) -> str:
    return _Candidate(d.symbology, d.text, (0.0, 0.0, 0.0, 0.0), "").core
