"""The kiosk's audio path: WAV clips played by a player process (PulseAudio/PipeWire's paplay or
pw-play, ALSA's aplay, or sox's play) on two channels, cues and speech; and where the sound
goes (an earphone plugged in), watched through PulseAudio/PipeWire's pactl.

Nothing here blocks its caller. With no sound output at all (no sound card, no sound server)
every clip still goes through the same steps, the player's refusal is logged once, and the
kiosk carries on: sound is never what makes a visit fail."""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import shutil
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("kiosk.audio")

# Players by name, in the order "auto" tries them: the sound server's own first (its default
# sink follows an earphone plugged in), then ALSA's, then sox's.
PLAYERS: dict[str, tuple[str, ...]] = {
    "paplay": ("paplay",),
    "pw-play": ("pw-play",),
    "aplay": ("aplay", "-q"),
    "play": ("play", "-q"),
}
PLAYER_CHOICES = ("auto", *PLAYERS, "none")
# A cue is short: speech waits at most this long for the cue before it to finish.
CUE_GAP_S = 1.5


def find_player(name: str = "auto") -> tuple[str, ...] | None:
    """The player's command (without the file), or None: "none", or none installed."""
    if name == "none":
        return None
    names = list(PLAYERS) if name == "auto" else [name]
    for candidate in names:
        command = PLAYERS.get(candidate)
        if command and shutil.which(command[0]):
            return command
    return None


def fix_wav_sizes(data: bytes) -> bytes:
    """A WAV written to a pipe (espeak-ng --stdout) has placeholder sizes in its header: the
    real ones, so that every reader (Python's wave, aplay) sees where the sound ends."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return data
    at = data.find(b"data", 12)
    if at < 0:
        return data
    out = bytearray(data)
    out[4:8] = struct.pack("<I", len(data) - 8)
    out[at + 4 : at + 8] = struct.pack("<I", len(data) - at - 8)
    return bytes(out)


@dataclass
class Clip:
    """What a channel plays: WAV bytes made on the channel's thread (speech synthesised there,
    never on the caller's), after `after_s` seconds unless something newer comes first."""

    kind: str  # "cue" or "speech"
    label: str  # the cue's name, or "speech" (what is said is never kept here)
    make: Callable[[], bytes]
    after_s: float = 0.0
    queued_at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Played:
    kind: str
    label: str
    heard: bool  # False: no sound output (logged once), or cut short
    seconds: float


class Channel:
    """One clip at a time on its own thread. `submit(interrupt=True)` drops what waits and cuts
    the clip playing (the newest wins); `stop()` does that without a new clip."""

    def __init__(self, out: AudioOut, name: str, wait_for: Channel | None = None) -> None:
        self.out = out
        self.name = name
        self.wait_for = wait_for
        self._cond = threading.Condition()
        self._waiting: collections.deque[Clip] = collections.deque()
        self._process: subprocess.Popen[bytes] | None = None
        self._cut = False
        self._playing = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def submit(self, clip: Clip, interrupt: bool) -> None:
        with self._cond:
            if self._closed:
                return
            if interrupt:
                self._drop_locked()
            self._waiting.append(clip)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"audio-{self.name}", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._drop_locked()
            self._cond.notify_all()

    def busy(self) -> bool:
        with self._cond:
            return self._playing or bool(self._waiting)

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._playing or self._waiting:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._drop_locked()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=2)

    def _drop_locked(self) -> None:
        self._waiting.clear()
        if self._playing:
            self._cut = True
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(OSError):
                self._process.kill()

    def _next(self) -> Clip | None:
        """The next clip once its time has come, or None when closed."""
        with self._cond:
            while True:
                if self._closed:
                    return None
                if self._waiting:
                    clip = self._waiting[0]
                    left = clip.queued_at + clip.after_s - time.monotonic()
                    if left <= 0:
                        self._waiting.popleft()
                        self._playing, self._cut = True, False
                        return clip
                    self._cond.wait(left)
                else:
                    self._cond.wait()

    def _run(self) -> None:
        while True:
            clip = self._next()
            if clip is None:
                return
            try:
                self._play(clip)
            except Exception:
                log.exception("playing %s failed", clip.label)
            finally:
                with self._cond:
                    self._playing = False
                    self._process = None
                    self._cond.notify_all()

    def _play(self, clip: Clip) -> None:
        started = time.monotonic()
        data = clip.make()
        if not data:  # nothing to play (the maker said why)
            self.out.record(Played(clip.kind, clip.label, False, 0.0))
            return
        if self.wait_for is not None:
            # The cue before this clip (a beep, then the screen said) is heard first.
            self.wait_for.wait_idle(CUE_GAP_S)
        with self._cond:
            if self._cut or self._closed:
                self.out.record(Played(clip.kind, clip.label, False, 0.0))
                return
        heard = self.out.play_wav(data, self)
        self.out.record(Played(clip.kind, clip.label, heard and not self._cut, time.monotonic() - started))

    def spawn(self, command: list[str], env: Mapping[str, str] | None) -> subprocess.Popen[bytes] | None:
        """Start the player (None if this channel was cut meanwhile); kept to be cut."""
        with self._cond:
            if self._cut or self._closed:
                return None
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=dict(env) if env is not None else None,
            )
            return self._process


class AudioOut:
    """The audio path: a player command and two channels. Speech waits for a cue playing to
    end; a cue never waits for speech (sounds are mixed by the sound server, or ALSA's dmix).

    `env` is the player's environment (tests point ALSA at a file there). How many clips of each
    kind were heard or not is counted in `counts`; with `keep`, the last `keep` clips played
    are kept in `played` (kind, label, heard: tests), never what was said."""

    def __init__(
        self,
        player: str = "auto",
        cache_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        keep: int = 0,
        command: tuple[str, ...] | None = None,
    ) -> None:
        self.player_name = player
        # `command`: a player of one's own (tests, benchmarks); the clip's path is added last.
        self.command = command or find_player(player)
        self.env = {**os.environ, **env} if env is not None else None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if cache_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-audio-")
            cache_dir = Path(self._tmp.name)
        self.cache_dir = cache_dir
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.played: collections.deque[Played] = collections.deque(maxlen=keep)
        self.counts: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._silent_since: str | None = None
        self._count = 0
        self.cues = Channel(self, "cues")
        self.speech = Channel(self, "speech", wait_for=self.cues)
        if self.command is None:
            why = "none configured" if player == "none" else f"none of {', '.join(PLAYERS)} installed"
            self._silent(f"no sound player ({why}): cues and voice guidance are not heard")

    def record(self, played: Played) -> None:
        self.counts[f"{played.kind} {'heard' if played.heard else 'not heard'}"] += 1
        if self.played.maxlen:
            self.played.append(played)

    def play_wav(self, data: bytes, channel: Channel) -> bool:
        """Play WAV bytes to the end (or until the channel is cut); whether the player took it."""
        if self.command is None:
            return False
        with self._lock:
            self._count += 1
            path = self.cache_dir / f"{channel.name}-{self._count % 4}.wav"
        path.write_bytes(data)
        try:
            process = channel.spawn([*self.command, str(path)], self.env)
        except OSError as exc:
            self._silent(f"{self.command[0]} cannot start ({exc.strerror or exc})")
            return False
        if process is None:
            return False
        _, err = process.communicate()
        if process.returncode == 0:
            self._heard()
            return True
        if process.returncode < 0:  # cut (killed): a newer clip or stop
            return False
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        self._silent(
            f"{self.command[0]} exited {process.returncode} ({last[0][:200]}): no sound output; check the "
            "sound card (aplay -l) and the sound server (pactl info)"
        )
        return False

    def _silent(self, why: str) -> None:
        with self._lock:
            first = self._silent_since is None
            self._silent_since = why
        if first:
            log.warning("audio: %s", why)

    def _heard(self) -> None:
        with self._lock:
            was, self._silent_since = self._silent_since, None
        if was is not None and self.command is not None:
            log.info("audio: %s plays again", self.command[0])

    @property
    def silent(self) -> str | None:
        """Why nothing is heard (the last player failure), or None while sound plays."""
        return self._silent_since

    def close(self) -> None:
        self.speech.close()
        self.cues.close()
        if self._tmp is not None:
            self._tmp.cleanup()


# ------------------------------------------------------------------- earphone


def earphone_in(sinks: str, default_sink: str) -> bool:
    """Whether `pactl list sinks` shows the default sink playing to an earphone: its active port
    is headphones or a headset (a jack's sense), or the sink is one (USB, Bluetooth)."""
    block: list[str] = []
    for chunk in sinks.split("\nSink #"):
        if f"Name: {default_sink}\n" in chunk + "\n":
            block = chunk.splitlines()
            break
    for line in block:
        line = line.strip().lower()
        if line.startswith(("active port:", "device.form_factor")) and (
            "headphone" in line or "headset" in line
        ):
            return True
    return False


class PulseSinks:
    """Earphone detection through PulseAudio or PipeWire (pipewire-pulse): `pactl subscribe`
    tells of every sink, card and server change; after each, the default sink's active port
    says whether an earphone is in. Without pactl or a sound server it logs once and reports
    no earphone (voice guidance then starts only from its controls, or always with speaker)."""

    def __init__(self, pactl: str = "pactl", env: Mapping[str, str] | None = None) -> None:
        self.pactl = pactl
        self.env = {**os.environ, **env} if env is not None else None
        self._changed: Callable[[bool], None] = lambda plugged: None
        self._process: subprocess.Popen[str] | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self.state: bool | None = None

    def start(self, changed: Callable[[bool], None]) -> None:
        self._changed = changed
        self._thread = threading.Thread(target=self._run, name="audio-sinks", daemon=True)
        self._thread.start()

    def _pactl(self, *args: str) -> str:
        done = subprocess.run(
            [self.pactl, *args], capture_output=True, text=True, timeout=5, env=self.env, check=True
        )
        return done.stdout

    def check(self) -> bool:
        info = self._pactl("info")
        default = next(
            (line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Default Sink:")),
            "",
        )
        return earphone_in(self._pactl("list", "sinks"), default)

    def _report(self) -> None:
        plugged = self.check()
        if plugged != self.state:
            self.state = plugged
            log.info("audio: earphone %s", "plugged in" if plugged else "out")
            self._changed(plugged)

    def _run(self) -> None:
        try:
            self._report()
            self._process = subprocess.Popen(
                [self.pactl, "subscribe"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                env=self.env,
            )  # fmt: skip
            assert self._process.stdout is not None
            for line in self._process.stdout:
                if self._stopped.is_set():
                    break
                # Not " on sink-input": every clip played makes one of those.
                if " on sink #" in line or " on card #" in line or " on server" in line:
                    self._report()
        except (OSError, subprocess.SubprocessError) as exc:
            if not self._stopped.is_set():
                log.warning(
                    "audio: no earphone detection (%s: %s); voice guidance starts from its controls",
                    self.pactl,
                    exc,
                )
                if self.state is None:
                    self.state = False
                    self._changed(False)

    def stop(self) -> None:
        self._stopped.set()
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=2)
        if self._thread is not None:
            self._thread.join(timeout=2)


class NoSinks:
    """No earphone detection: reports no earphone once."""

    def start(self, changed: Callable[[bool], None]) -> None:
        changed(False)

    def stop(self) -> None:
        pass
