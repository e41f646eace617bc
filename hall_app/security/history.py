"""Tamper-evident history: verifying the hash chains, and the per-hall chain of seals.

The database chains every new history row (db/history_chain.py): ticket events per
ticket, complaint history per complaint, the audit log per hall. `verify_history`
recomputes every chain of a hall and reports the first broken link of each: a row whose
content no longer matches its hash (edited), whose `prev_hash` is not the previous row's
hash (a row before it deleted or inserted), or that has no hash (written with the
triggers dropped). It also checks that each ticket's stored state is its last event's
(the last event of a ticket deleted) and then the seals.

A seal (`seal_history`) closes a stretch of a hall's history: per table, the keys after
the previous seal up to the newest row now, their count and a digest of their row
hashes; seals chain by `seal_hash`. Deleting the newest rows of a chain (which leaves no
broken link behind) or whole tickets' histories is found by the next verification once
a seal covers them. Seals are made by `hall-app audit verify` when everything verified
and by the day close (in its own unit of work). On PostgreSQL sealing briefly holds
SHARE locks on the three tables, so no row of the stretch can commit after the digest.

No secret key is involved: someone with write access to the database who recomputes
every later hash and seal can hide an edit; what is found is every edit made without
that (and the seal hashes printed by `audit verify` can be kept elsewhere to anchor
them). docs/decisions.md, "Tamper-evident history".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.history_chain import (
    AUDIT_LOG,
    CHAINED_TABLES,
    COMPLAINT_HISTORY,
    LOCAL_KEY_MOD,
    TICKET_EVENT,
    ChainedTable,
    Column,
    canonical,
    row_hash,
    sqlite_time,
)
from db.models import HistorySeal, Ticket

TABLE_LABELS = {"ticket_event": "号票事件", "complaint_history": "投诉处理记录",
                "audit_log": "审计日志", "ticket": "号票", "history_seal": "封存记录"}
_THROUGH = {"ticket_event": "ticket_event_through",
            "complaint_history": "complaint_history_through", "audit_log": "audit_log_through"}
MAX_BREAKS = 50


@dataclass(frozen=True)
class Break:
    """One broken link: which row and what is wrong with it (Chinese)."""

    table: str
    row_id: int
    at: datetime | None
    problem: str

    def line(self, tz: tzinfo | None = None, *, table_name: bool = True) -> str:
        """One line: table (and its name in the database), key, time (in `tz`, the hall's
        zone; else UTC), problem."""
        when = ""
        if self.at is not None:
            at = self.at.astimezone(tz) if tz is not None else self.at
            when = f",时间 {at:%Y-%m-%d %H:%M:%S}" + ("" if tz is not None else "(UTC)")
        label = TABLE_LABELS.get(self.table, self.table)
        name = f" {self.table}" if table_name else " "
        return f"{label}{name}#{self.row_id}{when}:{self.problem}"


@dataclass
class VerifyReport:
    hall_code: str
    rows: dict[str, int] = field(default_factory=dict)
    seals: int = 0
    breaks: list[Break] = field(default_factory=list)
    last_seal_hash: str | None = None
    tz: tzinfo | None = None  # the hall's time zone, for the times shown

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first(self) -> Break | None:
        return self.breaks[0] if self.breaks else None

    def summary(self) -> str:
        counted = ",".join(f"{TABLE_LABELS[t]} {n} 条" for t, n in self.rows.items())
        head = f"营业厅 {self.hall_code}:已核对 {counted},封存 {self.seals} 段。"
        if self.ok:
            seal = f"最新封存哈希 {self.last_seal_hash}。" if self.last_seal_hash else ""
            return f"{head}\nok:历史记录完整,未发现篡改。{seal}"
        lines = [head, f"发现 {len(self.breaks)} 处问题,第一处:{self.breaks[0].line(self.tz)}"]
        lines += [f"  · {b.line(self.tz)}" for b in self.breaks[1:20]]
        return "\n".join(lines)


def _rows(s: Session, t: ChainedTable, hall_id: int) -> list[Any]:
    cols = ", ".join(f"x.{c.name}" for c in t.columns)
    if t is COMPLAINT_HISTORY:
        where = "JOIN complaint c ON c.id = x.complaint_id WHERE c.hall_id = :h"
    else:
        where = "WHERE x.hall_id = :h"
    order = "x.chain_seq, x.id" if t is AUDIT_LOG else f"x.{t.chain_by}, x.id"
    return list(s.execute(text(
        f"SELECT {cols}, x.prev_hash, x.row_hash FROM {t.name} x {where} ORDER BY {order}"),
        {"h": hall_id}).all())


def _chain_breaks(t: ChainedTable, rows: Iterable[Any]) -> list[Break]:
    names = [c.name for c in t.columns]
    at_index = names.index("at")
    chain_index = names.index(t.chain_by)
    breaks: list[Break] = []
    chain_key: object = object()
    expected_prev, seq = "", 0
    broken_chain = False
    for row in rows:
        values = list(row[:len(names)])
        prev, stored = row[len(names)], row[len(names) + 1]
        row_id = int(values[names.index("id")])
        if values[chain_index] != chain_key:
            chain_key, expected_prev, seq, broken_chain = values[chain_index], "", 0, False
        seq += 1
        problem = None
        if stored is None:
            problem = "没有哈希(绕过数据库触发器写入)"
        elif prev != expected_prev:
            problem = "与前一条记录的链接断开(前面有记录被删除、插入或改动)"
        elif t is AUDIT_LOG and values[0] != seq:
            problem = f"序号应为 {seq},实为 {values[0]}(有记录被删除或插入)"
        elif row_hash(t, prev, values) != stored:
            problem = "内容与哈希不符(记录被改动)"
        if problem is not None and not broken_chain:
            breaks.append(Break(t.name, row_id, _aware(values[at_index]), problem))
            broken_chain = True  # the first break of each chain is the one to report
        expected_prev = stored or ""
    return breaks


def _aware(value: Any) -> datetime | None:
    return None if value is None else sqlite_time(value)


def _state_breaks(s: Session, hall_id: int) -> list[Break]:
    """Tickets whose stored state is not their last event's (its last event deleted)."""
    rows = s.execute(text("""
        SELECT t.id, t.code, t.state, e.to_state, t.created_at
        FROM ticket t
        LEFT JOIN (SELECT ticket_id, max(id) AS last_id FROM ticket_event
                   WHERE hall_id = :h GROUP BY ticket_id) l ON l.ticket_id = t.id
        LEFT JOIN ticket_event e ON e.id = l.last_id
        WHERE t.hall_id = :h AND (e.to_state IS NULL OR e.to_state <> t.state)
        ORDER BY t.id"""), {"h": hall_id}).all()
    return [Break("ticket", int(r[0]), _aware(r[4]),
                  f"{r[1]}号的状态「{r[2]}」与最后一条事件「{r[3] or '(无事件)'}」不符"
                  "(事件被删除或号票被改动)") for r in rows]


# -- seals ------------------------------------------------------------------------------------
def _seal_digest(s: Session, hall_id: int, lower: dict[str, int], upper: dict[str, int]
                 ) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for t in CHAINED_TABLES:
        join = ("JOIN complaint c ON c.id = x.complaint_id WHERE c.hall_id = :h"
                if t is COMPLAINT_HISTORY else "WHERE x.hall_id = :h")
        for row_id, stored in s.execute(text(
                f"SELECT x.id, x.row_hash FROM {t.name} x {join} AND x.id > :lo "
                f"AND x.id <= :hi ORDER BY x.id"),
                {"h": hall_id, "lo": lower[t.name], "hi": upper[t.name]}):
            digest.update(f"{t.name}:{int(row_id) % LOCAL_KEY_MOD}:{stored}\n".encode())
            count += 1
    return count, digest.hexdigest()


def _seal_hash(prev: str, seq: int, at: datetime, through: dict[str, int], rows: int,
               digest: str) -> str:
    values = [seq, at, through["ticket_event"], through["complaint_history"],
              through["audit_log"], rows, digest]
    body = "history_seal\n" + prev + "\n" + canonical(_SEAL_SHAPE, values)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


_SEAL_SHAPE = ChainedTable("history_seal", tuple(Column(n, k) for n, k in (
    ("seq", "int"), ("at", "time"), ("te", "key"), ("ch", "key"), ("al", "key"),
    ("rows", "int"), ("digest", "text"))), chain_by="hall_id", ordered_by="seq")


def _through(seal: HistorySeal | None) -> dict[str, int]:
    if seal is None:
        return {name: 0 for name in _THROUGH}
    return {name: int(getattr(seal, col) or 0) for name, col in _THROUGH.items()}


def _newest(s: Session, hall_id: int) -> dict[str, int]:
    out = {}
    for t in CHAINED_TABLES:
        join = ("JOIN complaint c ON c.id = x.complaint_id WHERE c.hall_id = :h"
                if t is COMPLAINT_HISTORY else "WHERE x.hall_id = :h")
        out[t.name] = int(s.execute(text(f"SELECT max(x.id) FROM {t.name} x {join}"),
                                    {"h": hall_id}).scalar() or 0)
    return out


def seal_history(s: Session, hall_id: int, now: datetime) -> HistorySeal | None:
    """Seal the hall's history written since the last seal (None: nothing new).

    Call in its own unit of work (PostgreSQL: it takes SHARE locks on the history tables
    until that transaction ends, waiting for writers already under way)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("LOCK TABLE ticket_event, complaint_history, audit_log IN SHARE MODE"))
    last = s.scalars(select(HistorySeal).where(HistorySeal.hall_id == hall_id)
                     .order_by(HistorySeal.seq.desc()).limit(1)).first()
    lower = _through(last)
    upper = {name: max(lower[name], n) for name, n in _newest(s, hall_id).items()}
    rows, digest = _seal_digest(s, hall_id, lower, upper)
    if rows == 0:
        return None
    seq = (last.seq if last else 0) + 1
    prev = last.seal_hash if last else ""
    seal = HistorySeal(hall_id=hall_id, seq=seq, at=now,
                       ticket_event_through=upper["ticket_event"],
                       complaint_history_through=upper["complaint_history"],
                       audit_log_through=upper["audit_log"], rows=rows, digest=digest,
                       prev_hash=prev, seal_hash=_seal_hash(prev, seq, now, upper, rows, digest))
    s.add(seal)
    s.flush()
    return seal


def _seal_breaks(s: Session, hall_id: int) -> tuple[int, str | None, list[Break]]:
    seals = list(s.scalars(select(HistorySeal).where(HistorySeal.hall_id == hall_id)
                           .order_by(HistorySeal.seq)))
    breaks: list[Break] = []
    prev, lower = "", _through(None)
    for n, seal in enumerate(seals, start=1):
        upper = _through(seal)
        problem = None
        if seal.seq != n or seal.prev_hash != prev:
            problem = "与前一段封存的链接断开(封存记录被删除或改动)"
        elif _seal_hash(prev, seal.seq, seal.at, upper, seal.rows, seal.digest) != seal.seal_hash:
            problem = "封存记录本身被改动"
        else:
            rows, digest = _seal_digest(s, hall_id, lower, upper)
            if (rows, digest) != (seal.rows, seal.digest):
                problem = (f"封存的 {seal.rows} 条记录现为 {rows} 条或内容不同"
                           "(封存后有记录被删除、插入或改动)")
        if problem:
            breaks.append(Break("history_seal", seal.id, seal.at, f"第 {seal.seq} 段:{problem}"))
            break
        prev, lower = seal.seal_hash, upper
    return len(seals), (seals[-1].seal_hash if seals else None), breaks


def verify_history(s: Session, hall_id: int, hall_code: str,
                   tz: tzinfo | None = None) -> VerifyReport:
    """Every chain and seal of the hall, recomputed (read-only)."""
    report = VerifyReport(hall_code, tz=tz)
    for t in (TICKET_EVENT, COMPLAINT_HISTORY, AUDIT_LOG):
        rows = _rows(s, t, hall_id)
        report.rows[t.name] = len(rows)
        report.breaks += _chain_breaks(t, rows)
    report.breaks += _state_breaks(s, hall_id)
    report.seals, report.last_seal_hash, seal_breaks = _seal_breaks(s, hall_id)
    report.breaks += seal_breaks
    report.breaks.sort(key=lambda b: (b.at.timestamp() if b.at else float("inf"), b.row_id))
    del report.breaks[MAX_BREAKS:]
    return report


def ticket_count(s: Session, hall_id: int) -> int:
    return int(s.scalar(select(func.count(Ticket.id)).where(Ticket.hall_id == hall_id)) or 0)
