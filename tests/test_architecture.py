"""Layer rules that import-linter cannot express: one module per vendor library; flows read no clock."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KIOSK = ROOT / "kiosk"

# Each vendor library is imported in exactly one module of kiosk/.
VENDOR_HOME = {
    "nfc": "kiosk/devices/nfc.py",
    "cv2": "kiosk/devices/camera.py",
    "pyzbar": "kiosk/devices/barcodes.py",
    "zxingcpp": "kiosk/devices/barcodes.py",
    "serial": "kiosk/devices/printer.py",
    "escpos": "kiosk/devices/escpos.py",
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_each_vendor_library_has_one_home():
    users: dict[str, list[str]] = {v: [] for v in VENDOR_HOME}
    for path in KIOSK.rglob("*.py"):
        for name in imports(path) & set(VENDOR_HOME):
            users[name].append(str(path.relative_to(ROOT)))
    assert users == {v: [home] for v, home in VENDOR_HOME.items()}


FORBIDDEN_IN_FLOWS = {
    "threading",
    "socket",
    "time",
    "asyncio",
    "concurrent",
    "selectors",
    "ssl",
    "subprocess",
    "multiprocessing",
    "PySide6",
    "random",
}


def test_flows_touch_no_threads_sockets_or_clock():
    for path in (KIOSK / "flows").rglob("*.py"):
        assert not imports(path) & FORBIDDEN_IN_FLOWS, path
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("now", "today", "utcnow", "monotonic"):
                raise AssertionError(f"{path}:{node.lineno} reads the clock ({node.attr})")


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout and "KEPT" in done.stdout
