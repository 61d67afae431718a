"""The virtual camera: deterministic rendered frames that the real decoder reads."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.devices.barcodes import Decoded, classify, decode, member_identifier, member_qr_text
from kiosk.devices.camera import decode_frame
from simulators.camera import HARD, Conditions, VirtualCamera, seed_codes, write_frames, write_video


def _frames(cam: VirtualCamera, n: int) -> list[np.ndarray]:
    out = []
    for _ in range(n):
        ok, frame = cam.read()
        assert ok and frame is not None
        out.append(frame)
    return out


def test_frames_are_bgr_of_the_asked_size() -> None:
    (frame,) = _frames(VirtualCamera(width=1280, height=720), 1)
    assert frame.shape == (720, 1280, 3) and frame.dtype == np.uint8


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    def run(seed: int) -> list[np.ndarray]:
        cam = VirtualCamera(width=320, height=240, seed=seed)
        frames = _frames(cam, 2)
        cam.show("EM0000100001")
        return frames + _frames(cam, 2)

    a, b, c = run(7), run(7), run(8)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[2], a[3])  # hand shake and noise change every frame


@pytest.mark.timeout(60)
@pytest.mark.parametrize("symbology", ["Code128", "Code39"])
def test_registration_numbers_decode_as_items(symbology: str) -> None:
    cam = VirtualCamera(width=1280, height=720, seed=11)
    for number in ("EM0000100001", "EM0000100002", "JA0012345678"):
        cam.show(number, symbology)
        assert cam.showing == number
        for frame in _frames(cam, 2):
            found = decode(frame)
            assert found == [Decoded(symbology, number)]
            assert classify(found[0]) == "item"
    cam.remove()
    assert cam.showing is None
    assert decode(_frames(cam, 1)[0]) == []


def test_mobile_card_qr_decodes_as_member() -> None:
    cam = VirtualCamera(width=1280, height=720, seed=2)
    cam.show(member_qr_text("29123456781234"), "QRCode")
    (found,) = decode(_frames(cam, 1)[0])
    assert classify(found) == "member"
    assert member_identifier(found.text) == "29123456781234"


def test_isbn_with_korean_add_on_renders_and_decodes() -> None:
    cam = VirtualCamera(width=1280, height=720, seed=4)
    cam.show("978893643412012345", "EAN13")
    (found,) = decode(_frames(cam, 1)[0])
    assert found == Decoded("EAN13", "978893643412012345")
    assert classify(found) == "isbn"


def test_bad_codes_are_refused_clearly() -> None:
    cam = VirtualCamera(width=320, height=240)
    with pytest.raises(ValueError, match="EAN13"):
        cam.show("not digits", "EAN13")
    with pytest.raises(ValueError, match="unknown symbology"):
        cam.show("EM0000100001", "Aztec")
    with pytest.raises(ValueError):
        VirtualCamera(width=10, height=10)


def test_clock_is_frame_time_and_release_ends_reading() -> None:
    cam = VirtualCamera(width=320, height=240, fps=10)
    _frames(cam, 5)
    assert cam.clock() == pytest.approx(0.5)
    cam.release()
    assert cam.read() == (False, None)


@pytest.mark.timeout(60)
def test_written_frames_read_back_with_opencv(tmp_path: Path) -> None:
    codes: list[str | tuple[str, str]] = ["EM0000100001", ("EM0000100002", "Code39")]
    pattern = write_frames(tmp_path / "frames", codes, n_per_code=3, gap=2)
    assert pattern == str(tmp_path / "frames" / "%04d.png")
    cap = cv2.VideoCapture(pattern)
    seen: list[list[Decoded]] = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        seen.append(decode(frame))
    cap.release()
    code128, code39 = [Decoded("Code128", "EM0000100001")], [Decoded("Code39", "EM0000100002")]
    assert seen == [[]] * 2 + [code128] * 3 + [[]] * 2 + [code39] * 3 + [[]] * 2


@pytest.mark.timeout(60)
def test_seed_data_codes_decode_as_what_they_are() -> None:
    cam = VirtualCamera(width=1280, height=720, seed=21)
    kinds = {"Code128": "item", "Code39": "item", "EAN13": "isbn", "QRCode": "member"}
    for text, symbology in seed_codes():
        cam.show(text, symbology)
        found = decode(_frames(cam, 1)[0])
        assert found == [Decoded(symbology, text)], text
        assert classify(found[0]) == kinds[symbology]


@pytest.mark.timeout(60)
def test_hard_conditions_read_in_some_frames_and_never_wrongly() -> None:
    # Tilted up to 35 degrees, glare, dim, defocused, noisy: not every frame reads, which is
    # why each frame gets a different image step; none may read wrong.
    cam = VirtualCamera(width=1280, height=720, seed=5, conditions=HARD)
    read = 0
    for n, (text, symbology) in enumerate(seed_codes()[::2] * 2):
        cam.show(text, symbology)
        for frame in _frames(cam, 4):
            found = decode_frame(frame, number=n)
            assert all(d.text == text for d in found), (text, found)
            read += bool(found)
    assert read >= 10


def test_conditions_change_the_picture_and_are_checked() -> None:
    mild, dark = VirtualCamera(width=320, height=240, seed=1), VirtualCamera(width=320, height=240, seed=1)
    dark.set_conditions(Conditions(light=0.3))
    mild.show("EM0000100001")
    dark.show("EM0000100001")
    assert _frames(dark, 1)[0].mean() < 0.5 * _frames(mild, 1)[0].mean()
    with pytest.raises(ValueError):
        Conditions(light=5.0)


@pytest.mark.timeout(60)
def test_video_file_reads_back_with_opencv(tmp_path: Path) -> None:
    path = write_video(tmp_path / "v.avi", [("9788901047294", "EAN13")], n_per_code=3, gap=2)
    cap = cv2.VideoCapture(path)
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(15)
    seen = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        seen.append(decode(frame))
    cap.release()
    assert seen == [[]] * 2 + [[Decoded("EAN13", "9788901047294")]] * 3 + [[]] * 2
