"""The host check: disk space, the clock against the library's (a server on the real clock and one
days behind), the Korean font; and the verdict model every check shares."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from kiosk import config
from kiosk.diagnostics import Check, Live, exit_code, run_checks, worst
from kiosk.diagnostics import host as diag
from simulators.ils.server import start_server
from tests.diagnostics.conftest import PASSWORD, library_keys

pytestmark = pytest.mark.timeout(60)
GIB, MIB = diag.GIB, diag.MIB


@pytest.mark.parametrize(
    ("free", "total", "verdict"),
    [
        (50 * GIB, 100 * GIB, "ok"),
        (5 * GIB, 100 * GIB, "warning"),  # under 10 %
        (900 * MIB, 4 * GIB, "warning"),  # under 1 GiB
        (99 * MIB, 1 * GIB, "failed"),
    ],
)
def test_disk_thresholds(free, total, verdict):
    assert diag.disk_verdict(free, total) == verdict


@pytest.mark.parametrize(("skew", "verdict"), [(0, "ok"), (-59, "ok"), (61, "warning"), (-301, "failed")])
def test_clock_thresholds(skew, verdict):
    assert diag.skew_verdict(skew) == verdict


def test_library_time_reads_the_98_field():
    local = diag.library_time("20260302    120000")
    assert local == dt.datetime(2026, 3, 2, 12).astimezone()
    assert diag.library_time("20260302   Z120000") == dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    assert diag.library_time("2026030?    120000") is None


def test_a_healthy_host(settings_file, sip2, tmp_path):
    journal = tmp_path / "data" / "journal.sqlite"
    result = diag.check(config.load(settings_file(library=library_keys(sip2, journal=str(journal)))))
    assert result.verdict == "ok", result.summary
    e = result.evidence
    assert abs(e["clock_skew_s"]) <= diag.SKEW_WARNING_S
    assert e["disks"][0]["for"] == ["journal"] and e["disks"][0]["free_bytes"] > 0
    assert e["font"]["family"] == "Noto Sans CJK KR" and e["font"]["files"]


def test_a_clock_days_off_the_librarys_fails(settings_file):
    days_ago = dt.date.today() - dt.timedelta(days=3)
    with start_server(password=PASSWORD, today=days_ago) as behind:
        result = diag.check(config.load(settings_file(library=library_keys(behind))))
    assert result.verdict == "failed" and "s ahead of the library's" in result.summary
    assert result.advice == (diag.ADVICE_CLOCK,) and result.evidence["clock_skew_s"] < -2 * 86400


def test_library_down_leaves_the_clock_not_compared(settings_file, sip2):
    path = settings_file(library=library_keys(sip2))
    sip2.go_down()
    result = diag.check(config.load(path))
    assert result.verdict == "warning" and result.summary.startswith("clock not compared")
    assert result.evidence["clock_skew_s"] is None


def test_a_missing_font_fails_with_the_apt_get_command(settings_file, sip2):
    result = diag.check(config.load(settings_file(library=library_keys(sip2))), font_family="No Such Font KR")
    assert result.verdict == "failed" and "No Such Font KR is missing" in result.summary
    assert result.advice == ("sudo apt-get install fonts-noto-cjk fontconfig",)


def test_on_the_running_kiosk_the_clock_is_asked_over_its_link(settings_file, sip2, built):
    kiosk = built(config.load(settings_file(library=library_keys(sip2))))
    result = diag.check(kiosk.settings, Live.of(kiosk))
    assert result.verdict == "ok" and sip2.open_sessions == 1


# -- the model --------------------------------------------------------------------------


def test_the_verdict_model():
    with pytest.raises(ValueError, match="verdict must be one of ok, warning, failed"):
        Check("x", "unknown", "")  # type: ignore[arg-type]
    warned = Check("x", "warning", "paper near end", {"paper": "near_end"}, ("load paper",))
    assert warned.ok and not Check("x", "failed", "").ok
    assert warned.as_dict() == {"name": "x", "verdict": "warning", "summary": "paper near end",
                                "evidence": {"paper": "near_end"}, "advice": ["load paper"]}  # fmt: skip
    assert worst([]) == "ok" and worst(["ok", "failed", "warning"]) == "failed"
    assert exit_code([Check("a", "ok", "")]) == 0 and exit_code([warned]) == 1
    assert exit_code([warned, Check("b", "failed", "")]) == 2


def test_run_checks_names_and_order(settings_file, sip2):
    settings = config.load(settings_file(library=library_keys(sip2)))
    with pytest.raises(ValueError, match="no such check: modem"):
        run_checks(settings, ["modem"])
    found = run_checks(settings, ["printer", "library"])
    assert [c.name for c in found] == ["printer", "library"]
    assert found[1].verdict == "ok"


def test_diagnostics_parse_no_arguments_and_print_nothing():
    for path in (Path(__file__).resolve().parents[2] / "kiosk" / "diagnostics").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "argparse" not in names, path
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
        assert not [c for c in calls if c.func.id == "print"], path  # type: ignore[attr-defined]
