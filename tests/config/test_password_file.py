"""[library] password_file: the SIP2 password from a file only its owner may read or write,
read at start; the environment variable first, then the file, then password. Real files and
modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk import config
from kiosk.core.errors import ConfigError

ENV = "KIOSK_TEST_SIP2_PASSWORD"


def secret(
    tmp_path: Path, text: bytes | str = "from-file\n", mode: int = 0o600, name: str = "sip2.pw"
) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    path.chmod(mode)
    return path


def settings(tmp_path: Path, password_file: Path | str, password: str = "in-config") -> config.Settings:
    toml = tmp_path / "kiosk.toml"
    toml.write_text(
        "[library]\nembedded = false\n"
        f'password = "{password}"\npassword_env = "{ENV}"\npassword_file = "{password_file}"\n',
        encoding="utf-8",
    )
    return config.load(toml)


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)


def test_the_file_is_read_at_start_and_its_line_break_dropped(tmp_path):
    path = secret(tmp_path, "s3cret pass\n")
    s = settings(tmp_path, path)
    assert s.sip2_password() == "s3cret pass"
    path.write_text("changed later")  # read once, at start
    assert s.sip2_password() == "s3cret pass"
    assert "s3cret" not in repr(s)


@pytest.mark.parametrize(
    ("content", "password"),
    [
        (b"pw", "pw"),
        (b"pw\r\n", "pw"),
        (b"\xef\xbb\xbfpw\n", "pw"),
        (b" pw ", " pw "),
        ("비밀\n".encode(), "비밀"),
    ],
)
def test_what_the_file_holds_is_the_password(tmp_path, content, password):
    assert settings(tmp_path, secret(tmp_path, content)).sip2_password() == password


def test_environment_first_then_file_then_password(tmp_path, monkeypatch):
    path = secret(tmp_path)
    monkeypatch.setenv(ENV, "from-env")
    assert settings(tmp_path, path).sip2_password() == "from-env"
    monkeypatch.setenv(ENV, "")  # set but empty: not a password
    assert settings(tmp_path, path).sip2_password() == "from-file"
    monkeypatch.delenv(ENV)
    assert settings(tmp_path, path).sip2_password() == "from-file"
    assert settings(tmp_path, "").sip2_password() == "in-config"


def test_the_file_alone_is_enough(tmp_path):
    assert settings(tmp_path, secret(tmp_path), password="").sip2_password() == "from-file"


@pytest.mark.parametrize(
    "mode", [0o640, 0o604, 0o620, 0o602, 0o644, 0o666, 0o660, 0o610, 0o601, 0o700 | 0o007]
)
def test_a_file_others_may_read_or_write_is_refused(tmp_path, mode, monkeypatch):
    path = secret(tmp_path, mode=mode)
    monkeypatch.setenv(ENV, "from-env")  # refused even when the variable is what is used
    with pytest.raises(ConfigError) as info:
        settings(tmp_path, path)
    text = str(info.value)
    assert text.startswith(f"{tmp_path / 'kiosk.toml'}: [library] password_file = '{path}': group or others")
    assert f"(mode {mode:04o})" in text and f"chmod 600 {path}" in text
    assert "from-file" not in text and "from-env" not in text
    can = ("read" if mode & 0o044 else "", "write" if mode & 0o022 else "")
    assert all(word in text for word in can if word)


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700, 0o500])
def test_owner_only_modes_are_accepted(tmp_path, mode):
    path = secret(tmp_path, mode=mode)
    try:
        assert settings(tmp_path, path).sip2_password() == "from-file"
    finally:
        path.chmod(0o600)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"password_file = '.*nowhere': cannot read it \(No such file"):
        settings(tmp_path, tmp_path / "nowhere")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused(tmp_path):
    path = secret(tmp_path, mode=0o000)
    with pytest.raises(ConfigError, match="cannot read it"):
        settings(tmp_path, path)


def test_a_folder_or_fifo_is_refused_without_waiting(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o700)
    with pytest.raises(ConfigError, match="password_file"):
        settings(tmp_path, folder)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(ConfigError, match="not a regular file"):
        settings(tmp_path, fifo)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (b"\n", "the file is empty"),
        (b"one\ntwo\n", "more than one line"),
        (b"\xff\xfe", "not UTF-8 text"),
        (b"x" * 5000, "more than 4096 bytes"),
    ],
)
def test_a_file_that_holds_no_single_password_is_refused(tmp_path, content, problem):
    with pytest.raises(ConfigError, match=problem) as info:
        settings(tmp_path, secret(tmp_path, content))
    assert "[library] password_file" in str(info.value)


def test_a_password_the_link_cannot_carry_is_refused_without_showing_it(tmp_path):
    with pytest.raises(ConfigError) as info:
        settings(tmp_path, secret(tmp_path, "a|b\n"))
    assert "[library] password = (hidden)" in str(info.value) and "a|b" not in str(info.value)


def test_a_symlink_is_judged_by_the_file_it_names(tmp_path):
    target = secret(tmp_path, mode=0o644, name="shared.pw")
    link = tmp_path / "link.pw"
    link.symlink_to(target)
    assert stat.S_IMODE(os.lstat(link).st_mode) == 0o777
    with pytest.raises(ConfigError, match="mode 0644"):
        settings(tmp_path, link)
    target.chmod(0o600)
    assert settings(tmp_path, link).sip2_password() == "from-file"
