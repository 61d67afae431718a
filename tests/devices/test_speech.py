"""Speech: espeak-ng really speaks (Korean and English WAVs of some length and loudness), on
the real audio path (sox's player into ALSA), never blocking; the newest utterance wins, stop
stops, a missing sound card is logged once and nothing fails."""

from __future__ import annotations

import logging
import shutil
import time
import wave

import pytest

from kiosk.core.model import Language
from kiosk.devices.audio import AudioOut, fix_wav_sizes
from kiosk.devices.speech import EspeakSpeech, RecordingSpeech, Said, WavSpeech, synthesize
from tests.devices.audio_helpers import (
    alsa_tap,
    has_sox_play,
    no_sound_card,
    read_wav,
    recording_out,
    rms,
)

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (scripts/setup.sh installs it)"
)
needs_play = pytest.mark.skipif(not has_sox_play(), reason="sox's play is not installed (scripts/setup.sh)")

KO = "회원증을 카드 리더에 대 주세요. 반납은 회원증 없이 책을 보여 주세요."
EN = "Tap your library card on the reader. To return books, just show them."


@needs_espeak
@pytest.mark.parametrize(("text", "language"), [(KO, Language.KO), (EN, Language.EN)])
def test_espeak_really_speaks_korean_and_english(tmp_path, text, language):
    path = tmp_path / f"{language.value}.wav"
    path.write_bytes(synthesize(text, language))
    samples, rate = read_wav(path)
    seconds = len(samples) / rate
    assert rate == 22050 and 2.0 < seconds < 15.0, seconds
    assert rms(samples) > 0.03  # speech, not silence
    # Louder and faster are heard as such.
    loud, _ = read_wav_bytes(tmp_path, synthesize(text, language, volume=180))
    fast, _ = read_wav_bytes(tmp_path, synthesize(text, language, rate=280))
    assert rms(loud) > 1.4 * rms(samples)
    assert len(fast) < 0.75 * len(samples)


def read_wav_bytes(tmp_path, data: bytes):
    path = tmp_path / "x.wav"
    path.write_bytes(data)
    return read_wav(path)


def test_a_piped_wav_gets_its_real_sizes():
    header = b"RIFF" + b"\xff\xff\xff\x7f" + b"WAVEfmt " + bytes(20) + b"data" + b"\xff\xff\xff\x7f"
    fixed = fix_wav_sizes(header + bytes(100))
    assert int.from_bytes(fixed[4:8], "little") == len(fixed) - 8
    assert int.from_bytes(fixed[40:44], "little") == 100


@needs_espeak
@needs_play
def test_speech_goes_through_the_real_player_into_alsa(tmp_path):
    out = AudioOut("play", cache_dir=tmp_path / "cache", keep=100, env=alsa_tap(tmp_path / "alsa"))
    speech = EspeakSpeech(out)
    try:
        started = time.monotonic()
        speech.say(KO, Language.KO)
        assert time.monotonic() - started < 0.05  # never blocks the caller
        assert out.speech.wait_idle(10)
    finally:
        out.close()
    samples, rate = read_wav(tmp_path / "alsa" / "out.wav")  # what reached ALSA's device
    assert len(samples) / rate > 2.0 and rms(samples) > 0.03
    assert [(p.kind, p.heard) for p in out.played] == [("speech", True)]


@needs_espeak
def test_without_a_sound_card_it_logs_once_and_carries_on(tmp_path, caplog):
    if not has_sox_play():
        pytest.skip("sox's play is not installed")
    out = AudioOut("play", cache_dir=tmp_path / "cache", keep=100, env=no_sound_card(tmp_path / "alsa"))
    speech = EspeakSpeech(out)
    with caplog.at_level(logging.WARNING, logger="kiosk.audio"):
        for _ in range(3):
            speech.say("안녕하세요", Language.KO, queue=True)
        assert out.speech.wait_idle(10)
    out.close()
    assert [p.heard for p in out.played] == [False, False, False]
    warnings = [r for r in caplog.records if r.name == "kiosk.audio"]
    assert len(warnings) == 1 and "no sound output" in warnings[0].getMessage()
    assert out.silent is not None


@needs_espeak
def test_the_newest_utterance_cuts_the_one_playing_and_stop_stops(tmp_path):
    out, played = recording_out(tmp_path, paced=True)
    speech = EspeakSpeech(out)
    try:
        speech.say(KO, Language.KO)  # about 5 s long
        wait_for(lambda: (played / "000.wav").exists())
        speech.say("둘째", Language.KO)
        speech.say("셋째", Language.KO)  # "둘째" waited and is dropped; "셋째" is said
        assert out.speech.wait_idle(10)
        assert not (played / "000.done").exists()  # the first was cut short
        assert sorted(p.name for p in played.glob("*.wav")) == ["000.wav", "001.wav"]
        second, rate = read_wav(played / "001.wav")
        assert 0.2 < len(second) / rate < 1.5  # a word, not the long sentence
        speech.say(KO, Language.KO)
        wait_for(lambda: (played / "002.wav").exists())
        speech.stop()
        assert out.speech.wait_idle(2)
        assert not (played / "002.done").exists()
        assert [p.heard for p in out.played] == [False, True, False]
    finally:
        out.close()


@needs_espeak
def test_queued_speech_follows_and_a_delayed_one_is_dropped_when_something_newer_comes(tmp_path):
    out, played = recording_out(tmp_path)
    speech = EspeakSpeech(out)
    try:
        speech.say("하나", Language.KO, after_s=0.5)
        speech.say("둘", Language.KO)  # before the first's time: it is never said
        speech.say("셋", Language.KO, queue=True)
        assert out.speech.wait_idle(5)
        assert len(list(played.glob("*.done"))) == 2
    finally:
        out.close()


@needs_espeak
def test_speech_waits_for_the_cue_before_it(tmp_path):
    from kiosk.devices.sounds import CueSounds, cue_wav

    out, played = recording_out(tmp_path, paced=True)
    sounds = CueSounds(out)
    speech = EspeakSpeech(out)
    try:
        sounds.play("chime.staff")  # about 1 s
        speech.say("직원을 호출했습니다", Language.KO)
        assert out.speech.wait_idle(10) and out.cues.wait_idle(5)
        first, _second = sorted(played.glob("*.wav"))
        assert first.read_bytes() == cue_wav("chime.staff")  # the chime played first, whole
        assert [p.kind for p in out.played] == ["cue", "speech"]
    finally:
        out.close()


def test_recording_speech_keeps_text_language_and_order():
    speech = RecordingSpeech()
    speech.set_rate(200)
    speech.say("하나", Language.KO)
    speech.stop()
    speech.say("two", Language.EN, queue=True)
    assert speech.said == [
        Said("하나", Language.KO, rate=200),
        "stop",
        Said("two", Language.EN, queue=True, rate=200),
    ]


@needs_espeak
def test_wav_speech_writes_each_utterance(tmp_path):
    speech = WavSpeech(tmp_path)
    speech.say("대출하기", Language.KO)
    speech.say("Borrow", Language.EN)
    assert [p.name for p in speech.files] == ["001-ko.wav", "002-en.wav"]
    for path in speech.files:
        with wave.open(str(path)) as w:
            assert w.getnframes() / w.getframerate() > 0.3


@needs_espeak
def test_wav_speech_drops_a_busy_screen_replaced_within_its_delay(tmp_path):
    now = [0.0]
    speech = WavSpeech(tmp_path, clock=lambda: now[0])
    speech.say("잠시만 기다려 주세요", Language.KO, after_s=0.8)
    now[0] = 0.1
    speech.say("대출하기", Language.KO)  # the answer came at once: the wait is never heard
    speech.say("잠시만 기다려 주세요", Language.KO, after_s=0.8)
    now[0] = 5.0
    speech.say("영수증을 가져가세요", Language.KO)  # a slow answer: the wait was heard
    assert speech.texts == ["대출하기", "잠시만 기다려 주세요", "영수증을 가져가세요"]
    assert len(speech.utterances) == 4


def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


PACTL = """\
#!{python}
import sys, time
from pathlib import Path
here = Path(__file__).parent
port = (here / "port").read_text().strip()
if sys.argv[1:] == ["info"]:
    print("Server Name: PulseAudio (on PipeWire 0.3.65)\\n"
          "Default Sink: alsa_output.pci-0000_00_1f.3.analog-stereo")
elif sys.argv[1:] == ["list", "sinks"]:
    print("Sink #0\\n\\tState: RUNNING\\n\\tName: alsa_output.usb-headset.analog-stereo\\n"
          "\\tProperties:\\n\\t\\tdevice.form_factor = \\"headset\\"\\n\\tActive Port: analog-output\\n\\n"
          "Sink #1\\n\\tState: RUNNING\\n\\tName: alsa_output.pci-0000_00_1f.3.analog-stereo\\n"
          "\\tPorts:\\n\\t\\tanalog-output-speaker: Speakers (type: Speaker, priority: 10000)\\n"
          "\\t\\tanalog-output-headphones: Headphones (type: Headphones, priority: 9900)\\n"
          f"\\tActive Port: {{port}}")
elif sys.argv[1:] == ["subscribe"]:
    seen = 0
    while True:
        lines = (here / "events").read_text().splitlines()
        for line in lines[seen:]:
            print(line, flush=True)
        seen = len(lines)
        time.sleep(0.02)
"""


def test_the_earphone_is_seen_from_the_sound_servers_default_sink(tmp_path):
    import sys

    from kiosk.devices.audio import PulseSinks, earphone_in

    pactl = tmp_path / "pactl"
    pactl.write_text(PACTL.format(python=sys.executable))
    pactl.chmod(0o755)
    (tmp_path / "port").write_text("analog-output-speaker")
    (tmp_path / "events").write_text("")
    seen: list[bool] = []
    sinks = PulseSinks(pactl=str(pactl))
    sinks.start(seen.append)
    try:
        wait_for(lambda: seen == [False])
        (tmp_path / "port").write_text("analog-output-headphones")  # the jack senses a plug
        (tmp_path / "events").write_text("Event 'change' on sink #1\n")
        wait_for(lambda: seen == [False, True])
        (tmp_path / "port").write_text("analog-output-speaker")
        with open(tmp_path / "events", "a") as events:  # a clip playing is not a change of sink
            events.write("Event 'new' on sink-input #7\n")
        time.sleep(0.3)
        assert seen == [False, True]
        with open(tmp_path / "events", "a") as events:
            events.write("Event 'change' on card #0\n")
        wait_for(lambda: seen == [False, True, False])
    finally:
        sinks.stop()
    # A headset that is a sink of its own (USB, Bluetooth) counts when it is the default.
    listing = subprocess_out([str(pactl), "list", "sinks"])
    assert earphone_in(listing, "alsa_output.usb-headset.analog-stereo")
    assert not earphone_in(listing, "no.such.sink")


def test_without_pactl_no_earphone_is_reported_and_it_says_why(tmp_path, caplog):
    from kiosk.devices.audio import PulseSinks

    seen: list[bool] = []
    sinks = PulseSinks(pactl=str(tmp_path / "no-pactl"))
    with caplog.at_level(logging.WARNING, logger="kiosk.audio"):
        sinks.start(seen.append)
        wait_for(lambda: seen == [False])
        sinks.stop()
    assert "no earphone detection" in caplog.text


def subprocess_out(command: list[str]) -> str:
    import subprocess

    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@needs_espeak
def test_the_speech_bench_measures_a_caption():
    from bench import speech as bench

    figures = bench.synth_figures("대출하기", Language.KO, runs=1)
    assert figures["audio_s"] > 0.5 and 0 < figures["first_ms"] <= figures["total_ms"]
