"""`kiosk receipt --sample`: the exact bytes, the rendered paper, the figures it prints."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from kiosk.commands import receipt as command
from kiosk.core.model import Language
from kiosk.core.receipt import layout
from kiosk.devices.escpos import PROFILES, encode_receipt

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[2]


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    command.register(parser)
    return command.main(parser.parse_args(list(argv)))


def test_sample_has_five_titles_a_return_and_a_refused_renewal() -> None:
    r = command.sample_receipt()
    assert len(r.borrowed) == 5
    assert any(t.title.isascii() for t in r.borrowed) and any(not t.title.isascii() for t in r.borrowed)
    assert len(r.returned) == 1
    assert [x.action for x in r.refused] == ["renewal"]


@pytest.mark.parametrize("profile", ["generic-80-ko", "raster-58"])
def test_writes_the_exact_bytes_and_the_paper(tmp_path: Path, profile: str, capsys) -> None:
    p = PROFILES[profile]
    assert run("--sample", "--profile", profile, "--out", str(tmp_path), "--baud", "9600") == 0
    data = (tmp_path / "receipt.bin").read_bytes()
    assert data == encode_receipt(layout(command.sample_receipt(), p.cells), p)
    out = capsys.readouterr().out
    assert f"receipt.bin: {len(data)} bytes" in out
    assert f"transfer at 9600 baud: {len(data) * 10 / 9600:.2f} s" in out
    with Image.open(tmp_path / "receipt.png") as img:
        assert img.width == p.dots
        assert [r.text for r in zxingcpp.read_barcodes(img)] == ["https://lib.seoul.go.kr/mylibrary"]
        ink_rows = (np.asarray(img.convert("L")) < 128).any(axis=1).sum()
    assert ink_rows > 700  # some forty lines of text and a QR code
    assert sorted(x.name for x in tmp_path.iterdir()) == ["receipt.bin", "receipt.png", "receipt.txt"]
    # The text the virtual printer read off the bytes (a raster profile prints Hangul as
    # pictures: only its Latin lines are text): on a text profile, the library's name first.
    printed = [line.strip() for line in (tmp_path / "receipt.txt").read_text(encoding="utf-8").splitlines()]
    assert any(printed)
    if not profile.startswith("raster"):
        assert next(line for line in printed if line) == command.sample_receipt().library_name


def test_english_sample(tmp_path: Path) -> None:
    assert run("--sample", "--language", "en", "--out", str(tmp_path)) == 0
    data = (tmp_path / "receipt.bin").read_bytes()
    assert b"Not renewed: 1" in data and b"more of 20 across Chaekieum" in data
    assert command.sample_receipt(Language.EN).language is Language.EN


def test_unknown_profile_is_exit_2(tmp_path: Path, capsys) -> None:
    assert run("--sample", "--profile", "tm-t88", "--out", str(tmp_path)) == 2
    assert "generic-80-ko" in capsys.readouterr().err


def test_as_a_user_runs_it(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "receipt",
            "--sample",
            "--profile",
            "generic-58-ko",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert done.returncode == 0, done.stderr
    assert "transfer at 19200 baud" in done.stdout and (tmp_path / "receipt.png").exists()
