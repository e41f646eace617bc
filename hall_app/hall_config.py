"""A hall's configuration as a TOML document: hall, opening hours, services, counters, staff.

The demo hall ships in this format (resources/demo/demo_hall.toml). `parse_hall_config`
validates a whole document first (errors name the file and key, in Chinese);
`create_hall` writes a new hall from it in the caller's transaction.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from db.models import Counter, CounterService, Hall, OpeningHours, ServiceType, Staff
from hall_app.commitment import parse_commitment
from hall_app.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROLES = ("clerk", "duty_manager", "admin")


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    prefix: str
    target_wait_minutes: int = 15
    long_wait_minutes: int = 20
    typical_service_minutes: int = 8
    is_vip: bool = False
    active: bool = True
    weight: int = 10
    # Customers on a typical business day (None: not given); the staffing advice uses it
    # for a hall without history.
    typical_per_day: int | None = None
    commitment: str | None = None  # the farewell's 「…会在XX内开通」 (hall_app.commitment)


@dataclass(frozen=True)
class CounterSpec:
    number: int
    name: str
    services: tuple[str, ...]
    is_vip: bool = False
    active: bool = True


@dataclass(frozen=True)
class StaffSpec:
    staff_no: str
    name: str
    role: str
    pin: str | None = None
    pin_hash: str | None = None
    active: bool = True


@dataclass(frozen=True)
class HallSpec:
    code: str
    name: str
    timezone: str = "Asia/Shanghai"
    hotline: str = "10000"
    opening_hours: dict[int, tuple[time, time] | None] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HallConfig:
    hall: HallSpec
    services: tuple[ServiceSpec, ...]
    counters: tuple[CounterSpec, ...]
    staff: tuple[StaffSpec, ...]


SERVICE_KEYS = {
    "code", "name", "prefix", "target_wait_minutes", "long_wait_minutes",
    "typical_service_minutes", "is_vip", "active", "weight", "commitment",
    "typical_per_day",
}
HALL_SETTING_KEYS = {
    "closing_prompt_minutes", "recalls_before_no_show", "refresh_interval_ms",
    "pause_alert_minutes", "crowded_per_counter", "complaint_reply_hours", "voice_enabled",
    "voice_station", "priority_rule", "priority_ratio", "priority_aging_minutes",
}


def _err(source: str, key: str, why: str) -> ConfigError:
    return ConfigError(f"营业厅配置 {source} 中的 {key} 有误:{why}")


def _str(source: str, key: str, table: dict[str, Any], name: str, *, required: bool = True,
         default: str = "", max_len: int = 100) -> str:
    if name not in table:
        if required:
            raise _err(source, f"{key}.{name}", "缺少此项")
        return default
    value = table[name]
    if not isinstance(value, str) or not value.strip():
        raise _err(source, f"{key}.{name}", "应为非空文字")
    if len(value) > max_len:
        raise _err(source, f"{key}.{name}", f"不能超过{max_len}个字符")
    return value.strip()


def _int(source: str, key: str, table: dict[str, Any], name: str, default: int,
         lo: int = 0, hi: int = 10_000) -> int:
    value = table.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _err(source, f"{key}.{name}", f"应为 {lo} 到 {hi} 之间的整数")
    return value


def _optional_int(source: str, key: str, table: dict[str, Any], name: str,
                  lo: int, hi: int) -> int | None:
    if name not in table:
        return None
    value = table[name]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _err(source, f"{key}.{name}", f"应为 {lo} 到 {hi} 之间的整数(人/天)")
    return value


def _bool(source: str, key: str, table: dict[str, Any], name: str, default: bool) -> bool:
    value = table.get(name, default)
    if not isinstance(value, bool):
        raise _err(source, f"{key}.{name}", "应为 true 或 false")
    return value


def _commitment(source: str, key: str, table: dict[str, Any]) -> str | None:
    try:
        return parse_commitment(table.get("commitment"))
    except ValueError as exc:
        raise _err(source, f"{key}.commitment", str(exc)) from exc


def _time(source: str, key: str, text: Any) -> time:
    if not isinstance(text, str):
        raise _err(source, key, "时间应写成 \"HH:MM\"")
    try:
        hh, mm = text.split(":")
        return time(int(hh), int(mm))
    except ValueError as exc:
        raise _err(source, key, f"时间「{text}」应写成 HH:MM") from exc


def parse_hall_config(data: dict[str, Any], source: str = "<config>") -> HallConfig:
    hall_t = data.get("hall")
    if not isinstance(hall_t, dict):
        raise _err(source, "hall", "缺少 [hall] 表")
    code = _str(source, "hall", hall_t, "code", max_len=32)
    name = _str(source, "hall", hall_t, "name")
    tz = _str(source, "hall", hall_t, "timezone", required=False, default="Asia/Shanghai")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except Exception as exc:
        raise _err(source, "hall.timezone", f"未知时区「{tz}」") from exc
    hotline = _str(source, "hall", hall_t, "hotline", required=False, default="10000", max_len=32)
    hours: dict[int, tuple[time, time] | None] = {}
    oh = hall_t.get("opening_hours", {})
    if not isinstance(oh, dict):
        raise _err(source, "hall.opening_hours", "应为一个表")
    for day_key, value in oh.items():
        if day_key not in WEEKDAYS:
            raise _err(source, f"hall.opening_hours.{day_key}", "星期应为 mon…sun")
        key = f"hall.opening_hours.{day_key}"
        if value in ([], "closed", None):
            hours[WEEKDAYS.index(day_key)] = None
            continue
        if not isinstance(value, list) or len(value) != 2:
            raise _err(source, key, "应写成 [\"08:30\", \"18:00\"] 或 \"closed\"")
        opens, closes = _time(source, key, value[0]), _time(source, key, value[1])
        if closes <= opens:
            raise _err(source, key, "关门时间应晚于开门时间")
        hours[WEEKDAYS.index(day_key)] = (opens, closes)
    settings = {k: v for k, v in hall_t.items() if k in HALL_SETTING_KEYS}
    unknown = set(hall_t) - HALL_SETTING_KEYS - {"code", "name", "timezone", "hotline",
                                                  "opening_hours"}
    if unknown:
        raise _err(source, f"hall.{sorted(unknown)[0]}", "未知的设置项")
    if settings.get("priority_rule", "strict") not in ("strict", "ratio", "aging"):
        raise _err(source, "hall.priority_rule", "应为 strict、ratio 或 aging")

    services: list[ServiceSpec] = []
    seen_codes: set[str] = set()
    seen_prefix: set[str] = set()
    for i, t in enumerate(data.get("services", [])):
        key = f"services[{i}]"
        if not isinstance(t, dict):
            raise _err(source, key, "应为 [[services]] 表")
        stray = sorted(set(t) - SERVICE_KEYS)
        if stray:
            raise _err(source, f"{key}.{stray[0]}", "未知的设置项")
        spec = ServiceSpec(
            code=_str(source, key, t, "code", max_len=32),
            name=_str(source, key, t, "name", max_len=64),
            prefix=_str(source, key, t, "prefix", max_len=2).upper(),
            target_wait_minutes=_int(source, key, t, "target_wait_minutes", 15, 1, 600),
            long_wait_minutes=_int(source, key, t, "long_wait_minutes", 20, 1, 600),
            typical_service_minutes=_int(source, key, t, "typical_service_minutes", 8, 1, 600),
            is_vip=_bool(source, key, t, "is_vip", False),
            active=_bool(source, key, t, "active", True),
            weight=_int(source, key, t, "weight", 10, 0, 1000),
            typical_per_day=_optional_int(source, key, t, "typical_per_day", 0, 20_000),
            commitment=_commitment(source, key, t),
        )
        if not spec.prefix.isalpha() or not spec.prefix.isascii():
            raise _err(source, f"{key}.prefix", "号票字母应为英文字母")
        if spec.code in seen_codes:
            raise _err(source, f"{key}.code", f"业务代码「{spec.code}」重复")
        if spec.prefix in seen_prefix:
            raise _err(source, f"{key}.prefix", f"号票字母「{spec.prefix}」重复")
        seen_codes.add(spec.code)
        seen_prefix.add(spec.prefix)
        services.append(spec)
    if not services:
        raise _err(source, "services", "至少需要一种业务")

    counters: list[CounterSpec] = []
    seen_numbers: set[int] = set()
    for i, t in enumerate(data.get("counters", [])):
        key = f"counters[{i}]"
        if not isinstance(t, dict):
            raise _err(source, key, "应为 [[counters]] 表")
        number = _int(source, key, t, "number", 0, 1, 999)
        svc = t.get("services", [])
        if not isinstance(svc, list) or not svc:
            raise _err(source, f"{key}.services", "窗口至少要办理一种业务")
        for code_ in svc:
            if code_ not in seen_codes:
                raise _err(source, f"{key}.services", f"未知的业务代码「{code_}」")
        if len(set(svc)) != len(svc):
            raise _err(source, f"{key}.services", "业务重复")
        if number in seen_numbers:
            raise _err(source, f"{key}.number", f"窗口号 {number} 重复")
        seen_numbers.add(number)
        counters.append(CounterSpec(number, _str(source, key, t, "name", required=False,
                                                 default=f"{number}号窗口"),
                                    tuple(svc), _bool(source, key, t, "is_vip", False),
                                    _bool(source, key, t, "active", True)))

    staff: list[StaffSpec] = []
    seen_staff: set[str] = set()
    for i, t in enumerate(data.get("staff", [])):
        key = f"staff[{i}]"
        if not isinstance(t, dict):
            raise _err(source, key, "应为 [[staff]] 表")
        staff_no = _str(source, key, t, "staff_no", max_len=32)
        role = _str(source, key, t, "role", max_len=16)
        if role not in ROLES:
            raise _err(source, f"{key}.role", "角色应为 clerk、duty_manager 或 admin")
        pin = t.get("pin")
        pin_hash = t.get("pin_hash")
        # Neither: the member keeps the PIN they have (an export without PIN hashes);
        # a new hall or a new member needs one (create_hall, hall_app.config_io).
        if pin is not None and (not isinstance(pin, str) or not pin.isdigit()
                                or not 4 <= len(pin) <= 8):
            raise _err(source, f"{key}.pin", "密码应为4到8位数字(写成字符串)")
        if staff_no in seen_staff:
            raise _err(source, f"{key}.staff_no", f"工号「{staff_no}」重复")
        seen_staff.add(staff_no)
        staff.append(StaffSpec(staff_no, _str(source, key, t, "name", max_len=64), role, pin,
                               pin_hash, _bool(source, key, t, "active", True)))
    if not any(s.role == "admin" and s.active for s in staff):
        raise _err(source, "staff", "至少需要一名在职的管理员(admin)")
    return HallConfig(HallSpec(code, name, tz, hotline, hours, settings), tuple(services),
                      tuple(counters), tuple(staff))


def read_hall_document(path: Path) -> dict[str, Any]:
    """The TOML document at `path`, or a Chinese ConfigError naming the file."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到营业厅配置文件 {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"营业厅配置 {path} 格式错误:{exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"无法读取营业厅配置 {path}:{exc}") from exc


def load_hall_config(path: Path) -> HallConfig:
    return parse_hall_config(read_hall_document(path), str(path))


def create_hall(session: Session, cfg: HallConfig) -> Hall:
    """Insert a new hall with everything in `cfg` (caller's transaction)."""
    from hall_app.services.auth import hash_pin

    h = cfg.hall
    hall = Hall(code=h.code, name=h.name, timezone=h.timezone, hotline=h.hotline, **h.settings)
    hall.opening_hours = [
        OpeningHours(weekday=d, opens=v[0] if v else None, closes=v[1] if v else None)
        for d, v in sorted(h.opening_hours.items())
    ]
    session.add(hall)
    session.flush()
    by_code: dict[str, ServiceType] = {}
    for order, sv in enumerate(cfg.services):
        row = ServiceType(hall_id=hall.id, code=sv.code, name=sv.name, prefix=sv.prefix,
                          target_wait_minutes=sv.target_wait_minutes,
                          long_wait_minutes=sv.long_wait_minutes,
                          typical_service_minutes=sv.typical_service_minutes,
                          typical_per_day=sv.typical_per_day,
                          is_vip=sv.is_vip, active=sv.active, sort_order=order,
                          commitment=sv.commitment)
        session.add(row)
        by_code[sv.code] = row
    session.flush()
    for c in cfg.counters:
        counter = Counter(hall_id=hall.id, number=c.number, name=c.name, is_vip=c.is_vip,
                          active=c.active, state="closed")
        counter.services = [CounterService(service_id=by_code[code].id, rank=rank)
                            for rank, code in enumerate(c.services)]
        session.add(counter)
    for i, st in enumerate(cfg.staff):
        if st.pin is None and st.pin_hash is None:
            raise ConfigError(f"新建营业厅「{h.code}」:staff[{i}](工号 {st.staff_no})需要 pin 或 "
                              "pin_hash。")
        # A PIN written in clear in a file (the demo's) must be changed at the first
        # login outside the demo (hall_app.services.auth).
        session.add(Staff(hall_id=hall.id, staff_no=st.staff_no, name=st.name, role=st.role,
                          pin_hash=st.pin_hash or hash_pin(st.pin or ""), active=st.active,
                          default_pin=st.pin is not None))
    session.flush()
    return hall
