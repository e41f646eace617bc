"""Commitment times (「XX业务会在XX时间内开通」): the format, and the hall file's errors."""

from __future__ import annotations

import tomllib

import pytest

from hall_app.commitment import parse_commitment
from hall_app.errors import ConfigError
from hall_app.hall_config import parse_hall_config
from hall_app.resources import resource_path


@pytest.mark.parametrize(("raw", "stored"), [
    ("24小时", "24小时"), ("3个工作日", "3个工作日"), ("3工作日", "3个工作日"),
    (" 30 分钟 ", "30分钟"), ("２天", "2天"), ("", None), ("   ", None), (None, None),
])
def test_accepted_forms(raw, stored) -> None:  # type: ignore[no-untyped-def]
    assert parse_commitment(raw) == stored


@pytest.mark.parametrize("raw", ["很快", "24", "小时", "0小时", "366天", "1.5小时", "两天",
                                 "2周", "24小时内", 24])
def test_refused_forms_say_how_to_write_it(raw) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as info:
        parse_commitment(raw)
    assert "开通时限" in str(info.value) and "例如「24小时」" in str(info.value)


def _demo() -> dict:  # type: ignore[type-arg]
    return tomllib.loads(resource_path("demo", "demo_hall.toml").read_text(encoding="utf-8"))


def test_demo_hall_services_carry_commitment_times() -> None:
    cfg = parse_hall_config(_demo(), "demo_hall.toml")
    times = {s.code: s.commitment for s in cfg.services}
    assert times["BB"] == "3个工作日" and times["PAY"] is None


def test_bad_commitment_in_a_hall_file_names_the_key() -> None:
    data = _demo()
    data["services"][3]["commitment"] = "尽快"
    with pytest.raises(ConfigError) as info:
        parse_hall_config(data, "hall.toml")
    assert "hall.toml" in info.value.message and "services[3].commitment" in info.value.message
    assert "开通时限「尽快」" in info.value.message


def test_misspelt_service_key_is_refused() -> None:
    data = _demo()
    data["services"][0]["commitmnet"] = "2小时"
    with pytest.raises(ConfigError) as info:
        parse_hall_config(data, "hall.toml")
    assert "services[0].commitmnet" in info.value.message
