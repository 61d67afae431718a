"""Status cues: four sounds told apart by pitch and rhythm, made as WAVs at start-up; each
status of a real visit (the runtime over the session flow) plays its cue through the audio
path, in order; a mute silences them; the real player puts them into ALSA."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest

from kiosk.core.events import BarcodeRead, CardRead, Pressed
from kiosk.core.model import CheckoutResult, Loan, Patron, PrintOutcome
from kiosk.devices.audio import AudioOut
from kiosk.devices.sounds import CUES, CueSounds, RecordingSounds, cue_wav, write_cues
from kiosk.flows.session import Session
from kiosk.runtime.clock import ManualClock
from kiosk.runtime.loop import Runtime
from kiosk.runtime.voice import VoiceGuide
from tests.devices.audio_helpers import (
    alsa_tap,
    bursts,
    dominant_hz,
    has_sox_play,
    read_wav,
    recording_out,
    rms,
)

CARD = "04A1B2C3D4E5F6"
PATRON = Patron(patron_id=CARD, name="김민수", loans=(Loan("EM0000000009", "토지"),))
DUE = dt.date(2026, 12, 13)


def cue(tmp_path, name: str, volume: int = 100):
    path = tmp_path / f"{name}-{volume}.wav"
    path.write_bytes(cue_wav(name, volume))
    return read_wav(path)


def test_each_cue_has_its_own_pitch_and_rhythm(tmp_path):
    heard = {}
    for name in CUES:
        samples, rate = cue(tmp_path, name)
        parts = bursts(samples, rate)
        pitches = [round(dominant_hz(samples[int(a * rate) : int(b * rate)], rate)) for a, b in parts]
        heard[name] = (len(samples) / rate, pitches)
    ok, error, warning, staff = (heard[n] for n in ("beep.ok", "beep.error", "beep.warning", "chime.staff"))
    # Success rises; a refusal buzzes low, twice; attention beeps three times; the chime falls.
    assert len(ok[1]) == 2 and ok[1][0] < ok[1][1] and abs(ok[1][0] - 880) < 30
    assert len(error[1]) == 2 and all(abs(p - 220) < 20 for p in error[1])
    assert len(warning[1]) == 3 and all(abs(p - 1000) < 30 for p in warning[1])
    assert staff[0] > 0.9 and staff[1][0] > 1000  # one long falling chime, from C6
    late = cue(tmp_path, "chime.staff")[0][-int(0.3 * 22050) :]
    assert abs(dominant_hz(late, 22050) - 523) < 20  # ... down to C5
    # Lengths differ too, so no two are alike even to a listener who cannot tell pitch.
    assert len({round(h[0], 2) for h in heard.values()}) == 4
    # The buzz has harmonics: more energy above 600 Hz than a pure tone would have.
    samples, rate = cue(tmp_path, "beep.error")
    spectrum = np.abs(np.fft.rfft(samples))
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    assert spectrum[(freqs > 600) & (freqs < 700)].max() > 0.2 * spectrum.max()


def test_volume_scales_a_cue_without_clipping(tmp_path):
    normal, _ = cue(tmp_path, "beep.ok")
    loud, _ = cue(tmp_path, "beep.ok", 200)
    soft, _ = cue(tmp_path, "beep.ok", 40)
    assert rms(loud) == pytest.approx(2 * rms(normal), rel=0.02) and np.abs(loud).max() < 0.99
    assert rms(soft) == pytest.approx(0.4 * rms(normal), rel=0.02)


def test_cues_are_written_at_start_up(tmp_path):
    paths = write_cues(tmp_path)
    assert set(paths) == set(CUES) and all(p.read_bytes() == cue_wav(n) for n, p in paths.items())


class CannedLibrary:
    """A library answering from a table: this patron, these checkouts."""

    def __init__(self, checkouts: dict[str, CheckoutResult]) -> None:
        self.checkouts = checkouts

    def lookup_patron(self, patron_id, pin=None):
        return PATRON

    def checkout(self, patron_id, item_id, after_unknown=False):
        return self.checkouts[item_id]

    def end_session(self, patron_id):
        return None

    def close(self):
        pass


class Printer:
    def print_receipt(self, receipt):
        return PrintOutcome(ok=True)

    def close(self):
        pass


class Visit:
    """The real runtime and session flow, a canned library, a manual clock; cues and speech
    through `guide`."""

    def __init__(self, guide: VoiceGuide) -> None:
        self.clock = ManualClock()
        self.flow = Session()
        library = CannedLibrary(
            {
                "EM0000100001": CheckoutResult(True, "EM0000100001", "채식주의자", DUE),
                "EM0000100181": CheckoutResult(False, "EM0000100181", "토지", reason="refusal.on_hold"),
            }
        )
        self.runtime = Runtime(self.flow, library, Printer(), self.clock, sound=guide.cue)
        self.runtime.observers.append(guide.observe)
        self.runtime.start()
        self.settle()

    def settle(self) -> None:
        """Pump until the flow waits for nothing (library answers included)."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            self.runtime.wait_and_pump(0.02)
            activity = self.flow.activity
            waiting = self.flow.state in ("identifying", "printing") or (activity and activity.busy)
            if not waiting and self.runtime.wait_and_pump(0.02) == 0:
                return
        raise AssertionError(f"the flow did not settle: {self.flow.state}")

    def post(self, event) -> None:
        self.runtime.post(event)
        self.settle()

    def borrow_refuse_wait_call_staff(self) -> None:
        self.post(CardRead(technology="106A", uid="04a1b2c3d4e5f6", identifier=CARD))
        self.post(BarcodeRead(text="EM0000100001", symbology="Code128", kind="item"))
        self.post(BarcodeRead(text="EM0000100181", symbology="Code128", kind="item"))
        self.clock.advance(self.flow.settings.inactivity_s + 1)  # the countdown starts
        self.settle()
        self.post(Pressed(control="call_staff"))

    def stop(self) -> None:
        self.runtime.stop()


# card read, patron found, book borrowed, book refused, the countdown, staff called
VISIT_CUES = ["beep.ok", "beep.ok", "beep.ok", "beep.error", "beep.warning", "chime.staff"]


def test_each_status_of_a_visit_plays_its_cue_through_the_audio_path(tmp_path):
    out, played = recording_out(tmp_path)
    sounds = CueSounds(out)
    from kiosk.devices.speech import RecordingSpeech

    visit = Visit(VoiceGuide(RecordingSpeech(), sounds))
    try:
        visit.borrow_refuse_wait_call_staff()
        assert out.cues.wait_idle(5)
    finally:
        visit.stop()
        out.close()
    assert [p.label for p in out.played] == VISIT_CUES
    assert all(p.heard for p in out.played)
    # What the player was given is each cue's own sound.
    files = sorted(played.glob("*.wav"))
    assert [f.read_bytes() for f in files] == [cue_wav(c) for c in VISIT_CUES]


def test_muted_cues_are_not_played():
    sounds = RecordingSounds()
    from kiosk.devices.speech import RecordingSpeech

    visit = Visit(VoiceGuide(RecordingSpeech(), sounds, cues=False))
    try:
        visit.borrow_refuse_wait_call_staff()
    finally:
        visit.stop()
    assert sounds.cues == []
    sounds = RecordingSounds()
    visit = Visit(VoiceGuide(RecordingSpeech(), sounds))
    try:
        visit.borrow_refuse_wait_call_staff()
    finally:
        visit.stop()
    assert sounds.cues == VISIT_CUES


@pytest.mark.skipif(not has_sox_play(), reason="sox's play is not installed (scripts/setup.sh)")
def test_a_cue_really_plays_through_sox_into_alsa(tmp_path):
    out = AudioOut("play", cache_dir=tmp_path / "cache", keep=100, env=alsa_tap(tmp_path / "alsa"))
    sounds = CueSounds(out)
    try:
        sounds.play("beep.warning")
        assert out.cues.wait_idle(5)
    finally:
        out.close()
    samples, rate = read_wav(tmp_path / "alsa" / "out.wav")
    assert len(bursts(samples, rate)) == 3 and abs(dominant_hz(samples, rate) - 1000) < 30
    assert [(p.label, p.heard) for p in out.played] == [("beep.warning", True)]


def test_an_unknown_cue_is_logged_once_and_skipped(tmp_path, caplog):
    out, _ = recording_out(tmp_path)
    sounds = CueSounds(out)
    sounds.play("beep.nope")
    sounds.play("beep.nope")
    out.close()
    assert [r.getMessage() for r in caplog.records if r.name == "kiosk.sounds"] == [
        "sounds: no cue named 'beep.nope' (known: beep.ok, beep.error, beep.warning, chime.staff)"
    ]
