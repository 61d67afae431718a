"""Voice guidance and status cues for a visit: when to speak which screen, the voice controls
(repeat, stop, louder, softer, faster, slower), the receipt read aloud, the earphone.

When it speaks: while an earphone is plugged in (the sound then goes to the earphone, not the
speaker), always when the kiosk is set up to speak on its speaker, and for the rest of a visit
once the patron has used a voice control. Each visit starts at the set volume and speed.
It watches the runtime's effects (an observer) and never changes what a flow does."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from kiosk.core.effects import PrintReceipt, Show, VisitEnded
from kiosk.core.events import Event, Pressed
from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.core.ports import AudioSinks, Post, Sounds, Speech
from kiosk.core.receipt import Receipt
from kiosk.core.speech import change, new_screen, receipt_utterance, sentences, utterance
from kiosk.core.views import View

log = logging.getLogger("kiosk.voice")

# Loudness in percent of the engine's normal, and speed in words a minute: a control moves one
# step; the set values are placed on the nearest step.
VOLUME_STEPS = (40, 55, 70, 85, 100, 120, 140, 170, 200)
RATE_STEPS = (100, 125, 150, 175, 200, 230, 260, 300)
# A busy screen is said only if it is still shown after this: a quick answer replaces it first.
BUSY_AFTER_S = 0.8
CONTROLS = ("voice.repeat", "voice.stop", "voice.louder", "voice.softer", "voice.faster", "voice.slower")


def _nearest(steps: tuple[int, ...], value: int) -> int:
    return min(range(len(steps)), key=lambda i: abs(steps[i] - value))


class VoiceGuide:
    """Thread-safe: the runtime's thread (effects, controls from the window) and the earphone
    watcher's thread both call in."""

    def __init__(
        self,
        speech: Speech,
        sounds: Sounds | None = None,
        *,
        speaker: bool = False,
        cues: bool = True,
        volume: int = 100,
        rate: int = 175,
        language: Language = Language.KO,
    ) -> None:
        self.speech = speech
        self.sounds = sounds
        self.speaker = speaker
        self.cues = cues
        self.default_volume = _nearest(VOLUME_STEPS, volume)
        self.default_rate = _nearest(RATE_STEPS, rate)
        self.language = language
        self.earphone = False
        # Turned on by a voice control, for the rest of the visit, on the speaker.
        self.asked = False
        self._volume = self.default_volume
        self._rate = self.default_rate
        self._lock = threading.RLock()
        self._shown: View | None = None  # the last view shown
        self._said: View | None = None  # the last view said from (busy views of a screen skipped)
        self._receipt: Receipt | None = None
        self._reading_receipt = False
        self._sinks: AudioSinks | None = None
        # What else to close with the guide (the audio path the ports share).
        self.also_close: list[Callable[[], None]] = []
        self._apply_levels()

    # ------------------------------------------------------------------ state

    @property
    def on(self) -> bool:
        """Whether screens are said now."""
        return self.earphone or self.speaker or self.asked

    @property
    def volume(self) -> int:
        return VOLUME_STEPS[self._volume]

    @property
    def rate(self) -> int:
        return RATE_STEPS[self._rate]

    def _apply_levels(self) -> None:
        self.speech.set_volume(self.volume)
        self.speech.set_rate(self.rate)
        if self.sounds is not None:
            self.sounds.set_volume(self.volume)

    def _lang(self) -> Language:
        return self._shown.language if self._shown is not None else self.language

    def _say(self, said: str, language: Language, *, queue: bool = False, after_s: float = 0.0) -> None:
        if said:
            self.speech.say(said, language, queue=queue, after_s=after_s)
            if not queue:
                self._reading_receipt = False

    # ------------------------------------------------------------------ from the runtime

    def observe(self, kind: str, obj: Any) -> None:
        """A runtime observer: screens shown, the receipt printed, the visit's end."""
        if kind != "effect":
            return
        if isinstance(obj, Show):
            self.view(obj.view)
        elif isinstance(obj, PrintReceipt):
            self.receipt(obj.receipt)
        elif isinstance(obj, VisitEnded):
            self.visit_ended()

    def cue(self, cue: str) -> None:
        """A PlaySound effect: the cue, unless cues are muted."""
        if self.cues and self.sounds is not None:
            self.sounds.play(cue)

    def view(self, view: View) -> None:
        """A screen shown: said whole when it is another screen, else what changed on it."""
        with self._lock:
            before = self._said
            self._shown = view
            fresh = new_screen(before, view)
            if not view.busy or fresh:
                self._said = view
            if not self.on:
                return
            said = change(before, view)
            if fresh and view.screen == "goodbye" and self._receipt is not None:
                self._say(said, view.language)
                self._say(receipt_utterance(self._receipt), self._receipt.language, queue=True)
                self._receipt, self._reading_receipt = None, True
                return
            if self._reading_receipt and not fresh:
                return  # the goodbye's seconds do not cut the receipt short
            # The first screen after a visit read its receipt waits for the receipt's end.
            queue = self._reading_receipt and view.screen == "idle"
            self._say(said, view.language, queue=queue, after_s=BUSY_AFTER_S if view.busy else 0.0)

    def receipt(self, receipt: Receipt) -> None:
        """The visit's receipt, read after the goodbye screen when screens are said."""
        with self._lock:
            self._receipt = receipt

    def visit_ended(self) -> None:
        """The next patron starts at the set volume and speed, with voice only if set so."""
        with self._lock:
            self.asked = False
            self._receipt = None
            self._volume, self._rate = self.default_volume, self.default_rate
            self._apply_levels()

    # ------------------------------------------------------------------ earphone

    def attach(self, sinks: AudioSinks) -> None:
        """Watch `sinks`: an earphone plugged in starts voice guidance, taken out stops it."""
        self._sinks = sinks
        sinks.start(self.earphone_changed)

    def earphone_changed(self, plugged: bool) -> None:
        with self._lock:
            if plugged == self.earphone:
                return
            self.earphone = plugged
            log.info(
                "voice guidance %s (earphone %s)", "on" if self.on else "off", "in" if plugged else "out"
            )
            if plugged:
                language = self._lang()
                parts = [sentences([text("voice.on", language)], language)]
                if self._shown is not None:
                    parts.append(utterance(self._shown))
                self._say(" ".join(parts), language)
            elif not self.on:
                self.speech.stop()

    # ------------------------------------------------------------------ controls

    def handle(self, control: str) -> bool:
        """A voice control pressed ("voice.repeat" ...): True when it was one. Any but stop
        turns voice guidance on for the rest of the visit."""
        if control not in CONTROLS:
            return False
        with self._lock:
            language = self._lang()
            if control == "voice.stop":
                self.speech.stop()
                self._reading_receipt = False
                self.asked = False
                return True
            self.asked = True
            if control == "voice.repeat":
                if self._shown is not None:
                    self._say(utterance(self._shown), language)
                return True
            if control in ("voice.louder", "voice.softer"):
                step = 1 if control == "voice.louder" else -1
                self._volume = max(0, min(len(VOLUME_STEPS) - 1, self._volume + step))
                self._apply_levels()
                said = text("voice.volume", language, level=self._volume + 1, steps=len(VOLUME_STEPS))
            else:
                step = 1 if control == "voice.faster" else -1
                self._rate = max(0, min(len(RATE_STEPS) - 1, self._rate + step))
                self._apply_levels()
                said = text("voice.rate", language, level=self._rate + 1, steps=len(RATE_STEPS))
            self._say(said, language)
            return True

    def handlers(self) -> dict[str, Callable[[], None]]:
        """The voice controls as the window's accessibility strip calls them, by control id."""
        return {control: functools.partial(self._press, control) for control in CONTROLS}

    def _press(self, control: str) -> None:
        self.handle(control)

    def close(self) -> None:
        if self._sinks is not None:
            self._sinks.stop()
        self.speech.close()
        if self.sounds is not None:
            self.sounds.close()
        for close in self.also_close:
            close()


def controls_first(guide: VoiceGuide, post: Post) -> Post:
    """`post` for the window: a voice control pressed goes to `guide` (it is not the visit's
    business: the flow would refuse it), every other event to `post`."""

    def route(event: Event) -> None:
        if isinstance(event, Pressed) and event.control.startswith("voice.") and guide.handle(event.control):
            return
        post(event)

    return route
