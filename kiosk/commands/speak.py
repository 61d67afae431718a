"""`kiosk speak`: a scripted visit as voice guidance says it, with an earphone plugged in: a WAV
of each thing said and each cue, the whole visit in one WAV, and the words in spoken.txt."""

from __future__ import annotations

import argparse
import sys
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.commands import config_arg, load_settings
from kiosk.core.model import Language

HELP = "a scripted visit as voice guidance says it: WAVs and the words"
GAP_S = 0.4  # silence between two things said in the visit's WAV


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run a scripted visit headless on the simulators (as `kiosk demo --headless`) with an "
        "earphone plugged in, write a WAV of everything said (espeak-ng) and every cue in OUT/clips, "
        "the whole visit as OUT/visit-LANG.wav and the words in OUT/spoken.txt."
    )
    config_arg(parser)
    parser.add_argument(
        "script", type=Path, nargs="?", default=None, help="scripted-visit file (default: the first borrow)"
    )
    parser.add_argument("--out", type=Path, default=Path("out/speak"), help="folder (default out/speak)")
    parser.add_argument(
        "--language",
        choices=("ko", "en"),
        default=None,
        help="the whole visit in this language, as the kiosk's first (the script's switches left out)",
    )


def one_language(steps: list[Any]) -> list[Any]:
    """`steps` without their language switches: the visit stays in the kiosk's first language."""
    return [s for s in steps if s.name != "language"]


@dataclass
class SpokenVisit:
    ok: bool
    failure: str
    clips: list[Path] = field(default_factory=list)
    said: list[tuple[Path, str]] = field(default_factory=list)
    visit: Path | None = None


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def concatenate(clips: list[Path], target: Path, gap_s: float = GAP_S) -> Path:
    """The clips one after the other, `gap_s` of silence between (all mono 16-bit, one rate)."""
    with wave.open(str(target), "wb") as out:
        rate = 0
        for n, clip in enumerate(clips):
            with wave.open(str(clip)) as w:
                if n == 0:
                    rate = w.getframerate()
                    out.setparams(w.getparams())
                elif w.getframerate() != rate or w.getnchannels() != 1 or w.getsampwidth() != 2:
                    raise ValueError(f"{clip.name}: not {rate} Hz mono 16-bit")
                else:
                    out.writeframes(b"\0\0" * int(gap_s * rate))
                out.writeframes(w.readframes(w.getnframes()))
    return target


def speak_visit(kiosk: Any, window: Any, steps: list[Any], out: Path) -> SpokenVisit:
    """Run `steps` on `kiosk` (built, with its window) with its voice guide replaced by one
    that writes what it says, an earphone plugged in from the start."""
    from kiosk.demo.runner import run_script
    from kiosk.devices.sounds import RecordingSounds, cue_wav
    from kiosk.devices.speech import WavSpeech, synthesize
    from kiosk.runtime.voice import VoiceGuide
    from simulators.audio import EarphoneJack

    clips = out / "clips"
    clips.mkdir(parents=True, exist_ok=True)
    for old in clips.glob("*.wav"):
        old.unlink()
    track: list[Path] = []

    class Speech(WavSpeech):
        def _write(self, said: Any) -> None:
            # Numbered in the visit's order, cues and speech alike.
            path = clips / f"{len(track) + 1:03d}-{said.language.value}.wav"
            path.write_bytes(synthesize(said.text, said.language, said.rate, said.volume))
            self.files.append(path)
            self.texts.append(said.text)
            track.append(path)

    class Cues(RecordingSounds):
        def play(self, cue: str) -> None:
            super().play(cue)
            path = clips / f"{len(track) + 1:03d}-{cue}.wav"
            path.write_bytes(cue_wav(cue, self.volume))
            track.append(path)

    speech = Speech(clips)
    guide = VoiceGuide(speech, Cues(), language=Language(kiosk.settings.kiosk.language))
    if kiosk.voice is not None:  # the kiosk's own guide makes way
        kiosk.runtime.observers.remove(kiosk.voice.observe)
        kiosk.voice.close()
    kiosk.voice = guide
    kiosk.runtime.sound = guide.cue
    kiosk.runtime.observers.append(guide.observe)
    jack = EarphoneJack()
    guide.attach(jack)
    jack.plug()
    result = run_script(kiosk, window, steps, out)
    speech.flush()
    spoken = SpokenVisit(ok=result.ok, failure=result.failure, clips=track)
    spoken.said = list(zip(speech.files, speech.texts, strict=True))
    if track:
        languages = {p.stem.rsplit("-", 1)[-1] for p in speech.files} or {kiosk.settings.kiosk.language}
        spoken.visit = concatenate(track, out / f"visit-{'-'.join(sorted(languages))}.wav")
    lines = [f"{p.name}\t{wav_seconds(p):5.1f} s\t{text}" for p, text in spoken.said]
    (out / "spoken.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return spoken


def main(args: argparse.Namespace) -> int:
    from kiosk.app import attach_ui, build
    from kiosk.demo import script

    steps = script.load(args.script or script.DEFAULT_SCRIPT)
    if args.language:
        steps = one_language(steps)
    settings = load_settings(args.config)
    if args.language:  # the kiosk's first language: the first screen and the next patron's
        from kiosk import config

        data = {name: getattr(settings, name).as_dict() for name in config.SCHEMA}
        data["kiosk"]["language"] = args.language
        settings = config.validate(data, settings.source)
    kiosk = build(settings)
    try:
        window = attach_ui(kiosk, headless=True)
        args.out.mkdir(parents=True, exist_ok=True)
        spoken = speak_visit(kiosk, window, steps, args.out)
    finally:
        kiosk.stop()
    total = wav_seconds(spoken.visit) if spoken.visit else 0.0
    print(f"said: {len(spoken.said)} utterances, {len(spoken.clips) - len(spoken.said)} cues")
    print(f"visit: {spoken.visit} ({total:.1f} s)")
    print(f"words: {args.out / 'spoken.txt'}")
    if not spoken.ok:
        print(f"visit FAILED: {spoken.failure}", file=sys.stderr)
        return 1
    return 0
