"""Drawing for the virtual camera: a cluttered counter, labels and phone screens, and how
the camera sees them (pose, perspective, blur, glare, low light, sensor noise)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

_F = zxingcpp.BarcodeFormat
FORMATS = {
    "Code128": _F.Code128,
    "Code39": _F.Code39Std,
    "EAN13": _F.EAN13,
    "Codabar": _F.Codabar,
    "QRCode": _F.QRCode,
}
# Book-cover colours (BGR): the clutter a counter camera sees around a label.
_PALETTE = [
    (40, 60, 170),
    (150, 90, 30),
    (60, 140, 60),
    (30, 170, 220),
    (120, 40, 110),
    (200, 200, 190),
    (50, 50, 50),
    (90, 130, 200),
    (170, 150, 120),
    (20, 90, 140),
]
_WORDS = ["NOVEL", "HISTORY", "SEOUL", "POEMS", "LIBRARY", "2026", "VOL. 3", "SCIENCE", "KOREA", "ESSAYS"]


@dataclass(frozen=True)
class Conditions:
    """How hard the picture is. Each appearance of a code draws its pose within these
    limits; `light` scales brightness (1 = a lit counter), `noise` is the sensor noise's
    amplitude in grey levels, `blur` the largest defocus (Gaussian sigma, pixels), `glare`
    puts a washed-out highlight over part of the label, `tilt_deg` the largest rotation and
    `perspective` the largest corner shift (fraction of the label's size)."""

    light: float = 1.0
    noise: float = 3.0
    blur: float = 1.0
    glare: bool = False
    tilt_deg: float = 12.0
    perspective: float = 0.04

    def __post_init__(self) -> None:
        if not (0.1 <= self.light <= 1.5 and 0 <= self.noise <= 60 and 0 <= self.blur <= 8):
            raise ValueError(f"camera conditions out of range: {self}")


MILD = Conditions()
# A patron in a hurry under a ceiling lamp: tilted, glossy cover, dim, out of focus, noisy.
HARD = Conditions(light=0.6, noise=5.0, blur=1.4, glare=True, tilt_deg=35.0, perspective=0.08)


@dataclass(frozen=True)
class Placed:
    """A label with its pose for one appearance."""

    image: np.ndarray
    corners: np.ndarray
    blur: float
    light: float
    gradient: np.ndarray
    glare: tuple[float, float, float] | None  # centre x, y (frame pixels), radius


def background(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Books lying around the counter: covers, titles and the stripes of spines."""
    base = _PALETTE[int(rng.integers(len(_PALETTE)))]
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = base
    for _ in range(14):
        color = _PALETTE[int(rng.integers(len(_PALETTE)))]
        x, y = int(rng.integers(-width // 8, width)), int(rng.integers(-height // 8, height))
        w, h = int(rng.integers(width // 8, width // 3)), int(rng.integers(height // 6, height // 2))
        cv2.rectangle(frame, (x, y), (x + w, y + h), color, -1)
    for _ in range(3):  # a row of spines: stripes that look a little like bars
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        for _ in range(int(rng.integers(4, 10))):
            w = int(rng.integers(6, 30))
            color = _PALETTE[int(rng.integers(len(_PALETTE)))]
            cv2.rectangle(frame, (x, y), (x + w, y + height // 4), color, -1)
            x += w + int(rng.integers(1, 4))
    for _ in range(10):
        color = _PALETTE[int(rng.integers(len(_PALETTE)))]
        center = (int(rng.integers(width)), int(rng.integers(height)))
        axes = (int(rng.integers(10, width // 10)), int(rng.integers(10, height // 10)))
        cv2.ellipse(frame, center, axes, float(rng.uniform(0, 180)), 0, 360, color, -1)
    for _ in range(16):
        color = _PALETTE[int(rng.integers(len(_PALETTE)))]
        org = (int(rng.integers(width)), int(rng.integers(height)))
        word = str(rng.choice(_WORDS))
        scale, thick = float(rng.uniform(0.6, 2.2)), int(rng.integers(1, 4))
        cv2.putText(frame, word, org, cv2.FONT_HERSHEY_SIMPLEX, scale, color, thick, cv2.LINE_AA)
    return cv2.GaussianBlur(frame, (0, 0), 1.2)


# A label worn past reading: bars a camera sees as a code, that no decoder can read.
WORN = "Worn"


def worn_bars(rng: np.random.Generator, count: int = 80) -> np.ndarray:
    """One row of bars of random widths (1-4 modules): the look of a linear code, no code's
    structure (no start or stop pattern, no check): as a label rubbed, torn or smudged."""
    widths = rng.integers(1, 5, size=count)
    runs = [np.full(w, 0 if i % 2 == 0 else 255, np.uint8) for i, w in enumerate(widths)]
    return np.concatenate(runs)[None]


def label(text: str, symbology: str, rng: np.random.Generator) -> np.ndarray:
    """The code on its carrier: a white sticker for linear codes, a phone screen for QR; for
    WORN, a sticker whose bars no decoder reads (its number still printed under them).
    Raises ValueError when the symbology cannot carry the text."""
    if symbology == WORN:
        return _sticker(worn_bars(rng), text, int(rng.integers(3, 5)))
    content = text
    if symbology == "EAN13" and len(text) in (15, 18):
        content = f"{text[:13]} {text[13:]}"  # the add-on after a space, as the writer takes it
    try:
        code = zxingcpp.create_barcode(content, FORMATS[symbology])
    except ValueError as e:
        raise ValueError(f"cannot render {symbology} {text!r}: {e}") from e
    if symbology == "QRCode":
        return _phone(np.asarray(zxingcpp.write_barcode_to_image(code, scale=7)))
    module = int(rng.integers(3, 5))
    bars = np.asarray(zxingcpp.write_barcode_to_image(code, scale=1, add_quiet_zones=True))
    bars = bars[bars.shape[0] // 2 : bars.shape[0] // 2 + 1]  # one row: the modules
    return _sticker(bars, text, module)


def _sticker(bars: np.ndarray, text: str, module: int) -> np.ndarray:
    """One row of modules drawn `module` pixels wide on a white sticker, the text under them."""
    bars = cv2.resize(bars, (bars.shape[1] * module, 44 * module), interpolation=cv2.INTER_NEAREST)
    h, w = bars.shape
    sticker = np.full((h + 40 + 16 * module, w + 8 * module), 255, np.uint8)
    top, left = 20, 4 * module
    sticker[top : top + h, left : left + w] = bars
    org = (left + 10 * module, top + h + 10 * module)
    cv2.putText(
        sticker, text, org, cv2.FONT_HERSHEY_SIMPLEX, 0.35 * module, 0, max(1, module // 2), cv2.LINE_AA
    )
    return cv2.cvtColor(sticker, cv2.COLOR_GRAY2BGR)


def _phone(qr: np.ndarray) -> np.ndarray:
    h, w = qr.shape
    pad = 24
    phone = np.full((h + 6 * pad, w + 2 * pad, 3), 25, np.uint8)  # bezel
    phone[2 * pad : 2 * pad + h + 2 * pad // 3, pad // 2 : -pad // 2] = 245  # screen
    phone[2 * pad + pad // 3 : 2 * pad + pad // 3 + h, pad : pad + w] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    cv2.putText(
        phone, "CHAEKIEUM", (pad, pad + 8), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (230, 200, 120), 2, cv2.LINE_AA
    )
    return phone


def place(image: np.ndarray, rng: np.random.Generator, width: int, height: int, cond: Conditions) -> Placed:
    """A pose within the frame for one appearance of a label."""
    h, w = image.shape[:2]
    angle = np.deg2rad(rng.uniform(-cond.tilt_deg, cond.tilt_deg))
    c, s = abs(np.cos(angle)), abs(np.sin(angle))
    # Fit the turned label in 80% of the frame.
    fit = min(0.8 * width / (w * c + h * s), 0.8 * height / (w * s + h * c), 1.3)
    scale = fit * rng.uniform(0.75, 1.0)
    sw, sh = w * scale, h * scale
    bw, bh = sw * c + sh * s, sw * s + sh * c
    cx = rng.uniform(bw / 2 + 10, width - bw / 2 - 10) if width - bw > 20 else width / 2
    cy = rng.uniform(bh / 2 + 10, height - bh / 2 - 10) if height - bh > 20 else height / 2
    square = np.array([[-sw / 2, -sh / 2], [sw / 2, -sh / 2], [sw / 2, sh / 2], [-sw / 2, sh / 2]])
    square += rng.uniform(-cond.perspective, cond.perspective, (4, 2)) * [sw, sh]
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    corners = square @ rot.T + [cx, cy]
    gx = np.linspace(rng.uniform(0.7, 1.0), rng.uniform(0.9, 1.15), width, dtype=np.float32)
    glare = None
    if cond.glare:  # a lamp's reflection on a glossy cover, somewhere over the label
        gx0, gy0 = corners[int(rng.integers(4))] * 0.3 + np.array([cx, cy]) * 0.7
        glare = (float(gx0), float(gy0), float(rng.uniform(0.08, 0.15) * max(sw, sh)))
    blur = float(rng.uniform(0.4, max(0.5, cond.blur)))
    light = float(rng.uniform(0.8, 1.05) * cond.light)
    return Placed(image, corners.astype(np.float32), blur, light, gx, glare)


def paste(frame: np.ndarray, placed: Placed, rng: np.random.Generator) -> None:
    """Draw the label into the frame as the camera sees it, with a little hand shake."""
    h, w = placed.image.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    shake = rng.uniform(-2, 2, 2).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, placed.corners + shake)
    size = (frame.shape[1], frame.shape[0])
    x0, y0 = np.maximum(placed.corners.min(axis=0).astype(int) - 8, 0)
    x1, y1 = placed.corners.max(axis=0).astype(int) + 8
    roi = (slice(y0, y1), slice(x0, x1))
    # Warp only the label's bounding box: a whole-frame warp costs more than the decoding.
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
    box = (min(x1, size[0]) - x0, min(y1, size[1]) - y0)
    warped = cv2.warpPerspective(placed.image, shift @ m, box, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), shift @ m, box)
    lit = warped.astype(np.float32) * placed.light * placed.gradient[None, x0 : x0 + box[0], None]
    if placed.glare is not None:
        gx, gy, r = placed.glare
        yy, xx = np.mgrid[y0 : y0 + box[1], x0 : x0 + box[0]].astype(np.float32)
        spot = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * r * r))
        lit += (150 * spot)[:, :, None]
    patch = cv2.GaussianBlur(np.clip(lit, 0, 255).astype(np.uint8), (0, 0), placed.blur)
    sel = mask > 127
    frame[roi][sel] = patch[sel]


def sensor_noise(rng: np.random.Generator, width: int, height: int, cond: Conditions) -> list[np.ndarray]:
    """A few signed noise fields, drawn once: a fresh normal draw per 1280x720 frame would
    cost more than decoding it."""
    fields = []
    for _ in range(4):
        noise = rng.normal(0, cond.noise, (height, width, 1)).astype(np.float32)
        fields.append(np.clip(noise, -127, 127).astype(np.int16).repeat(3, axis=2))
    return fields


def expose(frame: np.ndarray, rng: np.random.Generator, cond: Conditions, noise: np.ndarray) -> np.ndarray:
    """The sensor: overall light, a flicker of auto-gain, and noise."""
    gain = cond.light * (1.0 + rng.uniform(-0.04, 0.04))
    out = cv2.convertScaleAbs(frame, alpha=gain)
    if cond.noise > 0:
        out = cv2.add(out, noise, dtype=cv2.CV_8U)
    return out
