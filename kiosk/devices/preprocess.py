"""Image steps that help the barcode decoders on hard pictures, in plain numpy (no OpenCV here)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, x1/y1 exclusive


def to_gray(image: object) -> np.ndarray:
    """A uint8 gray image from gray, BGR or BGRA. Raises ValueError for anything else."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"expected a numpy image array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got dtype {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and image.shape[2] in (3, 4):
        # BT.601 luma on B, G, R: what cv2.cvtColor does, without OpenCV.
        b, g, r = (image[:, :, i].astype(np.uint16) for i in range(3))
        image = ((29 * b + 150 * g + 77 * r + 128) >> 8).astype(np.uint8)
    if image.ndim != 2:
        raise ValueError(f"expected a gray or BGR image, got shape {image.shape}")
    return np.ascontiguousarray(image)


def upscale2(gray: np.ndarray) -> np.ndarray:
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


def half(gray: np.ndarray) -> np.ndarray:
    """Half the size, each pixel the mean of a 2x2 block: averages out sensor noise that
    breaks up the bars of a dim, blurred label (a camera frame's levelled label reads
    better so, and costs a quarter)."""
    h, w = gray.shape[0] // 2 * 2, gray.shape[1] // 2 * 2
    g = gray[:h, :w].astype(np.uint16)
    return ((g[0::2, 0::2] + g[1::2, 0::2] + g[0::2, 1::2] + g[1::2, 1::2] + 2) >> 2).astype(np.uint8)


def row_means(gray: np.ndarray, rows: int) -> np.ndarray:
    """Every `rows` rows averaged into one: along a levelled label's bars (they run down the
    columns), so sensor noise is averaged away while the bars keep their full width."""
    h = gray.shape[0] // rows * rows
    if h == 0:
        return gray
    g = gray[:h].reshape(h // rows, rows, gray.shape[1]).astype(np.uint32).sum(axis=1)
    return ((g + rows // 2) // rows).astype(np.uint8)


def _blur_axis(a: np.ndarray, kernel: np.ndarray, axis: int) -> np.ndarray:
    r = len(kernel) // 2
    pad = [(0, 0), (0, 0)]
    pad[axis] = (r, r)
    p = np.pad(a, pad, mode="edge")
    out = np.zeros(a.shape, np.float32)
    n = a.shape[axis]
    for i, k in enumerate(kernel):
        out += k * (p[i : i + n] if axis == 0 else p[:, i : i + n])
    return out


@functools.lru_cache(maxsize=32)
def _gaussian_kernel(sigma: float, dtype: type[np.floating] = np.float32) -> np.ndarray:
    """A normalised 1-D Gaussian kernel reaching 2.5 sigma either side (read-only: cached)."""
    r = max(1, round(2.5 * sigma))
    x: np.ndarray = np.arange(-r, r + 1, dtype=dtype)
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    kernel /= kernel.sum()
    kernel.flags.writeable = False
    return kernel


def gaussian(gray: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur as float32 (separable, edges repeated)."""
    kernel = _gaussian_kernel(sigma)
    return _blur_axis(_blur_axis(gray.astype(np.float32), kernel, 0), kernel, 1)


def sharpen(gray: np.ndarray, sigma: float = 2.0, amount: float = 1.5) -> np.ndarray:
    """Unsharp mask: restores the edges of slightly out-of-focus bars."""
    g = gray.astype(np.float32)
    out = g + amount * (g - gaussian(gray, sigma))
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _box_mean(a: np.ndarray, r: int) -> np.ndarray:
    """Mean over a (2r+1)-square window via an integral image (edges repeated)."""
    p = np.pad(a, r + 1, mode="edge").astype(np.float64)
    s = p.cumsum(0).cumsum(1)
    k = 2 * r + 1
    h, w = a.shape
    total = s[k : k + h, k : k + w] - s[:h, k : k + w] - s[k : k + h, :w] + s[:h, :w]
    return (total / (k * k)).astype(np.float32)


def local_contrast(gray: np.ndarray, radius: int = 15) -> np.ndarray:
    """Each pixel against its neighbourhood's mean and spread: evens out glare, shadow and
    faded print so the bars stand out the same everywhere."""
    g = gray.astype(np.float32)
    mean = _box_mean(g, radius)
    var = _box_mean(g * g, radius) - mean * mean
    std = np.sqrt(np.maximum(var, 0.0))
    out = 128.0 + 64.0 * (g - mean) / (std + 8.0)
    return np.clip(out, 0, 255).astype(np.uint8)


def gamma(gray: np.ndarray, value: float) -> np.ndarray:
    """Brightness curve: below 1 lifts dark pictures (low light), above 1 tames glare."""
    lut = (255.0 * (np.arange(256) / 255.0) ** value + 0.5).astype(np.uint8)
    return lut[gray]


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """The image turned about its centre (counter-clockwise), canvas grown to fit, white
    around it (a quiet zone), bilinear. For tests and benchmarks: the pipeline shears."""
    h, w = gray.shape
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    nw, nh = math.ceil(abs(w * c) + abs(h * s)), math.ceil(abs(w * s) + abs(h * c))
    ys, xs = np.mgrid[0:nh, 0:nw].astype(np.float32)
    xs -= nw / 2
    ys -= nh / 2
    sx = c * xs - s * ys + w / 2
    sy = s * xs + c * ys + h / 2
    x0, y0 = np.floor(sx).astype(np.int32), np.floor(sy).astype(np.int32)
    fx, fy = sx - x0, sy - y0
    inside = (x0 >= 0) & (y0 >= 0) & (x0 < w - 1) & (y0 < h - 1)
    x0c, y0c = np.clip(x0, 0, w - 2), np.clip(y0, 0, h - 2)
    g = gray.astype(np.float32)
    top = g[y0c, x0c] * (1 - fx) + g[y0c, x0c + 1] * fx
    bottom = g[y0c + 1, x0c] * (1 - fx) + g[y0c + 1, x0c + 1] * fx
    out = np.where(inside, top * (1 - fy) + bottom * fy, 255.0)
    return out.astype(np.uint8)


def shear_level(gray: np.ndarray, degrees: float) -> np.ndarray:
    """Shift each column up or down so that lines at `degrees` (counter-clockwise from the
    x axis, y pointing down) become rows: every row then crosses all the bars of a label
    tilted that much, which is what a linear decoder scans. A gather, several times cheaper
    than a rotation; white fills the corners."""
    h, w = gray.shape
    t = math.tan(math.radians(degrees))
    shift = np.round(np.arange(w) * t).astype(np.int64)
    shift -= shift.min()
    extra = int(shift.max())
    # Column by column, as rows of the transposed image: each output column is one
    # contiguous slice of its padded input column, gathered at once through a window view.
    padded = np.full((w, h + 2 * extra), 255, np.uint8)
    padded[:, extra : extra + h] = gray.T
    windows = np.lib.stride_tricks.sliding_window_view(padded.ravel(), h + extra)
    starts = np.arange(w) * (h + 2 * extra) + extra - shift
    return np.ascontiguousarray(windows[starts].T)


def bar_angle(gray: np.ndarray) -> float:
    """Dominant direction of the edges in degrees (0 = upright bars), from the structure
    tensor: how far a linear code is tilted."""
    g = gray.astype(np.float32)
    gx = g[1:-1, 2:] - g[1:-1, :-2]
    gy = g[2:, 1:-1] - g[:-2, 1:-1]
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    return math.degrees(0.5 * math.atan2(2 * jxy, jxx - jyy))


def code_regions(gray: np.ndarray, tile: int = 24, limit: int = 3) -> list[Box]:
    """Where codes may be: clusters of tiles dense with strong edges (bars, modules), biggest
    first. Cheap enough for every camera frame; text and clutter also qualify, which costs a
    little decode time but never a misread."""
    h, w = gray.shape
    half = tile // 2
    th, tw = h // tile, w // tile
    if th < 2 or tw < 2:
        return []
    # Half resolution: halves sensor noise (it must not look like bars) and the work.
    g = gray[: th * tile, : tw * tile].astype(np.int16)
    g = (g[0::2, 0::2] + g[1::2, 0::2] + g[0::2, 1::2] + g[1::2, 1::2]) >> 2
    # An edge is a step of a sixth of the picture's contrast: a dim frame has dim bars.
    lo, hi = np.percentile(g[::4, ::4], (2, 98))
    step = max(10.0, float(hi - lo) / 6)
    edges = np.zeros(g.shape, np.uint8)
    edges[:, 1:] = np.abs(np.diff(g, axis=1)) > step
    edges[1:, :] += np.abs(np.diff(g, axis=0)) > step
    # Tiles where a fifth of the pixels are edges; their clusters joined by a flood fill
    # over plain lists (a tenth of numpy's per-element cost at this size).
    score = edges.reshape(th, half, tw, half).sum(axis=(1, 3), dtype=np.int32)
    hot = (score > 0.2 * half * half).tolist()
    seen = [[False] * tw for _ in range(th)]
    boxes: list[tuple[int, Box]] = []
    for ty in range(th):
        for tx in range(tw):
            if not hot[ty][tx] or seen[ty][tx]:
                continue
            seen[ty][tx] = True
            stack, cells = [(ty, tx)], 0
            x0, y0, x1, y1 = tx, ty, tx, ty
            while stack:
                cy, cx = stack.pop()
                cells += 1
                x0, y0, x1, y1 = min(x0, cx), min(y0, cy), max(x1, cx), max(y1, cy)
                for ny in range(max(cy - 1, 0), min(cy + 2, th)):
                    near, done = hot[ny], seen[ny]
                    for nx in range(max(cx - 1, 0), min(cx + 2, tw)):
                        if near[nx] and not done[nx]:
                            done[nx] = True
                            stack.append((ny, nx))
            if cells < 3:
                continue
            # One tile of margin: the quiet zone and the bar ends lie just outside the edges.
            box = (
                max(x0 - 1, 0) * tile,
                max(y0 - 1, 0) * tile,
                min(x1 + 2, tw) * tile,
                min(y1 + 2, th) * tile,
            )
            boxes.append((cells, box))
    boxes.sort(key=lambda b: -b[0])
    return [b for _, b in boxes[:limit]]


def bar_tilt(gray: np.ndarray) -> tuple[float, float]:
    """bar_angle at half resolution (a tenth of the time), with the coherence of the edges:
    near 1 when they all run one way (the bars of a linear code), near 0 for a QR code's
    modules or for noise. Each pixel the mean of a 2x2 block: a dim frame's sensor noise,
    halved, would otherwise pass for edges running every way."""
    if min(gray.shape) < 6:
        return 0.0, 0.0
    g = half(gray).astype(np.float32)
    gx = g[1:-1, 2:] - g[1:-1, :-2]
    gy = g[2:, 1:-1] - g[:-2, 1:-1]
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    coherence = math.hypot(jxx - jyy, 2 * jxy) / (jxx + jyy) if jxx + jyy > 0 else 0.0
    return math.degrees(0.5 * math.atan2(2 * jxy, jxx - jyy)), coherence


def label_axis(gray: np.ndarray, tilt: float) -> float:
    """The direction in degrees (from the x axis, y pointing down) of the line through a
    linear code's bars: the long axis of the pixels whose edges run across the bars at
    `tilt`. Perpendicular to the bars on a flat label; held at a slant in front of a camera
    the label is a parallelogram, and only lines along this axis cross every bar."""
    g = gray[::2, ::2].astype(np.float32)
    if min(g.shape) < 3:
        return tilt
    gx = g[1:-1, 2:] - g[1:-1, :-2]
    gy = g[2:, 1:-1] - g[:-2, 1:-1]
    mag = gx * gx + gy * gy
    t = math.radians(tilt)
    # Edges across the bars: strong, and within ~15 degrees of the bars' gradient direction.
    along = np.abs(gx * math.cos(t) + gy * math.sin(t))
    strong = mag > 0.25 * float(np.percentile(mag, 99))
    mask = strong & (along * along > 0.93 * mag)
    ys, xs = np.nonzero(mask)
    if len(xs) < 50:
        return tilt
    xs_f, ys_f = xs - xs.mean(), ys - ys.mean()
    sxx, syy, sxy = float((xs_f * xs_f).mean()), float((ys_f * ys_f).mean()), float((xs_f * ys_f).mean())
    return math.degrees(0.5 * math.atan2(2 * sxy, sxx - syy))


def _run_around(mask: np.ndarray, i: int) -> tuple[int, int]:
    """The first and last index of the run of True in `mask` that holds index `i`."""
    a = b = i
    while a > 0 and mask[a - 1]:
        a -= 1
    while b < len(mask) - 1 and mask[b + 1]:
        b += 1
    return a, b


def _smooth(profile: np.ndarray, sigma: float) -> np.ndarray:
    """A 1-D Gaussian blur, the ends repeated."""
    kernel = _gaussian_kernel(sigma, np.float64)
    r = len(kernel) // 2
    return np.convolve(np.pad(profile, r, mode="edge"), kernel, mode="valid")


# The strong edges bar_fan keeps: leaning under 40 degrees, within 20 of their median.
_TAN_40 = math.tan(math.radians(40.0))
_RAD_20 = math.radians(20.0)


@dataclass(frozen=True)
class Fan:
    """How the bars of a label lean: `lean` degrees (0 = upright, from the gradient's
    direction) at column 0, changing by `change` per column; they span rows `top` to
    `bottom` and columns `left` to `right`."""

    lean: float
    change: float
    top: int
    bottom: int
    left: int
    right: int


def bar_fan(level: np.ndarray, blocks: int = 16) -> Fan | None:
    """How the bars lean across a label turned with its long axis along the rows.

    In front of a camera a label is seen in perspective: its bars are not parallel but fan
    out, leaning a few degrees more at one end than at the other. None when no bars stand
    out. Measured at half size on the strongest edges within 20 degrees of their median
    direction (the label's border, the printed number and the turned canvas's corners run
    other ways), per column block, with a straight line fitted through the blocks and
    refitted without the blocks far off it."""
    g = half(level).astype(np.float32)
    if min(g.shape) < 8:
        return None
    gx = g[1:-1, 2:] - g[1:-1, :-2]
    gy = g[2:, 1:-1] - g[:-2, 1:-1]
    m2 = gx * gx + gy * gy
    # Every third row only (the bars run down the columns: rows do not alias with them).
    sample = m2[::3].ravel()
    k = int(0.85 * (sample.size - 1))
    bars = (m2 >= np.partition(sample, k)[k]) & (m2 > 0)
    # An edge's lean is the arctangent of gy / gx: compared as tangents, no angle per pixel.
    with np.errstate(divide="ignore", invalid="ignore"):
        tangent = gy / gx
    bars &= np.abs(gy) < _TAN_40 * np.abs(gx)
    if bars.sum() < 50:
        return None
    median = math.atan(float(np.median(tangent[bars])))
    bars &= (tangent > math.tan(median - _RAD_20)) & (tangent < math.tan(median + _RAD_20))
    density = np.convolve(bars.mean(axis=1), np.ones(7) / 7, mode="same")
    a, b = _run_around(density > 0.35 * density.max(), int(np.argmax(density)))
    columns = np.convolve(bars[a : b + 1].mean(axis=0), np.ones(31) / 31, mode="same")
    x0, x1 = _run_around(columns > 0.2 * columns.max(), int(np.argmax(columns)))
    if b - a < 4 or x1 - x0 < 20:
        return None
    # The structure tensor of the bars' edges per column, then per block of columns.
    on = bars[a : b + 1, x0 : x1 + 1]
    bx, by = gx[a : b + 1, x0 : x1 + 1] * on, gy[a : b + 1, x0 : x1 + 1] * on
    starts = np.linspace(0, x1 - x0 + 1, blocks + 1).astype(int)[:-1]
    count = np.add.reduceat(on.sum(axis=0), starts)
    jxx = np.add.reduceat((bx * bx).sum(axis=0), starts)
    jyy = np.add.reduceat((by * by).sum(axis=0), starts)
    jxy = np.add.reduceat((bx * by).sum(axis=0), starts)
    ends = np.append(starts[1:], x1 - x0 + 1)
    enough = (count >= 10) & (ends > starts)
    jxx, jyy, jxy, count = jxx[enough], jyy[enough], jxy[enough], count[enough]
    coherence = np.hypot(jxx - jyy, 2 * jxy) / np.maximum(jxx + jyy, 1e-9)
    x = x0 + (starts[enough] + ends[enough]) / 2
    t = np.degrees(0.5 * np.arctan2(2 * jxy, jxx - jyy))  # each block's lean
    w = np.sqrt(coherence * count)  # and its weight
    if len(x) < 4:
        return None
    slope, at0 = np.polyfit(x, t, 1, w=w)
    off = np.abs(t - (at0 + slope * x))
    keep = off < max(2.0, 2.5 * float(np.median(off)))
    if keep.sum() >= 4:
        slope, at0 = np.polyfit(x[keep], t[keep], 1, w=w[keep])
    # Half-size columns and rows back to the level image's (the lean at column 0 is the
    # same, its change per column halves).
    return Fan(float(at0), float(slope) / 2, 2 * a + 2, 2 * b + 2, 2 * x0 + 2, 2 * x1 + 2)


def _along_bars(band: np.ndarray, centre: float, lean: np.ndarray, spacing: int = 1) -> np.ndarray:
    """Each column of `band` followed down a bar leaning `lean` degrees (one per column)
    through row `centre`: the rows of the band with its bars made upright. `spacing`: how
    many rows of the label apart the band's rows are."""
    h, w = band.shape
    rows = np.arange(0, h * spacing, spacing, dtype=np.float32)[:, None]
    tan = np.tan(np.radians(lean)).astype(np.float32)[None, :]
    # Down a bar leaning at angle t the column moves by -tan(t) per row.
    src = np.arange(w, dtype=np.float32)[None, :] - (rows - centre) * tan
    np.clip(src, 0, w - 1.001, out=src)
    left = src.astype(np.int32)
    frac = src - left
    # Indices into the flattened band: row by row, `left` and the pixel after it.
    left += np.arange(0, h * w, w, dtype=np.int32)[:, None]
    flat = band.ravel()
    before, after = flat[left], flat[left + 1]
    return before + (after - before) * frac


# The lean search straightens every this many rows of the bars.
_SEARCH_ROWS = 8


def _bar_energy(profile: np.ndarray) -> float:
    """How sharp a profile's bars are: the power of what a 4-pixel blur takes away."""
    fine = profile - _smooth(profile, 4.0)
    return float((fine * fine).mean())


def fan_profiles(level: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A label's bars as two 1-D profiles, the upper and the lower half of their height.

    Each column is read along its own bar (`bar_fan`), so the mean over a hundred rows
    keeps the bars at their full width while the sensor noise of a dim frame is averaged
    away, and a label seen in perspective (bars fanned out) comes out as sharp as a flat one.
    The edges' direction is off by several degrees on narrow, blurred bars, and its change
    along the label by up to half (the averaging then merges the bars), so both are settled
    by what makes the profile sharpest: a coarse then a fine search around the measured
    lean, then its change scaled, on every eighth row. The two halves see
    independent noise: the same reading off both is a reading."""
    fan = bar_fan(level)
    if fan is None:
        return None
    h, w = level.shape
    a, b = max(0, fan.top), min(h - 1, fan.bottom)
    # The bars' columns, with room for the quiet zones and the bars the fan missed.
    margin = 16 + (fan.right - fan.left) // 8
    left, right = max(0, fan.left - margin), min(w, fan.right + margin)
    if b - a < 8 or right - left < 40:
        return None
    band = level[a : b + 1, left:right].astype(np.float32)
    at0, slope = fan.lean + fan.change * left, fan.change
    centre = (b - a) / 2
    columns = np.arange(right - left, dtype=np.float32)
    sample = band[::_SEARCH_ROWS]
    tried: dict[tuple[float, float], float] = {}

    def energy(offset: float, change: float) -> float:
        if (offset, change) not in tried:
            lean = at0 + offset + change * columns
            straight = _along_bars(sample, centre, lean, _SEARCH_ROWS)
            tried[offset, change] = _bar_energy(straight.mean(axis=0))
        return tried[offset, change]

    best = max((float(d) for d in np.arange(-9.0, 9.5, 3.0)), key=lambda d: energy(d, slope))
    best = max((best - 1.5, best, best + 1.5), key=lambda d: energy(d, slope))
    best = max((best - 0.75, best, best + 0.75), key=lambda d: energy(d, slope))
    change = max((0.0, 0.5 * slope, slope, 1.5 * slope, 2.0 * slope), key=lambda c: energy(best, c))
    straight = _along_bars(band, centre, at0 + best + change * columns)
    n = straight.shape[0] // 2
    return straight[:n].mean(axis=0), straight[n:].mean(axis=0)


# How a profile is made into a picture for the decoders (see profile_image).
PROFILE_KINDS = ("plain", "sharp", "even")


def profile_image(profile: np.ndarray, kind: str, rows: int = 4) -> np.ndarray:
    """A profile made into a small image a decoder reads: `plain`; `sharp`, sharpened
    against the blur that merges narrow bars (unsharp mask: it rings on crisp bars, which
    `plain` reads); or `even`, first with the light evened out (the slope of a glare spot
    taken away and the bars' contrast made alike along the label). Stretched to black and
    white, twice as wide, with a margin either side."""
    p = profile.astype(np.float64)
    if kind == "even":
        d = p - _smooth(p, 12.0)
        p = d / (np.sqrt(_smooth(d * d, 12.0)) + 1e-3)
        p = p + 1.5 * (p - _smooth(p, 1.8))
    elif kind == "sharp":
        p = p + 2.0 * (p - _smooth(p, 1.5))
    elif kind != "plain":
        raise ValueError(f"unknown profile kind {kind!r}; known: {', '.join(PROFILE_KINDS)}")
    lo, hi = np.percentile(p, (2, 98))
    p = np.clip((p - lo) / max(float(hi - lo), 1e-6) * 255, 0, 255)
    wide = np.interp(np.arange(2 * len(p)) / 2, np.arange(len(p)), p)
    line = np.pad(wide, 40, mode="edge").astype(np.uint8)
    return np.ascontiguousarray(np.tile(line, (rows, 1)))
