"""Status cues as sound: each cue a short WAV made here (no sound files shipped), told apart by
pitch and rhythm, not loudness alone: success rises, a refusal buzzes low twice, attention
beeps three times, the staff call chimes down. Played through the kiosk's audio path."""

from __future__ import annotations

import io
import logging
import math
import struct
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

from kiosk.devices.audio import AudioOut, Clip

log = logging.getLogger("kiosk.sounds")

RATE = 22050  # samples a second, as espeak-ng's speech: one format on the audio path
# Peak at 100 % volume, of full scale: a tone's RMS (0.14) a little above espeak-ng's speech at
# its normal amplitude (0.10), and room to double it (200 %) without clipping.
LEVEL = 0.2


@dataclass(frozen=True)
class Tone:
    hz: float
    ms: int
    # Odd harmonics (a buzz) rather than a pure tone; a bell's decay rather than a flat note.
    buzz: bool = False
    decay: bool = False


@dataclass(frozen=True)
class Gap:
    ms: int


CUES: dict[str, tuple[Tone | Gap, ...]] = {
    # done: two tones rising a fifth
    "beep.ok": (Tone(880, 110), Gap(25), Tone(1320, 170)),
    # refused: a low buzz, twice
    "beep.error": (Tone(220, 170, buzz=True), Gap(80), Tone(220, 170, buzz=True)),
    # attention (the countdown started): three short high beeps
    "beep.warning": (Tone(1000, 80), Gap(70), Tone(1000, 80), Gap(70), Tone(1000, 80)),
    # staff called: a chime falling C6, G5, C5
    "chime.staff": (Tone(1047, 260, decay=True), Tone(784, 260, decay=True), Tone(523, 480, decay=True)),
}


def _samples(part: Tone | Gap) -> list[float]:
    n = RATE * part.ms // 1000
    if isinstance(part, Gap):
        return [0.0] * n
    fade = max(1, RATE * 6 // 1000)  # 6 ms in and out: no click
    out = []
    for i in range(n):
        phase = 2 * math.pi * part.hz * i / RATE
        if part.buzz:
            value = (math.sin(phase) + math.sin(3 * phase) / 3 + math.sin(5 * phase) / 5) / 1.53
        else:
            value = math.sin(phase)
        envelope = min(1.0, i / fade, (n - 1 - i) / fade)
        if part.decay:
            envelope *= math.exp(-3.0 * i / n)
        out.append(value * envelope)
    return out


def cue_wav(cue: str, volume: int = 100) -> bytes:
    """The cue as a mono 16-bit WAV at `volume` percent (0-200) of its normal loudness."""
    gain = LEVEL * max(0, min(200, volume)) / 100
    samples: list[float] = []
    for part in CUES[cue]:
        samples += _samples(part)
    frames = struct.pack(
        f"<{len(samples)}h", *(round(max(-1.0, min(1.0, s * gain)) * 32767) for s in samples)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
    return buffer.getvalue()


def write_cues(folder: Path) -> dict[str, Path]:
    """Every cue written as folder/NAME.wav (at normal volume)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for cue in CUES:
        path = folder / f"{cue}.wav"
        path.write_bytes(cue_wav(cue))
        paths[cue] = path
    return paths


class CueSounds:
    """The Sounds port on the audio path: cues made once at start-up (and again at another
    volume), played on the cue channel without waiting for speech."""

    def __init__(self, out: AudioOut, volume: int = 100) -> None:
        self.out = out
        self.volume = volume
        self._lock = threading.Lock()
        self._made: dict[tuple[str, int], bytes] = {}
        self.files = write_cues(out.cache_dir / "cues")
        self._unknown: set[str] = set()

    def _wav(self, cue: str) -> bytes:
        with self._lock:
            key = (cue, self.volume)
            if key not in self._made:
                self._made[key] = cue_wav(cue, self.volume)
            return self._made[key]

    def play(self, cue: str) -> None:
        if cue not in CUES:
            if cue not in self._unknown:
                self._unknown.add(cue)
                log.warning("sounds: no cue named %r (known: %s)", cue, ", ".join(CUES))
            return
        self.out.cues.submit(Clip("cue", cue, lambda: self._wav(cue)), interrupt=False)

    def set_volume(self, percent: int) -> None:
        with self._lock:
            self.volume = max(0, min(200, percent))

    def close(self) -> None:
        self.out.cues.close()


class RecordingSounds:
    """A Sounds port that plays nothing and keeps the cues asked for, in order (tests)."""

    def __init__(self) -> None:
        self.cues: list[str] = []
        self.volume = 100
        self.closed = False

    def play(self, cue: str) -> None:
        self.cues.append(cue)

    def set_volume(self, percent: int) -> None:
        self.volume = percent

    def close(self) -> None:
        self.closed = True
