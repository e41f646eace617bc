"""How accurate the wait estimates given at issue were, for one business day (the daily summary).

From the estimates stored on the tickets at issue (`ticket.est_*`), never recomputed:
over the day's customers (hop-0 tickets) who were called, and were given both the
predictor's estimate and the naive people-ahead one, the figures of
`hall_app.forecast.accuracy` for each — the same tickets for both. Tickets issued while
no counter served their service had no estimate; they are counted apart.

    acc = wait_estimate_accuracy(session, hall_id, date(2026, 11, 24))
    lines = accuracy_lines(acc)   # the report's section, in Chinese
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Ticket
from hall_app.forecast.accuracy import Accuracy, Estimate, accuracy


@dataclass(frozen=True)
class WaitEstimateAccuracy:
    day: date
    customers: int  # hop-0 tickets issued
    scored: int  # called, with both estimates
    no_counter: int  # issued while no counter served the service (no estimate given)
    not_called: int  # walked away, abandoned, cancelled, or still waiting
    predictor: Accuracy
    naive: Accuracy


def wait_estimate_accuracy(s: Session, hall_id: int, day: date,
                           last: date | None = None) -> WaitEstimateAccuracy:
    """The figures of business day `day` (or of the days `day` … `last`, a week or month)."""
    rows = s.execute(
        select(Ticket.wait_seconds, Ticket.first_called_at.is_not(None),
               Ticket.est_wait_seconds,
               Ticket.est_wait_low_min, Ticket.est_wait_high_min, Ticket.est_no_counter,
               Ticket.est_naive_min)
        .where(Ticket.hall_id == hall_id, Ticket.business_day >= day,
               Ticket.business_day <= (last or day), Ticket.hop == 0)).all()
    pred, naive = [], []
    no_counter = not_called = 0
    for wait_s, called, est_s, low, high, nocounter, naive_min in rows:
        if nocounter:
            no_counter += 1
        if not called or wait_s is None:
            not_called += 1
            continue
        if est_s is None or naive_min is None:
            continue
        real = wait_s / 60.0
        pred.append(Estimate(est_s / 60.0, real, low, high))
        naive.append(Estimate(float(naive_min), real))
    return WaitEstimateAccuracy(day, len(rows), len(pred), no_counter, not_called,
                                accuracy(pred), accuracy(naive))


def accuracy_lines(acc: WaitEstimateAccuracy) -> list[str]:
    """The daily summary's section on the estimates, ready to print."""
    head = f"等候时间预测准确度({acc.day}):"
    if not acc.scored:
        return [head, "当日没有可评估的号票(需已叫号且取号时给出了预测)。"]
    p, n = acc.predictor, acc.naive
    lines = [head, f"计入 {acc.scored} 位已叫号顾客(取号 {acc.customers} 位;取号时无窗口办理 "
                   f"{acc.no_counter} 位,未叫号 {acc.not_called} 位不计入)。"]
    lines.append(f"平均绝对误差 {p.mae:.1f} 分钟(按前方人数估计:{n.mae:.1f} 分钟);"
                 f"误差中位数 {p.median_ae:.1f} 分钟(按前方人数:{n.median_ae:.1f} 分钟)。")
    lines.append(f"实际比预测多等5分钟以上:{(p.under5_share or 0) * 100:.0f}%"
                 f"(按前方人数:{(n.under5_share or 0) * 100:.0f}%)。")
    if p.coverage is not None:
        lines.append(f"告知顾客的等候区间覆盖实际等候:{p.coverage * 100:.0f}%(目标80%)。")
    return lines
