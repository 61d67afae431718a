"""A label whose text wraps between words, and inside a word only where that word alone is wider
than the label (a long number or address, zoomed): its text is never cut, and its least width
never widens the screen."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.ui.widgets.captions import SHY, ZWSP, breakable


class TextLabel(QLabel):
    def __init__(self, content: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._whole = ""
        self.setWordWrap(True)
        self.set_whole(content)

    def whole(self) -> str:
        """The text as given (what is shown may have break opportunities added)."""
        return self._whole

    def set_whole(self, content: str) -> None:
        self._whole = content
        self._show(self.contentsRect().width())

    def _room(self, width: int) -> int:
        margins = self.contentsMargins()
        return width - margins.left() - margins.right() - 2 * self.margin()

    def _shown(self, room: int) -> str:
        self.ensurePolished()
        return breakable(self._whole, self.fontMetrics(), room) if room > 0 else self._whole

    def _show(self, room: int) -> None:
        shown = self._shown(room)
        if shown != self.text():
            self.setText(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._show(self.contentsRect().width())

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        room = self._room(width)
        if room <= 0 or not self._whole:
            return super().heightForWidth(width)
        flags = int(Qt.TextFlag.TextWordWrap) | int(self.alignment())
        needed = self.fontMetrics().boundingRect(QRect(0, 0, room, 1 << 20), flags, self._shown(room))
        margins = self.contentsMargins()
        return needed.height() + margins.top() + margins.bottom() + 2 * self.margin()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # As narrow as a few characters: a long word is broken rather than widen the screen.
        hint = super().minimumSizeHint()
        narrow = 4 * self.fontMetrics().horizontalAdvance("M")
        return QSize(min(hint.width(), narrow), hint.height())


def plain(label: QLabel) -> str:
    """A label's text without the break opportunities added to it."""
    return label.whole() if isinstance(label, TextLabel) else label.text().replace(ZWSP, "").replace(SHY, "")
