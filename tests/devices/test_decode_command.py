"""`kiosk decode FILE... [--json]` on real images, a picture without a code, and a bad file."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.commands import decode as command

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path("/work/shared/data/barcodes/zxing-cpp-samples")
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared barcode samples absent")


def _run(files: list[str], as_json: bool, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    parser = argparse.ArgumentParser()
    command.register(parser)
    args = parser.parse_args([*files, *(["--json"] if as_json else [])])
    status = command.main(args)
    out = capsys.readouterr()
    return status, out.out.splitlines(), out.err


@pytest.fixture
def blank(tmp_path: Path) -> str:
    path = tmp_path / "counter.png"
    rng = np.random.default_rng(0)
    cv2.imwrite(str(path), rng.integers(90, 160, (240, 320), dtype=np.uint8))
    return str(path)


@needs_samples
def test_json_one_object_per_file(blank: str, capsys: pytest.CaptureFixture[str]) -> None:
    isbn = str(SAMPLES / "ean13-extension-1/2.webp")
    qr = str(SAMPLES / "qrcode-1/1.webp")
    status, lines, _ = _run([isbn, blank, qr], True, capsys)
    assert status == 0
    objs = [json.loads(line) for line in lines]
    assert [o["file"] for o in objs] == [isbn, blank, qr]
    assert objs[0]["results"] == [{"symbology": "EAN13", "text": "978088427178952495"}]
    assert objs[1]["results"] == []  # nothing read on a picture without a code
    assert [r["symbology"] for r in objs[2]["results"]] == ["QRCode"]
    assert all(set(o) == {"file", "results", "ms"} and o["ms"] >= 0 for o in objs)


@needs_samples
def test_plain_lines(blank: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, _ = _run([str(SAMPLES / "code39-3/01.webp"), blank], False, capsys)
    assert status == 0 and len(lines) == 2
    assert "Code39 '165627'" in lines[0]
    assert lines[1].startswith(blank) and "no code" in lines[1]


def test_unreadable_file_is_reported_and_the_rest_decoded(
    tmp_path: Path, blank: str, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    status, lines, err = _run([str(junk), blank], False, capsys)
    assert status == 2
    assert "junk.png" in err and "check the path" in err
    assert len(lines) == 1 and "no code" in lines[0]
    status, lines, _ = _run([str(junk)], True, capsys)
    assert status == 2 and json.loads(lines[0])["results"] == []


@needs_samples
@pytest.mark.timeout(60)
def test_as_a_subprocess(blank: str) -> None:
    files = [str(SAMPLES / "ean13-4/19.webp"), blank]
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "decode", "--json", *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert objs[0]["results"] == [{"symbology": "EAN13", "text": "9780441014989"}]
    assert objs[1]["results"] == []
