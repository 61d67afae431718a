"""A small Qt control panel for demos: tap cards, show books, take the receipt."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

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
        box.addWidget(self._button("Open last receipt", self._open_receipt))
        box.addWidget(self._button("Paper out", lambda: sims.printer.paper_out()))
        box.addWidget(self._button("Paper in", lambda: sims.printer.paper_in()))
        root.addWidget(printer)
        self.status = QLabel("")
        root.addWidget(self.status)

    def _button(self, label: str, action: Any) -> QPushButton:
        button = QPushButton(label)
        button.clicked.connect(action)
        return button

    def _open_receipt(self) -> None:
        receipts = getattr(self.sims.printer, "receipts", [])
        if not receipts:
            self.status.setText("no receipt yet")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(receipts[-1])))
