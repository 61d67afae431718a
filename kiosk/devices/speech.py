"""Speech ports: espeak-ng's voices (Korean `ko`, English `en-us`) on the audio path; one that
writes each utterance to a WAV file; one that only records what would be said (tests).

espeak-ng runs as a process per utterance, fed the text on its stdin (never on its command
line, where any local user could read it); it synthesises about a thousand times faster than
it speaks, so a whole utterance is made before it plays (see docs/speech.md)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.model import Language
from kiosk.devices.audio import AudioOut, Clip, fix_wav_sizes

log = logging.getLogger("kiosk.speech")

ESPEAK = "espeak-ng"
VOICES = {Language.KO: "ko", Language.EN: "en-us"}
# espeak-ng's defaults: 175 words a minute, amplitude 100 (of 0-200).
DEFAULT_RATE = 175
RATE_RANGE = (80, 450)


class SpeechError(RuntimeError):
    """espeak-ng is missing or refused the text: what to install or check."""


def synthesize(text: str, language: Language, rate: int = DEFAULT_RATE, volume: int = 100) -> bytes:
    """`text` spoken in `language` as WAV bytes (mono, 16 bit, 22,050 Hz)."""
    if shutil.which(ESPEAK) is None:
        raise SpeechError("espeak-ng is not installed: apt-get install espeak-ng")
    rate = max(RATE_RANGE[0], min(RATE_RANGE[1], rate))
    command = [ESPEAK, "-v", VOICES[language], "-s", str(rate), "-a", str(max(0, min(200, volume)))]
    done = subprocess.run(
        [*command, "--stdin", "--stdout"], input=text.encode("utf-8"), capture_output=True, timeout=30
    )
    if done.returncode != 0 or len(done.stdout) <= 44:
        detail = done.stderr.decode("utf-8", "replace").strip()[:200]
        raise SpeechError(f"espeak-ng -v {VOICES[language]} failed ({done.returncode}): {detail}")
    return fix_wav_sizes(done.stdout)


class EspeakSpeech:
    """The Speech port: espeak-ng synthesises on the speech channel's thread, the player plays;
    a new utterance cuts the one playing (unless queued), stop() cuts it and drops the rest."""

    def __init__(self, out: AudioOut, rate: int = DEFAULT_RATE, volume: int = 100) -> None:
        self.out = out
        self.rate = rate
        self.volume = volume
        self._lock = threading.Lock()
        self._failed: str | None = None

    def say(self, text: str, language: Language, *, queue: bool = False, after_s: float = 0.0) -> None:
        with self._lock:
            rate, volume = self.rate, self.volume

        def make() -> bytes:
            try:
                return synthesize(text, language, rate, volume)
            except (SpeechError, OSError, subprocess.SubprocessError) as exc:
                if str(exc) != self._failed:  # once, not at every screen
                    self._failed = str(exc)
                    log.warning("speech: %s", exc)
                return b""

        self.out.speech.submit(Clip("speech", "speech", make, after_s=after_s), interrupt=not queue)

    def stop(self) -> None:
        self.out.speech.stop()

    def set_volume(self, percent: int) -> None:
        with self._lock:
            self.volume = max(0, min(200, percent))

    def set_rate(self, words_per_minute: int) -> None:
        with self._lock:
            self.rate = max(RATE_RANGE[0], min(RATE_RANGE[1], words_per_minute))

    def close(self) -> None:
        self.out.speech.close()


class NoSpeech:
    """A Speech port that says nothing ([voice] engine = "none")."""

    def say(self, text: str, language: Language, *, queue: bool = False, after_s: float = 0.0) -> None:
        pass

    def stop(self) -> None:
        pass

    def set_volume(self, percent: int) -> None:
        pass

    def set_rate(self, words_per_minute: int) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class Said:
    text: str
    language: Language
    queue: bool = False
    after_s: float = 0.0
    rate: int = DEFAULT_RATE
    volume: int = 100


class RecordingSpeech:
    """A Speech port that speaks nothing and keeps what it was asked, in order: each utterance
    (text, language, how), and "stop" where it was stopped (tests, the spoken-visit tool)."""

    def __init__(self) -> None:
        self.said: list[Said | str] = []
        self.rate = DEFAULT_RATE
        self.volume = 100
        self.closed = False

    def say(self, text: str, language: Language, *, queue: bool = False, after_s: float = 0.0) -> None:
        self.said.append(Said(text, language, queue, after_s, self.rate, self.volume))

    def stop(self) -> None:
        self.said.append("stop")

    def set_volume(self, percent: int) -> None:
        self.volume = percent

    def set_rate(self, words_per_minute: int) -> None:
        self.rate = words_per_minute

    def close(self) -> None:
        self.closed = True

    @property
    def utterances(self) -> list[Said]:
        return [s for s in self.said if isinstance(s, Said)]


class WavSpeech(RecordingSpeech):
    """Records as RecordingSpeech and writes each utterance that would be heard to
    folder/NNN-LANG.wav with espeak-ng, as it comes (it blocks: for tools and tests, not the
    running kiosk). A delayed one (a busy screen) is written only if nothing newer came
    within its delay, as EspeakSpeech would drop it."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.folder = folder
        self.clock = clock
        self.files: list[Path] = []
        self.texts: list[str] = []
        self._pending: tuple[float, Said] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def say(self, text: str, language: Language, *, queue: bool = False, after_s: float = 0.0) -> None:
        super().say(text, language, queue=queue, after_s=after_s)
        now = self.clock()
        if self._pending is not None:
            since, pending = self._pending
            self._pending = None
            if queue or now - since >= pending.after_s:
                self._write(pending)
        said = self.utterances[-1]
        if after_s > 0:
            self._pending = (now, said)
        else:
            self._write(said)

    def flush(self) -> None:
        """Write a delayed utterance still waiting (the run is over)."""
        if self._pending is not None:
            self._write(self._pending[1])
            self._pending = None

    def stop(self) -> None:
        super().stop()
        self._pending = None

    def _write(self, said: Said) -> None:
        path = self.folder / f"{len(self.files) + 1:03d}-{said.language.value}.wav"
        path.write_bytes(synthesize(said.text, said.language, said.rate, said.volume))
        self.files.append(path)
        self.texts.append(said.text)
