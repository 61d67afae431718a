"""A new view of the screen shown updates it in place: unchanged rows and the buttons stay."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.core.views import Line, View
from kiosk.ui.window import KioskWindow
from tests.ui.focus_chain import focus_chain as chain
from tests.ui.test_window import THEME, a_whole_visit_views, make_window

CONTROLS = ("finish", "my_loans", "start_over", "call_staff")


def book(n: int, status: str = "ok", note: str = "borrow.done_line") -> Line:
    return Line(f"채식주의자 {n}", f"EM{n:010d}", status, note, (("due", "2026-12-13"),))


def borrow(n_books: int, **changes: object) -> View:
    view = View(
        screen="borrow",
        language=Language.KO,
        title="borrow.title",
        message="borrow.greeting",
        message_args=(("name", "김*수"), ("count", str(n_books))),
        lines=tuple(book(i) for i in range(n_books)),
        controls=CONTROLS,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


@pytest.fixture
def window(qtbot) -> KioskWindow:
    return make_window(qtbot)


def snapshot(window: KioskWindow) -> dict[str, object]:
    """What the patron is shown and can use, as text: titles, rows, buttons, their order."""
    rows = [(row.accessibleName(), row.isEnabled()) for row in window.lines.rows]
    buttons = [(c, b.text(), b.accessibleName(), b.isEnabled()) for c, b in window.buttons().items()]
    assert window.view is not None
    return {
        "title": window.title.text(),
        "message": (window.message.text(), window.message.accessibleName()),
        "countdown": (window.countdown.text(), window.countdown.isVisible()),
        "intro": [
            type(item.widget()).__name__ for item in map(window.intro.itemAt, range(window.intro.count()))
        ],
        "rows": rows,
        "buttons": buttons,
        "focus order": focus_chain(window),
    }


def focus_chain(window: KioskWindow) -> list[str]:
    """The rows and controls in the order the keypad's arrows visit them (Qt's focus chain)."""
    names = {id(b): f"control {c}" for c, b in window.buttons().items()}
    names.update({id(row): f"row {i}" for i, row in enumerate(window.lines.rows)})
    return chain(window, names)


def test_an_unchanged_row_is_the_same_widget_after_a_book_is_added(window):
    window.show_view(borrow(1))
    (first,) = window.lines.rows
    buttons = window.buttons()
    window.show_view(borrow(2))
    assert window.lines.rows[0] is first
    assert len(window.lines.rows) == 2 and window.lines.rows[1] is not first
    assert window.buttons() == buttons, "same controls: the same buttons"
    assert all(window.buttons()[c] is buttons[c] for c in CONTROLS)


def test_twenty_rows_stay_when_the_twenty_first_comes(window):
    window.show_view(borrow(20))
    rows = list(window.lines.rows)
    window.show_view(borrow(21))
    assert window.lines.rows[:20] == rows
    assert all(a is b for a, b in zip(window.lines.rows, rows, strict=False))


def test_buttons_stay_through_busy_and_only_their_state_changes(window):
    window.show_view(borrow(1))
    buttons = window.buttons()
    window.show_view(borrow(1, busy=True, message="working.checkout"))  # as the flow makes it
    now = window.buttons()
    assert all(now[c] is buttons[c] for c in CONTROLS)
    assert not now["finish"].isEnabled() and not now["start_over"].isEnabled()
    assert now["call_staff"].isEnabled(), "call staff is offered even while busy"
    assert window.message.text() == text("working.checkout", Language.KO)
    window.show_view(borrow(2))
    assert all(window.buttons()[c] is buttons[c] for c in CONTROLS)
    assert all(b.isEnabled() for b in window.buttons().values())


def test_other_controls_make_new_buttons(window):
    window.show_view(borrow(1))
    buttons = window.buttons()
    window.show_view(borrow(1, controls=("extend", *CONTROLS), countdown=20))
    assert set(window.buttons()) == {"extend", *CONTROLS}
    assert all(window.buttons()[c] is not buttons[c] for c in CONTROLS)
    assert window.countdown.isVisible() and "20" in window.countdown.text()
    window.show_view(borrow(1))
    assert not window.countdown.isVisible() and window.countdown.text() == ""


def test_a_changed_line_is_redrawn_and_the_rest_kept(window, qtbot):
    # A panel tall enough that the three rows still fit the list area once one grows (12 mm
    # text makes tall rows): a scroll bar appearing would narrow them all.
    window.resize(1080, 2400)
    window.show_view(borrow(3))
    rows = list(window.lines.rows)
    before = window.grab().toImage()
    refused = book(1, "refused", "refusal.on_hold")
    window.show_view(borrow(3, lines=(book(0), refused, book(2))))
    now = window.lines.rows
    assert now[0] is rows[0] and now[2] is rows[2]
    assert now[1] is not rows[1] and now[1].line == refused
    assert "✖" in [label.text() for label in now[1].findChildren(QLabel)]
    assert rows[1].isHidden(), "the old row left the screen"
    # Drawn at once (a grab right after the render sees it) where the old row was.
    assert now[1].isVisible() and now[1].pos() == rows[1].pos()
    assert now[2].y() > now[1].geometry().bottom(), "rows below make room for a taller one"
    after = window.grab().toImage()
    where = QRect(now[1].mapTo(window, now[1].rect().topLeft()), now[1].size())
    assert before.copy(where) != after.copy(where)
    above = QRect(rows[0].mapTo(window, rows[0].rect().topLeft()), rows[0].size())
    assert before.copy(above) == after.copy(above)


def test_a_new_language_redraws_every_row(window):
    window.show_view(borrow(2))
    rows = list(window.lines.rows)
    window.show_view(borrow(2, language=Language.EN))
    assert all(a is not b for a, b in zip(window.lines.rows, rows, strict=True))
    assert "Due" in window.lines.rows[0].accessibleName()
    # Buttons are laid out again: captions of another length may need other rows.
    finish = window.buttons()["finish"]
    assert finish.text() == "Finish" and finish.accessibleName() == "Finish"


def test_rows_are_taken_away_when_lines_go(window):
    window.show_view(borrow(3))
    rows = list(window.lines.rows)
    window.show_view(borrow(1))
    assert window.lines.rows == rows[:1]
    assert all(row.isHidden() and row.parent() is None for row in rows[1:])


def test_another_screen_is_built_afresh(window):
    window.show_view(borrow(2))
    rows, buttons = list(window.lines.rows), window.buttons()
    goodbye = View("goodbye", Language.KO, "goodbye.title", "goodbye.receipt", lines=borrow(2).lines,
                   controls=("ok", "call_staff"))  # fmt: skip
    window.show_view(goodbye)
    assert not set(map(id, window.lines.rows)) & set(map(id, rows))
    assert window.buttons()["call_staff"] is not buttons["call_staff"]


class Moves(QObject):
    """Records widgets moved, resized or painted while installed on the application."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[int, QEvent.Type]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kinds = (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Paint)
        if event.type() in kinds and isinstance(watched, QWidget):
            self.seen.append((id(watched), event.type()))
        return False


@pytest.mark.parametrize("on_screen", [1, 20])
def test_rows_already_shown_neither_move_nor_repaint_for_a_new_one(window, on_screen):
    """A new row must not lay out again (and so repaint) every row above it: a box layout
    first squeezed them into the old height, then stretched them back."""
    window.show_view(borrow(on_screen))
    QApplication.processEvents()
    rows = list(window.lines.rows)
    geometry = [row.geometry() for row in rows]
    moves = Moves()
    scrolled = window.list_area.verticalScrollBar().value()
    QApplication.instance().installEventFilter(moves)
    try:
        window.show_view(borrow(on_screen + 1))
        QApplication.processEvents()
    finally:
        QApplication.instance().removeEventFilter(moves)
    watched = {id(w) for row in rows for w in (row, *row.findChildren(QWidget))}
    seen = [(w, kind) for w, kind in moves.seen if w in watched]
    if window.list_area.verticalScrollBar().value() == scrolled:
        assert seen == []
    else:
        # The list scrolled to show the new row: rows on screen are drawn where they now are,
        # but none was moved or resized within the list.
        assert {kind for _, kind in seen} <= {QEvent.Type.Paint}
    assert [row.geometry() for row in rows] == geometry
    new = window.lines.rows[-1]
    assert new.isVisible() and new.height() >= THEME.mm(12)
    assert window.lines.height() >= new.geometry().bottom()


def test_the_same_view_again_changes_nothing(window):
    window.show_view(borrow(2))
    QApplication.processEvents()
    moves = Moves()
    QApplication.instance().installEventFilter(moves)
    try:
        window.show_view(borrow(2))
        QApplication.processEvents()
    finally:
        QApplication.instance().removeEventFilter(moves)
    assert moves.seen == []


def test_each_update_is_reported_to_rendered_callbacks(window):
    seen: list[View] = []
    window.rendered.append(seen.append)
    views = [borrow(1), borrow(1, busy=True), borrow(2)]
    for view in views:
        window.show_view(view)
    assert seen == views


def test_a_whole_visit_in_place_shows_what_a_rebuild_shows(qtbot):
    """Every screen of a real visit, updated in place in one window and built afresh in
    another: the same texts, rows, buttons, states and focus order."""
    in_place, rebuilt = make_window(qtbot), make_window(qtbot)
    views = a_whole_visit_views()
    views += [replace(v, language=Language.EN) for v in views]
    for view in views:
        in_place.show_view(view)
        rebuilt.show_view(view, rebuild=True)
        assert snapshot(in_place) == snapshot(rebuilt), view
        assert [row for row in in_place.lines.rows if not row.isVisible()] == [], view


def test_what_a_screen_shows_besides_its_list_comes_from_the_view(window):
    window.show_view(borrow(0, empty="borrow.empty"))
    (empty,) = [window.intro.itemAt(i).widget() for i in range(window.intro.count())]
    assert empty.text() == text("borrow.empty", Language.KO) and empty.isVisible()
    window.show_view(borrow(1, empty="borrow.empty"))
    assert window.intro.count() == 0 and len(window.lines.rows) == 1
    idle = View("idle", Language.KO, "idle.title", "idle.prompt", controls=("call_staff",),
                pictogram="card_tap", hint="idle.hint")  # fmt: skip
    window.show_view(idle)
    shown = [window.intro.itemAt(i).widget() for i in range(window.intro.count())]
    assert [type(w).__name__ for w in shown] == ["CardTapPictogram", "TextLabel"]
    assert shown[1].text() == text("idle.hint", Language.KO)


def test_a_quick_answer_never_flashes_the_busy_screen(window, qtbot):
    drawn = []
    window.rendered.append(drawn.append)
    window.busy_delay_ms = 150
    window.show_view(borrow(1))
    window.show_view(borrow(1, busy=True, message="working.checkout"))
    assert window.buttons()["finish"].isEnabled()  # not drawn yet
    window.show_view(borrow(2))  # the answer came first
    qtbot.wait(300)
    assert [v.busy for v in drawn] == [False, False]
    assert window.view == borrow(2)


def test_a_slow_answer_shows_the_busy_screen_after_the_delay(window, qtbot):
    window.busy_delay_ms = 50
    window.show_view(borrow(1))
    window.show_view(borrow(1, busy=True, message="working.checkout"))
    qtbot.waitUntil(lambda: not window.buttons()["finish"].isEnabled(), timeout=2000)
    assert window.view.busy and window.message.text() == text("working.checkout", Language.KO)
    assert window.buttons()["call_staff"].isEnabled()


@pytest.mark.parametrize("zoomed", [False, True])
def test_a_book_added_below_the_fold_is_scrolled_into_view(window, zoomed):
    """A patron scanning their tenth book sees its row, not the top of the list."""
    if zoomed:
        window.present("zoom")
    window.show_view(borrow(3))
    window.show_view(borrow(12))
    newest = window.lines.rows[-1]
    area = window.page if window.scrolls() else window.list_area
    viewport = area.viewport()
    top_left = newest.mapTo(viewport, newest.rect().topLeft())
    assert viewport.rect().contains(QRect(top_left, newest.size())), (top_left, viewport.rect())
    assert area.verticalScrollBar().value() > 0
    # Its answer changes only that row: still in view.
    window.show_view(borrow(12, lines=(*borrow(12).lines[:-1], book(11, "refused", "refusal.on_hold"))))
    assert window.lines.rows[-1].line.status == "refused"
    top_left = window.lines.rows[-1].mapTo(viewport, window.lines.rows[-1].rect().topLeft())
    assert viewport.rect().contains(QRect(top_left, window.lines.rows[-1].size()))


def test_a_new_list_on_the_same_screen_is_seen_from_its_top(window):
    """My loans turned to the history: every row is new, and the first one is shown."""
    window.show_view(borrow(3))
    window.show_view(borrow(12, lines=tuple(book(i, "info", "account.history_line") for i in range(12))))
    assert window.list_area.verticalScrollBar().value() == 0
