"""Pictograms drawn with QPainter, so they scale with the panel and need no image files."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget


class CardTapPictogram(QWidget):
    """A card above a reader with contactless waves: "tap your card here"."""

    def __init__(self, colour: str, accent: str, size_px: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colour = QColor(colour)
        self._accent = QColor(accent)
        self.setFixedSize(size_px, size_px)
        self.setAccessibleName("card reader")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        s = float(self.width())
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self._colour, s * 0.025)
        p.setPen(pen)
        # Reader base.
        p.drawRoundedRect(QRectF(s * 0.15, s * 0.72, s * 0.7, s * 0.16), s * 0.03, s * 0.03)
        # Card, tilted towards the reader.
        p.save()
        p.translate(s * 0.5, s * 0.38)
        p.rotate(-12)
        p.setBrush(self._accent)
        p.drawRoundedRect(QRectF(-s * 0.26, -s * 0.16, s * 0.52, s * 0.32), s * 0.03, s * 0.03)
        p.restore()
        # Contactless waves.
        p.setBrush(Qt.BrushStyle.NoBrush)
        for i, r in enumerate((0.08, 0.13, 0.18)):
            p.setPen(QPen(self._colour, s * (0.02 - i * 0.003)))
            p.drawArc(QRectF(s * 0.5 - s * r, s * 0.62 - s * r, 2 * s * r, 2 * s * r), 30 * 16, 120 * 16)
        p.end()


class CheckBoxMark(QWidget):
    """A toggle's box: filled with a tick when on, an empty outline when off (not colour alone)."""

    def __init__(
        self, checked: bool, colour: str, fill: str, tick: str, size_px: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.checked = checked
        self._colour = QColor(colour)
        self._fill = QColor(fill)
        self._tick = QColor(tick)
        self.setFixedSize(size_px, size_px)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        s = float(self.width())
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        line = s * 0.1
        box = QRectF(line / 2, line / 2, s - line, s - line)
        if self.checked:
            p.setPen(QPen(self._fill, line))
            p.setBrush(self._fill)
            p.drawRoundedRect(box, s * 0.12, s * 0.12)
            pen = QPen(self._tick, s * 0.14)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(pen)
            tick = [QPointF(s * 0.24, s * 0.52), QPointF(s * 0.43, s * 0.71), QPointF(s * 0.77, s * 0.3)]
            p.drawPolyline(tick)
        else:
            p.setPen(QPen(self._colour, line))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(box, s * 0.12, s * 0.12)
        p.end()
