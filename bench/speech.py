"""Voice guidance: espeak-ng's time to first audio and CPU per second of speech, and the kiosk's
say()-to-player latency beside a cue's (the baseline, which synthesises nothing)."""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from kiosk.commands.receipt import sample_receipt
from kiosk.core.model import Language
from kiosk.core.speech import receipt_utterance, utterance
from kiosk.devices.audio import AudioOut
from kiosk.devices.sounds import CueSounds
from kiosk.devices.speech import DEFAULT_RATE, VOICES, EspeakSpeech
from kiosk.flows import screens

RUNS = 7


def texts() -> list[tuple[str, str, Language]]:
    """What the kiosk says most: a word, a whole screen, a receipt; Korean and English."""
    idle_ko, idle_en = (utterance(screens.idle(lang)) for lang in (Language.KO, Language.EN))
    return [
        ("a caption (ko)", "대출하기", Language.KO),
        ("idle screen (ko)", idle_ko, Language.KO),
        ("idle screen (en)", idle_en, Language.EN),
        ("sample receipt (ko)", receipt_utterance(sample_receipt(Language.KO)), Language.KO),
    ]


def synth_figures(text: str, language: Language, runs: int = RUNS) -> dict[str, float]:
    """espeak-ng as the kiosk runs it (text on stdin, WAV on stdout), `runs` times: medians of
    the time to the first audio bytes and to the end, CPU seconds, and the audio's length."""
    first, total, cpu = [], [], []
    audio_s = 0.0
    command = ["espeak-ng", "-v", VOICES[language], "-s", str(DEFAULT_RATE), "--stdin", "--stdout"]
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(text.encode("utf-8"))
        process.stdin.close()
        head = process.stdout.read(44 + 512)  # the header, then the first samples
        first.append(time.perf_counter() - t0)
        rest = process.stdout.read()
        process.wait()
        total.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        audio_s = (len(head) + len(rest) - 44) / 2 / 22050
    return {
        "first_ms": 1000 * statistics.median(first),
        "total_ms": 1000 * statistics.median(total),
        "cpu_ms": 1000 * statistics.median(cpu),
        "audio_s": audio_s,
    }


def _stamping_out(folder: Path) -> tuple[AudioOut, Path]:
    """An AudioOut whose "player" only notes when it was started (a shell's `date`)."""
    stamps = folder / "stamps"
    out = AudioOut(cache_dir=folder / "cache", command=("sh", "-c", f"date +%s.%N >> {stamps}"))
    return out, stamps


def to_player_ms(kind: str, runs: int = RUNS) -> float:
    """Median ms from say() (or play() of a cue) to the player process running."""
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as tmp:
        out, stamps = _stamping_out(Path(tmp))
        speech, sounds = EspeakSpeech(out), CueSounds(out)
        idle = utterance(screens.idle(Language.KO))
        waits = []
        try:
            for n in range(runs):
                t0 = time.time()
                if kind == "cue":
                    sounds.play("beep.ok")
                    out.cues.wait_idle(5)
                else:
                    speech.say(idle, Language.KO)
                    out.speech.wait_idle(5)
                started = float(stamps.read_text().split()[n])
                waits.append(1000 * (started - t0))
        finally:
            out.close()
    return statistics.median(waits)


def player_ms(runs: int = RUNS) -> float | None:
    """Median ms for sox's play to take a cue into ALSA's null device (spawn to exit)."""
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as tmp:
        folder = Path(tmp)
        (folder / ".asoundrc").write_text("pcm.!default { type null }\n")
        from kiosk.devices.sounds import cue_wav

        (folder / "ok.wav").write_bytes(cue_wav("beep.ok"))
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            env = {"HOME": tmp, "PATH": "/usr/bin:/bin"}
            done = subprocess.run(["play", "-q", str(folder / "ok.wav")], env=env, capture_output=True)
            if done.returncode != 0:
                return None
            times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    print(f"espeak-ng at {DEFAULT_RATE} words a minute, {RUNS} runs each, medians ({dt.date.today()})")
    print(f"{'utterance':22} {'chars':>5} {'audio s':>8} {'1st audio ms':>12} {'all ms':>7} {'CPU ms':>7}"
          f" {'x real time':>11} {'CPU per audio s':>15}")  # fmt: skip
    for name, text, language in texts():
        f = synth_figures(text, language)
        print(
            f"{name:22} {len(text):5d} {f['audio_s']:8.1f} {f['first_ms']:12.1f} {f['total_ms']:7.1f} "
            f"{f['cpu_ms']:7.1f} {f['audio_s'] / (f['total_ms'] / 1000):11.0f} "
            f"{f['cpu_ms'] / f['audio_s']:12.1f} ms"
        )
    cue, speech = to_player_ms("cue"), to_player_ms("speech")
    print(f"say() to player running: idle screen {speech:.1f} ms; a cue (baseline) {cue:.1f} ms; "
          f"ratio {speech / cue:.1f}")  # fmt: skip
    played = player_ms()
    print(f"sox play, a cue into ALSA's null device: {played:.1f} ms" if played else "sox play: cannot run")
