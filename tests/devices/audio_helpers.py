"""Sound output for tests on machines without a sound card: ALSA's own file plugin as the sink
(the real player, the real ALSA path, the sound landing in a WAV), or a recording player that
keeps each clip and takes as long as it lasts."""

from __future__ import annotations

import shutil
import sys
import wave
from pathlib import Path

import numpy as np

from kiosk.devices.audio import AudioOut

RECORDER = """\
import sys, time, wave
from pathlib import Path
out, paced, src = Path(sys.argv[1]), sys.argv[2] == "1", Path(sys.argv[3])
n = 0
while True:  # the next free number, even with two channels playing at once
    try:
        with open(out / f"{n:03d}.wav", "xb") as f:
            f.write(src.read_bytes())
        break
    except FileExistsError:
        n += 1
if paced:
    with wave.open(str(src)) as w:
        time.sleep(w.getnframes() / w.getframerate())
(out / f"{n:03d}.done").write_text("")
"""


def alsa_tap(folder: Path) -> dict[str, str]:
    """The environment of a player whose ALSA default device writes what it plays to
    folder/out.wav (alsa-lib reads ~/.asoundrc)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".asoundrc").write_text(
        'pcm.!default {\n type file\n slave.pcm "null"\n file "%s"\n format "wav"\n}\n' % (folder / "out.wav")
    )
    return {"HOME": str(folder)}


def no_sound_card(folder: Path) -> dict[str, str]:
    """The environment of a player whose ALSA default device does not exist."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".asoundrc").write_text("pcm.!default {\n type hw\n card 31\n}\n")
    return {"HOME": str(folder)}


def has_sox_play() -> bool:
    return shutil.which("play") is not None


def recording_out(folder: Path, paced: bool = False) -> tuple[AudioOut, Path]:
    """An AudioOut whose player keeps each clip as folder/played/NNN.wav, in the order played."""
    played = folder / "played"
    played.mkdir(parents=True, exist_ok=True)
    script = folder / "player.py"
    script.write_text(RECORDER)
    command = (sys.executable, str(script), str(played), "1" if paced else "0")
    out = AudioOut(cache_dir=folder / "cache", keep=100, command=command)
    return out, played


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float) / 32768
        return samples, w.getframerate()


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def bursts(samples: np.ndarray, rate: int, floor: float = 0.02) -> list[tuple[float, float]]:
    """(start, end) seconds of each stretch louder than `floor` (10 ms windows)."""
    window = rate // 100
    loud = [rms(samples[i : i + window]) > floor for i in range(0, len(samples), window)]
    out, start = [], None
    for i, on in enumerate([*loud, False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            out.append((start / 100, i / 100))
            start = None
    return out
