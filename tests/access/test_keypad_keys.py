"""The accessibility keys of the shipped configuration: config/kiosk.toml's [keypad] read by the
real loader (kiosk.config.load) and set on a real window as the app sets them
(kiosk.ui.app.set_up_access), the voice keys going to a real VoiceGuide (speaking into a
recording port). Pressing each key: zoom goes to 200 %, contrast to the high-contrast theme,
the low position on, repeat says the screen, stop stops, louder and softer change the volume;
pressed again, zoom, contrast and low position go back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk import config
from kiosk.core.speech import utterance
from kiosk.devices.sounds import RecordingSounds
from kiosk.devices.speech import RecordingSpeech
from kiosk.runtime.voice import VoiceGuide
from kiosk.ui.app import ensure_app, set_up_access
from kiosk.ui.keys import PRESENTATION, key_code
from kiosk.ui.theme import Theme
from kiosk.ui.window import KioskWindow
from tests.access.render import table
from tests.access.screens import gallery_views

SHIPPED = config.load(config.DEFAULT_CONFIG)


def test_the_shipped_config_maps_every_accessibility_key():
    keys = SHIPPED.keypad.as_dict()
    missing = [action for action in PRESENTATION if not keys.get(action)]
    print(
        table(
            "[keypad] in config/kiosk.toml", ("action", "keys"), [(a, " ".join(k)) for a, k in keys.items()]
        )
    )
    assert not missing, missing


def test_the_shipped_keys_work_the_strip_and_the_voice_on_the_real_window(qtbot):
    ensure_app(headless=True)
    d = SHIPPED.display
    posted: list[object] = []
    window = KioskWindow(Theme(px_per_mm=float(d.px_per_mm)), SHIPPED.kiosk.library_name, posted.append)
    qtbot.addWidget(window)
    window.resize(int(d.width_px), int(d.height_px))
    speech = RecordingSpeech()
    guide = VoiceGuide(speech, RecordingSounds())
    window.presentation.update(guide.handlers())
    set_up_access(window, SHIPPED.keypad.as_dict(), float(d.mount_bottom_mm), SHIPPED.source)
    window.show()
    view = next(g.view for g in gallery_views() if g.view.screen == "borrow" and g.view.lines)
    window.show_view(view)
    guide.view(view)  # the runtime tells the guide what is shown
    QApplication.processEvents()
    keys = SHIPPED.keypad.as_dict()
    rows = []

    def press(action: str) -> None:
        QTest.keyClick(window.focusWidget() or window, Qt.Key(key_code(keys[action][0])))
        QApplication.processEvents()

    try:
        title_px = window.title.font().pixelSize()
        press("zoom")
        rows.append(("zoom", keys["zoom"][0], f"zoom {window.theme.zoom:.0%}"))
        assert window.mode.zoom and window.theme.zoom == 2.0
        assert window.title.font().pixelSize() >= 2 * title_px - 1
        press("contrast")
        rows.append(("contrast", keys["contrast"][0], f"high contrast {window.theme.high_contrast}"))
        assert window.mode.high_contrast and window.theme.high_contrast
        assert window.theme.palette.background in window.styleSheet()
        press("low_position")
        rows.append(("low_position", keys["low_position"][0], f"top space {window.top_space.height()} px"))
        assert window.mode.low_position and window.top_space.height() > 0
        press("voice_repeat")
        said = [s.text for s in speech.utterances]
        rows.append(("voice_repeat", keys["voice_repeat"][0], said[-1][:40] if said else "(nothing)"))
        assert said and said[-1] == utterance(view) and guide.on
        volume = speech.volume
        press("voice_louder")
        rows.append(("voice_louder", keys["voice_louder"][0], f"volume {volume} -> {speech.volume}"))
        assert speech.volume > volume
        press("voice_softer")
        rows.append(("voice_softer", keys["voice_softer"][0], f"volume -> {speech.volume}"))
        assert speech.volume == volume
        press("voice_stop")
        rows.append(("voice_stop", keys["voice_stop"][0], str(speech.said[-1])))
        assert speech.said[-1] == "stop"
        for action in ("zoom", "contrast", "low_position"):
            press(action)
        assert not (window.mode.zoom or window.mode.high_contrast or window.mode.low_position)
        # The keys are presentation: the visit hears of them only as a touch (more time).
        assert {getattr(e, "control", "") for e in posted} == {"touch"}
    finally:
        print(table("The shipped keys on the real window", ("action", "key", "result"), rows))
        window.close()
