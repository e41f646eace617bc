"""Settings file and environment overrides: defaults, overrides, and errors naming the key."""

from __future__ import annotations

import pytest

from hall_app.config import load_settings, parse_settings
from hall_app.errors import ConfigError


def test_missing_default_file_means_defaults(tmp_path):
    settings = load_settings(env={"HALL_DATA_DIR": str(tmp_path)} | {"HOME": str(tmp_path)})
    assert settings.thresholds.recalls_before_no_show == 2
    assert settings.database_url.startswith("sqlite")


def test_file_values_and_environment_overrides(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(
        '[database]\nurl = "sqlite+pysqlite:////tmp/a.db"\n'
        '[hall]\ncode = "H1"\n'
        '[thresholds]\nrecalls_before_no_show = 3\n'
        '[long_wait_minutes]\nPAY = 12\n', encoding="utf-8")
    settings = load_settings(path, env={})
    assert settings.hall_code == "H1"
    assert settings.thresholds.recalls_before_no_show == 3
    assert settings.long_wait_minutes == {"PAY": 12}
    env = {"HALL_DATABASE_URL": "postgresql+psycopg://u:p@db/hall", "HALL_CODE": "H2"}
    overridden = load_settings(path, env=env)
    assert overridden.database_url == "postgresql+psycopg://u:p@db/hall"
    assert overridden.hall_code == "H2"


def test_hall_config_env_var_pointing_nowhere_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_settings(env={"HALL_CONFIG": str(tmp_path / "nope.toml")})


@pytest.mark.parametrize(
    ("doc", "key"),
    [
        ({"thresholds": {"recalls_before_no_show": "two"}}, "thresholds.recalls_before_no_show"),
        ({"thresholds": {"refresh_interval_ms": 5}}, "thresholds.refresh_interval_ms"),
        ({"thresholds": {"no_such_threshold": 1}}, "thresholds.no_such_threshold"),
        ({"database": {"url": "mysql://x"}}, "database.url"),
        ({"voice": {"volume": 3}}, "voice.volume"),
        ({"voice": {"station": "kitchen"}}, "voice.station"),
        ({"hall": {"code": ""}}, "hall.code"),
        ({"long_wait_minutes": {"PAY": 0}}, "long_wait_minutes.PAY"),
        ({"colour": {}}, "colour"),
    ],
)
def test_bad_values_name_file_and_key(doc, key):
    with pytest.raises(ConfigError) as err:
        parse_settings(doc, "/etc/hall/settings.toml")
    assert "/etc/hall/settings.toml" in err.value.message
    assert key in err.value.message


def test_malformed_toml_names_the_file(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[thresholds\nx = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="格式错误"):
        load_settings(path, env={})
