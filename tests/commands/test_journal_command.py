"""`kiosk journal`: staff see what is open and what the patron was not told (patron masked),
and export it as Koha's .koc and CSV."""

from __future__ import annotations

import datetime as dt

from kiosk.cli import main
from kiosk.ils.journal import Journal
from simulators.ils import seed

AT = dt.datetime(2026, 12, 2, 9, 0)


def test_status_and_export(tmp_path, capsys):
    path = tmp_path / "j.sqlite"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[library]\njournal = "{path}"\n', encoding="utf-8")
    j = Journal(path)
    unknown = j.begin("checkout", AT, seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    j.settle(unknown, "unknown", AT)
    untold = j.begin("checkin", AT, item_id=seed.DEMO_LOAN_ITEM, offline=True)
    j.settle(untold, "done", AT)
    told = j.begin("checkin", AT, item_id=seed.DEMO_ITEMS[1])
    j.settle(told, "done", AT)
    j.told(told)
    j.close()

    assert main(["journal", "--config", str(config), "status"]) == 2  # something is open
    out = capsys.readouterr().out
    assert "3 entries, 1 open, 1 untold" in out and seed.DEMO_ITEMS[0] in out and "(offline)" in out
    assert seed.DEMO_PATRON_ID not in out and "****E5F6" in out
    assert seed.DEMO_ITEMS[1] not in out  # told: nothing for staff

    assert main(["journal", "--config", str(config), "export", str(tmp_path / "out"), "--forget"]) == 0
    koc = (tmp_path / "out" / "journal.koc").read_text(encoding="utf-8").splitlines()
    assert koc[1:] == [
        f"2026-12-02 09:00:00 000\tissue\t{seed.DEMO_PATRON_ID}\t{seed.DEMO_ITEMS[0]}",
        f"2026-12-02 09:00:00 000\treturn\t{seed.DEMO_LOAN_ITEM}",
    ]
    assert main(["journal", "--config", str(config), "status"]) == 2
    assert "2 entries, 1 open, 0 untold" in capsys.readouterr().out  # the exported untold one dropped
