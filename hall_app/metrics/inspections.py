"""The day's hall inspections (巡检) for the report: each round with its inspector, how
many items were fine, which had a problem (with the note and the incident it opened),
and which were left unchecked.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from db.models import InspectionItem, InspectionRound, Staff
from hall_app.errors import ConfigError
from hall_app.metrics.model import InspectionProblem, InspectionRow
from hall_app.metrics.window import DayScope


def inspection_times() -> tuple[str, ...]:
    """The set times of the shipped checklist ((), if the file cannot be read)."""
    from hall_app.inspection import load_checklist

    try:
        return load_checklist().times
    except ConfigError:
        return ()


class InspectionQueries(DayScope):
    def inspections(self) -> tuple[InspectionRow, ...]:
        rounds = self.s.execute(
            select(InspectionRound.id, InspectionRound.slot, InspectionRound.state,
                   InspectionRound.started_at, InspectionRound.finished_at, Staff.name)
            .outerjoin(Staff, Staff.id == InspectionRound.started_by)
            .where(InspectionRound.hall_id == self.hid,
                   InspectionRound.business_day == self.w.day)
            .order_by(InspectionRound.slot)).all()
        if not rounds:
            return ()
        items: dict[int, list[tuple[str, str | None, str | None, int | None]]] = defaultdict(list)
        for rid, label, result, note, incident in self.s.execute(
                select(InspectionItem.round_id, InspectionItem.label, InspectionItem.result,
                       InspectionItem.note, InspectionItem.incident_id)
                .where(InspectionItem.round_id.in_([r[0] for r in rounds]))
                .order_by(InspectionItem.id)):
            items[rid].append((label, result, note, incident))
        return tuple(
            InspectionRow(
                slot=slot, state=state, started_at=self.w.local(started),  # type: ignore[arg-type]
                finished_at=self.w.local(finished), inspector=name or "",
                ok=sum(1 for _, res, _, _ in items[rid] if res == "ok"),
                unchecked=sum(1 for _, res, _, _ in items[rid] if res is None),
                problems=tuple(InspectionProblem(label, note or "", inc)
                               for label, res, note, inc in items[rid] if res == "problem"))
            for rid, slot, state, started, finished, name in rounds)
