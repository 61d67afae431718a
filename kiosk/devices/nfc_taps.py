"""What the cards seen in each poll round mean: a new tap to read, two cards at once, a lift."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["read", "unreadable", "not_supported"]
# ("read", uid): read this card now; ("removed", None): a reported card left;
# ("two_cards", None): more than one card is on the reader.
Step = tuple[Literal["read", "removed", "two_cards"], bytes | None]


@dataclass
class _Presence:
    uid: bytes
    reported: bool = False  # a CardRead went out for it: its lift is a CardRemoved
    settled: bool = False  # nothing more to do until it leaves
    attempts: int = 0
    # A bounce (back within the hold-off): silent until then, a tap if still there after.
    quiet_until: float | None = None


class TapTracker:
    """One tap per card however long it stays, read attempts, hold-off and crowding.

    Fed the distinct UIDs each poll round found (worker thread only). A card is gone after
    `removal_misses` empty rounds in a row, so one lost frame is not a lift. A card whose read
    failed is tried again on the following rounds, `read_attempts` times in all. The same UID
    starting a tap less than `holdoff_s` after its reported tap ended is a bounce: silent
    while the hold-off lasts; still lying on the reader after it, it is a tap (a patron who
    lifted the card and laid it straight back, after a refusal say, is read, not ignored).
    """

    def __init__(
        self, holdoff_s: float, removal_misses: int, read_attempts: int, clock: Callable[[], float]
    ) -> None:
        if holdoff_s < 0 or removal_misses < 1 or read_attempts < 1:
            raise ValueError("holdoff_s >= 0, removal_misses >= 1 and read_attempts >= 1 required")
        self.holdoff_s = holdoff_s
        self.removal_misses = removal_misses
        self.read_attempts = read_attempts
        self._clock = clock
        self._present: _Presence | None = None
        self._crowded = False
        self._misses = 0
        self._last_uid: bytes | None = None
        self._last_ended = 0.0

    @property
    def steady(self) -> bool:
        """One card on the reader with nothing left to do: polling it alone is enough."""
        return self._present is not None and self._present.settled and not self._crowded

    @property
    def present(self) -> bytes | None:
        return self._present.uid if self._present else None

    def forget_holdoff(self) -> None:
        """A visit ended: the card that started it may start the next one at once."""
        self._last_uid = None

    def observe(self, uids: Sequence[bytes]) -> list[Step]:
        distinct = list(dict.fromkeys(uids))
        if not distinct:
            if self._present is None and not self._crowded:
                return []
            self._misses += 1
            return self.lost() if self._misses >= self.removal_misses else []
        self._misses = 0
        if len(distinct) > 1:
            if self._crowded:
                return []
            self._crowded = True
            return [("two_cards", None)]
        self._crowded = False
        uid = distinct[0]
        present = self._present
        if present is not None and present.uid == uid:
            if present.quiet_until is not None and self._clock() >= present.quiet_until:
                present.quiet_until, present.settled = None, False
            return [] if present.settled else [("read", uid)]
        steps = self.lost()
        bounce = uid == self._last_uid and self._clock() - self._last_ended < self.holdoff_s
        if bounce:
            self._present = _Presence(uid, settled=True, quiet_until=self._last_ended + self.holdoff_s)
            return steps
        self._present = _Presence(uid)
        return [*steps, ("read", uid)]

    def outcome(self, uid: bytes, outcome: Outcome) -> bool:
        """Record how reading `uid` went; True when the patron should hear of it (the first
        failure of a tap, not each retry; a successful read always)."""
        present = self._present
        if present is None or present.uid != uid or present.settled:
            return False
        present.attempts += 1
        if outcome == "read":
            present.reported = present.settled = True
            return True
        if outcome == "not_supported" or present.attempts >= self.read_attempts:
            present.settled = True
        return outcome == "not_supported" or present.attempts == 1

    def lost(self) -> list[Step]:
        """Every card has left (or the reader went away)."""
        present, self._present = self._present, None
        self._crowded, self._misses = False, 0
        if present is None or not present.reported:
            return []
        self._last_uid, self._last_ended = present.uid, self._clock()
        return [("removed", None)]
