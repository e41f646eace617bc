"""Settings: one TOML file plus environment overrides.

Where the file lives: `HALL_CONFIG` if set, else `settings.toml` in the user's config
directory (platformdirs); a missing file means defaults. The database URL comes from
`HALL_DATABASE_URL`, else `[database] url`, else an SQLite file in the user's data
directory. Every bad value is a `ConfigError` naming the file and the key.

Hall-level thresholds may also be edited by an admin and stored in the database
(`hall` row); those win over the file (see `hall_app.services.settings_view`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from hall_app.errors import ConfigError

APP_NAME = "hall-app"
APP_AUTHOR = "HallApp"


def user_data_dir() -> Path:
    return Path(os.environ.get("HALL_DATA_DIR") or platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "settings.toml"


def default_database_url() -> str:
    return f"sqlite+pysqlite:///{user_data_dir() / 'hall.db'}"


@dataclass(frozen=True)
class Thresholds:
    """The SMART targets and timing rules a hall tunes."""

    recalls_before_no_show: int = 2
    refresh_interval_ms: int = 1000
    pause_alert_minutes: int = 15
    closing_prompt_minutes: int = 15
    crowded_per_counter: int = 5
    restored_prompt_minutes: int = 10
    long_wait_minutes_default: int = 20
    complaint_reply_hours: int = 0  # 0 = by the end of the same business day
    complaint_hard_limit_days: int = 15
    # The complaint loop's reminders: the 15-day limit is announced this many days before
    # it passes; the customer hears from us at least every N hours while a complaint is
    # open (定期回馈); a resolution waiting longer than N minutes for approval is urgent;
    # the share of complaints to reply to by the deadline (当日答复) the analysis aims at.
    complaint_hard_warning_days: int = 3
    complaint_feedback_hours: int = 24
    complaint_approval_alert_minutes: int = 30
    complaint_same_day_target_pct: int = 90
    # Staff care: the default length of a 调整情绪 break after a hard complaint.
    recovery_break_minutes: int = 10
    cash_cap_yuan: int = 100000
    service_level_target_pct: int = 80
    walkaway_rate_target_pct: int = 5
    # Staffing advice (hall_app.staffing): history window, how sure the advice must be,
    # and the lunch rota.
    staffing_history_weeks: int = 6
    staffing_confidence_pct: int = 90
    lunch_minutes: int = 45
    lunch_window_start_hour: int = 11
    lunch_window_end_hour: int = 14
    # District window: a hall whose replicated data is older than this is 数据延迟.
    district_stale_minutes: int = 5
    # Rating pads (评价器): seconds the customer has to rate after 办结, and the hall's
    # target satisfaction rate ((非常满意 + 满意) ÷ rated, percent).
    rating_timeout_seconds: int = 30
    satisfaction_target_pct: int = 90
    # The day closes by itself this long after closing time (for the last customers).
    day_close_grace_minutes: int = 30


@dataclass(frozen=True)
class BackupSettings:
    """Where the day-close backups go and how many are kept (SQLite; PostgreSQL: pg_dump)."""

    keep: int = 30
    folder: str | None = None  # default: <user data dir>/backups


@dataclass(frozen=True)
class VoiceSettings:
    enabled: bool = True
    volume: float = 0.9
    station: str = "display"  # which role speaks calls: display | counter | none


@dataclass(frozen=True)
class SecuritySettings:
    """`[security]`: PIN rules, the login throttle, retention of complaint personal data."""

    # Digits a new PIN needs at least (6 recommended, 4 allowed); PINs have at most 8.
    pin_length: int = 6
    # One workstation may try at most this many different staff numbers within
    # `throttle_window_minutes` (PIN spraying), and at most `workstation_failures`
    # wrong PINs/unknown numbers; then it waits.
    accounts_per_workstation: int = 3
    workstation_failures: int = 5
    throttle_window_minutes: int = 10
    # Complaint name, phone and address are anonymised this many months after the
    # complaint was received (hall-app privacy purge, and at day close).
    complaint_retention_months: int = 24
    # This workstation's name in sessions and the login throttle (default: host name).
    workstation: str | None = None


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    hall_code: str = "DEMO"
    scripts_path: str | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    long_wait_minutes: dict[str, int] = field(default_factory=dict)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    # The demo (`hall-app demo`, the simulated days of `db seed-demo`): its default PINs
    # may be used as they are and the login throttle is off. Never read from a file.
    demo: bool = False
    backup: BackupSettings = field(default_factory=BackupSettings)
    source: str = "<defaults>"


_INT_LIMITS: dict[str, tuple[int, int]] = {
    "recalls_before_no_show": (0, 10),
    "refresh_interval_ms": (100, 60000),
    "pause_alert_minutes": (1, 600),
    "closing_prompt_minutes": (0, 240),
    "crowded_per_counter": (1, 500),
    "restored_prompt_minutes": (0, 240),
    "long_wait_minutes_default": (1, 600),
    "complaint_reply_hours": (0, 24 * 15),
    "complaint_hard_limit_days": (1, 60),
    "complaint_hard_warning_days": (0, 30),
    "complaint_feedback_hours": (1, 24 * 15),
    "complaint_approval_alert_minutes": (0, 24 * 60),
    "complaint_same_day_target_pct": (0, 100),
    "recovery_break_minutes": (1, 60),
    "cash_cap_yuan": (1, 10_000_000),
    "service_level_target_pct": (0, 100),
    "walkaway_rate_target_pct": (0, 100),
    "staffing_history_weeks": (1, 26),
    "staffing_confidence_pct": (50, 99),
    "lunch_minutes": (0, 120),
    "lunch_window_start_hour": (0, 23),
    "lunch_window_end_hour": (1, 24),
    "district_stale_minutes": (1, 24 * 60),
    "rating_timeout_seconds": (5, 600),
    "satisfaction_target_pct": (0, 100),
    "day_close_grace_minutes": (0, 240),
}


def _bad(source: str, key: str, why: str) -> ConfigError:
    return ConfigError(f"配置文件 {source} 中的 {key} 有误:{why}")


def _int(source: str, key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(source, key, f"应为整数,实际为 {value!r}")
    if not lo <= value <= hi:
        raise _bad(source, key, f"应在 {lo} 到 {hi} 之间,实际为 {value}")
    return value


def _check_keys(source: str, section: str, table: dict[str, Any], allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            name = f"{section}.{key}" if section else key
            raise _bad(source, name, "未知的设置项")


def parse_settings(data: dict[str, Any], source: str = "<settings>") -> Settings:
    """Build Settings from a parsed TOML document (validated; ConfigError names the key)."""
    _check_keys(source, "", data, {"database", "hall", "thresholds", "voice", "scripts",
                                   "long_wait_minutes", "security", "backup"})
    kwargs: dict[str, Any] = {"source": source}
    sections: dict[str, dict[str, Any]] = {}
    for name in ("database", "hall", "thresholds", "voice", "scripts", "long_wait_minutes",
                 "security", "backup"):
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise _bad(source, name, "应为一个表([section])")
        sections[name] = value

    _check_keys(source, "database", sections["database"], {"url"})
    if "url" in sections["database"]:
        url = sections["database"]["url"]
        if not isinstance(url, str) or not url.strip():
            raise _bad(source, "database.url", "应为非空字符串")
        if not url.startswith(("sqlite", "postgresql")):
            raise _bad(source, "database.url", "只支持 sqlite 或 postgresql 数据库")
        kwargs["database_url"] = url

    _check_keys(source, "hall", sections["hall"], {"code"})
    if "code" in sections["hall"]:
        code = sections["hall"]["code"]
        if not isinstance(code, str) or not code.strip():
            raise _bad(source, "hall.code", "应为非空字符串")
        kwargs["hall_code"] = code.strip()

    _check_keys(source, "scripts", sections["scripts"], {"path"})
    if "path" in sections["scripts"]:
        path = sections["scripts"]["path"]
        if not isinstance(path, str):
            raise _bad(source, "scripts.path", "应为文件路径字符串")
        kwargs["scripts_path"] = path or None

    th = sections["thresholds"]
    _check_keys(source, "thresholds", th, set(_INT_LIMITS))
    kwargs["thresholds"] = Thresholds(
        **{k: _int(source, f"thresholds.{k}", v, *_INT_LIMITS[k]) for k, v in th.items()}
    )
    if kwargs["thresholds"].lunch_window_end_hour <= kwargs["thresholds"].lunch_window_start_hour:
        raise _bad(source, "thresholds.lunch_window_end_hour", "午餐时段的结束应晚于开始")

    vo = sections["voice"]
    _check_keys(source, "voice", vo, {f.name for f in fields(VoiceSettings)})
    voice = VoiceSettings()
    if "enabled" in vo:
        if not isinstance(vo["enabled"], bool):
            raise _bad(source, "voice.enabled", "应为 true 或 false")
        voice = replace(voice, enabled=vo["enabled"])
    if "volume" in vo:
        vol = vo["volume"]
        if isinstance(vol, bool) or not isinstance(vol, int | float) or not 0 <= vol <= 1:
            raise _bad(source, "voice.volume", "应为 0 到 1 之间的数")
        voice = replace(voice, volume=float(vol))
    if "station" in vo:
        if vo["station"] not in ("display", "counter", "none"):
            raise _bad(source, "voice.station", "应为 display、counter 或 none")
        voice = replace(voice, station=vo["station"])
    kwargs["voice"] = voice

    kwargs["security"] = _security(source, sections["security"])

    bk = sections["backup"]
    _check_keys(source, "backup", bk, {"keep", "folder"})
    backup = BackupSettings()
    if "keep" in bk:
        backup = replace(backup, keep=_int(source, "backup.keep", bk["keep"], 1, 3650))
    if "folder" in bk:
        if not isinstance(bk["folder"], str):
            raise _bad(source, "backup.folder", "应为文件夹路径字符串")
        backup = replace(backup, folder=bk["folder"] or None)
    kwargs["backup"] = backup

    lw = sections["long_wait_minutes"]
    kwargs["long_wait_minutes"] = {
        str(k): _int(source, f"long_wait_minutes.{k}", v, 1, 600) for k, v in lw.items()
    }
    return Settings(**kwargs)


_SECURITY_LIMITS: dict[str, tuple[int, int]] = {
    "pin_length": (4, 8),
    "accounts_per_workstation": (1, 50),
    "workstation_failures": (1, 100),
    "throttle_window_minutes": (1, 24 * 60),
    "complaint_retention_months": (1, 120),
}


def _security(source: str, table: dict[str, Any]) -> SecuritySettings:
    _check_keys(source, "security", table, set(_SECURITY_LIMITS) | {"workstation"})
    values: dict[str, Any] = {
        k: _int(source, f"security.{k}", v, *_SECURITY_LIMITS[k])
        for k, v in table.items() if k in _SECURITY_LIMITS}
    if "workstation" in table:
        name = table["workstation"]
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 64:
            raise _bad(source, "security.workstation", "应为1到64个字符的名称")
        values["workstation"] = name.strip()
    return SecuritySettings(**values)


def load_settings(path: Path | str | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read the settings file (if any) and apply environment overrides."""
    env = dict(os.environ) if env is None else env
    explicit = path is not None or bool(env.get("HALL_CONFIG"))
    cfg_path = Path(path) if path is not None else Path(env.get("HALL_CONFIG") or default_config_path())
    data: dict[str, Any] = {}
    if cfg_path.exists():
        try:
            data = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"配置文件 {cfg_path} 格式错误:{exc}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"无法读取配置文件 {cfg_path}:{exc}") from exc
    elif explicit:
        raise ConfigError(f"找不到配置文件 {cfg_path}(由 HALL_CONFIG 或命令行指定)")
    settings = parse_settings(data, str(cfg_path))
    if env.get("HALL_DATABASE_URL"):
        url = env["HALL_DATABASE_URL"]
        if not url.startswith(("sqlite", "postgresql")):
            raise ConfigError("环境变量 HALL_DATABASE_URL 有误:只支持 sqlite 或 postgresql 数据库")
        settings = replace(settings, database_url=url)
    if env.get("HALL_CODE"):
        settings = replace(settings, hall_code=env["HALL_CODE"])
    return settings
