"""`hall-app config export FILE --staff NO [--with-pin-hashes]` / `config import FILE
--staff NO [--dry-run] [--reset-pins]`: a hall's configuration as a TOML file in the demo
hall's format (see `hall_app.hall_config`).

Both run under an administrator's login: `--staff` names them, the PIN is read from the
terminal without echo (or one line from stdin when it is not a terminal); the session is
checked in the same transaction as the import, and every audit row names that
administrator. The only exception is the very first import into a database that has no
hall at all (nobody could log in yet); its audit rows say so.

Export leaves PIN hashes out unless `--with-pin-hashes` is given (never a PIN) and writes
the file 0600. Import reads and validates the whole file first, then applies it in one
transaction: it creates the hall if missing, else updates it in place (services matched
by code, counters by number, staff by 工号; rows missing from the file are deactivated,
never deleted, so history keeps its references), or it changes nothing. An existing
staff member's PIN is never changed unless `--reset-pins` is given (then a PIN given in
clear must be changed at the next login). Disabling, demoting or a PIN reset by import
ends the member's sessions, as in the admin window. `--dry-run` runs the same
transaction and rolls it back. With the global `--hall CODE` the file is applied to that
hall instead of the one it names, so a chain can roll one configuration out to many
halls (creating a hall in a database that has others needs `--login-hall`: the hall the
administrator logs in at).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AuditLog, Counter, CounterService, Hall, OpeningHours, ServiceType, Staff
from db.private_files import write_private_text
from hall_app.config import Settings
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import ConfigError, HallError, NotFound, PermissionDenied
from hall_app.hall_config import (
    WEEKDAYS,
    HallConfig,
    create_hall,
    parse_hall_config,
    read_hall_document,
)
from hall_app.security.sessions import EndReason

SETTING_ORDER = (
    "closing_prompt_minutes", "recalls_before_no_show", "refresh_interval_ms",
    "pause_alert_minutes", "crowded_per_counter", "complaint_reply_hours", "voice_enabled",
    "voice_station", "priority_rule", "priority_ratio", "priority_aging_minutes",
)
SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "closing_prompt_minutes": (0, 240), "recalls_before_no_show": (0, 10),
    "refresh_interval_ms": (100, 60000), "pause_alert_minutes": (1, 600),
    "crowded_per_counter": (1, 500), "complaint_reply_hours": (0, 360),
    "priority_ratio": (1, 50), "priority_aging_minutes": (1, 600),
}
RULE_DEFAULTS: dict[str, Any] = {"priority_rule": "strict", "priority_ratio": 3,
                                 "priority_aging_minutes": 30}


FIELD_LABELS = {
    "name": "名称", "timezone": "时区", "hotline": "服务热线", "prefix": "号票字母",
    "target_wait_minutes": "目标等候(分钟)", "long_wait_minutes": "长时等候阈值(分钟)",
    "typical_service_minutes": "平均办理(分钟)", "typical_per_day": "日常客流(人/天)",
    "is_vip": "VIP", "active": "启用", "commitment": "开通时限",
    "role": "角色", "services": "办理业务", "closing_prompt_minutes": "闭厅提醒(分钟)",
    "recalls_before_no_show": "过号前重呼次数", "refresh_interval_ms": "刷新间隔(毫秒)",
    "pause_alert_minutes": "暂停告警(分钟)", "crowded_per_counter": "拥挤阈值(人/窗口)",
    "complaint_reply_hours": "投诉答复时限(小时)", "voice_enabled": "语音播报",
    "voice_station": "播报位置", "priority_rule": "叫号规则", "priority_ratio": "普通:VIP 比例",
    "priority_aging_minutes": "等候升级(分钟)",
}


class _DryRun(Exception):
    """Raised inside the import transaction to roll a dry run back."""


@dataclass
class ImportResult:
    hall_code: str
    created: bool
    changes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        head = f"营业厅 {self.hall_code}:" + ("新建" if self.created else "更新")
        if not self.changes:
            head = f"营业厅 {self.hall_code}:配置与文件一致,没有修改。"
        lines = [head, *(f"  · {c}" for c in self.changes)]
        if self.changes:
            lines.append(f"共 {len(self.changes)} 项修改。")
        if self.dry_run:
            lines.append("(试运行:已检查通过,数据库未做任何修改。)")
        return "\n".join(lines)


# -- export ------------------------------------------------------------------------------
def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def config_dict(session: Session, hall_code: str, *,
                with_pin_hashes: bool = False) -> dict[str, Any]:
    """The hall's whole configuration as a plain dict in the file format (PIN hashes
    only if asked for)."""
    hall = session.scalars(select(Hall).where(Hall.code == hall_code)).first()
    if hall is None:
        raise NotFound(f"找不到营业厅「{hall_code}」。")
    hall_t: dict[str, Any] = {"code": hall.code, "name": hall.name, "timezone": hall.timezone,
                              "hotline": hall.hotline}
    for key in SETTING_ORDER:
        value = getattr(hall, key)
        if value is not None:
            hall_t[key] = value
    hall_t["opening_hours"] = {
        WEEKDAYS[h.weekday]: ([_hm(h.opens), _hm(h.closes)] if h.opens and h.closes
                              else "closed")
        for h in sorted(hall.opening_hours, key=lambda r: r.weekday)}
    services = list(session.scalars(select(ServiceType).where(ServiceType.hall_id == hall.id)
                                    .order_by(ServiceType.sort_order, ServiceType.id)))
    codes = {s.id: s.code for s in services}
    counters = session.scalars(select(Counter).where(Counter.hall_id == hall.id)
                               .order_by(Counter.number))
    staff = session.scalars(select(Staff).where(Staff.hall_id == hall.id)
                            .order_by(Staff.staff_no))
    return {
        "hall": hall_t,
        "services": [{"code": s.code, "name": s.name, "prefix": s.prefix,
                      "target_wait_minutes": s.target_wait_minutes,
                      "long_wait_minutes": s.long_wait_minutes,
                      "typical_service_minutes": s.typical_service_minutes,
                      **({} if s.typical_per_day is None
                         else {"typical_per_day": s.typical_per_day}),
                      "is_vip": s.is_vip, "active": s.active,
                      **({"commitment": s.commitment} if s.commitment else {})}
                     for s in services],
        "counters": [{"number": c.number, "name": c.name,
                      "services": [codes[cs.service_id] for cs in c.services],
                      "is_vip": c.is_vip, "active": c.active} for c in counters],
        "staff": [{"staff_no": m.staff_no, "name": m.name, "role": m.role,
                   **({"pin_hash": m.pin_hash} if with_pin_hashes else {}),
                   "active": m.active} for m in staff],
    }


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _table(rows: dict[str, Any]) -> list[str]:
    return [f"{k} = {_value(v)}" for k, v in rows.items() if not isinstance(v, dict)]


def to_toml(data: dict[str, Any]) -> str:
    hashes = any("pin_hash" in m for m in data["staff"])
    note = ("密码只以 pin_hash 形式保存,请妥善保管本文件。" if hashes
            else "不含密码:导入时现有员工保留原密码,新员工须写 pin。")
    out = [f"# 营业厅配置(hall-app config export 导出)。{note}", "",
           "[hall]", *_table(data["hall"]), "", "[hall.opening_hours]",
           *_table(data["hall"].get("opening_hours", {}))]
    for section in ("services", "counters", "staff"):
        for row in data[section]:
            out += ["", f"[[{section}]]", *_table(row)]
    return "\n".join(out) + "\n"


def export_config(database: Database, hall_code: str, path: Path, *,
                  with_pin_hashes: bool = False, settings: Settings | None = None,
                  actor: Actor | None = None) -> dict[str, Any]:
    """Write the hall's configuration to `path` (0600). With `actor` (the CLI always
    passes one) the administrator's session is checked first, in the same transaction."""
    with database.read() as s:
        if actor is not None:
            _check_admin(database, settings or Settings(database_url=database.url),
                         hall_code, s, actor, read_only=True)
        data = config_dict(s, hall_code, with_pin_hashes=with_pin_hashes)
    try:
        write_private_text(Path(path), to_toml(data))
    except OSError as exc:
        raise ConfigError(f"无法写入文件 {path}:{exc}") from exc
    return data


def _check_admin(database: Database, settings: Settings, hall_code: str, s: Session,
                 actor: Actor, *, read_only: bool = False) -> None:
    """The administrator's session at `hall_code`, checked in `s` (ServiceContext)."""
    from hall_app.services.context import ServiceContext

    ctx = ServiceContext(database, settings, hall_code=hall_code)
    ctx._hall = ctx.load_hall(s)
    ctx.verify_actor(s, actor, Permission.ADMIN_CONFIG, read_only=read_only)


# -- import -------------------------------------------------------------------------------
def _bad(source: str, key: str, why: str) -> ConfigError:
    return ConfigError(f"营业厅配置 {source} 中的 {key} 有误:{why}")


def validate_extra(cfg: HallConfig, source: str) -> None:
    """Checks `parse_hall_config` leaves to the importer: setting values, hashes, VIP use."""
    for key, value in cfg.hall.settings.items():
        if key in SETTING_LIMITS:
            lo, hi = SETTING_LIMITS[key]
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise _bad(source, f"hall.{key}", f"应为 {lo} 到 {hi} 之间的整数")
    if "voice_enabled" in cfg.hall.settings and not isinstance(
            cfg.hall.settings["voice_enabled"], bool):
        raise _bad(source, "hall.voice_enabled", "应为 true 或 false")
    if cfg.hall.settings.get("voice_station", "display") not in ("display", "counter", "none"):
        raise _bad(source, "hall.voice_station", "应为 display、counter 或 none")
    active = {s.code for s in cfg.services if s.active}
    for i, c in enumerate(cfg.counters):
        if c.active and not any(code in active for code in c.services):
            raise _bad(source, f"counters[{i}].services", "启用的窗口至少要办理一种启用中的业务")
    for i, m in enumerate(cfg.staff):
        if m.pin_hash is not None and (not isinstance(m.pin_hash, str)
                                       or not m.pin_hash.startswith("scrypt$")
                                       or m.pin_hash.count("$") != 5):
            raise _bad(source, f"staff[{i}].pin_hash", "不是本系统导出的密码摘要")


def read_config_file(path: Path) -> tuple[dict[str, Any], HallConfig]:
    data = read_hall_document(path)
    cfg = parse_hall_config(data, str(path))
    validate_extra(cfg, str(path))
    return data, cfg


class _Applier:
    """Updates one existing hall to match `cfg`, collecting a Chinese line per change.

    Audit rows name `staff_id` (the administrator who imports). `revoked` collects the
    staff members whose sessions must end (disabled, role changed, PIN reset)."""

    def __init__(self, s: Session, hall: Hall, cfg: HallConfig, source: str, *,
                 staff_id: int | None, reset_pins: bool = False) -> None:
        self.s, self.hall, self.cfg, self.source = s, hall, cfg, source
        self.staff_id, self.reset_pins = staff_id, reset_pins
        self.changes: list[str] = []
        self.revoked: dict[int, EndReason] = {}

    def note(self, entity: str, what: str, field_: str, old: Any, new: Any) -> None:
        label = FIELD_LABELS.get(field_, field_)
        self.changes.append(f"{what}:{label} {old if old is not None else '(空)'} → {new}")
        self.s.add(AuditLog(hall_id=self.hall.id, staff_id=self.staff_id, at=_now(),
                            entity=entity, field=f"导入 {what} {field_}",
                            old_value=None if old is None else str(old), new_value=str(new)))

    def set(self, row: Any, entity: str, what: str, name: str, value: Any) -> None:
        old = getattr(row, name)
        if old != value:
            self.note(entity, what, name, old, value)
            setattr(row, name, value)

    def run(self) -> None:
        h, hall = self.cfg.hall, self.hall
        for name in ("name", "timezone", "hotline"):
            self.set(hall, "hall", "营业厅", name, getattr(h, name))
        for key in SETTING_ORDER:
            self.set(hall, "hall", "营业厅", key, h.settings.get(key, RULE_DEFAULTS.get(key)))
        self.hours()
        by_code = self.services()
        self.counters(by_code)
        self.staff()

    def hours(self) -> None:
        rows = {r.weekday: r for r in self.hall.opening_hours}
        wanted = self.cfg.hall.opening_hours
        for d in range(7):
            row = rows.get(d)
            label = f"营业时间 {WEEKDAYS[d]}"
            if d not in wanted:
                if row is not None:
                    self.hall.opening_hours.remove(row)
                    self.note("opening_hours", label, "", "已设置", "(删除)")
                continue
            want = wanted[d]
            opens, closes = (want if want else (None, None))
            if row is None:
                self.hall.opening_hours.append(OpeningHours(weekday=d, opens=opens,
                                                            closes=closes))
                self.note("opening_hours", label, "", None, _hours(opens, closes))
            elif (row.opens, row.closes) != (opens, closes):
                self.note("opening_hours", label, "", _hours(row.opens, row.closes),
                          _hours(opens, closes))
                row.opens, row.closes = opens, closes

    def services(self) -> dict[str, ServiceType]:
        s, hall = self.s, self.hall
        existing = {r.code: r for r in s.scalars(
            select(ServiceType).where(ServiceType.hall_id == hall.id))}
        in_file = {sv.code for sv in self.cfg.services}
        kept = {r.prefix: r for code, r in existing.items() if code not in in_file}
        for i, sv in enumerate(self.cfg.services):
            if sv.prefix in kept:
                raise _bad(self.source, f"services[{i}].prefix",
                           f"号票字母「{sv.prefix}」已被文件中没有的业务「{kept[sv.prefix].name}」占用")
        original = {code: r.prefix for code, r in existing.items()}
        # Free the prefixes first, so two services may swap letters in one import.
        for i, sv in enumerate(self.cfg.services):
            row = existing.get(sv.code)
            if row is not None and row.prefix != sv.prefix:
                row.prefix = f"{i:02d}"
        s.flush()
        for order, sv in enumerate(self.cfg.services):
            row = existing.get(sv.code)
            what = f"业务 {sv.code}"
            if row is None:
                row = ServiceType(hall_id=hall.id, code=sv.code, name=sv.name, prefix=sv.prefix,
                                  target_wait_minutes=sv.target_wait_minutes,
                                  long_wait_minutes=sv.long_wait_minutes,
                                  typical_service_minutes=sv.typical_service_minutes,
                                  typical_per_day=sv.typical_per_day,
                                  is_vip=sv.is_vip, active=sv.active, sort_order=order,
                                  commitment=sv.commitment)
                s.add(row)
                existing[sv.code] = row
                self.note("service", what, "新增", None, f"{sv.name}({sv.prefix})")
                continue
            old_prefix = original[sv.code]
            for name in ("name", "target_wait_minutes", "long_wait_minutes",
                         "typical_service_minutes", "typical_per_day", "is_vip", "active",
                         "commitment"):
                self.set(row, "service", what, name, getattr(sv, name))
            if old_prefix != sv.prefix:
                row.prefix = sv.prefix
                self.note("service", what, "prefix", old_prefix, sv.prefix)
            row.sort_order = order
        for n, (code, row) in enumerate(sorted((c, r) for c, r in existing.items()
                                               if c not in in_file)):
            row.sort_order = len(self.cfg.services) + n
            self.set(row, "service", f"业务 {code}", "active", False)
        s.flush()
        return existing

    def counters(self, by_code: dict[str, ServiceType]) -> None:
        s, hall = self.s, self.hall
        existing = {c.number: c for c in s.scalars(
            select(Counter).where(Counter.hall_id == hall.id))}
        numbers = {c.number for c in self.cfg.counters}
        for spec in self.cfg.counters:
            want = [by_code[code].id for code in spec.services]
            row = existing.get(spec.number)
            what = f"窗口 {spec.number}"
            if row is None:
                row = Counter(hall_id=hall.id, number=spec.number, name=spec.name,
                              is_vip=spec.is_vip, active=spec.active, state="closed")
                row.services = [CounterService(service_id=sid, rank=rank)
                                for rank, sid in enumerate(want)]
                s.add(row)
                self.note("counter", what, "新增", None, spec.name)
                continue
            for name in ("name", "is_vip", "active"):
                self.set(row, "counter", what, name, getattr(spec, name))
            have = [cs.service_id for cs in row.services]
            if have != want:
                names = {r.id: r.code for r in by_code.values()}
                self.note("counter", what, "services", "、".join(names[i] for i in have),
                          "、".join(spec.services))
                current = {cs.service_id: cs for cs in row.services}
                for sid, cs in current.items():
                    if sid not in want:
                        row.services.remove(cs)
                s.flush()
                for rank, sid in enumerate(want):
                    if sid in current:
                        current[sid].rank = rank
                    else:
                        row.services.append(CounterService(service_id=sid, rank=rank))
        for number, row in sorted(existing.items()):
            if number not in numbers:
                self.set(row, "counter", f"窗口 {number}", "active", False)
        s.flush()

    def staff(self) -> None:
        from hall_app.services.auth import hash_pin

        s, hall = self.s, self.hall
        existing = {m.staff_no: m for m in s.scalars(
            select(Staff).where(Staff.hall_id == hall.id))}
        in_file = {m.staff_no for m in self.cfg.staff}
        for i, spec in enumerate(self.cfg.staff):
            row = existing.get(spec.staff_no)
            what = f"员工 {spec.staff_no}"
            if row is None:
                if spec.pin is None and spec.pin_hash is None:
                    raise _bad(self.source, f"staff[{i}]", "新员工需要 pin 或 pin_hash")
                s.add(Staff(hall_id=hall.id, staff_no=spec.staff_no, name=spec.name,
                            role=spec.role, pin_hash=spec.pin_hash or hash_pin(spec.pin or ""),
                            active=spec.active, default_pin=spec.pin is not None))
                self.note("staff", what, "新增", None, f"{spec.name}({spec.role})")
                continue
            was_role, was_active = row.role, row.active
            for name in ("name", "role", "active"):
                self.set(row, "staff", what, name, getattr(spec, name))
            if was_active and not row.active:
                self.revoked[row.id] = EndReason.DISABLED
            elif row.role != was_role:
                self.revoked[row.id] = EndReason.ROLE_CHANGED
            new_hash = None
            if self.reset_pins and (spec.pin is not None or spec.pin_hash is not None):
                new_hash = spec.pin_hash or hash_pin(spec.pin or "")
            if new_hash is not None and new_hash != row.pin_hash:  # the same PIN: no change
                row.pin_hash = new_hash
                row.default_pin = spec.pin is not None
                row.must_change_pin = spec.pin is not None
                row.failed_logins, row.lock_seconds = 0, 0
                row.locked_until = row.lock_started_at = row.lock_started_mono = None
                self.revoked.setdefault(row.id, EndReason.PIN_RESET)
                self.note("staff", what, "密码", "******", "已按文件重置")
        for staff_no, row in sorted(existing.items()):
            if staff_no not in in_file:
                was_active = row.active
                self.set(row, "staff", f"员工 {staff_no}", "active", False)
                if was_active:
                    self.revoked[row.id] = EndReason.DISABLED
        s.flush()


def _hours(opens: time | None, closes: time | None) -> str:
    return f"{_hm(opens)}-{_hm(closes)}" if opens and closes else "休息"


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def import_config(database: Database, settings: Settings, cfg: HallConfig, *,
                  source: str = "<config>", dry_run: bool = False,
                  actor: Actor | None = None, login_hall: str | None = None,
                  reset_pins: bool = False) -> ImportResult:
    """Apply `cfg` in one transaction (or roll back on any error / when `dry_run`).

    `actor` is the administrator (logged in at `login_hall`, default the hall the file
    is applied to), checked inside the transaction; it may be None only while the
    database has no hall at all.
    """
    from hall_app.security import sessions
    from hall_app.services.admin import AdminService
    from hall_app.services.context import ServiceContext

    code = cfg.hall.code
    result = ImportResult(code, created=False, dry_run=dry_run)
    cfg = _hash_pins_first(database, cfg, reset_pins=reset_pins)
    try:
        with database.write() as s:
            hall = s.scalars(select(Hall).where(Hall.code == code)).first()
            staff_id = _authorise(database, settings, s, actor, login_hall or code,
                                  hall_exists=hall is not None)
            if hall is None:
                hall = create_hall(s, cfg)
                result.created = True
                result.changes.append(
                    f"新建营业厅「{cfg.hall.name}」:业务 {len(cfg.services)} 种,"
                    f"窗口 {len(cfg.counters)} 个,员工 {len(cfg.staff)} 名")
                s.add(AuditLog(hall_id=hall.id, staff_id=staff_id, at=_now(), entity="hall",
                               entity_id=hall.id, field="导入 新建营业厅",
                               old_value=None if actor else "首次导入(数据库中尚无营业厅,无需登录)",
                               new_value=source))
            else:
                ctx = ServiceContext(database, settings, hall_code=code)
                ctx._hall = ctx.load_hall(s)
                sessions.lock_live(s, hall.id)  # before the staff rows it may change
                checker = AdminService(ctx)
                before = checker.stuck_waiting(s)
                applier = _Applier(s, hall, cfg, source, staff_id=staff_id,
                                   reset_pins=reset_pins)
                applier.run()
                result.changes = applier.changes
                for sid, n in checker.stuck_waiting(s).items():
                    if n > before.get(sid, 0):
                        sv = s.get(ServiceType, sid)
                        raise ConfigError(
                            f"导入后「{sv.name if sv else sid}」还有 {n} 位等候的顾客"
                            "没有启用的窗口能办理,已取消导入。")
                admins = [m for m in s.scalars(select(Staff).where(
                    Staff.hall_id == hall.id, Staff.role == "admin", Staff.active.is_(True)))]
                if not admins:
                    raise ConfigError("导入后营业厅将没有在职的管理员,已取消导入。")
                for member_id, reason in applier.revoked.items():
                    sessions.end_sessions(s, hall.id, reason, _now(), staff_id=member_id)
                ctx.notify(s, "config")
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except IntegrityError as exc:
        raise ConfigError(f"导入 {source} 失败:与数据库现有数据冲突,未做任何修改。",
                          detail=type(exc.orig).__name__) from exc
    return result


def _authorise(database: Database, settings: Settings, s: Session, actor: Actor | None,
               login_hall: str, *, hall_exists: bool) -> int | None:
    """The administrator's staff id (their session checked in `s`); None only for the
    first import into a database without any hall."""
    if actor is None:
        if hall_exists or s.scalar(select(Hall.id).limit(1)) is not None:
            raise PermissionDenied("导入配置需要管理员登录:请加 --staff 工号。")
        return None
    login = s.scalar(select(Hall.id).where(Hall.code == login_hall))
    if login is None:
        raise PermissionDenied(
            f"找不到登录的营业厅「{login_hall}」:新建营业厅请用 --login-hall 指定管理员所在的营业厅。")
    _check_admin(database, settings, login_hall, s, actor)
    return actor.staff_id


def _hash_pins_first(database: Database, cfg: HallConfig, *,
                     reset_pins: bool = False) -> HallConfig:
    """Every PIN in `cfg` the import will store, as a hash, computed before the write
    transaction begins (the plain PIN stays beside it: it marks a PIN that must be
    changed at first login).

    scrypt is slow on purpose (~50 ms a PIN): hashing 200 staff inside the write lock held
    every kiosk and counter for seconds. Existing staff keep their PIN unless `reset_pins`
    (so theirs are not hashed at all); with it, a PIN that matches the stored hash keeps
    that hash; any other PIN gets a fresh hash.
    """
    from hall_app.services.auth import hash_pin, verify_pin

    if not any(st.pin is not None and st.pin_hash is None for st in cfg.staff):
        return cfg
    with database.read() as s:
        hall_id = s.scalar(select(Hall.id).where(Hall.code == cfg.hall.code))
        stored = dict(s.execute(select(Staff.staff_no, Staff.pin_hash)
                                .where(Staff.hall_id == hall_id)).tuples().all()) \
            if hall_id is not None else {}
    staff = []
    for st in cfg.staff:
        if st.pin is not None and st.pin_hash is None:
            old = stored.get(st.staff_no)
            if old is not None and not reset_pins:
                staff.append(st)
                continue
            keep = old is not None and verify_pin(st.pin, old)
            st = replace(st, pin_hash=old if keep else hash_pin(st.pin))
        staff.append(st)
    return replace(cfg, staff=tuple(staff) if isinstance(cfg.staff, tuple) else staff)


# -- CLI entry points -------------------------------------------------------------------------
def _database(settings: Settings) -> Database:
    from db.migrate import upgrade

    database = Database(settings.database_url)
    upgrade(database)
    return database


def _admin_login(database: Database, settings: Settings, hall_code: str,
                 staff_no: str | None) -> Actor:
    """Log the administrator in at `hall_code` (PIN from the terminal without echo, or
    one line of stdin)."""
    from hall_app.cli_login import pin_prompt, read_pin
    from hall_app.services.auth import AuthService
    from hall_app.services.context import ServiceContext

    if not staff_no:
        raise PermissionDenied("此命令需要管理员登录:请加 --staff 工号。")
    with database.read() as s:
        if s.scalar(select(Hall.id).where(Hall.code == hall_code)) is None:
            raise PermissionDenied(f"营业厅「{hall_code}」不存在,无法在此登录:新建营业厅请用 "
                                   "--login-hall 指定管理员所在的营业厅。")
    ctx = ServiceContext(database, settings, hall_code=hall_code)
    actor = AuthService(ctx).login(staff_no, read_pin(pin_prompt(staff_no)))
    with ctx.read() as s:
        ctx.verify_actor(s, actor, Permission.ADMIN_CONFIG, read_only=True)
    return actor


def export_main(args: Any, settings: Settings) -> int:
    database = _database(settings)
    try:
        actor = _admin_login(database, settings, settings.hall_code, getattr(args, "staff", None))
        data = export_config(database, settings.hall_code, Path(args.file),
                             with_pin_hashes=bool(getattr(args, "with_pin_hashes", False)),
                             settings=settings, actor=actor)
        _logout(database, settings, actor)
    finally:
        database.dispose()
    extra = "(含密码摘要,请妥善保管)" if getattr(args, "with_pin_hashes", False) else ""
    print(f"已导出营业厅 {settings.hall_code} 的配置到 {args.file}{extra}:业务 {len(data['services'])} 种,"
          f"窗口 {len(data['counters'])} 个,员工 {len(data['staff'])} 名。")
    return 0


def import_main(args: Any, settings: Settings) -> int:
    _, cfg = read_config_file(Path(args.file))
    target = getattr(args, "hall_code", None)
    if target and target != cfg.hall.code:
        cfg = replace(cfg, hall=replace(cfg.hall, code=target))
    database = _database(settings)
    try:
        login_hall = getattr(args, "login_hall", None) or cfg.hall.code
        staff_no = getattr(args, "staff", None)
        actor = None
        with database.read() as s:
            any_hall = s.scalar(select(Hall.id).limit(1)) is not None
        if staff_no or any_hall:
            actor = _admin_login(database, settings, login_hall, staff_no)
        result = import_config(database, settings, cfg, source=str(args.file),
                               dry_run=bool(getattr(args, "dry_run", False)), actor=actor,
                               login_hall=login_hall,
                               reset_pins=bool(getattr(args, "reset_pins", False)))
        if actor is not None:
            _logout(database, settings, actor)
    except HallError:
        raise
    finally:
        database.dispose()
    print(result.summary())
    return 0


def _logout(database: Database, settings: Settings, actor: Actor) -> None:
    from hall_app.services.auth import AuthService
    from hall_app.services.context import ServiceContext

    AuthService(ServiceContext(database, settings)).logout(actor)
