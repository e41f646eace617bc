"""Replication health, read from PostgreSQL's own statistics (no polling of halls).

At the district, per registered site (`district_site` joined to `pg_subscription`,
`pg_stat_subscription`, `pg_subscription_rel`, `pg_stat_subscription_stats`):
  * `last_received_at` — when the district last heard anything from the hall's WAL
    sender (data or keepalive): `last_msg_receipt_time`;
  * `caught_up_at` — the hall's clock when its WAL sender last reported the end of its
    WAL to a district that had applied everything before it (`latest_end_time`). The
    sender only does that when it has nothing more to send, so the district holds all
    of the hall's data up to this moment: this is the *data time*, and
    `now − caught_up_at` the replication lag. While the apply worker is down PostgreSQL
    forgets it; the registry's `last_heard_at` keeps the newest value seen, so a hall
    whose link is down shows its true, growing age instead of none.
At a hall, per slot (`pg_replication_slots`): whether the district is connected, the WAL
it has not confirmed (bytes) and whether retention is at risk (`wal_status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text, update
from sqlalchemy.engine import Connection

from db.models import DistrictSite
from db.site_keys import SITE_BITS


@dataclass(frozen=True)
class SiteLink:
    site_no: int
    name: str
    subscription: str
    publisher: str
    exists: bool  # the subscription exists in this database
    enabled: bool
    connected: bool  # an apply worker is running
    received_lsn: str | None
    last_received_at: datetime | None
    caught_up_at: datetime | None  # data time (see module docstring)
    tables_syncing: int
    apply_errors: int
    sync_errors: int
    halls: tuple[str, ...]

    def lag_seconds(self, now: datetime) -> float | None:
        if self.caught_up_at is None:
            return None
        return max(0.0, (now - self.caught_up_at).total_seconds())

    @property
    def state_label(self) -> str:
        if not self.exists:
            return "订阅缺失"
        if not self.enabled:
            return "已停用"
        if not self.connected:
            return "未连接"
        if self.tables_syncing:
            return f"初始同步中({self.tables_syncing}张表)"
        return "正常"


_LINKS = text("""
SELECT d.site_no, d.name, d.subscription, d.publisher, d.last_heard_at,
       s.oid IS NOT NULL AS exists, coalesce(s.subenabled, false) AS enabled,
       st.pid, st.received_lsn::text, st.last_msg_receipt_time, st.latest_end_time,
       (SELECT count(*) FROM pg_subscription_rel r
         WHERE r.srsubid = s.oid AND r.srsubstate <> 'r') AS syncing,
       coalesce(ss.apply_error_count, 0), coalesce(ss.sync_error_count, 0)
FROM district_site d
LEFT JOIN pg_subscription s ON s.subname = d.subscription
     AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL
LEFT JOIN pg_stat_subscription_stats ss ON ss.subid = s.oid
ORDER BY d.site_no
""")


def site_links(conn: Connection, *, remember: bool = True) -> list[SiteLink]:
    """Every registered site's link; with `remember`, store newer data times."""
    if conn.dialect.name != "postgresql":
        return []
    halls: dict[int, list[str]] = {}
    for hid, code in conn.execute(text("SELECT id, code FROM hall ORDER BY code")).all():
        halls.setdefault(int(hid) >> SITE_BITS, []).append(str(code))
    links = []
    for r in conn.execute(_LINKS).all():
        caught_up = r[10]
        heard = r[4]
        if caught_up is not None and (heard is None or caught_up > heard):
            if remember:
                conn.execute(update(DistrictSite).where(DistrictSite.site_no == r[0])
                             .values(last_heard_at=caught_up))
            heard = caught_up
        links.append(SiteLink(
            site_no=int(r[0]), name=str(r[1]), subscription=str(r[2]), publisher=str(r[3]),
            exists=bool(r[5]), enabled=bool(r[6]), connected=r[7] is not None,
            received_lsn=r[8], last_received_at=r[9], caught_up_at=heard,
            tables_syncing=int(r[11] or 0), apply_errors=int(r[12]), sync_errors=int(r[13]),
            halls=tuple(halls.get(int(r[0]), ()))))
    return links


@dataclass(frozen=True)
class HallSlot:
    slot: str
    active: bool
    lag_bytes: int | None  # WAL written at the hall the district has not confirmed
    wal_status: str | None  # reserved | extended | unreserved | lost
    safe_wal_bytes: int | None  # WAL still allowed before max_slot_wal_keep_size bites

    @property
    def state_label(self) -> str:
        if self.wal_status == "lost":
            return "已失效(所需 WAL 已被删除,须重新接入)"
        if self.wal_status == "unreserved":
            return "危险(即将超出 WAL 保留上限)"
        return "区域已连接" if self.active else "区域未连接(WAL 保留中)"


def hall_slots(conn: Connection) -> list[HallSlot]:
    if conn.dialect.name != "postgresql":
        return []
    rows = conn.execute(text("""
        SELECT slot_name, active,
               (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint,
               wal_status, safe_wal_size
        FROM pg_replication_slots
        WHERE slot_type = 'logical' AND database = current_database()
          AND slot_name LIKE 'district\\_site\\_%'
        ORDER BY slot_name""")).all()
    return [HallSlot(str(r[0]), bool(r[1]), None if r[2] is None else int(r[2]), r[3],
                     None if r[4] is None else int(r[4])) for r in rows]
