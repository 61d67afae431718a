"""Labels seen in perspective: bars that fan out, read as profiles along each bar."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from kiosk.devices import camera, looks, preprocess
from kiosk.devices.barcodes import FrameMemory, _Candidate, _look_profile, _merge, read_frame
from kiosk.devices.camera import FrameVotes
from kiosk.devices.codes import Decoded
from simulators.camera import UNSEEN_2, VirtualCamera
from simulators.camera_render import label

LINEAR = ["Code128", "Code39", "EAN13", "Codabar"]


def _fanned(lean: float, change: float, width: int = 600, height: int = 160) -> np.ndarray:
    """Dark bars 3 px wide every 12 px on white, each through the middle row at its own lean:
    `lean` degrees at column 0, `change` more per column."""
    img = np.full((height, width), 230, np.uint8)
    for x in range(40, width - 40, 12):
        t = np.tan(np.radians(lean + change * x))
        top, bottom = x + (height / 2) * t, x - (height / 2) * t
        cv2.line(img, (round(top), 0), (round(bottom), height - 1), 30, 3, cv2.LINE_AA)
    return img


def test_bar_fan_measures_the_lean_and_how_it_changes_along_the_label() -> None:
    # Blurred as a camera blurs: the edges' direction is only an estimate (off by up to half
    # on thin bars; fan_profiles settles it), but its sign, the change's sign and the bars'
    # rows and columns are found.
    fan = preprocess.bar_fan(cv2.GaussianBlur(_fanned(-6.0, 0.025), (0, 0), 1.5))
    assert fan is not None
    assert 0.012 < fan.change < 0.05 and -12.0 < fan.lean < -3.0
    assert fan.left < 60 and fan.right > 540 and fan.top < 20 and fan.bottom > 140
    tilted = preprocess.bar_fan(cv2.GaussianBlur(_fanned(5.0, 0.0), (0, 0), 1.5))
    assert tilted is not None and 2.5 < tilted.lean < 10.0 and abs(tilted.change) < 0.003
    # Upright, parallel bars: no lean, no change.
    flat = preprocess.bar_fan(_fanned(0.0, 0.0))
    assert flat is not None and abs(flat.lean) < 1.5 and abs(flat.change) < 0.003


def test_nothing_to_fan_on_a_blank_or_tiny_picture() -> None:
    assert preprocess.bar_fan(np.full((100, 300), 128, np.uint8)) is None
    assert preprocess.bar_fan(np.zeros((10, 10), np.uint8)) is None
    assert preprocess.fan_profiles(np.full((100, 300), 128, np.uint8)) is None


def test_profiles_along_fanned_bars_keep_them_narrow() -> None:
    img = _fanned(-6.0, 0.025)
    halves = preprocess.fan_profiles(img)
    assert halves is not None
    top, bottom = halves
    # Straight down the columns the fanned bars smear into grey (but where they stand
    # upright); along each bar they stay 3 px dips to ~30 on white, in both halves.
    plain = img[20:140].astype(np.float64).mean(axis=0)
    for profile in (top, bottom):
        dips = (profile[60:540] < 100).mean()
        assert 0.15 < dips < 0.4, dips
        assert preprocess._bar_energy(profile) > 1.8 * preprocess._bar_energy(plain)


def test_profile_image_is_a_small_black_and_white_picture_twice_as_wide() -> None:
    profile = np.tile([200.0, 200.0, 40.0, 40.0], 50)
    for kind in preprocess.PROFILE_KINDS:
        image = preprocess.profile_image(profile, kind)
        assert image.dtype == np.uint8 and image.shape == (4, 2 * len(profile) + 80)
        assert image.min() == 0 and image.max() == 255
        assert (image == image[0]).all()  # every row the same line
    with pytest.raises(ValueError, match="unknown profile kind"):
        preprocess.profile_image(profile, "blurred")


def _sticker(text: str, symbology: str) -> np.ndarray:
    return cv2.cvtColor(label(text, symbology, np.random.default_rng(2)), cv2.COLOR_BGR2GRAY)


def test_a_reading_off_one_half_only_is_a_vote() -> None:
    # The upper half of the bars from one label, the lower half from another: each half
    # reads its own, and neither may stand on its own.
    a, b = _sticker("EM0000100001", "Code128"), _sticker("EM0000100002", "Code128")
    w = min(a.shape[1], b.shape[1])
    bars_a, bars_b = a[20 : 20 + 44 * 3 // 2, :w], b[20 + 44 * 3 // 2 :, :w]
    both = np.vstack([np.full((20, w), 255, np.uint8), bars_a, bars_b])
    box = (0.0, 0.0, float(w), float(both.shape[0]))
    read = _look_profile(both, 0.0, box, LINEAR, camera.rotate)
    assert {c.text for c in read} <= {"EM0000100001", "EM0000100002"}
    assert read and not any(c.trusted for c in read)
    # One label top to bottom: both halves agree, and the readings may stand.
    same = _look_profile(a, 0.0, (0.0, 0.0, float(a.shape[1]), float(a.shape[0])), LINEAR, camera.rotate)
    assert same and all(c.trusted and c.text == "EM0000100001" for c in same)


@pytest.mark.timeout(120)
def test_a_label_in_perspective_in_a_dim_noisy_frame_reads_through_its_profiles() -> None:
    # Second unseen conditions, a seed of its own: this Code 128 label at ~10 degrees with its
    # bars fanned out from 6 to 19 degrees, a glare spot on them and 1.9 px of blur. No other
    # look reads it; along each bar it reads, and never as anything else.
    cam = VirtualCamera(width=1280, height=720, fps=30, seed=31337, conditions=UNSEEN_2)
    cam.show("WQ0000555666", "Code128")
    frames = []
    for n in range(20):
        _, frame = cam.read()
        assert frame is not None
        if n >= 10:  # the second pose
            frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
        if n == 9:
            cam.show("WQ0000555666", "Code128")
    read = 0
    for gray in frames:
        found = read_frame(gray, rotate=camera.rotate)
        assert all(d.text == "WQ0000555666" for d in found), found
        read += bool(found)
    assert read >= 6


def test_the_memory_counts_frames_that_read_nothing_and_which_look_read_a_label() -> None:
    memory = FrameMemory()
    blank = np.full((720, 1280), 180, np.uint8)
    for missed in (1, 2):
        assert read_frame(blank, memory=memory, rotate=camera.rotate) == []
        assert memory.missed == missed and memory.regions == []
    sticker = camera.rotate(_sticker("EM0000100001", "Code128"), 30.0)
    frame = blank.copy()
    frame[100 : 100 + sticker.shape[0], 100 : 100 + sticker.shape[1]] = sticker
    assert [d.text for d in read_frame(frame, memory=memory, rotate=camera.rotate)] == ["EM0000100001"]
    assert memory.missed == 0
    (region,) = memory.regions
    assert region.read_by in ("image", "level-half", "profile", "rotated", "level")


def _vote(text: str, look: str = "profile", decoder: str = "zxing") -> _Candidate:
    return _Candidate("Code128", text, (100.0, 100.0, 500.0, 300.0), decoder, look, trusted=False)


def test_one_halfs_reading_goes_to_the_frame_votes_unless_anything_disputes_it() -> None:
    # One half of the profiles read it (both decoders, even): not sure, but posted once
    # another frame agrees.
    lone = [_vote("EM0000100001"), _vote("EM0000100001", decoder="zbar")]
    found, disputed = _merge(lone, strict=True)
    assert found == [Decoded("Code128", "EM0000100001")] and not found[0].sure and not disputed
    # A rival from the other half, or from any other look: nothing this frame.
    for rival in (_vote("EM0000100002"), _vote("EM0000100002", look="level-half")):
        found, disputed = _merge([*lone, rival], strict=True)
        assert found == [] and disputed
    # Votes of other looks (a few rows across a tilted label, a half-size zxing-cpp read)
    # misread the same way frame after frame: they never reach the frame votes alone.
    for look in ("image", "level-half"):
        assert _merge([_vote("EM0000100001", look=look)], strict=True) == ([], False)
        # With a profile's vote for the same and no rival, two looks agree: a vote.
        found, _ = _merge([_vote("EM0000100001", look=look), lone[0]], strict=True)
        assert found == [Decoded("Code128", "EM0000100001")] and not found[0].sure
    votes = FrameVotes()
    assert votes.update(found := _merge(lone, strict=True)[0]) == []
    assert votes.update(found) == found


@pytest.mark.timeout(120)
def test_a_label_one_half_reads_frame_after_frame_is_posted_through_the_votes() -> None:
    # Second unseen conditions, an EAN-13 label in perspective under glare: in most frames
    # only one half of its profiles reads it (4 of 10 frames posted when such readings went
    # nowhere). The frame votes post it once a second frame agrees; never anything else.
    cam = VirtualCamera(width=1280, height=720, fps=30, seed=606, conditions=UNSEEN_2)
    cam.show("9791162203620", "EAN13")
    votes, posted = FrameVotes(), 0
    for _ in range(10):
        _, frame = cam.read()
        assert frame is not None
        found = read_frame(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), rotate=camera.rotate)
        assert all(d.text == "9791162203620" for d in found), found
        posted += bool(votes.update(found))
    assert posted >= 6


def test_a_crisp_label_both_decoders_read_off_both_plain_halves_costs_two_pictures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[str] = []
    image = preprocess.profile_image

    def counted(profile: np.ndarray, kind: str, rows: int = 4) -> np.ndarray:
        made.append(kind)
        return image(profile, kind, rows)

    monkeypatch.setattr(preprocess, "profile_image", counted)
    a = _sticker("EM0000100001", "Code128")
    read = _look_profile(a, 0.0, (0.0, 0.0, float(a.shape[1]), float(a.shape[0])), LINEAR, camera.rotate)
    assert {(c.decoder, c.text, c.trusted) for c in read} == {
        ("zbar", "EM0000100001", True),
        ("zxing", "EM0000100001", True),
    }
    assert made == ["plain", "plain"]


def test_the_profile_looks_fixed_cost_does_not_price_a_large_label_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(looks, "COST_NS_PER_PX", dict(looks.COST_NS_PER_PX))
    # Learned on small regions: 5 ms each for 120x100 pixels, mostly the decoders' lines.
    for _ in range(20):
        looks.learn("profile", (0.0, 0.0, 120.0, 100.0), 0.005)
    # A 600x500 label costs about twice that, not 25 times: it fits 15 ms, not 5.
    large = (0.0, 0.0, 600.0, 500.0)
    now = time.perf_counter()
    assert looks.affordable("profile", large, now + 0.015)
    assert not looks.affordable("profile", large, now + 0.005)
    # Steps with no fixed part still scale with the region.
    for _ in range(20):
        looks.learn("level", (0.0, 0.0, 120.0, 100.0), 0.001)
    assert not looks.affordable("level", large, time.perf_counter() + 0.015)
