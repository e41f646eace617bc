"""Rules of a hall inspection round (巡检), pure: no database.

A round is started at one of the checklist's set times (one round per slot and day) and
is `open` until it is finished (`done`), which needs every item recorded. While it is
open an item is recorded `ok` or `problem` (a problem needs a note; re-recording an item
replaces its result), and a problem item may open a facility incident, once.

Every change is one event (`inspection_event`): the round's start / finish, an item's
record / incident, each with from_state → to_state, so the history can be replayed.
"""

from __future__ import annotations

from datetime import datetime

from hall_app.errors import IllegalTransition, ValidationError

ROUND_STATES = ("open", "done")
RESULTS = ("ok", "problem")
RESULT_LABELS = {"ok": "正常", "problem": "有问题", None: "未检查"}
PENDING = "pending"  # an item's state in events before it is recorded
SLOT_LABELS = {"upcoming": "未到时间", "due": "待巡检", "missed": "未巡检", "open": "巡检中",
               "done": "已完成"}

# Event actions: (round or item) from → to.
ROUND_MOVES = {"start": (None, "open"), "finish": ("open", "done")}
ITEM_MOVES = {"record": ({PENDING, "ok", "problem"}, {"ok", "problem"}),
              "incident": ({"problem"}, {"problem"})}


def check_record(round_state: str, result: str, note: str | None) -> str | None:
    """The cleaned note for recording an item, or a Chinese error."""
    if round_state != "open":
        raise IllegalTransition("本轮巡检已完成,不能再修改。")
    if result not in RESULTS:
        raise ValidationError("请选择“正常”或“有问题”。", field="result")
    text = (note or "").strip() or None
    if result == "problem" and not text:
        raise ValidationError("有问题的巡检项须写明情况。", field="note")
    if text and len(text) > 500:
        raise ValidationError("说明不能超过500个字。", field="note")
    return text


def check_incident(round_state: str, result: str | None, incident_id: int | None) -> None:
    if round_state != "open":
        raise IllegalTransition("本轮巡检已完成,请在总览中登记设施故障。")
    if result != "problem":
        raise IllegalTransition("只有“有问题”的巡检项可以登记设施故障。")
    if incident_id is not None:
        raise IllegalTransition("该巡检项已登记设施故障。")


def check_finish(round_state: str, unrecorded: list[str]) -> None:
    if round_state != "open":
        raise IllegalTransition("本轮巡检已经完成。")
    if unrecorded:
        raise IllegalTransition("还有未检查的项目:" + "、".join(unrecorded) + "。")


def slot_status(slot_at: datetime, next_slot_at: datetime | None, now: datetime,
                round_state: str | None) -> str:
    """upcoming | due | missed | open | done for one set time of the day."""
    if round_state in ROUND_STATES:
        return round_state
    if now < slot_at:
        return "upcoming"
    if next_slot_at is not None and now >= next_slot_at:
        return "missed"
    return "due"
