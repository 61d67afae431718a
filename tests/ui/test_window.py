"""The window renders every screen legibly (Hangul, big targets, nothing cut); touches become events."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, qInstallMessageHandler
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from kiosk.core.effects import CallLibrary, PrintReceipt, Show
from kiosk.core.errors import LibraryUnreachable, OutcomeUnknown
from kiosk.core.events import (
    BarcodeRead,
    CardRead,
    LibraryReplied,
    Pressed,
    ReceiptPrinted,
    Started,
    TimerFired,
)
from kiosk.core.model import CheckoutResult, Language, Loan, Patron, PrintOutcome
from kiosk.flows.session import Session
from kiosk.ui.app import ensure_app
from kiosk.ui.theme import Theme
from kiosk.ui.window import KioskWindow
from tests.ui.test_theme import contrast

THEME = Theme(px_per_mm=4.0)


def make_window(qtbot, theme: Theme = THEME) -> KioskWindow:
    ensure_app(headless=True)
    posted: list = []
    w = KioskWindow(theme, "서울도서관", posted.append)
    w.posted = posted  # type: ignore[attr-defined]
    w.resize(1080, 1920)
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def window(qtbot):
    return make_window(qtbot)


class FlowRun:
    """A real visit flow fed by hand, keeping every view it shows."""

    def __init__(self) -> None:
        self.flow = Session()
        self.views: list = []

    def feed(self, event) -> list:
        effects = self.flow.handle(event)
        self.views.extend(e.view for e in effects if isinstance(e, Show))
        return effects

    def reply(self, effects, operation: str, result=None, error=None) -> list:
        """Answer the one library call among `effects`."""
        (call,) = [e for e in effects if isinstance(e, CallLibrary)]
        return self.feed(
            LibraryReplied(request_id=call.request_id, operation=operation, result=result, error=error)
        )


def visit_views() -> list:
    """Views from a real flow run: idle, working, borrow (with lines), goodbye, notice."""
    run = FlowRun()
    run.feed(Started())
    card = CardRead(technology="106A", uid="01", identifier="P1")
    run.reply(run.feed(card), "lookup_patron", Patron("P1", "김민수", loans=(Loan("EM1", "토지"),)))
    for item, ok in (("EM0000100001", True), ("EM0000100002", False)):
        result = CheckoutResult(
            ok,
            item,
            "채식주의자: 한강 장편소설 (창비 2007년판)",
            dt.date(2026, 12, 13),
            reason="" if ok else "refusal.on_hold",
        )
        run.reply(run.feed(BarcodeRead(text=item, symbology="Code128")), "checkout", result)
    # An answer lost and the library not to be asked: "not confirmed"; then the link down.
    for item, error in (
        ("EM0000100003", OutcomeUnknown("answer lost", "checkout", "EM0000100003")),
        ("EM0000100004", LibraryUnreachable("connection refused")),
    ):
        run.reply(run.feed(BarcodeRead(text=item, symbology="Code128")), "checkout", error=error)
    return run.views


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


def button_image(window: KioskWindow, control: str) -> QImage:
    button = window.buttons()[control]
    return window.grab().toImage().copy(QRect(button.mapTo(window, QPoint(0, 0)), button.size()))


def mean_colour(image: QImage) -> tuple[float, float, float]:
    pixels = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
    return (
        sum(c.red() for c in pixels) / len(pixels),
        sum(c.green() for c in pixels) / len(pixels),
        sum(c.blue() for c in pixels) / len(pixels),
    )


def colour_counts(image: QImage, rect: QRect) -> Counter[str]:
    return Counter(
        image.pixelColor(x, y).name()
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
    )


@pytest.mark.parametrize("high_contrast", [False, True], ids=["standard", "high-contrast"])
def test_disabled_controls_look_disabled_and_stay_legible(qtbot, tmp_path, high_contrast):
    theme = Theme(px_per_mm=4.0, high_contrast=high_contrast)
    window = make_window(qtbot, theme)
    busy = next(v for v in visit_views() if v.busy and v.screen == "borrow")
    window.show_view(replace(busy, busy=False))
    window.grab().save(str(tmp_path / "enabled.png"))
    # The controls drawn (the window shows only the other language's button).
    drawn = [control for control in busy.controls if control in window.buttons()]
    enabled = {control: button_image(window, control) for control in drawn}
    window.show_view(busy)
    window.grab().save(str(tmp_path / "busy.png"))
    buttons = window.buttons()
    assert not buttons["finish"].isEnabled() and not buttons["start_over"].isEnabled()
    border, radius = theme.mm(0.5), theme.mm(3)
    for control in drawn:
        before, after = enabled[control], button_image(window, control)
        moved = sum(abs(a - b) for a, b in zip(mean_colour(before), mean_colour(after), strict=True))
        if buttons[control].isEnabled():
            assert moved == 0, control
            continue
        # Clearly unlike the same control enabled (the sum of the mean channels' shifts).
        assert moved > 45, (control, moved)
        inside = QRect(radius, border + 1, after.width() - 2 * radius, after.height() - 2 * border - 2)
        fill = colour_counts(after, inside).most_common(1)[0][0]
        assert fill == QColor(theme.palette.disabled).name(), control
        # The text as drawn still reads at 4.5:1 against the disabled fill.
        ink = max(colour_counts(after, inside), key=lambda colour: contrast(colour, fill))
        assert contrast(ink, fill) >= 4.5, (control, ink, fill)
        # Not by colour alone: the border is dashed (gaps of fill along its top edge) where
        # the enabled one is solid.
        edge = QRect(radius, border // 2, after.width() - 2 * radius, 1)
        enabled_fill = colour_counts(before, inside).most_common(1)[0][0]
        assert colour_counts(before, edge)[enabled_fill] == 0, control
        assert colour_counts(after, edge)[fill] >= 0.2 * edge.width(), control


def a_whole_visit_views() -> list:
    """Every kind of screen a visit shows, from a real flow run: idle, working, a notice
    (a blocked patron), borrow with lines, busy, the inactivity countdown, printing, goodbye."""
    run = FlowRun()
    feed, reply = run.feed, run.reply
    feed(Started())
    card = CardRead(technology="106A", uid="01", identifier="P1")
    reply(feed(card), "lookup_patron", Patron("P2", "이영희", blocks=("refusal.patron_blocked",)))
    feed(TimerFired(name="notice"))
    reply(feed(card), "lookup_patron", Patron("P1", "김민수", loans=(Loan("EM1", "토지"),)))
    for item, ok in (("EM0000100001", True), ("EM0000100002", False)):
        result = CheckoutResult(
            ok, item, "채식주의자", dt.date(2026, 12, 13), reason="" if ok else "refusal.on_hold"
        )
        reply(feed(BarcodeRead(text=item, symbology="Code128")), "checkout", result)
    feed(TimerFired(name="inactivity"))
    feed(TimerFired(name="countdown"))
    feed(Pressed(control="extend"))
    (job,) = [e.job_id for e in feed(Pressed(control="finish")) if isinstance(e, PrintReceipt)]
    feed(ReceiptPrinted(job_id=job, outcome=PrintOutcome(True)))
    feed(TimerFired(name="goodbye"))
    return run.views


class WindowsShown(QObject):
    """Records every top-level widget shown while installed on the application."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            self.shown.append(type(watched).__name__)
        return False


def test_a_visit_does_not_make_the_platform_propagate_size_hints(qtbot):
    """Screen changes used to make the platform propagate size hints (the offscreen platform
    warns each time: 36 times in the demo's one visit): a screen's content set the window's
    minimum size, and a widget removed before its queued show ran opened as a window of its
    own."""
    views = a_whole_visit_views()
    screens = {(v.screen, v.busy, v.countdown is not None) for v in views}
    assert {"idle", "working", "notice", "borrow", "goodbye"} <= {s for s, _, _ in screens}
    assert ("borrow", True, False) in screens and ("borrow", False, True) in screens
    messages: list[str] = []
    windows = WindowsShown()
    previous = qInstallMessageHandler(lambda mode, context, message: messages.append(message))
    QApplication.instance().installEventFilter(windows)
    try:
        window = make_window(qtbot)
        QApplication.processEvents()
        for n, view in enumerate(views):
            window.show_view(view)
            # Screens come one per event loop turn, or several in one turn when the runtime
            # has several to show: both happen here.
            if n % 2:
                QApplication.processEvents()
        QApplication.processEvents()
    finally:
        QApplication.instance().removeEventFilter(windows)
        qInstallMessageHandler(previous)
    assert [m for m in messages if "propagateSizeHints" in m] == []
    assert windows.shown == ["KioskWindow"], "a widget of the window opened as a window of its own"
    assert window.size() == QSize(1080, 1920)


def test_every_line_status_a_visit_shows_has_its_icon():
    """Status is told by icon and text, not colour alone: "not confirmed" too."""
    from kiosk.ui.window import STATUS_ICON

    statuses = {line.status for view in visit_views() for line in view.lines}
    assert {"ok", "refused", "unconfirmed"} <= statuses
    assert all(STATUS_ICON.get(status) for status in statuses)


def test_keypad_fields_show_a_secret_only_as_dots(window, tmp_path):
    from PySide6.QtWidgets import QLabel

    from kiosk.core.views import Input, NoticeView

    pin = Input("pin", "control.ok", "1234", secret=True)
    card = Input("card", "control.ok", "29123456", secret=False)
    window.show_view(NoticeView("notice", Language.KO, "notice.title", inputs=(card, pin), sensitive=True))
    texts = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    names = [w.accessibleName() for w in window.findChildren(QLabel)]
    assert "●●●●" in texts and "29123456" in texts
    assert not any("1234" in t and "29123456" not in t for t in texts + names)
    assert any(name.endswith("4자리 입력됨") for name in names)
    window.grab().save(str(tmp_path / "keypad-fields.png"))


@pytest.mark.parametrize("language", [Language.KO, Language.EN])
def test_every_button_caption_is_shown_whole(qtbot, language):
    """Buttons share rows only as far as their captions fit: none is cut off."""
    from PySide6.QtGui import QFontMetrics

    from kiosk.core.views import AccountView

    window = make_window(qtbot)
    controls = ("renew_selected", "renew_all", "cancel_holds", "back", "finish", "call_staff")
    account = AccountView("account", language, "account.title", "account.prompt", controls=controls)
    for view in [*a_whole_visit_views(), *visit_views(), account]:
        window.show_view(replace(view, language=language))
        for name, button in window.buttons().items():
            if not button.isVisible():
                continue
            needed = QFontMetrics(button.font()).horizontalAdvance(button.text())
            assert needed <= button.contentsRect().width(), (view.screen, name, button.text())


def test_a_touch_beside_the_controls_posts_touch(window):
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    from kiosk.flows import screens

    window.show_view(screens.idle(Language.KO))
    window.posted.clear()
    QTest.mouseClick(window.title, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert [e.control for e in window.posted] == ["touch"]


def test_a_locked_window_cannot_be_closed_or_show_a_context_menu(qtbot):
    from PySide6.QtGui import QContextMenuEvent

    w = KioskWindow(Theme(), "서울도서관", lambda e: None)
    qtbot.addWidget(w)
    w.lock_down(full_screen=False)
    assert w.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert not w.close() and w.isVisible()  # a close request (the window manager, Alt+F4) ignored
    menu = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(5, 5), QPoint(5, 5))
    assert w.eventFilter(w.library, menu)  # eaten: no context menu anywhere
    w.unlock()
    assert not w.eventFilter(w.library, menu)
    assert w.close() and not w.isVisible()
    QApplication.processEvents()


def test_five_taps_on_the_library_name_ask_for_the_technician(qtbot):
    posted = []
    w = KioskWindow(Theme(), "서울도서관", posted.append)
    qtbot.addWidget(w)
    w.show()
    for _ in range(4):
        qtbot.mouseClick(w.library, Qt.MouseButton.LeftButton)
    assert not [e for e in posted if e.control == "technician"]
    qtbot.mouseClick(w.library, Qt.MouseButton.LeftButton)
    assert [e.control for e in posted if e.control == "technician"] == ["technician"]
