"""The transition tables as documents: docs/flows.md is generated from them and kept current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.core.events import Started
from kiosk.flows import diagram
from kiosk.flows.machine import Step, UndeclaredTransition, on
from kiosk.flows.session import Session, SessionState

ROOT = Path(__file__).resolve().parents[2]


def test_docs_flows_md_is_generated_from_the_tables():
    current = (ROOT / "docs" / "flows.md").read_text(encoding="utf-8")
    assert current == diagram.markdown(), "regenerate: kiosk flows --markdown > docs/flows.md"


def test_kiosk_flows_prints_graphviz():
    done = subprocess.run([sys.executable, "-m", "kiosk", "flows", "--dot"], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("digraph ") == len(diagram.MACHINES)
    assert '"idle" -> "identifying" [label="CardRead"];' in done.stdout


def test_a_handler_may_go_only_where_it_is_declared_to():
    class Liar(Session):
        @on(SessionState.IDLE, Started)  # declared to stay
        def on_started(self, event):
            return Step(SessionState.GOODBYE, [])

    with pytest.raises(UndeclaredTransition):
        Liar().handle(Started())
