"""Every gallery screen rendered in a real KioskWindow on the configured panel (config/kiosk.toml:
1080 x 1920 px at 4 px/mm), in one presentation (theme, zoom, low position), and measured once:
text heights, whether each text fits its widget, the colours drawn, touch targets, the keypad's
focus chain, heights above the floor. The tests in this folder judge these records."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from kiosk import config
from kiosk.core.views import View
from kiosk.demo.gallery_views import GalleryView
from kiosk.ui.app import ensure_app
from kiosk.ui.keys import KeyMap
from kiosk.ui.strip import VOICE
from kiosk.ui.theme import Theme
from kiosk.ui.widgets.keypad import KeypadKey
from kiosk.ui.widgets.line_row import LineRow
from kiosk.ui.window import LOW_BAND_MM, KioskWindow
from tests.access.screens import gallery_views
from tests.ui.test_theme import contrast

SETTINGS = config.load()
DISPLAY = SETTINGS.display
PER_MM = float(DISPLAY.px_per_mm)
SIZE = (int(DISPLAY.width_px), int(DISPLAY.height_px))
MOUNT_MM = float(DISPLAY.mount_bottom_mm)
# KS X 9211 figures as design.md summarises them.
TEXT_MM = 12.0
TARGET_MM = 12.0
TARGET_AREA_MM2 = 150.0
GAP_MM = 2.5


@dataclass(frozen=True)
class Mode:
    """A presentation of the screens: the strip's toggles as a patron would set them."""

    high_contrast: bool = False
    zoom: bool = False
    low: bool = False
    voice_open: bool = False

    @property
    def name(self) -> str:
        parts = [
            "high-contrast" if self.high_contrast else "standard",
            "200%" if self.zoom else "100%",
            *(["low"] if self.low else []),
            *(["voice"] if self.voice_open else []),
        ]
        return " ".join(parts)

    def controls(self) -> list[str]:
        """The strip's controls a patron presses for this mode."""
        flags = (self.zoom, self.high_contrast, self.low, self.voice_open)
        return [c for c, on in zip(("zoom", "contrast", "low_position", "voice"), flags, strict=True) if on]


STANDARD = Mode()
HIGH_CONTRAST = Mode(high_contrast=True)
ZOOMED = Mode(zoom=True, voice_open=True)
LOW = Mode(low=True, voice_open=True)


@dataclass
class Text:
    """A widget that shows text: its glyph heights, whether its text fits, its colours."""

    kind: str  # title, message, button, primary, key, row, input, access ...
    text: str
    hangul_mm: float
    capital_mm: float
    fits: str  # "" when the text fits its widget, else what does not
    ink: str = ""
    fill: str = ""
    ratio: float = 0.0  # 0: not measured (scrolled out of view)
    disabled: bool = False
    dashed: bool | None = None  # a disabled button's border: gaps along its top edge


@dataclass
class Target:
    kind: str
    name: str
    rect: QRect  # in the window, as seen (clipped by the scrolling areas)
    whole: QRect  # in the window, whole

    @property
    def mm(self) -> tuple[float, float]:
        return (self.whole.width() / PER_MM, self.whole.height() / PER_MM)


@dataclass
class Screen:
    id: str
    view: View
    mode: Mode
    texts: list[Text] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    # What the keypad's next key visits, in order (the names of the focused widgets), and what
    # was not visited of what can take focus.
    chain: list[str] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)
    # Focused widgets not seen whole on screen after the keypad moved to them.
    hidden_on_focus: list[str] = field(default_factory=list)
    # Everything essential as seen: (what, top, bottom) heights above the floor in mm.
    heights: list[tuple[str, float, float]] = field(default_factory=list)
    clipped: list[str] = field(default_factory=list)  # widgets cut by the window's sides
    page_scrolls: bool = False
    png: QImage | None = None


def noop() -> None:
    pass


def make_window(mode: Mode) -> KioskWindow:
    ensure_app(headless=True)
    posted: list[object] = []
    keys = KeyMap.from_names(SETTINGS.keypad.as_dict())
    window = KioskWindow(Theme(px_per_mm=PER_MM), SETTINGS.kiosk.library_name, posted.append, keys, MOUNT_MM)
    window.posted = posted  # type: ignore[attr-defined]
    # The voice controls as the app registers them (the speech engineer's handlers).
    window.presentation = {control: noop for control in VOICE}
    window.resize(*SIZE)
    window.show()
    window.activateWindow()
    QApplication.processEvents()
    return window


def set_mode(window: KioskWindow, mode: Mode) -> None:
    window.show_view(gallery_views()[0].view)
    for control in mode.controls():
        window.present(control)
    QApplication.processEvents()


# ---------------------------------------------------------------------- measuring


def kind_of(widget: QWidget) -> str:
    if isinstance(widget, KeypadKey):
        return "key"
    if isinstance(widget, QAbstractButton):
        name = widget.objectName()
        if name == "access":
            return "access"
        if name == "primary":
            return "primary"
        return "header" if str(widget.property("control")).startswith("lang.") else "button"
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, LineRow):
        parent = parent.parentWidget()
    if parent is not None:
        return f"row {parent.line.status}"
    return widget.objectName() or "label"


def visible_rect(widget: QWidget, window: QWidget) -> QRect:
    """Where `widget` is seen in the window: clipped by every scrolling area around it."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            port = parent.viewport()
            rect = rect.intersected(QRect(port.mapTo(window, QPoint(0, 0)), port.size()))
        parent = parent.parentWidget()
    return rect.intersected(window.rect())


def scrolling(widget: QWidget, window: QWidget) -> list[QScrollArea]:
    """The scrolling areas around `widget`, innermost first."""
    found = []
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            found.append(parent)
        parent = parent.parentWidget()
    return found


def shown(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.window() is window


def glyph_mm(widget: QWidget) -> tuple[float, float]:
    metrics = QFontMetrics(widget.font())
    return (
        metrics.tightBoundingRect("한").height() / PER_MM,
        metrics.tightBoundingRect("H").height() / PER_MM,
    )


def label_fits(label: QLabel) -> str:
    """ "" when the label's text is drawn whole: on one line within its width, or wrapped
    within its width and height."""
    metrics = QFontMetrics(label.font())
    room = label.contentsRect()
    content = label.text()
    if label.wordWrap():
        flags = int(Qt.TextFlag.TextWordWrap) | int(label.alignment())
        needed = metrics.boundingRect(QRect(0, 0, room.width(), 100000), flags, content)
        if needed.width() > room.width() + 1:
            return f"a word {needed.width()} px wide in {room.width()} px"
        if needed.height() > room.height() + 1:
            return f"{needed.height()} px of lines in {room.height()} px"
        return ""
    lines = content.split("\n")
    widest = max(metrics.horizontalAdvance(line) for line in lines)
    if widest > room.width() + 1:
        return f"{widest} px in {room.width()} px"
    if len(lines) * metrics.lineSpacing() > room.height() + 1 and len(lines) > 1:
        return f"{len(lines)} lines in {room.height()} px"
    return ""


def button_fits(button: QAbstractButton) -> str:
    """ "" when the button's caption is drawn whole within its padding and border, focused or
    not (the focus border is thicker)."""
    rooms = []
    for focused in (False, True):
        option = QStyleOptionButton()
        option.initFrom(button)
        option.rect = button.rect()
        option.text = button.text()
        if focused:
            option.state |= QStyle.StateFlag.State_HasFocus
        else:
            option.state &= ~QStyle.StateFlag.State_HasFocus
        rooms.append(button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button))
    room = min(rooms, key=lambda r: r.width())
    metrics = QFontMetrics(button.font())
    lines = button.text().split("\n")
    widest = max(metrics.horizontalAdvance(line) for line in lines)
    if widest > room.width():
        return f"{widest} px in {room.width()} px"
    if len(lines) * metrics.height() > button.height():
        return f"{len(lines)} lines in {button.height()} px"
    return ""


def colours(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    packed = (image[..., 0].astype(np.uint32) << 16) | (image[..., 1].astype(np.uint32) << 8) | image[..., 2]
    return np.unique(packed.ravel(), return_counts=True)


def hex_of(value: int) -> str:
    return f"#{int(value):06X}"


def ink_and_fill(crop: np.ndarray) -> tuple[str, str, float]:
    """The background (the commonest colour) and the text's colour (of the colours that cover
    enough pixels to be strokes, the one that stands out most) of a widget's pixels."""
    values, counts = colours(crop)
    fill = hex_of(values[np.argmax(counts)])
    enough = max(12, int(crop.shape[0] * crop.shape[1] * 0.002))
    candidates = [hex_of(v) for v, n in zip(values, counts, strict=True) if n >= enough]
    ink = max(candidates, key=lambda c: contrast(c, fill))
    return ink, fill, contrast(ink, fill)


def as_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    # A copy: the converted image (and its buffer) goes when this returns.
    data = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes()).copy()
    return data.reshape(height, image.bytesPerLine())[:, : width * 3].reshape(height, width, 3)


def inset(widget: QWidget, window: KioskWindow) -> tuple[int, int]:
    """How far in from a widget's edges its text's background starts (borders, rings, corners)."""
    theme = window.theme
    if isinstance(widget, QAbstractButton):
        border = theme.mm(theme.FOCUS_MM) + theme.mm(theme.FOCUS_INNER_MM) + 1
        return (border + theme.mm(theme.BUTTON_RADIUS_MM), border)
    if widget.objectName() == "input":
        return (theme.mm(1) + 2, theme.mm(0.5) + 2)
    return (0, 0)


def dashed_top(widget: QWidget, pixels: np.ndarray, window: KioskWindow, fill: str) -> bool:
    """Whether a button's top border is broken by its fill (a dashed line), as drawn."""
    theme = window.theme
    where = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    y = where.top() + theme.mm(0.5) // 2
    x0, x1 = where.left() + theme.mm(theme.BUTTON_RADIUS_MM), where.right() - theme.mm(theme.BUTTON_RADIUS_MM)
    edge = pixels[y, x0:x1]
    values, counts = colours(edge.reshape(1, -1, 3))
    gaps = sum(int(n) for v, n in zip(values, counts, strict=True) if contrast(hex_of(v), fill) < 1.2)
    return gaps >= 0.2 * max(1, x1 - x0)


def texts_of(window: KioskWindow, pixels: np.ndarray) -> list[Text]:
    found = []
    widgets: Iterable[QWidget] = [*window.findChildren(QLabel), *window.findChildren(QAbstractButton)]
    for widget in widgets:
        content = widget.text()  # type: ignore[attr-defined]
        if not shown(widget, window) or not content.strip():
            continue
        hangul, capital = glyph_mm(widget)
        fits = button_fits(widget) if isinstance(widget, QAbstractButton) else label_fits(widget)  # type: ignore[arg-type]
        item = Text(kind_of(widget), content.replace("\n", " / "), hangul, capital, fits)
        item.disabled = not widget.isEnabled()
        seen = visible_rect(widget, window)
        if seen.height() >= widget.height() * 0.9 and seen.width() >= widget.width() * 0.9:
            dx, dy = inset(widget, window)
            box = seen.adjusted(dx, dy, -dx, -dy)
            crop = pixels[box.top() : box.bottom() + 1, box.left() : box.right() + 1]
            if crop.size:
                item.ink, item.fill, item.ratio = ink_and_fill(crop)
                if item.disabled:
                    item.dashed = dashed_top(widget, pixels, window, item.fill)
        found.append(item)
    return found


def targets_of(window: KioskWindow) -> list[Target]:
    found = []
    for widget in window.findChildren(QWidget):
        if not shown(widget, window) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if not isinstance(widget, (QAbstractButton, LineRow)):
            continue
        name = str(widget.property("control") or getattr(getattr(widget, "line", None), "control", ""))
        whole = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        found.append(Target(kind_of(widget), name, visible_rect(widget, window), whole))
    return found


def focus_name(widget: QWidget | None) -> str:
    if widget is None:
        return "(none)"
    if isinstance(widget, LineRow):
        return f"row:{widget.line.control}"
    return str(widget.property("control") or widget.objectName() or type(widget).__name__)


def walk_focus(window: KioskWindow, screen: Screen, band: tuple[int, int] | None) -> None:
    """Press the keypad's next key until the focus comes round: what it visits, in order; each
    one seen whole when it has the focus (scrolled to), within the band when low."""
    focusable = {
        id(w): focus_name(w)
        for w in window.findChildren(QWidget)
        if shown(w, window) and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
    }
    key = window.keys.keys["next"][0]
    start = window.focusWidget()
    visited: list[int] = []
    for _ in range(len(focusable) + 2):
        QTest.keyClick(window.focusWidget() or window, Qt.Key(key))
        now = window.focusWidget()
        if now is None or id(now) in visited:
            break
        visited.append(id(now))
        screen.chain.append(focus_name(now))
        whole = QRect(now.mapTo(window, QPoint(0, 0)), now.size())
        seen = visible_rect(now, window)
        # Seen whole, or as much of it as the page shows (a row taller than the panel, zoomed).
        room = min(area.viewport().height() for area in scrolling(now, window))
        if seen.width() < whole.width() or seen.height() < min(whole.height(), room):
            screen.hidden_on_focus.append(focus_name(now))
        elif band is not None and (whole.top() < band[0] or whole.bottom() > band[1]):
            screen.hidden_on_focus.append(f"{focus_name(now)} outside the band")
    screen.unreached = [name for wid, name in focusable.items() if wid not in visited]
    if start is not None:
        start.setFocus()


def above_floor(y: int) -> float:
    """Millimetres above the floor of the window's pixel row `y` (the window is the panel)."""
    return MOUNT_MM + (SIZE[1] - y) / PER_MM


def essentials(window: KioskWindow) -> list[tuple[str, QWidget]]:
    """Every control and all essential information: title, message, countdown, fields, the
    keypad, the list's rows as seen, every button."""
    found: list[tuple[str, QWidget]] = []
    for widget in window.findChildren(QWidget):
        if not shown(widget, window):
            continue
        if isinstance(widget, (QAbstractButton, LineRow)) or (
            isinstance(widget, QLabel) and widget.text().strip()
        ):
            found.append((kind_of(widget), widget))
    return found


def heights_of(window: KioskWindow) -> list[tuple[str, float, float]]:
    found = []
    for what, widget in essentials(window):
        seen = visible_rect(widget, window)
        if seen.isEmpty():
            continue  # scrolled away: seen (within the band) once scrolled to
        found.append((what, above_floor(seen.top()), above_floor(seen.bottom() + 1)))
    return found


def clipped_of(window: KioskWindow) -> list[str]:
    """Widgets that reach past the window's sides, or a page wider than the window."""
    found = []
    sheet = window.page.widget()
    if sheet is not None and sheet.width() > window.page.viewport().width():
        found.append(f"page {sheet.width()} px in {window.page.viewport().width()} px")
    for widget in window.findChildren(QWidget):
        if not shown(widget, window) or widget.width() == 0:
            continue
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if rect.left() < 0 or rect.right() >= window.width():
            found.append(f"{type(widget).__name__} {focus_name(widget)} at x {rect.left()}..{rect.right()}")
    return found


def measure(window: KioskWindow, item: GalleryView, mode: Mode, keep_png: bool = False) -> Screen:
    window.show_view(item.view, rebuild=True)
    QApplication.processEvents()
    screen = Screen(item.id, item.view, mode)
    image = window.grab().toImage()
    if keep_png:
        screen.png = image
    pixels = as_array(image)
    screen.texts = texts_of(window, pixels)
    screen.targets = targets_of(window)
    screen.heights = heights_of(window)
    screen.clipped = clipped_of(window)
    scroll = window.page.verticalScrollBar()
    screen.page_scrolls = scroll.maximum() > 0
    walk_focus(window, screen, window.band() if mode.low else None)
    return screen


@cache
def rendered(mode: Mode) -> tuple[Screen, ...]:
    """Every gallery screen in `mode`, measured (once per test session)."""
    window = make_window(mode)
    try:
        set_mode(window, mode)
        return tuple(measure(window, item, mode) for item in gallery_views())
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()


def min_gap_mm(targets: list[Target]) -> tuple[float, str]:
    """The least distance between two touch targets as seen, and which."""
    best, which = math.inf, ""
    seen = [t for t in targets if not t.rect.isEmpty()]
    for i, a in enumerate(seen):
        for b in seen[i + 1 :]:
            dx = max(b.rect.left() - a.rect.right() - 1, a.rect.left() - b.rect.right() - 1, 0)
            dy = max(b.rect.top() - a.rect.bottom() - 1, a.rect.top() - b.rect.bottom() - 1, 0)
            gap = max(dx, dy) / PER_MM
            if gap < best:
                best, which = gap, f"{a.name}|{b.name}"
    return best, which


def band_mm() -> tuple[float, float]:
    return LOW_BAND_MM


def table(title: str, header: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> str:
    """A plain text table (shown with pytest -s), columns as wide as their widest cell."""
    cells = [tuple(str(c) for c in header), *[tuple(_cell(c) for c in row) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [f"\n== {title}", "  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells[1:]]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
