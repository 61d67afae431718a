"""`kiosk diag camera` and the screen's check print only masked or summarised codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kiosk.config import validate
from kiosk.core.privacy import summary
from kiosk.diagnostics import camera as diag
from simulators.camera import VirtualCamera, write_frames
from tests.hostile import HOSTILE as ALL_HOSTILE
from tests.hostile import SECRETS

pytestmark = pytest.mark.timeout(120)

# The corpus without the blank read (a diagnostics run reports what it saw, frame by frame).
HOSTILE = [entry for entry in ALL_HOSTILE if entry[2] != "blank"]


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The virtual camera showing each hostile code, then a book and a mobile card."""
    codes: list[str | tuple[str, str]] = [(text, symbology) for text, symbology, _ in HOSTILE]
    codes += ["EM0000100001", ("CHAEKIEUM:04A1B2C3D4E5F6", "QRCode")]
    camera = VirtualCamera(width=960, height=540, fps=15, seed=7)
    return write_frames(tmp_path_factory.mktemp("frames"), codes, n_per_code=3, gap=1, camera=camera)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    diag.register(parser)
    return diag.main(parser.parse_args(list(argv)))


def assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret[:20]!r} reached the output"


def test_printed_codes_are_masked_or_summarised(frames: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--source", f"file:{frames}", "--seconds", "20") == 0
    out = capsys.readouterr().out
    assert_no_secrets(out)
    assert max(len(line) for line in out.splitlines()) < 200
    assert "item    Code128  EM0000100001  in 3 frames" in out
    assert "member  QRCode   ****E5F6  in 3 frames" in out
    for text, symbology, reason in HOSTILE:
        assert f"refused {symbology:8} ({reason}) <{summary(text)}>  in 3 frames" in out


def test_json_report_is_masked_or_summarised(frames: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--source", f"file:{frames}", "--seconds", "20", "--json") == 0
    out = capsys.readouterr().out
    assert_no_secrets(out)
    report = json.loads(out)
    assert report["codes"] == [
        {"kind": "item", "symbology": "Code128", "text": "EM0000100001", "frames": 3},
        {"kind": "member", "symbology": "QRCode", "text": "****E5F6", "frames": 3},
    ]
    assert report["refused"] == [
        {"reason": reason, "symbology": symbology, "text": summary(text), "frames": 3}
        for text, symbology, reason in HOSTILE
    ]


def test_screen_check_details_are_masked_or_summarised(frames: Path) -> None:
    check = diag.check(validate({"camera": {"source": f"file:{frames}"}}, "<test>"))
    assert check.ok
    shown = check.summary + json.dumps(check.details, ensure_ascii=False)
    assert_no_secrets(shown)
    assert {c["reason"] for c in check.details["refused"]} <= {"pattern", "control"}
