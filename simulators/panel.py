"""A small Qt control panel for demos: tap cards, show books, take the receipt."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from simulators.ils.seed import BLOCKED_PATRON_ID, DEMO_ITEMS, DEMO_PATRON_ID, ON_HOLD_ITEM


class ControlPanel(QWidget):
    def __init__(self, sims: Any) -> None:
        super().__init__()
        self.sims = sims
        self.setWindowTitle("Simulators")
        root = QVBoxLayout(self)

        cards = QGroupBox("NFC card reader")
        box = QVBoxLayout(cards)
        for label, uid in (("Tap 김민수 (good)", DEMO_PATRON_ID), ("Tap 이서연 (fees)", BLOCKED_PATRON_ID)):
            box.addWidget(self._button(label, lambda _=False, u=uid: sims.nfc.tap(u, "106A")))
        box.addWidget(self._button("Lift card", lambda: sims.nfc.lift()))
        root.addWidget(cards)

        books = QGroupBox("Camera")
        box = QVBoxLayout(books)
        for item in (*DEMO_ITEMS, ON_HOLD_ITEM):
            box.addWidget(
                self._button(f"Show {item}", lambda _=False, i=item: sims.camera.show(i, "Code128"))
            )
        box.addWidget(
            self._button(
                "Show mobile card QR", lambda: sims.camera.show(f"CHAEKIEUM:{DEMO_PATRON_ID}", "QRCode")
            )
        )
        box.addWidget(self._button("Remove", lambda: sims.camera.remove()))
        root.addWidget(books)

        printer = QGroupBox("Receipt printer")
        box = QVBoxLayout(printer)
        box.addWidget(self._button("Take the receipt", self._take_receipt))
        box.addWidget(self._button("Paper out", lambda: sims.printer.paper_out()))
        box.addWidget(self._button("Paper in", lambda: sims.printer.paper_in()))
        root.addWidget(printer)
        self.status = QLabel("")
        root.addWidget(self.status)
        # The paper as it left the printer: shown when the patron takes the receipt.
        self.paper = QLabel()
        self.paper.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        holder = QScrollArea()
        holder.setWidget(self.paper)
        holder.setWidgetResizable(True)
        holder.setMinimumHeight(300)
        root.addWidget(holder, 1)
        self._taken = 0
        self._watch = QTimer(self)
        self._watch.timeout.connect(self._check_printer)
        self._watch.start(500)

    def _button(self, label: str, action: Any) -> QPushButton:
        button = QPushButton(label)
        button.clicked.connect(action)
        return button

    def _check_printer(self) -> None:
        waiting = len(getattr(self.sims.printer, "receipts", [])) - self._taken
        self.status.setText(f"{waiting} receipt(s) in the tray" if waiting else "")

    def _take_receipt(self) -> None:
        receipts = getattr(self.sims.printer, "receipts", [])
        if len(receipts) <= self._taken:
            self.status.setText("no receipt in the tray")
            return
        self._taken = len(receipts)
        pixmap = QPixmap(str(receipts[-1]))
        self.paper.setPixmap(pixmap.scaledToWidth(280, Qt.TransformationMode.SmoothTransformation))
        self.status.setText(f"took {receipts[-1].name}")
