"""The on-screen numeric keypad: big keys in phone layout under a screen's fields, posting
key.0 … key.9, key.erase and key.clear (as do a hardware keypad's digits and Backspace);
kept while the patron types; a secret field shows dots only."""

from __future__ import annotations

import itertools
import logging
from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from kiosk.core.events import Pressed
from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.core.views import Input, View
from kiosk.ui.theme import Theme
from kiosk.ui.widgets.keypad import BORDER_MM, KEYS, NARROW, PADDING_MM, Keypad, caption
from kiosk.ui.window import KioskWindow
from tests.ui.focus_chain import focus_chain as chain
from tests.ui.test_window import THEME, dark_fraction, make_window

ORDER = [control for row in KEYS for control in row]
CONTROLS = ("enter", "start_over", "call_staff")
DIGIT_KEYS = [getattr(Qt.Key, f"Key_{n}") for n in range(10)]


def pin_view(value: str = "", language: Language = Language.KO, **changes: object) -> View:
    view = View(
        screen="signin",
        language=language,
        title="bring_in.title",
        message="bring_in.new_pin",
        inputs=(Input("pin", "bring_in.repeat_pin", value=value, secret=True, max_length=6),),
        controls=CONTROLS,
        sensitive=True,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def active_window(qtbot, theme: Theme = THEME, size: tuple[int, int] = (1080, 1920)) -> KioskWindow:
    window = make_window(qtbot, theme)
    window.resize(*size)
    window.activateWindow()
    QApplication.processEvents()
    return window


@pytest.fixture
def window(qtbot) -> KioskWindow:
    return active_window(qtbot)


def keypad(window: KioskWindow) -> Keypad:
    assert window.keypad is not None
    return window.keypad


def focused_control(window: KioskWindow) -> str:
    focused = window.focusWidget()
    return str(focused.property("control")) if focused is not None else ""


def press_key(target: QWidget, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier, repeat=False) -> None:
    """A hardware key press and release, as the platform delivers it (propagating up from
    the widget with focus)."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers, "", repeat))


def test_each_key_posts_its_control(window, qtbot):
    window.show_view(pin_view())
    for control in ORDER:
        key = keypad(window).key(control)
        assert key is not None and key.isVisible()
        qtbot.mouseClick(key, Qt.MouseButton.LeftButton)
    assert window.posted == [Pressed(control=control) for control in ORDER]
    assert [*(f"key.{n}" for n in range(1, 10)), "key.clear", "key.0", "key.erase"] == ORDER


def test_the_keys_are_a_phone_keypad_with_the_theme_captions(window):
    for language in Language:
        window.show_view(pin_view(language=language))
        pad = keypad(window)
        arranged = pad.arrangement(pad.width())
        rows = [[pad.key(c) for c in row] for row in arranged]
        # 1 2 3 / 4 5 6 / 7 8 9 / clear 0 erase, left to right and top to bottom; when clear
        # or erase is wider than a third (모두 지우기 at 12 mm), 0 under 8 and then clear, erase.
        assert arranged == (KEYS if language == Language.EN else NARROW)
        for row in rows:
            assert len({key.y() for key in row}) == 1
            assert [key.x() for key in row] == sorted(key.x() for key in row)
        assert [row[0].y() for row in rows] == sorted(row[0].y() for row in rows)
        assert pad.key("key.0").geometry().center().x() == pad.key("key.8").geometry().center().x()
        assert pad.ordered_keys() == [key for row in rows for key in row], "focus goes as they stand"
        names = {control: pad.key(control).accessibleName() for control in ORDER}
        assert all(names[f"key.{n}"] == str(n) for n in range(10))
        assert names["key.erase"] == text("control.key.erase", language)
        assert names["key.clear"] == text("control.key.clear", language)
        assert pad.key("key.erase").text() == "⌫ " + text("control.key.erase", language)
        assert pad.key("key.clear").text() == text("control.key.clear", language)
        assert pad.accessibleName() == text("keypad.name", language)
    assert text("control.key.erase", Language.KO) == "지우기"
    assert text("control.key.clear", Language.KO) == "모두 지우기"
    assert text("control.key.erase", Language.EN) == "Erase"
    assert text("control.key.clear", Language.EN) == "Clear"


def test_enter_on_a_focused_key_posts_it(window, qtbot):
    window.show_view(pin_view())
    key = keypad(window).key("key.5")
    key.setFocus()
    qtbot.keyClick(key, Qt.Key.Key_Return)
    qtbot.keyClick(key, Qt.Key.Key_Enter)
    assert window.posted == [Pressed(control="key.5")] * 2


@pytest.mark.parametrize(
    "modifiers", [Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier], ids=["row", "numpad"]
)
def test_hardware_digits_and_backspace_post_the_keys(window, modifiers):
    window.show_view(pin_view())
    # Wherever the focus is: the window, a key, a control.
    targets = [window, keypad(window).key("key.1"), window.buttons()["start_over"]]
    for target in targets:
        target.setFocus()
        for _n, key in enumerate(DIGIT_KEYS):
            press_key(target, key, modifiers)
        press_key(target, Qt.Key.Key_Backspace, modifiers)
    expected = [*(f"key.{n}" for n in range(10)), "key.erase"]
    assert [e.control for e in window.posted] == expected * len(targets)


def test_other_hardware_keys_keep_their_behaviour(window):
    window.show_view(pin_view())
    for key, modifiers in (
        (Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier),
    ):
        press_key(window, key, modifiers)
    # A key held down types once; a screen without fields takes no typing.
    press_key(window, Qt.Key.Key_7, repeat=True)
    window.show_view(View("idle", Language.KO, "idle.title", controls=("call_staff",)))
    press_key(window, Qt.Key.Key_7)
    press_key(window, Qt.Key.Key_Backspace)
    assert window.posted == []


def test_keys_are_disabled_while_busy(window, qtbot):
    window.show_view(pin_view("12"))
    key = keypad(window).key("key.5")
    key.setFocus()
    pad = keypad(window)
    window.show_view(pin_view("12", busy=True))
    assert keypad(window) is pad
    assert not any(k.isEnabled() for k in pad.ordered_keys())
    assert window.buttons()["call_staff"].isEnabled()
    press_key(window, Qt.Key.Key_3)
    press_key(window, Qt.Key.Key_Backspace)
    window.show_view(pin_view("12"))
    assert all(k.isEnabled() for k in pad.ordered_keys())
    assert window.focusWidget() is key, "the focus comes back to the key it was on"
    window.show_view(pin_view("12", busy=True))
    qtbot.mouseClick(key, Qt.MouseButton.LeftButton)
    assert window.posted == [], "a busy screen takes no typing"


def test_the_keypad_shows_only_with_fields_and_is_kept_while_typing(window):
    window.show_view(View("signin", Language.KO, "bring_in.title", controls=CONTROLS))
    assert window.keypad is None
    window.show_view(pin_view())
    pad = keypad(window)
    keys = pad.ordered_keys()
    (value,) = [w for w in window.findChildren(QLabel) if w.objectName() == "input"]
    key = pad.key("key.4")
    key.setFocus()
    for typed in ("4", "42", "4", "", "9"):
        window.show_view(pin_view(typed))
        assert keypad(window) is pad and pad.ordered_keys() == keys, "typing keeps the keypad"
        assert all(a is b for a, b in zip(pad.ordered_keys(), keys, strict=True))
        now = [w for w in window.findChildren(QLabel) if w.objectName() == "input"]
        assert now == [value], "the field's value label is kept too"
        assert value.text() == ("●" * len(typed) or " ")
        assert window.focusWidget() is key, "the focus stays on the key pressed"
    # Another language on the same screen: the same keys, captions in that language.
    window.show_view(pin_view("9", language=Language.EN))
    assert keypad(window) is pad and pad.key("key.clear").text() == "Clear"
    # The same screen without fields: the keypad goes.
    window.show_view(replace(pin_view(), inputs=()))
    assert window.keypad is None and pad.isHidden() and pad.parent() is None
    # Another screen is built afresh, its keypad too.
    window.show_view(pin_view("1"))
    other = keypad(window)
    window.show_view(replace(pin_view("1"), screen="bring_in"))
    assert keypad(window) is not other and other.parent() is None


def focus_chain(window: KioskWindow) -> list[str]:
    names = {id(b): c for c, b in window.buttons().items()}
    names.update({id(k): k.property("control") for k in keypad(window).ordered_keys()})
    return chain(window, names)


def test_keys_come_after_the_fields_and_before_the_controls_in_the_focus_order(window):
    window.show_view(pin_view(controls=("lang.en", *CONTROLS)))
    keys = [key.control for key in keypad(window).ordered_keys()]
    assert sorted(keys) == sorted(ORDER)
    assert focus_chain(window) == ["lang.en", *keys, *CONTROLS]
    # A new screen starts at its first control (the confirm): a hardware PIN pad's digits
    # type from anywhere, and its Enter then confirms.
    assert focused_control(window) == "enter"
    press_key(window.focusWidget(), Qt.Key.Key_Left)
    assert focused_control(window) == "key.erase"
    press_key(window.focusWidget(), Qt.Key.Key_Up)
    assert focused_control(window) == keys[keys.index("key.erase") - 1]
    keypad(window).key("key.1").setFocus()
    for expected in ("key.2", "key.3", "key.4"):
        press_key(window.focusWidget(), Qt.Key.Key_Right)
        assert focused_control(window) == expected
    press_key(window.focusWidget(), Qt.Key.Key_Down)
    assert focused_control(window) == "key.5"
    keypad(window).key("key.erase").setFocus()
    press_key(window.focusWidget(), Qt.Key.Key_Down)
    assert focused_control(window) == "enter"
    # A screen with fields and no control of its own starts at the first key.
    window.show_view(replace(pin_view(), screen="pin_only", controls=()))
    assert focused_control(window) == "key.1"


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_keys_are_big_touch_targets_apart(qtbot, size):
    window = active_window(qtbot, size=size)
    window.show_view(pin_view("12"))
    keys = keypad(window).ordered_keys()
    for key in keys:
        assert key.isVisible()
        assert key.width() >= THEME.mm(THEME.TARGET_MM) and key.height() >= THEME.mm(THEME.TARGET_MM)
        assert min(key.width(), key.height()) >= THEME.mm(15)
    # At least 2.5 mm between neighbours, across and down.
    arranged = keypad(window).arrangement(keypad(window).width())
    for row in arranged:
        for left, right in itertools.pairwise(row):
            a, b = keypad(window).key(left), keypad(window).key(right)
            assert b.x() - a.geometry().right() - 1 >= THEME.mm(2.5)
    for above, below in itertools.pairwise(arranged):
        a, b = keypad(window).key(above[0]), keypad(window).key(below[0])
        assert b.y() - a.geometry().bottom() - 1 >= THEME.mm(2.5)
    # On the portrait panel the whole keypad is on screen with the field and the controls,
    # nothing to scroll; on a landscape one (270 mm tall) each key scrolls into view.
    viewport = window.list_area.viewport()
    pad = keypad(window)
    where = QRect(pad.mapTo(viewport, QPoint(0, 0)), pad.size())
    if size[1] > size[0]:
        assert viewport.rect().contains(where), (where, viewport.rect())
    for key in keys:
        key.setFocus()
        assert viewport.rect().contains(QRect(key.mapTo(viewport, QPoint(0, 0)), key.size())), key.control


@pytest.mark.parametrize("zoom", [1.0, 2.0])
@pytest.mark.parametrize("language", [Language.KO, Language.EN])
def test_every_caption_fits_its_key(qtbot, language, zoom):
    theme = Theme(px_per_mm=4.0, zoom=zoom)
    window = active_window(qtbot, theme)
    window.show_view(pin_view("12", language=language))
    room = 2 * theme.mm(PADDING_MM) + 2 * theme.mm(BORDER_MM)
    for key in keypad(window).ordered_keys():
        metrics = QFontMetrics(key.font())
        assert key.font().pixelSize() == theme.text_mm(theme.TEXT_MM), "the kiosk's text size"
        lines = key.text().split("\n")
        assert " ".join(lines) == caption(key.control, language), "broken between words, nothing left out"
        for line in lines:
            assert metrics.horizontalAdvance(line) <= key.width(), (key.text(), key.width())
            assert metrics.horizontalAdvance(line) <= key.width() - room, (key.text(), key.width())
        assert len(lines) * metrics.lineSpacing() <= key.height(), key.text()
        if zoom == 1.0:
            assert len(lines) == 1, "at the usual size every caption is on one line"


@pytest.mark.parametrize("language", [Language.KO, Language.EN])
def test_a_secret_field_shows_dots_only(qtbot, language, tmp_path):
    window = active_window(qtbot)
    window.show_view(pin_view("7391", language=language))
    image = window.grab().toImage()
    image.save(str(tmp_path / f"keypad-secret-{language.value}.png"))
    assert 0.01 < dark_fraction(image) < 0.6
    labels = window.findChildren(QLabel)
    said = [w.text() for w in labels] + [w.accessibleName() for w in labels]
    said += [w.accessibleName() for w in window.findChildren(QWidget)]
    assert not any("7391" in s for s in said)
    (value,) = [w for w in labels if w.objectName() == "input"]
    assert value.text() == "●●●●" and value.isVisible()
    assert value.accessibleName().endswith(text("input.entered", language, count=4))
    # No label shows any of the typed digits on their own either (the keys show every digit,
    # as buttons).
    assert not [w.text() for w in labels if w.isVisible() and w.text().strip().isdigit()]


@pytest.mark.parametrize("language", [Language.KO, Language.EN])
def test_keypad_screen_png(qtbot, language):
    """The keypad screen as the patron sees it, kept for looking at: /tmp/keypad-{ko,en}.png."""
    window = active_window(qtbot)
    window.show_view(pin_view("12", language=language))
    image = window.grab().toImage()
    assert image.save(f"/tmp/keypad-{language.value}.png")
    assert 0.01 < dark_fraction(image) < 0.6
    # Hangul and the erase sign are drawn with fonts that have them.
    for key in keypad(window).ordered_keys():
        assert all(QFontMetrics(key.font()).inFont(ch) for ch in key.text() if not ch.isspace())


def test_typing_is_neither_logged_nor_printed(window, qtbot, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    window.show_view(pin_view())
    qtbot.mouseClick(keypad(window).key("key.8"), Qt.MouseButton.LeftButton)
    press_key(window, Qt.Key.Key_6)
    for typed in ("8", "86"):
        window.show_view(pin_view(typed))
    assert caplog.records == []
    out = capsys.readouterr()
    assert "8" not in out.out + out.err and "6" not in out.out + out.err


def test_a_private_field_is_shown_but_told_only_by_how_many(window):
    number = Input("number", "bring_in.repeat_pin", value="1100000001", private=True)
    window.show_view(replace(pin_view(), inputs=(number,)))
    (value,) = [w for w in window.findChildren(QLabel) if w.objectName() == "input"]
    assert value.text() == "1100000001", "the patron sees the number typed"
    assert "1100000001" not in value.accessibleName()
    assert value.accessibleName().endswith(text("input.entered", Language.KO, count=10))
    window.show_view(replace(pin_view(), inputs=(replace(number, value="11"),)))
    assert value.text() == "11"
    assert value.accessibleName().endswith(text("input.entered", Language.KO, count=2))


def test_signing_in_with_a_number_on_the_real_flow(window, qtbot):
    """The sign-in screens of the real flow: each key pressed (on screen or on a hardware
    keypad) goes to the flow, whose new view updates the field and keeps the keypad."""
    from kiosk.core.effects import Show
    from kiosk.core.events import Started
    from kiosk.flows.session import Session

    flow = Session()

    def feed(event) -> None:
        for effect in flow.handle(event):
            if isinstance(effect, Show):
                window.show_view(effect.view)

    feed(Started())
    feed(Pressed(control="sign_in"))
    pad = keypad(window)
    assert focused_control(window) == "enter"
    for n, digit in enumerate("1100000001"):
        if n % 2:
            press_key(window.focusWidget(), DIGIT_KEYS[int(digit)])
        else:
            qtbot.mouseClick(pad.key(f"key.{digit}"), Qt.MouseButton.LeftButton)
        feed(window.posted[-1])
        assert keypad(window) is pad
    (value,) = [w for w in window.findChildren(QLabel) if w.objectName() == "input"]
    assert value.text() == "1100000001" and "1100000001" not in value.accessibleName()
    press_key(window.focusWidget(), Qt.Key.Key_Backspace)
    feed(window.posted[-1])
    assert value.text() == "110000000"
    qtbot.mouseClick(pad.key("key.clear"), Qt.MouseButton.LeftButton)
    feed(window.posted[-1])
    assert value.text().strip() == "" and keypad(window) is pad


def test_a_keypad_come_and_gone_in_one_turn_never_opens_a_window_of_its_own(qtbot):
    from tests.ui.test_window import WindowsShown

    windows = WindowsShown()
    QApplication.instance().installEventFilter(windows)
    try:
        window = active_window(qtbot)
        idle = replace(pin_view(), screen="idle", inputs=())
        for view in (pin_view("1"), idle, pin_view(), pin_view("12")):
            window.show_view(view)
        window.show_view(replace(pin_view(), inputs=()))
        QApplication.processEvents()
    finally:
        QApplication.instance().removeEventFilter(windows)
    assert windows.shown == ["KioskWindow"]
