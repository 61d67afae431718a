"""Property tests over the settings schema, with values drawn from SCHEMA itself: what it refuses
is a ConfigError naming the key; what it accepts starts the kiosk's composition and its
diagnostics, or stops them with a ConfigError, never with another exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from kiosk import config
from kiosk.app import build
from kiosk.config import SCHEMA
from kiosk.core.errors import ConfigError
from kiosk.diagnostics import camera as camera_diag
from kiosk.diagnostics import library as library_diag
from kiosk.diagnostics import nfc as nfc_diag
from tests.config.schema_strategies import ANY_TOML, KEYS, accepted, refused

pytestmark = pytest.mark.timeout(120)


def _key_and_refused_value() -> st.SearchStrategy[tuple[tuple[str, str], Any]]:
    return st.sampled_from(KEYS).flatmap(lambda sk: st.tuples(st.just(sk), refused(SCHEMA[sk[0]][sk[1]])))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(_key_and_refused_value())
def test_a_refused_value_is_a_config_error_naming_the_key(case):
    (section, key), value = case
    with pytest.raises(ConfigError) as info:
        config.validate({section: {key: value}}, "<test>")
    assert str(info.value).startswith(f"<test>: [{section}] {key}")


@st.composite
def any_data(draw: st.DrawFn) -> dict[str, Any]:
    """Tables with keys left out, accepted, refused or of any TOML type; now and then a stray
    section or key."""
    data: dict[str, Any] = {}
    for section, keys in SCHEMA.items():
        if not draw(st.booleans()):
            continue
        table: dict[str, Any] = {}
        for name, key in keys.items():
            pick = draw(st.integers(0, 19))
            if pick < 12:
                continue
            table[name] = draw(accepted(key) if pick < 18 else refused(key) if pick < 19 else ANY_TOML)
        if draw(st.integers(0, 19)) == 0:
            table[draw(st.text(max_size=5))] = draw(ANY_TOML)
        data[section] = table if draw(st.integers(0, 29)) else draw(ANY_TOML)
    if draw(st.integers(0, 19)) == 0:
        data[draw(st.text(max_size=5))] = draw(ANY_TOML)
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_data())
def test_any_settings_validate_or_stop_with_a_config_error(data):
    try:
        config.validate(data, "<test>")
    except ConfigError as exc:
        assert str(exc).startswith("<test>: ") and "[" in str(exc)


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> dict[str, Path]:
    """Real files and folders for the keys that name them."""
    root = tmp_path_factory.mktemp("places")
    not_a_folder = root / "a-file"
    not_a_folder.write_text("")
    bad_rules = root / "bad-rules.toml"
    bad_rules.write_text("[loans\n")
    return {"root": root, "file": not_a_folder, "bad_rules": bad_rules}


@st.composite
def startable_data(draw: st.DrawFn, places: dict[str, Path]) -> dict[str, Any]:
    """Settings drawn from the schema, each key present or not. Keys naming files, and the
    address an embedded server listens on, come from a few real places on this machine: drawn
    from the schema they would write files anywhere or reach out to the network."""
    data = {
        section: {name: draw(accepted(key)) for name, key in keys.items() if draw(st.booleans())}
        for section, keys in SCHEMA.items()
    }
    root = places["root"]
    lib, printer = data["library"], data["printer"]
    missing = str(root / "missing" / "x")
    lib["db"] = draw(st.sampled_from(["", str(root / "ils.sqlite"), missing]))
    lib["journal"] = draw(st.sampled_from(["", str(root / "journal.sqlite"), str(places["file"] / "j")]))
    lib["rules"] = draw(st.sampled_from(["", missing, str(places["bad_rules"])]))
    lib["tls_ca"] = draw(st.sampled_from(["", missing]))
    lib["tls_cert"] = lib["tls_key"] = draw(st.sampled_from(["", missing]))
    if lib.get("embedded", True):
        lib["host"] = draw(st.sampled_from(["127.0.0.1", "localhost"]))
        lib["port"] = 0
    printer["sim_out"] = draw(st.sampled_from(["", str(root / "receipts"), str(places["file"])]))
    # The log file, the metrics endpoint and the staff webhook: here, on loopback, refused.
    data["log"]["file"] = draw(st.sampled_from(["", str(root / "kiosk.log"), str(places["file"] / "log")]))
    data["metrics"]["bind"] = "127.0.0.1"
    data["alerts"]["webhook_url"] = draw(st.sampled_from(["", "http://127.0.0.1:9/alerts"]))
    return data


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_accepted_settings_start_the_kiosk_or_stop_with_a_config_error(places, data):
    values = data.draw(startable_data(places))
    try:
        settings_ = config.validate(values, "<test>")
    except ConfigError:
        reject()
    try:
        kiosk = build(settings_)
    except ConfigError as exc:
        assert str(exc).startswith("<test>: [")
    else:
        kiosk.stop()
    # What the diagnostics build from the same settings, short of opening a device.
    library_diag.client_for(settings_).close()
    nfc_diag.reader_for(settings_, settings_.nfc.device)
    camera_diag.patterns(settings_)
    camera_diag.capture_settings(settings_)
    config.plaintext_link_warning(settings_)
