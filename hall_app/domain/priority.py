"""Which waiting ticket a counter calls next: the hall's priority rule.

Every rule orders by (priority class, the counter's rank for the service, issue time, id):

* strict — VIP tickets always first (class 0), then normal ones.
* ratio  — N normal : 1 VIP. The counter remembers how many normal tickets it called since
  its last VIP one; once that reaches N, VIP tickets come first for one call, otherwise
  normal tickets do. When only one kind is waiting, that kind is called.
* aging  — VIP first; a normal ticket that has waited at least M minutes counts as VIP.

Issue time is the original one, so a transferred customer keeps their place. The SQL
in `db.queue` implements exactly this order; `preview_order` simulates it in Python for
the admin's preview (tests check the two agree).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hall_app.errors import ValidationError


class PriorityRule(StrEnum):
    STRICT = "strict"
    RATIO = "ratio"
    AGING = "aging"


RULE_LABELS = {"strict": "VIP 严格优先", "ratio": "按比例穿插", "aging": "等候超时升级"}


@dataclass(frozen=True)
class RuleConfig:
    rule: PriorityRule = PriorityRule.STRICT
    ratio: int = 3
    aging_minutes: int = 30

    def validate(self) -> RuleConfig:
        if self.rule == PriorityRule.RATIO and not 1 <= self.ratio <= 50:
            raise ValidationError("比例规则的普通号数量应在 1 到 50 之间。", field="priority_ratio")
        if self.rule == PriorityRule.AGING and not 1 <= self.aging_minutes <= 600:
            raise ValidationError("等候升级分钟数应在 1 到 600 之间。", field="priority_aging_minutes")
        return self


@dataclass(frozen=True)
class QueuedTicket:
    id: int
    code: str
    service_id: int
    priority: str  # normal | vip
    issued_at: datetime


def prefer_vip_now(config: RuleConfig, calls_since_priority: int) -> bool:
    """Under the ratio rule: is it the VIP turn at this counter?"""
    return calls_since_priority >= config.ratio


def priority_class(ticket: QueuedTicket, config: RuleConfig, now: datetime,
                   calls_since_priority: int) -> int:
    vip = ticket.priority == "vip"
    if config.rule == PriorityRule.STRICT:
        return 0 if vip else 1
    if config.rule == PriorityRule.AGING:
        aged = ticket.issued_at <= now - timedelta(minutes=config.aging_minutes)
        return 0 if vip or aged else 1
    prefer = prefer_vip_now(config, calls_since_priority)
    return 0 if vip == prefer else 1


def next_calls_since_priority(config: RuleConfig, current: int, called_vip: bool) -> int:
    if called_vip:
        return 0
    return current + 1


def pick_next(queue: Iterable[QueuedTicket], ranks: dict[int, int], config: RuleConfig,
              now: datetime, calls_since_priority: int) -> QueuedTicket | None:
    candidates = [t for t in queue if t.service_id in ranks]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda t: (priority_class(t, config, now, calls_since_priority),
                       ranks[t.service_id], t.issued_at, t.id),
    )


def call_order(queue: Iterable[QueuedTicket], ranks: dict[int, int], config: RuleConfig,
               now: datetime, calls_since_priority: int = 0) -> list[QueuedTicket]:
    """Every ticket this counter can call, in the order it would call them if nothing
    else changed: `pick_next` repeated, in O(n log n).

    Strict and aging classes do not depend on earlier calls, so the order is one sort.
    Under the ratio rule the VIP turn moves with each call: the VIP and the normal
    tickets are each sorted, then merged turn by turn as `pick_next` would choose.
    """
    candidates = [t for t in queue if t.service_id in ranks]

    def place(t: QueuedTicket) -> tuple[int, datetime, int]:
        return ranks[t.service_id], t.issued_at, t.id

    if config.rule != PriorityRule.RATIO:
        return sorted(candidates, key=lambda t: (
            priority_class(t, config, now, calls_since_priority), *place(t)))
    vip = sorted((t for t in candidates if t.priority == "vip"), key=place)
    normal = sorted((t for t in candidates if t.priority != "vip"), key=place)
    order: list[QueuedTicket] = []
    since = calls_since_priority
    v = n = 0
    while v < len(vip) or n < len(normal):
        vip_turn = prefer_vip_now(config, since)
        if (vip_turn and v < len(vip)) or n >= len(normal):
            chosen, v = vip[v], v + 1
        else:
            chosen, n = normal[n], n + 1
        order.append(chosen)
        since = next_calls_since_priority(config, since, chosen.priority == "vip")
    return order


def preview_order(queue: Sequence[QueuedTicket], ranks: dict[int, int], config: RuleConfig,
                  now: datetime, calls_since_priority: int = 0, limit: int = 10
                  ) -> list[QueuedTicket]:
    """The next `limit` tickets this counter would call, if nothing else changed."""
    return call_order(queue, ranks, config, now, calls_since_priority)[:limit]


def rule_description(config: RuleConfig) -> str:
    """The hall's rule in one sentence, for the clerk (the queue's tooltip)."""
    if config.rule == PriorityRule.RATIO:
        return (f"叫号规则:按比例穿插,每叫{config.ratio}位普通号叫1位VIP号;"
                "同类号按本窗口业务顺序和取号先后。")
    if config.rule == PriorityRule.AGING:
        return (f"叫号规则:等候超时升级,VIP号先叫,普通号等候满{config.aging_minutes}分钟"
                "按VIP号叫;同类号按本窗口业务顺序和取号先后。")
    return "叫号规则:VIP严格优先,VIP号先叫;同类号按本窗口业务顺序和取号先后。"


def call_reason(ticket: QueuedTicket, config: RuleConfig, now: datetime,
                ranks: dict[int, int], *, care: bool = False) -> str:
    """Why `ticket` has its place in `call_order`, in a few words."""
    parts: list[str] = []
    if care:
        parts.append("爱心通道,按VIP号叫")
    elif ticket.priority == "vip":
        parts.append("VIP号" + ("(按比例穿插)" if config.rule == PriorityRule.RATIO
                                else "优先"))
    elif config.rule == PriorityRule.AGING and \
            ticket.issued_at <= now - timedelta(minutes=config.aging_minutes):
        parts.append(f"已等候满{config.aging_minutes}分钟,按VIP号叫")
    else:
        parts.append("普通号,按取号先后")
    if ranks and ranks.get(ticket.service_id, 0) > min(ranks.values()):
        parts.append("非本窗口首选业务,首选业务的顾客先叫")
    return ";".join(parts)
