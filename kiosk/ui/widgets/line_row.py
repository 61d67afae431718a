"""One row of a screen's list, and the list that keeps its rows while only some of them change."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.core.views import Line
from kiosk.ui.theme import Theme
from kiosk.ui.widgets.focus import move_focus, paint_inner_ring, reveal, routed
from kiosk.ui.widgets.pictogram import CheckBoxMark
from kiosk.ui.widgets.text_label import TextLabel

STATUS_ICON = {"ok": "✔", "refused": "✖", "unconfirmed": "?", "info": "ℹ"}
# A toggle row's state, told by its box (ticked or empty) and in words, never by colour alone.
TOGGLE_WORDS = {True: "line.selected", False: "line.not_selected"}
# Keys that activate a focused touchable row, as Enter activates a button.
ACTIVATE = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_Select)

RowKey = tuple[int, str]
# The stylesheet's corner of a row (theme.py).
ROW_RADIUS_MM = 2.0


def label(content: str = "", name: str = "", wrap: bool = False) -> QLabel:
    """A label; a wrapping one breaks a word too wide for it rather than cut it (TextLabel)."""
    widget = TextLabel(content) if wrap else QLabel(content)
    if name:
        widget.setObjectName(name)
    return widget


def discard(widget: QWidget) -> None:
    """Take a widget off the screen for good.

    Hidden first, explicitly: a widget added to the visible window has a show queued for the
    next event loop turn, and once unparented that show would open it as a top-level window
    of its own until its deletion (when two screens are rendered in one turn)."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


class LineRow(QFrame):
    """A row: status icon, text, detail and note. A row with a control is a touch target
    (at least TARGET_MM tall) that the keypad reaches in the focus order; a tap, Enter or
    Space calls `press(line.control)`. A toggle row (selected not None) shows a box, ticked
    or empty, and says "selected" or "not selected" in its text and accessible name."""

    def __init__(
        self,
        line: Line,
        language: Language,
        theme: Theme,
        press: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.line = line
        self.language = language
        self._press = press
        self._pressing = False
        self._ring = theme.focus_ring() if line.control else None
        self._radius = theme.mm(ROW_RADIUS_MM)
        self._heights: dict[int, int] = {}
        touchable = bool(line.control)
        self.setObjectName("line_touch" if touchable else "line")
        self.setProperty("selected", bool(line.selected))
        m = theme.mm
        row = QHBoxLayout(self)
        row.setContentsMargins(m(3), m(2), m(3), m(2))
        row.setSpacing(m(3))
        state = ""
        self.box: CheckBoxMark | None = None
        if line.selected is not None:
            state = text(TOGGLE_WORDS[line.selected], language)
            pal = theme.palette
            size = theme.text_mm(theme.TEXT_MM)
            self.box = CheckBoxMark(line.selected, pal.text, pal.primary, pal.on_primary, size)
            self.box.setAccessibleName(state)
            row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        icon = label(STATUS_ICON.get(line.status, ""), f"line_{line.status}")
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(icon)
        column = QVBoxLayout()
        if line.text:
            column.addWidget(label(line.text, wrap=True))
        note = text(line.note, language, **dict(line.note_args)) if line.note else ""
        status_text = " · ".join(x for x in (line.detail, note) if x)
        if status_text:
            column.addWidget(label(status_text, f"line_{line.status}", wrap=True))
        if state:
            column.addWidget(label(state, "toggle_state_on" if line.selected else "toggle_state", wrap=True))
        row.addLayout(column, 1)
        said = " ".join(x for x in (line.text, status_text) if x)
        self.setAccessibleName(", ".join(x for x in (said, state) if x))
        if touchable:
            self.setMinimumHeight(m(theme.TARGET_MM))
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def height_for(self, width: int) -> int:
        """The row's height at this width (a row never changes: its heights are kept)."""
        height = self._heights.get(width)
        if height is None:
            wrapped = self.heightForWidth(width)  # -1: nothing in the row wraps
            natural = wrapped if wrapped >= 0 else self.sizeHint().height()
            height = max(natural, self.minimumSizeHint().height(), self.minimumHeight())
            self._heights[width] = height
        return height

    # ------------------------------------------------------------------ touch and keypad

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self.line.control and event.button() == Qt.MouseButton.LeftButton:
            self._pressing = True
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        # A tap is a press and a release on the same row (a finger slid off does nothing).
        if self._pressing and event.button() == Qt.MouseButton.LeftButton:
            self._pressing = False
            event.accept()
            if self.isEnabled() and self.rect().contains(event.position().toPoint()):
                self._press(self.line.control)
        else:
            super().mouseReleaseEvent(event)

    def activate(self) -> None:
        """What a tap does: a touchable row posts its control."""
        if self.line.control and self.isEnabled():
            self._press(self.line.control)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = event.key()
        if routed(self, event):
            event.accept()
        elif self.line.control and key in ACTIVATE:
            self.activate()
        elif not move_focus(self, key):  # through the focus order, as on the buttons
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        super().focusInEvent(event)
        reveal(self)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        paint_inner_ring(self, self._ring, self._radius)


class LineList(QWidget):
    """The list of a screen: keeps the row widgets whose Line (and language) are unchanged and
    replaces only the rows that differ; a row is known by its position and detail.

    Rows are stacked here rather than by a QVBoxLayout: a box layout fits its rows into the
    height it has, so a row added below would first squeeze every row above it into the old
    height and then stretch them back once the scroll area has grown, moving and repainting
    every row on screen for one new book. Stacked at their own heights, rows that did not
    change never move, and the list's growth repaints only the area it adds."""

    def __init__(self, theme: Theme, press: Callable[[str], None]) -> None:
        super().__init__()
        self.theme = theme
        self.press = press
        self.rows: list[LineRow] = []
        # The last row made new by the latest show_lines among rows it kept (None: none was, or
        # the whole list is new and is seen from its top).
        self.newest: QWidget | None = None
        self._gap = theme.mm(3)
        self._placed_width = -1
        self._hfw: dict[int, int] = {}
        self._widths: tuple[int, int] | None = None  # minimum and preferred
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def show_lines(self, lines: tuple[Line, ...], language: Language, enabled: bool) -> list[QWidget]:
        """Show `lines`; touchable rows are enabled or not. Returns the rows made new."""
        made: list[QWidget] = []
        for i, line in enumerate(lines):
            old = self.rows[i] if i < len(self.rows) else None
            if old is None or old.line != line or old.language != language:
                row = LineRow(line, language, self.theme, self.press, self)
                row.ensurePolished()
                if old is None:
                    self.rows.append(row)
                else:
                    discard(old)
                    self.rows[i] = row
                made.append(row)
            if line.control:
                self.rows[i].setEnabled(enabled)
        gone = self.rows[len(lines) :]
        for old in gone:
            discard(old)
        del self.rows[len(lines) :]
        # A row added or changed among rows kept (a book scanned, its answer): not a new list.
        self.newest = made[-1] if made and len(made) < len(lines) else None
        if made or gone:
            self._hfw, self._widths = {}, None
            self._place(self.width())
            self.updateGeometry()
        return made

    def clear(self) -> None:
        self.show_lines((), Language.KO, True)

    # ------------------------------------------------------------------ geometry

    def _place(self, width: int) -> None:
        self._placed_width = width
        y = 0
        for row in self.rows:
            height = row.height_for(width)
            if row.geometry() != QRect(0, y, width, height):
                row.setGeometry(0, y, width, height)
            y += height + self._gap

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        # Layouts ask many times per change: the answer is kept until the rows change.
        height = self._hfw.get(width)
        if height is None:
            heights = [row.height_for(width) for row in self.rows]
            height = self._hfw[width] = sum(heights) + self._gap * max(0, len(heights) - 1)
        return height

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        if self._widths is None:
            self._widths = (
                max((row.minimumSizeHint().width() for row in self.rows), default=0),
                max((row.sizeHint().width() for row in self.rows), default=0),
            )
        width = self._widths[1]
        return QSize(width, self.heightForWidth(self.width() if self.width() > 0 else width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        self.sizeHint()
        assert self._widths is not None
        return QSize(self._widths[0], 0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        # Only a new width moves rows: a new height is the list growing or shrinking below them.
        if event.size().width() != self._placed_width:
            self._place(event.size().width())

    # ------------------------------------------------------------------ rows by key

    def row_keys(self) -> list[RowKey]:
        return [(i, row.line.detail) for i, row in enumerate(self.rows)]

    def row(self, key: RowKey) -> LineRow | None:
        i, detail = key
        if i < len(self.rows) and self.rows[i].line.detail == detail:
            return self.rows[i]
        return None

    def touchable(self) -> list[LineRow]:
        return [row for row in self.rows if row.line.control]
