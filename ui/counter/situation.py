"""Turn a CounterView snapshot into what the script engine needs, and tick clocks locally.

No widgets here: plain functions over the snapshot, so the mapping is testable alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hall_app.config import Thresholds as HallThresholds
from hall_app.scripts import Situation, Thresholds, TicketAtCounter

if TYPE_CHECKING:
    from hall_app.services.queries import CounterView

TICKET_STATE_LABELS = {"called": "已呼叫,等待顾客到窗口", "serving": "办理中"}
COUNTER_STATE_LABELS = {"open": "服务中", "paused": "暂停服务", "closed": "未开启",
                        "offline": "离线"}


def script_thresholds(hall: HallThresholds) -> Thresholds:
    """The script engine's thresholds from the hall's configured ones."""
    return Thresholds(
        default_long_wait_minutes=hall.long_wait_minutes_default,
        closing_warning_minutes=hall.closing_prompt_minutes,
        crowded_per_counter=hall.crowded_per_counter,
        restored_notice_minutes=hall.restored_prompt_minutes,
    )


def build_situation(view: CounterView, flow_step: int = 0) -> Situation:
    """Situation for the script engine from a ``CounterView`` (see hall_app.scripts.engine)."""
    cur = view.current
    outages = [o for o in view.outages if o.kind == "outage"]
    ended_ago = None
    if view.last_outage_ended_at is not None:
        ended_ago = (view.now - view.last_outage_ended_at).total_seconds() / 60
    notice = "\n".join(o.notice for o in outages if o.notice) or None
    return Situation(
        counter_state=view.counter.state,
        ticket_code=cur.code if cur else None,
        ticket_state=cur.state if cur else None,
        waited_minutes=cur.wait_seconds / 60 if cur else None,
        long_wait_minutes=cur.long_wait_minutes if cur else None,
        outage_active=bool(outages),
        outage_notice=notice,
        outage_ended_minutes_ago=ended_ago,
        minutes_to_closing=view.minutes_to_closing,
        queue_length=len(view.queue),
        peer_open_counters=max(1, view.peer_open_counters),
        flow_step=flow_step,
        hotline=view.hotline or None,
        counter_number=str(view.counter.number),
        business=cur.service_name if cur else None,
        commitment=cur.commitment if cur else None,
    )


def ticket_facts(view: CounterView) -> tuple[TicketAtCounter | None, TicketAtCounter | None]:
    """The counter's open ticket and its last finished one, for the flow tracker."""
    cur, done = view.current, view.last_finished
    current = (TicketAtCounter(cur.ticket_id, cur.code, cur.state, cur.service_name,
                               cur.commitment) if cur else None)
    finished = (TicketAtCounter(done.ticket_id, done.code, "done", done.service_name,
                                done.commitment, done.finished_at) if done else None)
    return current, finished


def outage_text(view: CounterView) -> str | None:
    """Banner text for the outages that concern this counter, or None."""
    parts = []
    for o in view.outages:
        if o.kind != "outage":
            continue
        scope = "全厅" if o.hall_wide else "本窗口"
        parts.append(f"【{scope}系统故障】{o.notice}")
    return "  ".join(parts) or None


def format_duration(seconds: float) -> str:
    """``754`` → ``12:34``; over an hour ``1:02:03``."""
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


@dataclass
class LiveClock:
    """The snapshot's database time, moved on by the local monotonic clock."""

    base: datetime | None = None
    started: float = 0.0

    def reset(self, now: datetime) -> None:
        self.base = now
        self.started = time.monotonic()

    def elapsed(self) -> float:
        """Seconds since the last snapshot (0 before any)."""
        return time.monotonic() - self.started if self.base is not None else 0.0

    def now(self) -> datetime | None:
        if self.base is None:
            return None
        return self.base + timedelta(seconds=self.elapsed())
