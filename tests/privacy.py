"""Whether a patron's secret shows in a log or a transcript.

A PIN is a few digits, and the same digits turn up inside a SIP2 timestamp
("20261203    123441" holds "1234" at 12:34) or a counter. A secret made only of
digits counts as shown only where it stands alone: not inside a longer run of digits.
"""

from __future__ import annotations

import re


def standalone(value: str) -> re.Pattern[str]:
    """`value` where it stands alone: not inside a longer run of digits."""
    return re.compile(rf"(?<!\d){re.escape(value)}(?!\d)")


def shows(secret: str, text: str) -> bool:
    """True when `secret` can be read in `text`."""
    if not secret:
        raise ValueError("an empty secret is in every text")
    if secret.isdigit():
        return standalone(secret).search(text) is not None
    return secret in text
