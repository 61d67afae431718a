"""The kiosk window's frame: the panel's layout that every screen fills in, and how it is
presented (the page scrolls when zoomed or low; low, it keeps within 400-1,220 mm of the floor)."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLayout,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.strip import AccessStrip, Presentation
from kiosk.ui.theme import Theme
from kiosk.ui.widgets.line_row import LineList, label

# Low position: every control and all essential information within this height above the
# floor (millimetres; KS X 9211 as summarised in design.md).
LOW_BAND_MM = (400.0, 1220.0)
# The bottom edge of the panel above the floor when the app does not say ([display]).
MOUNT_BOTTOM_MM = 850.0
# The list area keeps room for a row or so.
LIST_MIN_MM = 40.0
# The stylesheet's scroll bar width.
SCROLL_BAR_MM = 12.0


class ScreenFrame(QWidget):
    """Top to bottom: the header (library, language button), title, message, countdown, the
    list area (intro, keypad, rows), the controls and the accessibility strip, all on a page
    between two spaces that are empty but in low position.

    At 100 % the page fits the panel and the list area scrolls on its own; zoomed or low the
    list area's content is part of the page and the page scrolls, one scroll for everything."""

    def __init__(
        self,
        theme: Theme,
        library_name: str,
        press: Callable[[str], None],
        present: Callable[[str], None],
        mount_bottom_mm: float,
    ) -> None:
        super().__init__()
        self.theme = theme
        self.mode = Presentation(high_contrast=theme.high_contrast)
        # Height of the panel's bottom edge above the floor (low position is computed from it).
        self.mount_bottom_mm = mount_bottom_mm
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(theme.stylesheet())
        self.setWindowTitle(library_name)

        m = theme.mm
        root = QVBoxLayout(self)
        # The window is the panel: its size comes from the display settings, never from what
        # a screen holds. By default a top-level layout sets the window's minimum size from
        # its content, so every screen change whose content differs would resize the window's
        # constraints and make the platform propagate size hints (the offscreen platform
        # warns each time). Overflowing content scrolls instead.
        root.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        # Low position: the panel above 1,220 mm (and below 400 mm) is left empty.
        self.top_space = QWidget()
        self.bottom_space = QWidget()
        for space in (self.top_space, self.bottom_space):
            space.setFixedHeight(0)
        self.page = _scrolling()
        self.page.setObjectName("page")
        self.page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        sheet = QWidget()
        sheet.setObjectName("sheet")
        self.column = QVBoxLayout(sheet)
        self.column.setContentsMargins(m(8), m(6), m(8), m(8))
        self.column.setSpacing(m(theme.GAP_MM))
        self.page.setWidget(sheet)
        root.addWidget(self.top_space)
        root.addWidget(self.page, 1)
        root.addWidget(self.bottom_space)

        # The library's name and the language button; zoomed, one above the other.
        self.header = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.header.setSpacing(m(theme.GAP_MM))
        self.library = label(library_name, "library", wrap=True)
        self.header.addWidget(self.library, 1)
        self.header_controls = QHBoxLayout()
        self.header_controls.setSpacing(m(theme.GAP_MM))
        self.header.addLayout(self.header_controls)
        self.column.addLayout(self.header)

        self.title = label(name="title", wrap=True)
        self.message = label(name="message", wrap=True)
        self.countdown = label(name="countdown", wrap=True)
        for widget in (self.title, self.message, self.countdown):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
            self.column.addWidget(widget)

        # The list area: what a screen shows above its list (the idle pictogram, "no books
        # yet", keypad fields), the keypad while there are fields, the list's rows, and a
        # stretch below them.
        self.body = QVBoxLayout()
        self.body.setSpacing(m(3))
        self.intro = QVBoxLayout()
        self.intro.setSpacing(m(3))
        self.body.addLayout(self.intro)
        self.lines = LineList(theme, press)
        self.body.addWidget(self.lines)
        self.body.addStretch(1)
        self.holder = QWidget()
        self.holder.setLayout(self.body)
        # Growing with the list repaints only the area added, not every row on screen.
        self.holder.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.list_area = _scrolling()
        self.list_area.setWidget(self.holder)
        self.list_area.setMinimumHeight(m(LIST_MIN_MM))
        self.column.addWidget(self.list_area, 1)

        self.controls = QVBoxLayout()
        self.controls.setSpacing(m(theme.GAP_MM))
        self.column.addLayout(self.controls)
        self.strip = AccessStrip(present)
        self.column.addWidget(self.strip)

    # ------------------------------------------------------------------ presentation

    def scrolls(self) -> bool:
        """Whether the page may be taller than the panel (zoomed, or low): then it is one
        scroll with a scroll bar. At 100 % every screen fits."""
        return self.theme.zoom > 1.0 or self.mode.low_position

    def content_width(self) -> int:
        """The page's width for a screen's content: inside its margins, beside the scroll bar
        when it may have one."""
        margins = self.column.contentsMargins()
        scroll_bar = self.theme.mm(SCROLL_BAR_MM) if self.scrolls() else 0
        return max(0, self.width() - margins.left() - margins.right() - scroll_bar)

    def arrange(self) -> None:
        """The list area's content on its own scroll (100 %) or part of the page's."""
        one_scroll = self.scrolls()
        if one_scroll and self.list_area.widget() is self.holder:
            self.list_area.takeWidget()
            # A scroll area makes its widget fill its background (the palette's light grey):
            # on the page it must show the theme's own, as in high contrast.
            self.holder.setAutoFillBackground(False)
            self.list_area.hide()
            self.column.insertWidget(self.column.indexOf(self.list_area), self.holder, 1)
            self.holder.show()
        elif not one_scroll and self.list_area.widget() is not self.holder:
            self.column.removeWidget(self.holder)
            self.list_area.setWidget(self.holder)
            self.list_area.show()
        bar = Qt.ScrollBarPolicy.ScrollBarAsNeeded if one_scroll else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        self.page.setVerticalScrollBarPolicy(bar)
        self.place_band()

    def fit_header(self, buttons: list[QWidget], name_width: int) -> None:
        """The library's name beside the header's buttons while both fit the page's width,
        else above them (zoomed): the name is never broken for want of room."""
        gap = self.header.spacing()
        needed = name_width + sum(b.sizeHint().width() + gap for b in buttons)
        side_by_side = needed <= self.content_width()
        direction = QBoxLayout.Direction.LeftToRight if side_by_side else QBoxLayout.Direction.TopToBottom
        if self.header.direction() != direction:
            self.header.setDirection(direction)

    def band(self) -> tuple[int, int]:
        """The window's rows (top, bottom: pixels from its top) within 400-1,220 mm of the
        floor, from the panel's mounting height; the whole window when it all is."""
        height, per_mm = self.height(), self.theme.px_per_mm
        low, high = LOW_BAND_MM
        top = height - (high - self.mount_bottom_mm) * per_mm
        bottom = height - (low - self.mount_bottom_mm) * per_mm
        return max(0, math.ceil(top)), min(height, math.floor(bottom))

    def place_band(self) -> None:
        """Low, the page keeps within the band; else it has the whole panel."""
        top, bottom = self.band() if self.mode.low_position else (0, self.height())
        if self.top_space.height() != top or self.bottom_space.height() != self.height() - bottom:
            self.top_space.setFixedHeight(top)
            self.bottom_space.setFixedHeight(self.height() - bottom)
            layout = self.layout()
            if layout is not None:
                layout.activate()

    def settle(self, made: bool) -> None:
        """Lay the screen out now rather than at the next event loop turn (a grab right after
        a render sees the screen as drawn)."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.column.activate()
        if made:
            # The list's own layout, and the scroll areas sizing to their content.
            self.body.activate()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def _scrolling() -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    # Never a stop of the keypad's focus: what it holds is.
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    # A finger drags it (single touch, no scroll wheel on a kiosk).
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return area
