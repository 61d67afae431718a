"""scripts/setup.sh, behind both README commands: a second run changes nothing; without root it
prints the exact apt-get line instead of failing obscurely."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_second_run_installs_nothing():
    # The test command ran setup.sh already: this run must find everything in place.
    done = subprocess.run([str(ROOT / "scripts" / "setup.sh")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "installing" not in done.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("su"), reason="needs root to act as another user")
def test_without_root_missing_packages_give_the_exact_command():
    # Not pytest's tmp_path: its parent is private to root, and the script runs as nobody.
    tmp_path = Path(tempfile.mkdtemp(prefix="kiosk-setup-"))
    try:
        fake = tmp_path / "bin"
        fake.mkdir()
        # A dpkg that knows no package: everything looks missing.
        (fake / "dpkg-query").write_text("#!/bin/sh\necho unknown\n")
        (fake / "dpkg-query").chmod(0o755)
        project = tmp_path / "project"
        (project / "scripts").mkdir(parents=True)
        shutil.copy(ROOT / "scripts" / "setup.sh", project / "scripts" / "setup.sh")
        shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
        tmp_path.chmod(0o755)
        for p in (fake, project, project / "scripts"):
            p.chmod(0o755)
        done = subprocess.run(
            ["su", "nobody", "-s", "/bin/sh", "-c", f"PATH={fake}:/usr/bin:/bin {project}/scripts/setup.sh"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1
        assert "sudo apt-get install -y --no-install-recommends libzbar0 fonts-noto-cjk" in done.stderr
        assert not (project / ".venv").exists()
    finally:
        shutil.rmtree(tmp_path)
