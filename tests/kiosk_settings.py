"""Settings for a whole kiosk in a test: the embedded library on any free port with its records
in the test's directory, receipts where the test can see them, an unpaced printer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk import config


def kiosk_settings(tmp_path: Path, base: config.Settings | None = None, sections: tuple[str, ...] = (),
                   **library: Any) -> config.Settings:  # fmt: skip
    """`base`'s `sections` kept as they are (the defaults otherwise); `library` keys added."""
    s = base or config.defaults()
    lib = dict(s.library.as_dict(), port=0, db=str(tmp_path / "ils.sqlite"), **library)
    printer = dict(s.printer.as_dict(), sim_out=str(tmp_path / "receipts"), sim_baud=0)
    data = {name: getattr(s, name).as_dict() for name in sections}
    return config.validate({**data, "library": lib, "printer": printer}, "<test>")
