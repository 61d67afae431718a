"""Touchable rows and toggle rows: big targets, a tap or the keypad posts their control, their
on/off state shown by a box and in words (never by colour alone)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from kiosk.core.events import Pressed
from kiosk.core.model import Language
from kiosk.core.views import Line, View
from kiosk.ui.theme import HIGH_CONTRAST, STANDARD, Theme
from kiosk.ui.window import KioskWindow
from tests.ui.test_theme import contrast
from tests.ui.test_update_in_place import focus_chain
from tests.ui.test_window import THEME, dark_fraction, make_window

CONTROLS = ("renew_selected", "renew_all", "start_over", "call_staff")
TITLES = ("토지 1", "채식주의자: 한강 장편소설 (창비 2007년판)", "소년이 온다", "작별하지 않는다")


def loans(selected: tuple[int, ...] = (0, 2), overdue: tuple[int, ...] = (1,)) -> tuple[Line, ...]:
    return tuple(
        Line(
            title,
            f"EM{i:010d}",
            "refused" if i in overdue else "info",
            "borrow.done_line",
            (("due", "2026-11-01" if i in overdue else "2026-12-13"),),
            control=f"select.EM{i:010d}",
            selected=i in selected,
        )
        for i, title in enumerate(TITLES)
    )


def my_loans(language: Language = Language.KO, **changes: object) -> View:
    view = View(
        screen="account",
        language=language,
        title="borrow.title",
        lines=loans() + (Line("plain row", "EM9999999999", "ok"),),
        controls=CONTROLS,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


@pytest.fixture
def window(qtbot) -> KioskWindow:
    w = make_window(qtbot)
    w.activateWindow()
    QApplication.processEvents()
    return w


def test_toggle_rows_show_their_state_by_box_and_in_words(window):
    window.show_view(my_loans())
    rows = window.lines.rows
    assert [row.box.checked if row.box else None for row in rows] == [True, False, True, False, None]
    names = [row.accessibleName() for row in rows]
    assert names[0].startswith("토지 1 EM0000000000") and names[0].endswith(", 선택됨")
    assert names[1].endswith(", 선택 안 됨")
    assert "선택" not in names[4], "a row that is no toggle says nothing of selection"
    words = [[label.text() for label in row.findChildren(QLabel)] for row in rows]
    assert "선택됨" in words[0] and "선택 안 됨" in words[1]
    window.show_view(my_loans(Language.EN))
    names = [row.accessibleName() for row in window.lines.rows]
    assert names[0].endswith(", selected") and names[1].endswith(", not selected")


def test_touchable_rows_are_big_targets(window):
    window.show_view(my_loans(lines=tuple(replace(line, text="책") for line in loans())))
    for row in window.lines.rows:
        assert row.height() >= THEME.mm(THEME.TARGET_MM), row.accessibleName()
        assert row.width() >= THEME.mm(12)
        assert row.focusPolicy() == Qt.FocusPolicy.StrongFocus


@pytest.fixture
def small(qtbot) -> KioskWindow:
    """A panel of fewer pixels per millimetre. The offscreen platform's screen is 800 x 800
    and the list's drag gesture finds the widget under a press by its place on the screen,
    so a row tapped in a test must lie on that screen (a real panel is the whole window)."""
    return make_window(qtbot, Theme(px_per_mm=1.5))


def pressed(window: KioskWindow) -> list[Pressed]:
    """What the window posted besides a touch beside the controls (which only gives more time)."""
    return [e for e in window.posted if e != Pressed(control="touch")]


def test_a_tap_on_a_row_posts_its_control(small, qtbot):
    window = small
    window.show_view(my_loans())
    assert all(window.screen().geometry().contains(row.mapToGlobal(row.rect().center()))
               for row in window.lines.rows), "rows on the test's screen"  # fmt: skip
    qtbot.mouseClick(window.lines.rows[1], Qt.MouseButton.LeftButton)
    assert pressed(window) == [Pressed(control="select.EM0000000001")]
    # Through the window, where a finger lands (the list's drag gesture lets a tap through).
    row = window.lines.rows[3]
    QTest.mouseClick(
        window.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
        row.mapTo(window, row.rect().center()),
    )  # fmt: skip
    assert pressed(window)[-1] == Pressed(control="select.EM0000000003")
    # A row that is not touchable posts no control (a touch there only gives more time).
    qtbot.mouseClick(window.lines.rows[4], Qt.MouseButton.LeftButton)
    assert len(pressed(window)) == 2


def test_a_finger_sliding_off_the_row_does_not_press_it(small, qtbot):
    window = small
    window.show_view(my_loans())
    row = window.lines.rows[0]
    qtbot.mousePress(row, Qt.MouseButton.LeftButton, pos=row.rect().center())
    qtbot.mouseRelease(row, Qt.MouseButton.LeftButton, pos=QPoint(row.width() // 2, row.height() + 20))
    assert pressed(window) == []
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
    assert pressed(window) == [Pressed(control="select.EM0000000000")], "and the next tap does"


def test_busy_rows_are_disabled_and_post_nothing(small, qtbot):
    window = small
    window.show_view(my_loans(busy=True))
    rows = window.lines.rows
    assert not any(row.isEnabled() for row in rows[:4])
    qtbot.mouseClick(rows[0], Qt.MouseButton.LeftButton)
    assert pressed(window) == []
    assert window.buttons()["call_staff"].isEnabled()
    window.show_view(my_loans())
    assert window.lines.rows[0] is rows[0] and rows[0].isEnabled()


def test_rows_come_before_the_controls_in_the_keypad_order(window, qtbot):
    window.show_view(my_loans())
    assert focus_chain(window) == [
        "row 0", "row 1", "row 2", "row 3",
        "control renew_selected", "control renew_all", "control start_over", "control call_staff",
    ]  # fmt: skip
    # A new screen starts at its first control, as before; the arrows go back into the list.
    assert window.focusWidget() is window.buttons()["renew_selected"]
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Up)
    assert window.focusWidget() is window.lines.rows[3]
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Up)
    assert window.focusWidget() is window.lines.rows[2]
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Down)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Down)
    assert window.focusWidget() is window.buttons()["renew_selected"]


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space])
def test_the_keypad_presses_the_focused_row(window, qtbot, key):
    window.show_view(my_loans())
    window.lines.rows[1].setFocus()
    qtbot.keyClick(window.lines.rows[1], key)
    assert window.posted == [Pressed(control="select.EM0000000001")]


def test_focus_stays_on_a_row_the_flow_redraws_after_its_toggle(window, qtbot):
    window.show_view(my_loans())
    window.lines.rows[1].setFocus()
    qtbot.keyClick(window.lines.rows[1], Qt.Key.Key_Return)
    old = window.lines.rows[1]
    # The flow answers the press with the row selected: a new row in the same place.
    window.show_view(my_loans(lines=loans(selected=(0, 1, 2))))
    assert window.lines.rows[1] is not old
    assert window.focusWidget() is window.lines.rows[1]
    assert window.lines.rows[1].accessibleName().endswith(", 선택됨")


def test_focus_on_a_control_comes_back_after_a_busy_moment(window):
    window.show_view(my_loans())
    window.buttons()["renew_all"].setFocus()
    window.show_view(my_loans(busy=True))
    assert not window.buttons()["renew_all"].isEnabled()
    window.show_view(my_loans(lines=loans(selected=())))
    assert window.focusWidget() is window.buttons()["renew_all"]


def box_image(window: KioskWindow, i: int) -> QImage:
    box = window.lines.rows[i].box
    assert box is not None
    return window.grab().toImage().copy(QRect(box.mapTo(window, QPoint(0, 0)), box.size()))


@pytest.mark.parametrize("high_contrast", [False, True], ids=["standard", "high-contrast"])
@pytest.mark.parametrize("language", [Language.KO, Language.EN])
def test_toggle_rows_render_in_both_themes(qtbot, tmp_path, high_contrast, language):
    theme = Theme(px_per_mm=4.0, high_contrast=high_contrast)
    window = make_window(qtbot, theme)
    window.show_view(my_loans(language))
    window.lines.rows[1].setFocus()
    image = window.grab().toImage()
    image.save(str(tmp_path / f"toggles-{'hc' if high_contrast else 'std'}-{language.value}.png"))
    assert 0.01 < dark_fraction(image) < 0.6
    # The ticked box and the empty one differ in shape, not only in colour: the empty one is
    # mostly the row's own background.
    on, off = box_image(window, 0), box_image(window, 1)
    surface = theme.palette.surface.lower()
    share = [
        sum(img.pixelColor(x, y).name() == surface for x in range(img.width()) for y in range(img.height()))
        / (img.width() * img.height())
        for img in (on, off)
    ]
    assert share[0] < 0.3 < share[1], share
    window.show_view(my_loans(language, busy=True))
    window.grab().save(
        str(tmp_path / f"toggles-{'hc' if high_contrast else 'std'}-{language.value}-busy.png")
    )
    # Every control's caption fits in its button (four below the list share two rows).
    for button in window.buttons().values():
        assert button.fontMetrics().horizontalAdvance(button.text()) <= button.width(), button.text()


@pytest.mark.parametrize("palette", [STANDARD, HIGH_CONTRAST], ids=["standard", "high-contrast"])
def test_the_selected_words_and_box_read_on_a_row(palette):
    # "selected" is written in the primary colour on the row's surface; the ticked box is
    # primary with an on_primary tick.
    assert contrast(palette.primary, palette.surface) >= 4.5
    assert contrast(palette.on_primary, palette.primary) >= 4.5
