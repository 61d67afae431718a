"""bench/ui.py keeps up with the flow and the window it measures: its views are built here
(the figures themselves come from `./dev bench ui`, never from a test)."""

from __future__ import annotations

from bench import ui
from tests.ui.test_window import make_window


def test_the_ui_bench_scans_a_book_with_one_and_with_twenty_rows_shown(qtbot):
    idle, patron_screen, scans = ui.visit_views()
    assert idle.screen == "idle" and patron_screen.screen == "borrow"
    assert sorted(scans) == list(ui.ON_SCREEN)
    window = make_window(qtbot)
    for n, scan in scans.items():
        assert len(scan.shown.lines) == n and len(scan.after.lines) == n + 1
        window.show_view(scan.shown)
        window.show_view(scan.after)
        assert len(window.lines.rows) == n + 1
