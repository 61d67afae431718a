"""The Grafana dashboard and the Prometheus alert rules in deploy/ read only metrics the endpoint
exposes. Expressions are checked by name (a regex for kiosk_*), not by a PromQL parser; with
`promtool` on the PATH the rules file is checked by it too."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.core.effects import Show
from kiosk.core.events import CardProblem, DeviceStatus, ReceiptPrinted
from kiosk.core.model import Language, PrintOutcome
from kiosk.core.views import BorrowView, Line
from kiosk.ils.journal import Journal
from kiosk.metrics import KioskMetrics
from kiosk.runtime.tally import Tally

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "kiosk-dashboard.json"
RULES = ROOT / "deploy" / "prometheus" / "kiosk-alerts.yml"
METRIC = re.compile(r"\bkiosk_[a-z_]+\b")


def exposed(tmp_path: Path) -> set[str]:
    """Every sample name the endpoint serves once each labelled family has a value."""
    tally = Tally()
    tally("effect", Show(BorrowView("borrow", Language.KO, "borrow.title", lines=(
        Line("A", "EM0000000001", "refused", "refusal.not_for_loan"),))))  # fmt: skip
    tally("event", DeviceStatus(device="nfc", ok=False))
    tally("event", CardProblem(reason="two_cards"))
    tally("event", ReceiptPrinted(job_id=1, outcome=PrintOutcome(ok=False, reason="printer.paper_out")))
    journal = Journal(tmp_path / "j.sqlite")
    try:
        metrics = KioskMetrics(tally, journal, lambda: dt.datetime.now().astimezone())
        metrics.round_trip("11", 0.02)
        text = metrics.text()
    finally:
        journal.close()
    return {s.name for family in text_string_to_metric_families(text) for s in family.samples}


def expressions() -> dict[str, list[str]]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    panels = {
        f"dashboard panel {p['title']!r}": [t["expr"] for t in p.get("targets", [])]
        for p in dashboard["panels"]
    }
    variables = {
        f"dashboard variable {v['name']!r}": [v["definition"]]
        for v in dashboard["templating"]["list"]
        if "definition" in v
    }
    rules = {
        f"alert rule {name}": [expr]
        for name, expr in re.findall(r"- alert: (\w+)\n\s+expr: (.+)", RULES.read_text())
    }
    return {**panels, **variables, **rules}


def test_the_dashboard_is_grafana_json_with_a_query_in_every_panel():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"] and dashboard["panels"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"]), panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]


def test_the_dashboard_and_the_rules_read_only_metrics_the_endpoint_serves(tmp_path):
    served = exposed(tmp_path)
    used = {where: set(METRIC.findall(" ".join(exprs))) for where, exprs in expressions().items()}
    unknown = {where: names - served for where, names in used.items() if names - served}
    assert not unknown
    # What the brief asks to be watched is watched.
    everything = set().union(*used.values())
    for name in ("kiosk_device_up", "kiosk_visits_total", "kiosk_loans_total", "kiosk_returns_total",
                 "kiosk_refusals_total", "kiosk_receipt_failures_total", "kiosk_journal_waiting_entries",
                 "kiosk_library_round_trip_seconds_bucket", "kiosk_journal_oldest_waiting_age_seconds",
                 "kiosk_printer_paper_out"):  # fmt: skip
        assert name in everything, name


def test_the_rules_cover_paper_printer_library_journal_and_the_kiosk_itself():
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    rules = {r["alert"]: r for group in doc["groups"] for r in group["rules"]}
    assert {"KioskDown", "KioskPaperOut", "KioskPrinterDown", "KioskLibraryLinkDown",
            "KioskJournalNotDraining"} <= set(rules)  # fmt: skip
    assert rules["KioskDown"]["expr"] == 'up{job="kiosk"} == 0'
    assert "> 900" in rules["KioskJournalNotDraining"]["expr"]  # 15 minutes
    for name, rule in rules.items():
        assert rule["labels"]["severity"] in ("warning", "critical"), name
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], name
    # The regex above found every rule.
    assert {where.split()[-1] for where in expressions() if where.startswith("alert rule")} == set(rules)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_rules():
    done = subprocess.run(
        ["promtool", "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
