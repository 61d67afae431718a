"""What the kiosk's composition makes of its settings at start-up: a plaintext SIP2 link off this
machine is warned about once; places it cannot use stop it with a ConfigError naming the key."""

from __future__ import annotations

import logging
import socket
import threading

import pytest

from kiosk import config
from kiosk.app import build
from kiosk.core.errors import ConfigError

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("localhost.", True),
        ("10.0.0.5", False),
        ("192.168.1.20", False),
        ("::ffff:10.0.0.5", False),
        ("sip2.library.example", False),
        ("localhost.example", False),
        ("0.0.0.0", False),
    ],
)
def test_loopback_hosts(host, loopback):
    assert config.is_loopback(host) is loopback


def remote(**library) -> config.Settings:
    values = {
        "embedded": False,
        "host": "sip2.library.example",
        "port": 6001,
        "password": "pw",
        "plaintext_ok": True,
    }
    return config.validate({"library": {**values, **library}}, "<test>")


def test_plaintext_off_this_machine_needs_an_explicit_setting():
    values = {"embedded": False, "host": "sip2.library.example", "port": 6001, "password": "pw"}
    with pytest.raises(ConfigError, match=r"tls = false.*sip2\.library\.example:6001.*plaintext_ok = true"):
        config.validate({"library": values}, "<test>")
    for accepted in ({"tls": True}, {"plaintext_ok": True}, {"host": "127.0.0.1"}):
        config.validate({"library": {**values, **accepted}}, "<test>")


def test_plaintext_link_off_this_machine_is_warned_about():
    warning = config.plaintext_link_warning(remote())
    assert warning is not None
    assert "[library] tls = false" in warning and "sip2.library.example:6001" in warning
    assert "pw" not in warning.replace("password", "")


@pytest.mark.parametrize(
    "settings",
    [
        remote(tls=True),
        remote(host="127.0.0.1"),
        remote(host="localhost"),
        remote(host="::1"),
        # The embedded server runs in the kiosk's own process.
        config.validate({"library": {"host": "0.0.0.0", "port": 0}}, "<test>"),
        config.defaults(),
    ],
)
def test_no_warning_for_tls_loopback_or_the_embedded_server(settings):
    assert config.plaintext_link_warning(settings) is None


def test_start_up_logs_the_plaintext_warning_once(caplog):
    caplog.set_level(logging.WARNING, logger="kiosk.app")
    kiosk = build(remote())
    kiosk.stop()
    warnings = [r for r in caplog.records if r.name == "kiosk.app" and "tls = false" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "sip2.library.example:6001" in warnings[0].getMessage()


def test_start_up_with_tls_says_nothing_of_it(caplog):
    caplog.set_level(logging.WARNING, logger="kiosk.app")
    build(remote(tls=True)).stop()
    assert not [r for r in caplog.records if "tls = false" in r.getMessage()]


def test_embedded_database_that_cannot_be_opened_is_a_config_error(tmp_path):
    settings = config.validate(
        {"library": {"port": 0, "db": str(tmp_path / "no-such-folder" / "ils.sqlite")}}, "<test>"
    )
    with pytest.raises(ConfigError, match=r"<test>: \[library\] db = '.*no-such-folder.*': the embedded"):
        build(settings)


def test_embedded_server_on_an_address_not_of_this_machine_is_a_config_error():
    # 192.0.2.0/24 is TEST-NET-1: never an address of this machine, no name lookup.
    settings = config.validate({"library": {"host": "192.0.2.1", "port": 0}}, "<test>")
    with pytest.raises(ConfigError, match=r"\[library\] host = '192.0.2.1', port = 0: the embedded server"):
        build(settings)


def test_embedded_server_on_a_busy_port_is_a_config_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = config.validate({"library": {"port": port}}, "<test>")
        with pytest.raises(
            ConfigError, match=rf"\[library\] host = '127.0.0.1', port = {port}: .*cannot listen"
        ):
            build(settings)


def test_receipt_folder_that_is_a_file_is_a_config_error(tmp_path):
    not_a_folder = tmp_path / "receipts"
    not_a_folder.write_text("")
    settings = config.validate({"library": {"port": 0}, "printer": {"sim_out": str(not_a_folder)}}, "<test>")
    before = set(threading.enumerate())
    with pytest.raises(ConfigError, match=r"\[printer\] sim_out = '.*receipts': not a folder for receipts"):
        build(settings)
    # The library link started before the printer was refused: nothing of it stays behind.
    assert not [t for t in set(threading.enumerate()) - before if t.name == "sip2-heartbeat"]


def test_a_log_file_that_cannot_be_written_is_a_config_error(tmp_path):
    not_a_folder = tmp_path / "logs"
    not_a_folder.write_text("")
    log = {"file": str(not_a_folder / "k.log")}
    library = {"port": 0, "db": str(tmp_path / "ils.sqlite")}
    settings = config.validate({"library": library, "log": log}, "<test>")
    with pytest.raises(ConfigError, match=r"^<test>: \[log\] file = .*cannot be written"):
        build(settings)
