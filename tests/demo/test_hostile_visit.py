"""A scripted visit that shows the camera another patron's mobile card with its PIN, terminal
attacks, a 1,500-character line and a blank read, then signs in with a mobile card: through the
camera, the flow and the demo, nothing of it reaches the log, the transcript or the out folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.core.privacy import summary
from tests import hostile

ROOT = Path(__file__).resolve().parents[2]

PATRON = "04A1B2C3D4E5F6"  # the seeded demo patron, signing in with the mobile card
TERMINAL = hostile.TERMINAL
BIDI = hostile.BIDI + "EM0000100001"
LONG_LINE = hostile.LONG_LINE
OTHER_CARD, PIN, CARD_WITH_PIN = hostile.OTHER_CARD, hostile.PIN, hostile.CARD_WITH_PIN

# (text, symbology, why the camera refuses it), in the order the visit shows them
BY_TEXT = {entry[0]: entry for entry in hostile.HOSTILE}
HOSTILE = [BY_TEXT[text] for text in (CARD_WITH_PIN, TERMINAL, LONG_LINE, " ", BIDI)]
SECRETS = [PATRON, OTHER_CARD, PIN, "\x1b", "\x07", "\u202e", LONG_LINE[:40], "김민수"]


def _shown(text: str, symbology: str) -> list[str]:
    return [f"show_barcode '{text}' {symbology}", "wait 1.5", "remove_barcode", "wait 0.5"]


def script() -> str:
    lines = ["expect_screen idle"]
    for text, symbology, _ in HOSTILE[:2]:  # before anyone signed in
        lines += _shown(text, symbology)
    lines += [f"show_barcode CHAEKIEUM:{PATRON} QRCode", "expect_screen borrow", "remove_barcode"]
    for text, symbology, _ in HOSTILE[2:]:  # while borrowing
        lines += _shown(text, symbology)
    lines += [
        "show_barcode EM0000100001 Code128",
        "expect_line ok EM0000100001",
        "remove_barcode",
        "press finish",
        "expect_screen goodbye 60",
        "take_receipt 60",
        "press ok",
        "expect_screen idle",
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.timeout(300)
def test_hostile_codes_leave_no_trace(tmp_path: Path) -> None:
    visit = tmp_path / "hostile.visit"
    visit.write_text(script(), encoding="utf-8")
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    command = ["-m", "kiosk", "-v", "demo", "--headless", "--script", str(visit), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        capture_output=True,
        timeout=280,
        env=env,
    )
    log = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, done.stdout.decode() + log[-4000:]

    # The camera refused every hostile read (debug log, masked); the flow never saw one.
    for text, symbology, reason in HOSTILE:
        assert f"ignored a {symbology} read ({reason}): {summary(text)}" in log
    assert "member QRCode ****E5F6" in log and "step line" in log
    entries = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    reads = [(e["text"], e["symbology"]) for e in entries if e["type"] == "BarcodeRead"]
    assert reads == [("****E5F6", "QRCode"), ("EM0000100001", "Code128")]
    timers = {e["name"] for e in entries if e["type"] in ("StartTimer", "CancelTimer")}
    # Timer names are not identifiers: never masked ("countdown", not "c*******n").
    assert {"inactivity", "countdown"} <= timers and not any("*" in name for name in timers)

    # Nothing of the codes or the patron anywhere: output, log, every file the demo wrote.
    outputs = {"stdout": done.stdout, "stderr": done.stderr}
    outputs |= {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert "transcript.json" in outputs and "summary.json" in outputs and "receipt.png" in outputs
    for name, data in outputs.items():
        for secret in SECRETS:
            if secret in ("\x1b", "\x07") and name.endswith(".png"):
                continue  # single bytes occur in compressed pixels
            assert secret.encode() not in data, f"{secret[:20]!r} in {name}"
        if not name.endswith(".png"):
            text = data.decode("utf-8")
            assert max(map(len, text.splitlines()), default=0) < 600, f"a flood line in {name}"
