"""Fixtures for the checks: a SIP2 server on the real clock, the simulators, settings files naming
them, and a whole kiosk built as `kiosk run` builds it (for the live checks)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk import config
from kiosk.config import Settings
from simulators.camera import VirtualCamera, write_frames
from simulators.ils.server import ServerHandle, start_server
from simulators.nfc import CardEmulator
from simulators.printer import VirtualPrinter

PASSWORD = "s3cret-Sip2-pw"


@pytest.fixture
def sip2() -> Iterator[ServerHandle]:
    """The library server with today's records and the real clock (its 98 time is now)."""
    with start_server(password=PASSWORD) as handle:
        yield handle


@pytest.fixture
def card_field() -> Iterator[CardEmulator]:
    emulator = CardEmulator()
    yield emulator
    emulator.close()


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(baud=0, out_dir=tmp_path / "receipts") as vp:
        yield vp


@pytest.fixture(scope="session")
def frames(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Recorded frames: a book, then a mobile card."""
    camera = VirtualCamera(width=640, height=480, fps=15, seed=3)
    folder = tmp_path_factory.mktemp("frames")
    return write_frames(
        folder, ["EM0000100001", ("CHAEKIEUM:04A1B2C3D4E5F6", "QRCode")], 4, gap=1, camera=camera
    )


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


@pytest.fixture
def settings_file(tmp_path: Path) -> Callable[..., Path]:
    """A settings file of the given sections ({"library": {...}}), as a technician writes one."""

    def write(name: str = "kiosk.toml", **sections: dict[str, Any]) -> Path:
        text = ""
        for section, keys in sections.items():
            text += f"[{section}]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in keys.items())
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def library_keys(server: ServerHandle, **more: Any) -> dict[str, Any]:
    return {"embedded": False, "host": server.host, "port": server.port, "password": PASSWORD,
            "timeout_s": 2, **more}  # fmt: skip


@pytest.fixture
def healthy(
    settings_file: Callable[..., Path],
    sip2: ServerHandle,
    card_field: CardEmulator,
    printer: VirtualPrinter,
    frames: str,
) -> Path:
    """Settings naming every simulator, all healthy."""
    return settings_file(
        library=library_keys(sip2),
        nfc={"device": card_field.path},
        camera={"source": f"file:{frames}"},
        printer={"device": printer.url},
    )


@pytest.fixture
def built() -> Iterator[Callable[[Settings], Any]]:
    """Build kiosks as `kiosk run` does (kiosk.app.build) and start their devices; stopped after."""
    from kiosk.app import build

    kiosks: list[Any] = []

    def make(settings: Settings) -> Any:
        kiosk = build(settings)
        kiosks.append(kiosk)
        kiosk.runtime.start()
        return kiosk

    yield make
    for kiosk in kiosks:
        kiosk.stop()


def load(path: Path) -> Settings:
    return config.load(path)


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_kiosk() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`kiosk ARGS...` in a process of its own, as a technician runs it."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "KIOSK_SIP2_PASSWORD"}
        return subprocess.run(
            [sys.executable, "-m", "kiosk", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=90,
            env=env,
        )

    return run
