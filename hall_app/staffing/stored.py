"""Staffing plans kept in the database, so a plan is simulated once per day and inputs.

A plan is a pure function of its inputs (the hall's layout, the forecast from earlier
weeks, the service behaviour from history, the thresholds and the simulation's fixed
seeds). The inputs are cheap to read; the simulation is not (1–3 s). So the plan is
stored with a fingerprint of its inputs: whoever asks again with the same inputs — the
daily summary printed at close, the overview's strip the next morning, `hall-app staffing
plan` — reads the stored plan; a change in any input (a counter added, a threshold
edited, a day of history corrected) gives another fingerprint and a fresh plan, which
replaces the stored one. The stored plan is therefore never stale and never differs from
what a fresh computation would print.

The body is plain JSON written and read here field by field (never pickle: a database
row must not be able to run code). The layout is not stored: it is part of the inputs
and the caller has just read it.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from hall_app.staffing.behaviour import Behaviour
from hall_app.staffing.forecast import Forecast, Slot
from hall_app.staffing.history import HallLayout
from hall_app.staffing.lunch import LunchBreak, LunchRota
from hall_app.staffing.plan import Check, HourAdvice, StaffingPlan

# Bump when make_plan's method changes, so plans stored by an older version are redone.
PLAN_METHOD = 1


def plain(obj: Any) -> Any:
    """A JSON-able, order-stable form of the plan's inputs and parts."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return plain(obj.value)
    if isinstance(obj, ZoneInfo):
        return obj.key
    if isinstance(obj, date | time):
        return obj.isoformat()
    if isinstance(obj, dict):
        return [[plain(k), plain(v)] for k, v in obj.items()]  # in the order made
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    if isinstance(obj, bool | int | str) or obj is None:
        return obj
    if isinstance(obj, float):
        return float(obj)
    if hasattr(obj, "item"):  # a numpy scalar
        return plain(obj.item())
    raise TypeError(f"cannot store {type(obj).__name__} in a staffing plan")


def fingerprint(layout: HallLayout, fc: Forecast, behaviour: dict[int, Behaviour],
                params: dict[str, Any]) -> str:
    """sha256 over everything the plan depends on."""
    doc = {"method": PLAN_METHOD, "layout": plain(layout), "forecast": plain(fc),
           "behaviour": plain(behaviour), "params": plain(params)}
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_json(plan: StaffingPlan) -> str:
    body = {"forecast": plain(plan.forecast), "behaviour": plain(plan.behaviour),
            "hours": [plain(h) for h in plan.hours], "lunch": plain(plan.lunch),
            "target": plan.target, "confidence": plan.confidence, "reps": plan.reps,
            "seconds": plan.seconds, "search_rounds": plan.search_rounds,
            "notes": list(plan.notes)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def from_json(text: str, layout: HallLayout) -> StaffingPlan:
    """The stored plan; raises ValueError (or KeyError/TypeError) on a body it cannot read."""
    body = json.loads(text)
    fc = _forecast(body["forecast"])
    behaviour = {int(k): Behaviour(**v) for k, v in body["behaviour"]}
    hours = [_hour(h) for h in body["hours"]]
    lunch = body["lunch"]
    rota = LunchRota(int(lunch["staff"]), int(lunch["minutes"]),
                     [LunchBreak(int(b["clerk"]), b["counter"], time.fromisoformat(b["start"]),
                                 time.fromisoformat(b["end"])) for b in lunch["breaks"]],
                     int(lunch["needs_relief"]))
    return StaffingPlan(layout, fc, behaviour, hours, rota, float(body["target"]),
                        float(body["confidence"]), int(body["reps"]), float(body["seconds"]),
                        search_rounds=int(body["search_rounds"]), notes=list(body["notes"]))


def _slot(d: dict[str, Any]) -> Slot:
    return Slot(int(d["hour"]), time.fromisoformat(d["start"]), time.fromisoformat(d["end"]))


def _forecast(d: dict[str, Any]) -> Forecast:
    return Forecast(date.fromisoformat(d["day"]), [_slot(s) for s in d["slots"]],
                    {int(k): [float(x) for x in v] for k, v in d["rates"]}, str(d["source"]),
                    [date.fromisoformat(x) for x in d["used_days"]],
                    [(date.fromisoformat(x), str(why)) for x, why in d["skipped"]])


def _check(d: dict[str, Any] | None) -> Check | None:
    return None if d is None else Check(**d)


def _hour(d: dict[str, Any]) -> HourAdvice:
    return HourAdvice(_slot(d["slot"]), float(d["arrivals_per_hour"]), float(d["load"]),
                      int(d["erlang_guess"]), tuple(int(c) for c in d["counters"]),
                      {int(k): tuple(v) for k, v in d["services"]}, bool(d["short"]),
                      _check(d["search"]), _check(d["validation"]), _check(d["fewer"]),
                      str(d["fewer_reason"]), tuple(d["uncovered"]))
