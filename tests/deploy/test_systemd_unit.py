"""deploy/systemd: the unit as systemd reads it (`systemd-analyze verify` where installed, a
parse of its settings always), and what it promises the kiosk: notify with a watchdog the kiosk
can feed from under cage, restarts, the journal and log in the directories it creates, the
device groups, and hardening that leaves the devices reachable."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.core.notify import watchdog_interval_s
from tests.deploy.units import (
    DEPLOY,
    INSTALLED,
    ROOT,
    UNIT,
    WITHOUT_CAGE,
    every,
    last,
    seconds,
    unit_sections,
)

SECTIONS = unit_sections(UNIT.read_text(encoding="utf-8"))
SERVICE = SECTIONS["Service"]
KIOSK_RUN = f"{INSTALLED}/.venv/bin/kiosk run --config /etc/chaekieum-kiosk/kiosk.toml"


def test_the_unit_parses_into_its_sections():
    assert set(SECTIONS) == {"Unit", "Service", "Install"}
    with pytest.raises(ValueError, match="line 2"):
        unit_sections("[Service]\nType notify\n")


def test_the_kiosk_runs_under_cage_and_may_notify_as_its_child():
    assert last(SERVICE, "ExecStart") == f"/usr/bin/cage -- {KIOSK_RUN}"
    assert last(SERVICE, "Type") == "notify"
    assert last(SERVICE, "NotifyAccess") == "all"  # the kiosk is cage's child, not the main process


def test_a_watchdog_the_kiosk_feeds_well_within_its_timeout():
    timeout = seconds(last(SERVICE, "WatchdogSec") or "0")
    assert 10 <= timeout <= 120
    interval = watchdog_interval_s({"WATCHDOG_USEC": str(int(timeout * 1_000_000))})
    assert interval is not None and interval <= timeout / 2
    assert last(SERVICE, "Restart") == "always"
    assert seconds(last(SERVICE, "RestartSec") or "0") > 0
    # Python's fault handler prints every thread's stack on the watchdog's SIGABRT.
    assert "PYTHONFAULTHANDLER=1" in every(SERVICE, "Environment")


def test_the_kiosk_keeps_the_librarys_local_dates_on_a_machine_left_on_utc():
    import zoneinfo

    zones = [e.split("=", 1)[1] for e in every(SERVICE, "Environment") if e.startswith("TZ=")]
    assert zones == ["Asia/Seoul"]
    zoneinfo.ZoneInfo(zones[0])  # a zone the system knows


def test_the_journal_and_the_log_live_in_the_directories_systemd_makes():
    import tomllib

    settings = tomllib.loads((DEPLOY / "kiosk.toml").read_text(encoding="utf-8"))
    state, logs = last(SERVICE, "StateDirectory"), last(SERVICE, "LogsDirectory")
    assert state == logs == "chaekieum-kiosk"
    assert Path(settings["library"]["journal"]).parent == Path("/var/lib") / state
    assert Path(settings["log"]["file"]).parent == Path("/var/log") / logs
    assert last(SERVICE, "ConfigurationDirectory") == "chaekieum-kiosk"


def test_a_dedicated_user_with_the_device_groups():
    assert last(SERVICE, "User") not in (None, "root")
    assert {"dialout", "plugdev", "video"} <= set(every(SERVICE, "SupplementaryGroups"))


def test_a_logind_session_on_tty1_with_its_pam_service_shipped():
    pam = last(SERVICE, "PAMName")
    assert pam is not None and (DEPLOY / "pam" / pam).is_file()
    assert last(SERVICE, "TTYPath") == "/dev/tty1"
    conflicts = every(SECTIONS["Unit"], "Conflicts")
    assert "getty@tty1.service" in conflicts


def test_hardening_that_leaves_the_devices_reachable():
    assert last(SERVICE, "NoNewPrivileges") == "yes"
    assert last(SERVICE, "ProtectSystem") == "strict"
    assert last(SERVICE, "ProtectHome") == "yes"
    # Each of these hides the GPU, input, USB, serial or camera nodes, or the groups opening them.
    for setting in ("PrivateDevices", "DevicePolicy", "DeviceAllow", "ProtectClock", "PrivateUsers"):
        assert last(SERVICE, setting) in (None, "no"), setting
    assert "AF_NETLINK" in every(SERVICE, "RestrictAddressFamilies")  # libinput and libusb hotplug
    assert "-/run/user" in every(SERVICE, "ReadWritePaths")  # cage's Wayland socket


def _without_cage_environment() -> dict[str, str]:
    drop_in = unit_sections(WITHOUT_CAGE.read_text(encoding="utf-8"))["Service"]
    env_file = last(drop_in, "EnvironmentFile")
    assert env_file is not None and env_file.startswith(INSTALLED + "/")
    shipped = ROOT / env_file.removeprefix(INSTALLED + "/")
    return dict(
        line.split("=", 1)
        for line in shipped.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


def test_without_cage_the_kiosk_is_the_service_with_an_environment_file_shipped_beside_it():
    drop_in = unit_sections(WITHOUT_CAGE.read_text(encoding="utf-8"))["Service"]
    assert [v for k, v in drop_in if k == "ExecStart"] == ["", KIOSK_RUN]  # reset, then the kiosk alone
    assert [v for k, v in drop_in if k == "ExecStop"] == [""]  # nothing to stop before it
    assert _without_cage_environment()["QT_QPA_PLATFORM"] in ("linuxfb", "eglfs")


def test_the_platform_chosen_without_cage_loads_from_the_installed_qt():
    """Its plugin is in the installed PySide6 and every library it needs resolves."""
    import PySide6

    ldd = shutil.which("ldd")
    if ldd is None:
        pytest.skip("ldd is not installed (libc-bin)")
    env = _without_cage_environment()
    qt = Path(PySide6.__file__).parent / "Qt"
    platform = env["QT_QPA_PLATFORM"].split(":")[0]
    plugins = [qt / "plugins" / "platforms" / f"libq{platform}.so"]
    if "QT_QPA_EGLFS_INTEGRATION" in env:
        name = env["QT_QPA_EGLFS_INTEGRATION"].replace("_", "-")
        plugins.append(qt / "plugins" / "egldeviceintegrations" / f"libq{name}-integration.so")
    for plugin in plugins:
        assert plugin.is_file(), plugin
        linked = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=60)
        assert "not found" not in linked.stdout, f"{plugin.name}: {linked.stdout}"


def test_the_kiosk_draws_on_the_panel_without_a_compositor(monkeypatch):
    from kiosk.ui.app import has_display

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", _without_cage_environment()["QT_QPA_PLATFORM"])
    assert has_display()
    monkeypatch.setenv("QT_QPA_PLATFORM", "eglfs")
    assert has_display()
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert not has_display()
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")  # what cage gives its child
    assert has_display()


def test_stopping_signals_cages_child_and_waits_for_it(tmp_path):
    """ExecStop= run as systemd runs it (MAINPID set) against a stand-in compositor whose child
    takes a while to finish on SIGTERM: it returns only once the child is gone."""
    if shutil.which("pkill") is None or shutil.which("pgrep") is None:
        pytest.skip("pkill and pgrep are not installed (procps)")
    stop = last(SERVICE, "ExecStop")
    assert stop is not None and stop.startswith("/bin/sh -c '") and stop.endswith("'")
    script = stop.removeprefix("/bin/sh -c '").removesuffix("'")
    done = tmp_path / "child-finished"
    child = (
        "import signal, sys, time\n"
        "def finish(*_):\n"
        "    time.sleep(0.5)\n"
        f"    open({str(done)!r}, 'w').close()\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, finish)\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    compositor = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import subprocess, sys; sys.exit(subprocess.call([sys.executable, '-c', {child!r}]))",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert compositor.stdout is not None and compositor.stdout.readline() == "ready\n"
        stopped = subprocess.run(
            ["/bin/sh", "-c", script], env=dict(os.environ, MAINPID=str(compositor.pid)), timeout=60
        )
        assert stopped.returncode == 0
        assert done.exists()  # ExecStop returned after the child had finished, not before
        assert compositor.wait(timeout=30) == 0  # and the compositor ended with its child
    finally:
        if compositor.poll() is None:
            compositor.kill()
            compositor.wait()
        if compositor.stdout is not None:
            compositor.stdout.close()


def _verify(unit: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    return subprocess.run(
        [tool, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=120
    )


def test_systemd_analyze_verify_has_nothing_to_say_but_a_missing_cage():
    done = _verify(UNIT)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    if shutil.which("cage", path="/usr/bin") is None:
        # Not installed on this machine: the only finding allowed is that cage cannot be run.
        assert lines == [
            "chaekieum-kiosk.service: Command /usr/bin/cage is not executable: No such file or directory"
        ]
        assert done.returncode != 0
    else:
        assert lines == [] and done.returncode == 0


def _standing_in(tmp_path: Path) -> Path:
    """The unit and its drop-in without cage as installed here: cage a stand-in if missing, /opt
    this checkout."""
    cage = shutil.which("cage", path="/usr/bin")
    if cage is None:
        stand_in = tmp_path / "bin" / "cage"
        stand_in.parent.mkdir()
        stand_in.write_text('#!/bin/sh\nexec "$@"\n')
        stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
        cage = str(stand_in)
    kiosk = Path(sys.executable).with_name("kiosk")
    if not os.access(kiosk, os.X_OK):
        pytest.skip(f"no kiosk command beside {sys.executable}")

    def installed_here(text: str) -> str:
        text = text.replace("/usr/bin/cage", cage)
        text = text.replace(f"{INSTALLED}/.venv/bin/kiosk", str(kiosk))
        return text.replace(INSTALLED, str(ROOT))

    units = tmp_path / "units"
    (units / "chaekieum-kiosk.service.d").mkdir(parents=True)
    unit = units / "chaekieum-kiosk.service"
    unit.write_text(installed_here(UNIT.read_text(encoding="utf-8")))
    drop_in = units / "chaekieum-kiosk.service.d" / "without-cage.conf"
    drop_in.write_text(installed_here(WITHOUT_CAGE.read_text(encoding="utf-8")))
    return unit


def test_systemd_analyze_verify_accepts_the_unit_and_its_drop_in_without_cage(tmp_path):
    unit = _standing_in(tmp_path)
    done = _verify(unit)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    # And it is listening: a setting systemd does not know is reported.
    (unit.parent / "chaekieum-kiosk.service.d" / "typo.conf").write_text("[Service]\nWatchDogSec=30\n")
    typo = _verify(unit)
    assert "Unknown key 'WatchDogSec'" in typo.stdout + typo.stderr
