"""The camera frame path: levelled labels, the strict cross-check, frame votes, no misreads."""

from __future__ import annotations

import time
from dataclasses import replace

import cv2
import numpy as np
import pytest

from kiosk.devices import barcodes, camera, looks, preprocess
from kiosk.devices.barcodes import Decoded, FrameMemory, _Candidate, _merge, _region_settled, read_frame
from kiosk.devices.camera import FrameVotes
from simulators.camera import HARD, UNSEEN, VirtualCamera, seed_codes
from simulators.camera_render import label


def _frame_with(text: str, symbology: str, degrees: float) -> np.ndarray:
    sticker = cv2.cvtColor(label(text, symbology, np.random.default_rng(1)), cv2.COLOR_BGR2GRAY)
    turned = preprocess.rotate(sticker, degrees)
    frame = np.full((720, 1280), 200, np.uint8)
    h, w = turned.shape
    assert h <= 700 and w <= 1260, "the label must fit the frame"
    frame[10 : 10 + h, 10 : 10 + w] = turned
    return frame


@pytest.mark.parametrize("degrees", [0, -20, 30, 45, 60, 80, 90])
@pytest.mark.parametrize(("text", "symbology"), [("EM0000100001", "Code128"), ("9788901047294", "EAN13")])
def test_labels_at_any_angle_are_levelled_and_read(text: str, symbology: str, degrees: float) -> None:
    # zxing-cpp looks at the whole frame without turning it: a label on its side is read
    # from its levelled region.
    assert read_frame(_frame_with(text, symbology, degrees)) == [Decoded(symbology, text)]


def test_the_whole_frame_is_read_for_qr_codes_only_and_an_upright_label_in_its_region(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # zxing-cpp's four linear readers cost three times its QR reader on a whole frame and
    # read almost nothing there on a hard one: the label is read from its region.
    asked: list[tuple[tuple[int, ...], list[str]]] = []
    zxing = barcodes._zxing

    def recording(view: looks.View, names: list[str], *args: object, **kwargs: object) -> list:
        asked.append((view.image.shape, list(names)))
        return zxing(view, names, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(barcodes, "_zxing", recording)
    frame = _frame_with("EM0000100001", "Code128", 0)
    assert read_frame(frame, deadline=time.perf_counter() + 1.0) == [Decoded("Code128", "EM0000100001")]
    assert [names for shape, names in asked if shape == frame.shape] == [["QRCode"]]
    asked.clear()
    # Without QR codes among the formats the whole frame is not read at all.
    assert read_frame(frame, {"Code128"}) == [Decoded("Code128", "EM0000100001")]
    assert asked and all(shape != frame.shape for shape, _ in asked)


def test_a_frame_past_its_deadline_still_gives_its_first_region_a_look() -> None:
    frame = _frame_with("EM0000100001", "Code128", 0)
    assert read_frame(frame, deadline=0.0) == [Decoded("Code128", "EM0000100001")]
    # A tilted label needs its region levelled: a late frame still gives the largest linear
    # region its first look, and only that.
    assert read_frame(_frame_with("EM0000100001", "Code128", 30), deadline=0.0) == [
        Decoded("Code128", "EM0000100001")
    ]


def test_only_the_requested_symbologies_are_read_from_a_frame() -> None:
    assert read_frame(_frame_with("EM0000100001", "Code128", 30), {"EAN13", "QRCode"}) == []


def test_a_half_size_zxing_misread_is_outvoted_by_the_full_size_look() -> None:
    # zxing-cpp read "Ee0030100002" (a valid Code 128) off the half-size view of this label.
    frame = _frame_with("EM0000100001", "Code128", -20)
    assert read_frame(frame) == [Decoded("Code128", "EM0000100001")]


def test_a_thin_zxing_reading_with_any_rival_is_no_read_on_a_camera_frame() -> None:
    # Seen on a hard virtual-camera frame: zxing-cpp read an EAN-13 with a valid check digit
    # off a few rows of a tilted label, frame after frame; pyzbar, from two scan lines of
    # the levelled label, read the right number. Still images let the lone trusted reading
    # stand; camera frames settle nothing and wait for a better frame.
    cands = [
        _Candidate("EAN13", "1708907205670", (195.0, 312.0, 621.0, 318.0), "zxing", trusted=False),
        _Candidate("EAN13", "9788901205670", (168.0, 72.0, 1224.0, 480.0), "zbar", "level", trusted=False),
    ]
    assert _merge(cands, strict=True) == ([], True)
    trusted_zxing = [
        _Candidate("EAN13", "1708907205670", (195.0, 312.0, 621.0, 400.0), "zxing"),
        cands[1],
    ]
    assert _merge(trusted_zxing, strict=True) == ([], True)
    assert _merge(trusted_zxing)[0] == [Decoded("EAN13", "1708907205670")]


@pytest.mark.timeout(120)
def test_the_frames_that_misread_once_now_read_right_or_not_at_all() -> None:
    cam = VirtualCamera(width=1280, height=720, fps=30, seed=11, conditions=HARD)
    text = "978890120567003810"
    for n in range(20):  # the second pose (frames 10-19) misread in frames 12, 14 and 15
        if n % 10 == 0:
            cam.show(text, "EAN13")
        _, frame = cam.read()
        assert frame is not None
        if n >= 10:
            found = read_frame(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
            assert all(text.startswith(d.text) for d in found), found


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("conditions", "seed"), [(HARD, 5), (UNSEEN, 9)])
def test_hard_frames_read_often_and_never_wrongly(conditions: object, seed: int) -> None:
    cam = VirtualCamera(width=1280, height=720, seed=seed, conditions=conditions)  # type: ignore[arg-type]
    read = frames = 0
    for text, symbology in seed_codes():
        cam.show(text, symbology)
        for _ in range(2):
            _, frame = cam.read()
            assert frame is not None
            found = read_frame(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
            assert all(text.startswith(d.text) for d in found), (text, found)
            read += bool(found)
            frames += 1
    assert read >= frames // 2


def test_frame_votes_hold_an_unsure_reading_until_another_frame_agrees() -> None:
    votes = FrameVotes(window=2)
    sure, unsure = Decoded("QRCode", "CHAEKIEUM:1234"), Decoded("Code39", "EM0000100004", sure=False)
    assert votes.update([sure, unsure]) == [sure]
    assert votes.update([unsure]) == [unsure]  # the frame before agrees
    assert votes.update([]) == []
    assert votes.update([]) == []
    assert votes.update([unsure]) == []  # two empty frames since: starts over
    other = Decoded("Code39", "EM0000100007", sure=False)
    assert votes.update([other]) == []  # a different reading is no vote for it


def test_sure_is_not_part_of_what_a_code_is() -> None:
    assert Decoded("EAN13", "9788901047294", sure=False) == Decoded("EAN13", "9788901047294")
    assert len({Decoded("EAN13", "9788901047294", sure=False), Decoded("EAN13", "9788901047294")}) == 1


def test_half_averages_two_by_two_blocks() -> None:
    gray = np.array([[0, 4, 8, 8, 1], [4, 8, 8, 8, 1], [9, 9, 9, 9, 9]], np.uint8)
    assert preprocess.half(gray).tolist() == [[4, 8]]


def _two_labels(first: tuple[str, str, float], second: tuple[str, str, float] | None) -> np.ndarray:
    frame = np.full((720, 1280), 200, np.uint8)
    for shown, x in zip([first, second], (10, 660), strict=True):
        if shown is None:
            continue
        text, symbology, degrees = shown
        sticker = cv2.cvtColor(label(text, symbology, np.random.default_rng(1)), cv2.COLOR_BGR2GRAY)
        turned = preprocess.rotate(sticker, degrees)
        h, w = turned.shape
        frame[10 : 10 + h, x : x + min(w, 610)] = turned[:, :610]
    return frame


def test_the_memory_looks_where_the_last_frame_read_and_still_finds_a_second_code() -> None:
    memory = FrameMemory(search_every=3)
    item = ("EM0000100001", "Code128", 30.0)
    one = _two_labels(item, None)
    assert read_frame(one, memory=memory) == [Decoded("Code128", "EM0000100001")]
    assert len(memory.regions) == 1
    # The label read again where it was: the frame is not searched further, so an ISBN
    # shown beside it waits for the next searched frame (every third).
    both = _two_labels(item, ("9788901047294", "EAN13", 0.0))
    seen = [read_frame(both, memory=memory) for _ in range(3)]
    assert seen[0] == [Decoded("Code128", "EM0000100001")]
    assert any(Decoded("EAN13", "9788901047294") in found for found in seen)
    assert all(Decoded("Code128", "EM0000100001") in found for found in seen)


def test_a_remembered_region_whose_label_turned_is_searched_afresh() -> None:
    memory = FrameMemory()
    assert read_frame(_two_labels(("EM0000100001", "Code128", 30.0), None), memory=memory)
    # A new pose: another angle, where the region search finds it.
    turned = _two_labels(("EM0000100001", "Code128", -20.0), None)
    assert read_frame(turned, memory=memory) == [Decoded("Code128", "EM0000100001")]
    assert read_frame(np.full((720, 1280), 200, np.uint8), memory=memory) == []
    assert memory.regions == []


def test_a_remembered_label_that_moved_gets_only_the_look_that_read_it_then_the_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def shown_at(x: int, y: int) -> np.ndarray:
        frame = np.full((720, 1280), 200, np.uint8)
        sticker = cv2.cvtColor(label("EM0000100001", "Code128", np.random.default_rng(1)), cv2.COLOR_BGR2GRAY)
        turned = preprocess.rotate(sticker, 30.0)
        frame[y : y + turned.shape[0], x : x + turned.shape[1]] = turned
        return frame

    memory = FrameMemory()
    assert read_frame(shown_at(10, 10), memory=memory, rotate=camera.rotate) == [
        Decoded("Code128", "EM0000100001")
    ]
    assert [r.read_by for r in memory.regions] == ["level-half"]
    looked: list[str] = []
    zbar = barcodes._zbar

    def recording(view: looks.View, *args: object, **kwargs: object) -> list:
        looked.append(view.look)
        return zbar(view, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(barcodes, "_zbar", recording)
    # The book moved a few centimetres: the remembered region still holds bars at the same
    # angle, but the half-size look that read it finds nothing there; the other looks would
    # cost most of a frame for nothing. The search reads it where it is now.
    moved = shown_at(210, 60)
    deadline = time.perf_counter() + 1.0
    assert read_frame(moved, memory=memory, deadline=deadline, rotate=camera.rotate) == [
        Decoded("Code128", "EM0000100001")
    ]
    assert looked == ["level-half", "level-half"]


def test_a_frame_out_of_time_after_its_remembered_regions_leaves_the_search_to_the_next() -> None:
    memory = FrameMemory()
    shown = _two_labels(("EM0000100001", "Code128", 30.0), None)
    assert read_frame(shown, memory=memory)
    (was,) = memory.regions
    # The label shakes out of focus (its bars still stand out, but nothing reads them) and
    # the patron shows a QR code beside it.
    frame = cv2.GaussianBlur(shown, (0, 0), 2.0)
    code = cv2.cvtColor(label("CHAEKIEUM:A1B2-C3D4", "QRCode", np.random.default_rng(1)), cv2.COLOR_BGR2GRAY)
    frame[360 : 360 + code.shape[0], 1270 - code.shape[1] : 1270] = code
    assert looks.crop(frame, was.box)[:, -5:].min() > 150  # the code is not where the label was
    # The remembered region's looks took the frame's time: the whole frame is not read (it
    # would make the frame late). The label still shows its bars: it is remembered as one
    # to read, profiles first.
    assert read_frame(frame, memory=memory, deadline=0.0) == []
    assert memory.missed == 1 and [r.read_by for r in memory.regions] == ["profile"]
    # Every third frame is searched whatever is remembered: the code is read, late as well.
    assert (memory.frames + 1) % memory.search_every == 0
    assert read_frame(frame, memory=memory, deadline=0.0) == [Decoded("QRCode", "CHAEKIEUM:A1B2-C3D4")]
    # With time left, a frame reads the whole frame after the remembered region.
    memory = FrameMemory(regions=[was], frames=1)
    assert read_frame(frame, memory=memory) == [Decoded("QRCode", "CHAEKIEUM:A1B2-C3D4")]
    assert memory.regions and memory.missed == 0


def test_shear_level_turns_a_tilted_line_into_a_row_and_fills_with_white() -> None:
    gray = np.zeros((40, 60), np.uint8)
    sheared = preprocess.shear_level(gray, 20.0)
    shift = round(59 * np.tan(np.radians(20.0)))
    assert sheared.shape == (40 + shift, 60)
    # Column 0 is not moved, the last column by `shift` rows; white above and below.
    assert (sheared[:40, 0] == 0).all() and (sheared[40:, 0] == 255).all()
    assert (sheared[:shift, -1] == 255).all() and (sheared[shift:, -1] == 0).all()


@pytest.mark.timeout(120)
def test_a_slanted_code39_label_reads_only_truly_rotated() -> None:
    # Hard scene, seed 7: the first pose of this Code 39 label (20 degrees, its bars fanned
    # out, glare on them) never read sheared; turned upright with OpenCV pyzbar reads it.
    cam = VirtualCamera(width=1280, height=720, fps=30, seed=7, conditions=HARD)
    cam.show("EM0000100004", "Code39")
    sheared = rotated = 0
    for _ in range(4):
        _, frame = cam.read()
        assert frame is not None
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        plain, turned = read_frame(gray), read_frame(gray, rotate=camera.rotate)
        assert all(d.text == "EM0000100004" for d in plain + turned), (plain, turned)
        sheared += bool(plain)
        rotated += bool(turned)
    assert sheared == 0 and rotated >= 2


def test_rotate_grows_the_canvas_to_fit_and_fills_with_white() -> None:
    gray = np.zeros((20, 40), np.uint8)
    turned = camera.rotate(gray, 90)
    assert abs(turned.shape[0] - 40) <= 1 and abs(turned.shape[1] - 20) <= 1
    assert camera.rotate(gray, 45)[0, 0] == 255


def test_a_region_both_decoders_agree_on_needs_no_full_size_look() -> None:
    box = (100.0, 100.0, 500.0, 300.0)
    half_zxing = _Candidate("Code128", "EM0000100001", box, "zxing", "level-half", trusted=False)
    zbar = _Candidate("Code128", "EM0000100001", box, "zbar", "level-half")
    assert _region_settled([half_zxing, zbar])
    # A rival, pyzbar alone or pyzbar from too few scan lines: the full-size look is taken.
    rival = _Candidate("Code128", "Ee0030100002", box, "zxing", "level-half", trusted=False)
    assert not _region_settled([rival, zbar])
    assert not _region_settled([zbar])
    assert not _region_settled([half_zxing, replace(zbar, trusted=False)])
