"""TapTracker: poll rounds to taps, lifts, bounces, read retries and two cards (pure, no reader)."""

from __future__ import annotations

import pytest

from kiosk.devices.nfc_taps import TapTracker

A, B = b"\x04\xa1\xb2\xc3", b"\xde\xad\xbe\xef"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def tracker(clock: Clock, attempts: int = 3) -> TapTracker:
    return TapTracker(holdoff_s=2.0, removal_misses=2, read_attempts=attempts, clock=clock)


def read_and_lifted(clock: Clock) -> TapTracker:
    """A tracker whose card A was read and lifted: its hold-off starts now."""
    taps = tracker(clock)
    taps.observe([A])
    taps.outcome(A, "read")
    assert taps.lost() == [("removed", None)]
    return taps


def test_a_held_card_is_read_once_and_removed_after_two_empty_rounds(clock) -> None:
    taps = tracker(clock)
    assert taps.observe([A]) == [("read", A)]
    assert taps.outcome(A, "read") is True
    assert [taps.observe([A]) for _ in range(5)] == [[]] * 5
    assert taps.steady
    assert taps.observe([]) == []  # one lost frame is not a lift
    assert taps.observe([A]) == []
    assert taps.observe([]) == [] and taps.observe([]) == [("removed", None)]
    assert taps.observe([]) == []


def test_bounce_within_holdoff_is_silent_and_reset_forgets_it(clock) -> None:
    taps = read_and_lifted(clock)
    clock.now += 1.0
    assert taps.observe([A]) == []  # bounce: not read, and its lift is not reported
    assert taps.lost() == []
    taps.forget_holdoff()
    assert taps.observe([A]) == [("read", A)]


def test_a_bounced_card_still_lying_there_when_the_holdoff_ends_is_a_tap(clock) -> None:
    taps = read_and_lifted(clock)
    clock.now += 0.2  # laid straight back (a refusal read, say): silent while the hold-off lasts
    assert [taps.observe([A]) for _ in range(3)] == [[]] * 3
    clock.now += 1.7
    assert taps.observe([A]) == []
    clock.now += 0.2  # 2.1 s after the lift, still there: a tap
    assert taps.observe([A]) == [("read", A)]
    assert taps.outcome(A, "read") is True
    assert taps.observe([A]) == []
    assert taps.lost() == [("removed", None)]


def test_a_bounce_gone_before_the_holdoff_ends_is_never_read(clock) -> None:
    taps = read_and_lifted(clock)
    clock.now += 0.5
    assert taps.observe([A]) == []
    assert taps.observe([]) == [] and taps.observe([]) == []  # its lift is not reported
    clock.now += 5.0
    assert taps.observe([]) == []


def test_a_failed_read_is_told_once_and_retried_a_bounded_number_of_times(clock) -> None:
    taps = tracker(clock, attempts=3)
    assert taps.observe([A]) == [("read", A)]
    assert taps.outcome(A, "unreadable") is True
    assert taps.observe([A]) == [("read", A)]
    assert taps.outcome(A, "unreadable") is False
    assert taps.observe([A]) == [("read", A)]
    assert taps.outcome(A, "unreadable") is False
    assert taps.observe([A]) == []  # three attempts: settled until it leaves
    assert taps.lost() == []  # never reported: no CardRemoved
    assert taps.observe([A]) == [("read", A)]  # a new tap starts over (it was never reported)


def test_a_retry_that_succeeds_is_reported(clock) -> None:
    taps = tracker(clock)
    taps.observe([A])
    taps.outcome(A, "unreadable")
    taps.observe([A])
    assert taps.outcome(A, "read") is True
    assert taps.lost() == [("removed", None)]


def test_not_supported_is_told_once(clock) -> None:
    taps = tracker(clock)
    taps.observe([A])
    assert taps.outcome(A, "not_supported") is True
    assert taps.observe([A]) == []


def test_two_cards_once_then_the_one_left_is_read(clock) -> None:
    taps = tracker(clock)
    assert taps.observe([A, B]) == [("two_cards", None)]
    assert taps.observe([B, A]) == []
    assert not taps.steady
    assert taps.observe([B]) == [("read", B)]


def test_a_second_card_beside_a_reported_one_does_not_end_the_tap(clock) -> None:
    taps = tracker(clock)
    taps.observe([A])
    taps.outcome(A, "read")
    assert taps.observe([A, B]) == [("two_cards", None)]
    assert taps.observe([A]) == []  # the extra card left: the same tap goes on
    assert taps.observe([]) == [] and taps.observe([]) == [("removed", None)]


def test_swapping_cards_between_rounds_is_a_lift_and_a_new_tap(clock) -> None:
    taps = tracker(clock)
    taps.observe([A])
    taps.outcome(A, "read")
    assert taps.observe([B]) == [("removed", None), ("read", B)]


def test_outcome_for_a_card_no_longer_there_is_ignored(clock) -> None:
    taps = tracker(clock)
    taps.observe([A])
    taps.lost()
    assert taps.outcome(A, "read") is False


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        TapTracker(-1, 2, 3, Clock())
    with pytest.raises(ValueError):
        TapTracker(1, 0, 3, Clock())
    with pytest.raises(ValueError):
        TapTracker(1, 2, 0, Clock())
