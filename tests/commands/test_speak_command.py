"""`kiosk speak`: a shipped visit, run on the simulators with an earphone in, heard as WAVs: every
screen said in the visit's language, the cues between, the receipt read; loud and long enough
to be speech, and nothing typed ever in the words."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (setup.sh)"),
]
ROOT = Path(__file__).resolve().parents[2]


def speak(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "speak", "--out", str(tmp_path), *args],
        capture_output=True, text=True, timeout=150, env=env, cwd=ROOT,
    )  # fmt: skip


def heard(path: Path) -> tuple[float, float]:
    with wave.open(str(path)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float) / 32768
        return len(samples) / w.getframerate(), float(np.sqrt(np.mean(samples**2)))


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_first_borrow_is_heard_in_each_language(tmp_path, language):
    done = speak(tmp_path, "--language", language)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    lines = (tmp_path / "spoken.txt").read_text(encoding="utf-8").splitlines()
    said = [line.split("\t")[2] for line in lines]
    files = [line.split("\t")[0] for line in lines]
    assert all(f.endswith(f"-{language}.wav") for f in files)
    if language == "ko":
        assert said[0] == "음성 안내를 시작합니다." and said[1].startswith("책이음 무인 대출기.")
        assert any(s.startswith("채식주의자: 반납 예정일") for s in said)
        # The refusal of a book kept for another patron's reservation, on screen and on the receipt.
        assert any("다른 회원이 예약해 둔 책입니다. 책은 안내데스크에 주세요" in s for s in said)
        assert not any("다른 분이 대출 중인 책입니다" in s for s in said)
        receipt = next(s for s in said if s.startswith("영수증 내용입니다."))
        assert "대출 2권" in receipt and "대출 불가 1권" in receipt
    else:
        assert said[0] == "Voice guidance on." and said[1].startswith("Chaekieum Self-Checkout.")
        assert any(s.startswith("채식주의자: Due ") for s in said)
        assert any(s.startswith("Your receipt says.") for s in said)
    clips = sorted((tmp_path / "clips").glob("*.wav"))
    cues = [c.name.split("-", 1)[1] for c in clips if "beep" in c.name or "chime" in c.name]
    assert cues == ["beep.ok.wav", "beep.ok.wav", "beep.ok.wav", "beep.ok.wav", "beep.error.wav"]
    seconds, loudness = heard(tmp_path / f"visit-{language}.wav")
    assert seconds > 60 and loudness > 0.03
    for clip in clips:
        assert heard(clip)[0] > 0.2
