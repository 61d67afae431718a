"""The views decoders look at: code-like regions of a frame, the image steps that transform
them (sharpen, upscale, contrast, deskew) and what each step costs against a frame's deadline."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kiosk.devices import preprocess

Box = tuple[float, float, float, float]

# Regions narrower than this get an upscaled look: the bars of small labels and low-resolution
# photos are a pixel or two wide.
UPSCALE_BELOW_PX = 480
# Up to this many pixels pyzbar and the image steps look at the whole image (photos, scans);
# a larger one (a camera frame) only at the regions that look like codes: pyzbar takes
# ~20 ms on a whole 1280x720 frame, zxing-cpp ~4 ms.
WHOLE_IMAGE_PX = 640 * 480
DESKEW_ABOVE_DEG = 10.0


@dataclass(frozen=True)
class View:
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


def regions(gray: np.ndarray) -> list[Box]:
    h, w = gray.shape
    if h * w <= WHOLE_IMAGE_PX:
        return [(0.0, 0.0, float(w), float(h))]
    return [tuple(map(float, b)) for b in preprocess.code_regions(gray)]  # type: ignore[misc]


def crop(gray: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = (int(v) for v in box)
    return np.ascontiguousarray(gray[y0:y1, x0:x1])


def enhanced(gray: np.ndarray, box: Box, step: str, tilt: float | None = None) -> View | None:
    """The view `step` makes of one region, or None when the step does not apply there.
    `tilt`: the region's bar angle when already estimated."""
    part = crop(gray, box)
    if min(part.shape) < 16:
        return None
    whole = part.shape == gray.shape
    if step == "sharpen":
        return View(preprocess.sharpen(part), step, box)
    # Only small pictures: in a camera frame a label spans hundreds of pixels.
    if step == "upscale" and whole and min(part.shape) < UPSCALE_BELOW_PX:
        return View(preprocess.sharpen(preprocess.upscale2(part)), step, box, scale=2.0)
    if step == "contrast":
        return View(preprocess.local_contrast(part), step, box)
    if step == "deskew":
        # zxing-cpp reads bars tilted up to ~10 degrees and turns by 90 itself; beyond that,
        # shear so that rows run along the label.
        angle = preprocess.bar_angle(part) if tilt is None else tilt
        folded = (angle + 45) % 90 - 45
        if abs(folded) > DESKEW_ABOVE_DEG:
            return View(preprocess.shear_level(part, -folded), step, box, turned=True)
    return None


# Edges this coherent run one way: a linear code's bars (measured 0.6-0.8 on tilted labels,
# down to 0.54 on one under glare with print around it; below 0.15 on QR codes, 0.1-0.5 on
# text and clutter, which costs a look but never a misread).
LINEAR_COHERENCE = 0.5
# A label at 40 degrees with glare and print around it measures 0.35-0.5: below
# LINEAR_COHERENCE, a region this coherent gets only the profile look, and only when the
# frame read nothing sure elsewhere.
WEAK_COHERENCE = 0.3
# Within this many degrees of upright, rows cross all the bars; within it of lying flat,
# columns do; in between both directions may.
ROWS_WITHIN_DEG = 40.0

# What each image step costs per pixel of region, in nanoseconds, filter and decoders
# together: a first guess from a 2 GHz core, then the running figure this process measures.
COST_NS_PER_PX: dict[str, float] = {
    # A frame's search: zxing-cpp on the whole frame for QR codes, and the code regions
    # found with their bar angles (measured 6-8 ms a 1280x720 frame).
    "search": 7.0,
    "sharpen": 35.0,
    "upscale": 140.0,
    "contrast": 50.0,
    "deskew": 20.0,
    "level-half": 12.0,
    "level": 20.0,
    "rotated": 30.0,
    "profile": 22.0,
    "profile-weak": 40.0,
    "qr-smoothed": 40.0,
}
# What a step costs whatever the region's size, as so many pixels more: the profile look
# reads a few lines of the label up to twelve times (measured on 180 label regions of
# 130k-590k pixels: 6 ms plus 22 ns a pixel). Without it, the per-pixel figure learned on
# small regions would price a large one out of every frame.
FIXED_PX: dict[str, float] = {"profile": 250_000.0, "profile-weak": 250_000.0}
# Below this many degrees a label is read as it is: rows already cross all its bars.
LEVEL_ABOVE_DEG = 4.0


@dataclass(frozen=True)
class Region:
    box: Box
    # Bar angle and coherence, estimated once (only when decoding against a deadline).
    tilt: float | None = None
    coherence: float = 0.0
    # The look that read it in the last frame (a remembered region gets that look first).
    read_by: str = ""

    def scan(self) -> tuple[int, int]:
        """pyzbar's row and column spacing for this region: a linear code's bars are crossed
        by one of the two directions only, and scanning one halves pyzbar's time."""
        if self.tilt is None or self.coherence < LINEAR_COHERENCE:
            return 1, 1
        if abs(self.tilt) <= ROWS_WITHIN_DEG:
            return 1, 0
        if abs(self.tilt) >= 90 - ROWS_WITHIN_DEG:
            return 0, 1
        return 1, 1


def bands(spans: list[tuple[int, int]], height: int) -> list[tuple[int, int]]:
    """Row ranges around readings, a margin of half their height (at least 16 rows) added,
    overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for y0, y1 in sorted(spans):
        margin = max(16, (y1 - y0) // 2)
        lo, hi = max(0, y0 - margin), min(height, y1 + margin)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def found_regions(gray: np.ndarray, timed: bool) -> list[Region]:
    out = []
    for box in regions(gray):
        if not timed:
            out.append(Region(box))
            continue
        tilt, coherence = preprocess.bar_tilt(crop(gray, box))
        out.append(Region(box, tilt, coherence))
    return out


def _priced(step: str, box: Box) -> float:
    """The pixels a step's cost is counted in: the region's, and the fixed part's."""
    return (box[2] - box[0]) * (box[3] - box[1]) + FIXED_PX.get(step, 0.0)


def affordable(step: str, box: Box, deadline: float) -> bool:
    return time.perf_counter() + _priced(step, box) * COST_NS_PER_PX[step] * 1e-9 <= deadline


def learn(step: str, box: Box, seconds: float) -> None:
    """A step's measured cost into its running figure: quickly when it cost more than
    thought (an overrun makes the frame late), slowly when less (one cheap look, or a
    quick moment of the machine, should not let the next frames start costly looks late)."""
    if (box[2] - box[0]) * (box[3] - box[1]) >= 10_000:
        rate = seconds * 1e9 / _priced(step, box)
        weight = 0.4 if rate > COST_NS_PER_PX[step] else 0.25
        COST_NS_PER_PX[step] += weight * (rate - COST_NS_PER_PX[step])


# The regions' edge tiles stop where the bars do; a linear code also needs its quiet zone
# (ten modules on each side), so a region is levelled with this share of its size around it.
LEVEL_MARGIN = 0.08


def grown(box: Box, shape: tuple[int, ...], share: float) -> Box:
    """`box` with `share` of its width and height added on each side, within the image."""
    x0, y0, x1, y1 = box
    mx, my = share * (x1 - x0), share * (y1 - y0)
    return (
        max(0.0, x0 - mx),
        max(0.0, y0 - my),
        min(float(shape[1]), x1 + mx),
        min(float(shape[0]), y1 + my),
    )


def levelled(
    gray: np.ndarray, region: Region, along_label: bool = False, axis: float | None = None
) -> View | None:
    """A linear label's region with rows that cross all its bars: turned upright when it
    lies on its side, sheared when tilted, so that rows run across the bars or, with
    `along_label`, along the label's long axis (they differ on a label held at a slant;
    `axis` when already measured). A turned view (its readings report the region)."""
    box = grown(region.box, gray.shape, LEVEL_MARGIN)
    part = crop(gray, box)
    if min(part.shape) < 16 or region.tilt is None:
        return None
    angle = region.tilt
    if along_label:
        angle = preprocess.label_axis(part, region.tilt) if axis is None else axis
    if abs(angle) > 45:  # bars lying flat: their columns are the rows to scan
        part = np.ascontiguousarray(part.T)
        angle = -((angle + 45) % 90 - 45)
    if abs(angle) > LEVEL_ABOVE_DEG:
        part = preprocess.shear_level(part, -angle)
    return View(part, "level", box, turned=True)


def same_place(a: Box, b: Box, share: float = 0.6) -> bool:
    """Two boxes that overlap by at least `share` of their union."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return False
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter >= share * union
