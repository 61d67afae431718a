"""The window renders every screen legibly (Hangul, big targets, nothing cut); touches become events."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.core.effects import CallLibrary, Show
from kiosk.core.events import BarcodeRead, CardRead, LibraryReplied, Pressed, Started
from kiosk.core.model import CheckoutResult, Language, Loan, Patron
from kiosk.flows.visit import VisitFlow
from kiosk.ui.app import ensure_app
from kiosk.ui.theme import Theme
from kiosk.ui.window import KioskWindow

THEME = Theme(px_per_mm=4.0)


@pytest.fixture
def window(qtbot):
    ensure_app(headless=True)
    posted = []
    w = KioskWindow(THEME, "서울도서관", posted.append)
    w.posted = posted
    w.resize(1080, 1920)
    qtbot.addWidget(w)
    w.show()
    return w


def visit_views() -> list:
    """Views from a real flow run: idle, working, borrow (with lines), goodbye, notice."""
    flow = VisitFlow()
    views = []

    def feed(event):
        effects = flow.handle(event)
        views.extend(e.view for e in effects if isinstance(e, Show))
        return effects

    feed(Started())
    (call,) = [
        e for e in feed(CardRead(technology="106A", uid="01", identifier="P1")) if isinstance(e, CallLibrary)
    ]
    feed(
        LibraryReplied(
            request_id=call.request_id,
            operation="lookup_patron",
            result=Patron("P1", "김민수", loans=(Loan("EM1", "토지"),)),
        )
    )
    for item, ok in (("EM0000100001", True), ("EM0000100002", False)):
        (call,) = [e for e in feed(BarcodeRead(text=item, symbology="Code128")) if isinstance(e, CallLibrary)]
        result = CheckoutResult(
            ok,
            item,
            "채식주의자: 한강 장편소설 (창비 2007년판)",
            dt.date(2026, 12, 13),
            reason="" if ok else "refusal.on_hold",
        )
        feed(LibraryReplied(request_id=call.request_id, operation="checkout", result=result))
    return views


def dark_fraction(image: QImage) -> float:
    small = image.scaled(108, 192)
    bg = small.pixelColor(2, 2)
    differ = sum(
        1
        for x in range(small.width())
        for y in range(small.height())
        if abs(small.pixelColor(x, y).lightness() - bg.lightness()) > 60
    )
    return differ / (small.width() * small.height())


@pytest.mark.parametrize("language", [Language.KO, Language.EN])
def test_every_screen_renders_non_blank_with_big_targets(window, tmp_path, language):
    from dataclasses import replace

    for n, view in enumerate(visit_views()):
        view = replace(view, language=language)
        window.show_view(view)
        image = window.grab().toImage()
        image.save(str(tmp_path / f"{n:02d}-{view.screen}.png"))
        assert 0.01 < dark_fraction(image) < 0.6, f"{view.screen} looks blank or flooded"
        buttons = [b for b in window.findChildren(QPushButton) if b.isVisible()]
        assert buttons, view.screen
        for b in buttons:
            # Touch targets: at least 12 x 12 mm on the panel.
            assert b.height() >= THEME.mm(12) and b.width() >= THEME.mm(12), (view.screen, b.text())
            # The label fits inside its button: nothing is cut off.
            assert b.fontMetrics().horizontalAdvance(b.text()) <= b.width(), (view.screen, b.text())
        for label in window.findChildren(QLabel):
            if label.isVisible() and label.text() and not label.wordWrap():
                assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width() + 1, label.text()


def test_text_is_at_least_12_mm(window):
    window.show_view(visit_views()[0])
    assert window.message.font().pixelSize() >= THEME.mm(
        12
    ) or window.message.fontInfo().pixelSize() >= THEME.mm(12)


def test_hangul_is_drawn_with_a_cjk_font(window):
    window.show_view(visit_views()[0])
    info = window.title.fontInfo()
    assert "CJK" in info.family() or "Noto Sans CJK" in info.family()
    # Every Hangul character of the title has a glyph in the font in use.
    metrics = window.title.fontMetrics()
    assert all(metrics.inFont(ch) for ch in window.title.text() if "가" <= ch <= "힣")


def test_touches_become_pressed_events(window, qtbot):
    views = visit_views()
    borrow = [v for v in views if v.screen == "borrow" and not v.busy][-1]
    window.show_view(borrow)
    qtbot.mouseClick(window.buttons()["finish"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.buttons()["call_staff"], Qt.MouseButton.LeftButton)
    assert [e.control for e in window.posted] == ["finish", "call_staff"]


def test_keypad_enter_activates_the_focused_control(window, qtbot):
    window.show_view(visit_views()[0])
    qtbot.keyClick(window.buttons()["call_staff"], Qt.Key.Key_Return)
    assert window.posted == [Pressed(control="call_staff")]


def test_language_button_offers_the_other_language_only(window):
    idle = visit_views()[0]
    window.show_view(idle)
    assert "lang.en" in window.buttons() and "lang.ko" not in window.buttons()


def test_busy_screen_disables_actions_but_not_call_staff(window):
    busy = next(v for v in visit_views() if v.busy and v.screen == "borrow")
    window.show_view(busy)
    buttons = window.buttons()
    assert not buttons["finish"].isEnabled() and buttons["call_staff"].isEnabled()
