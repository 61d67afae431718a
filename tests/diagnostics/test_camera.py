"""The camera check on recorded frames through cv2.VideoCapture and on the running kiosk's virtual
camera: figures, the preview, a camera gone, a dark picture; codes shown masked only."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from kiosk import config
from kiosk.diagnostics import Live
from kiosk.diagnostics import camera as diag
from simulators.camera import VirtualCamera, write_frames
from simulators.camera_render import Conditions
from tests.hostile import HOSTILE, SECRETS
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def camera_file(settings_file: Callable[..., Path]) -> Callable[[str], Path]:
    return lambda source: settings_file(camera={"source": source})


def test_recorded_frames_give_size_rate_decode_sharpness_and_brightness(camera_file, frames, tmp_path):
    out = tmp_path / "preview" / "last.png"
    result = diag.check(config.load(camera_file(f"file:{frames}")), frames=40, preview_path=out)
    assert result.verdict == "ok", result.summary
    e = result.evidence
    # A gap, then each code for 4 frames and a gap after it.
    assert e["frame_size"] == "640x480" and e["frames_measured"] == 11
    assert 0 < e["decode_rate"] < 1 and e["fps_measured"] > 0
    assert e["sharpness"] >= diag.SHARPNESS_WARNING
    assert diag.BRIGHTNESS_RANGE[0] <= e["brightness"] <= diag.BRIGHTNESS_RANGE[1]
    assert e["preview"] == str(out)
    with Image.open(out) as img:
        assert img.format == "PNG" and img.size == (640, 480)


def test_a_camera_that_is_not_there_fails_with_what_to_check(camera_file):
    result = diag.check(config.load(camera_file("file:/nonexistent/%04d.png")))
    assert result.verdict == "failed" and "does not exist" in result.summary
    assert result.advice == (diag.ADVICE_CABLE,)


def test_codes_reach_the_technician_masked_or_summarised(camera_file, tmp_path):
    codes: list[str | tuple[str, str]] = [(text, symbology) for text, symbology, _ in HOSTILE[:6]]
    codes += [("CHAEKIEUM:04A1B2C3D4E5F6", "QRCode")]
    shown = []
    for n, code in enumerate(codes):
        folder = tmp_path / f"c{n}"
        folder.mkdir()
        pattern = write_frames(folder, [code], 2, gap=0, camera=VirtualCamera(width=640, height=480, seed=n))
        result = diag.check(config.load(camera_file(f"file:{pattern}")), preview_path=folder / "p.png")
        shown.append(json.dumps(result.as_dict(), ensure_ascii=False))
    said = "\n".join(shown)
    for secret in SECRETS:
        assert secret not in said
    assert "member ****E5F6" in said and "04A1B2C3D4E5F6" not in said


def test_the_simulator_is_not_opened_from_the_command_line():
    result = diag.check(config.load(None))
    assert result.verdict == "ok" and result.evidence["opened"] is False


def test_the_running_kiosks_camera_is_measured_without_opening_it(built, tmp_path):
    kiosk = built(config.load(None))
    live = Live.of(kiosk)
    kiosk.sims.camera.show("EM0000100001", "Code128")
    assert wait_for(lambda: any(n for _, n in live.camera.recent), 30)
    result = diag.check(kiosk.settings, live, frames=8, preview_path=tmp_path / "live.png")
    assert result.verdict == "ok", result.summary
    e = result.evidence
    assert e["frame_size"] == "960x540" and e["frames_measured"] >= 8 and e["fps_measured"] > 0
    assert e["decode_rate"] > 0 and e["source"] == "VirtualCamera"
    assert (tmp_path / "live.png").is_file()


def test_a_dark_picture_is_a_warning(built):
    kiosk = built(config.load(None))
    live = Live.of(kiosk)
    kiosk.sims.camera.set_conditions(Conditions(light=0.1))
    live.camera.recent.clear()
    result = diag.check(kiosk.settings, live, frames=4)
    assert result.verdict == "warning" and "too dark" in result.summary
    assert result.advice == (diag.ADVICE_DARK,)


def test_the_running_kiosks_camera_gone_fails(built):
    kiosk = built(config.load(None))
    live = Live.of(kiosk)
    kiosk.sims.camera.go_away()
    assert wait_for(lambda: live.camera.status is not None and not live.camera.status.ok, 30)
    result = diag.check(kiosk.settings, live)
    assert result.verdict == "failed" and "no frames for 5 reads" in result.summary
    assert result.advice == (diag.ADVICE_CABLE,)
