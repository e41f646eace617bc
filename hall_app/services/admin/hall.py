"""Hall-wide settings: name, hotline, time zone, opening hours, the priority rule and the
thresholds (recalls, refresh interval, pause alert, voice).
"""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo

from db.models import OpeningHours
from hall_app.domain.priority import RuleConfig
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import ValidationError
from hall_app.services.admin.base import AdminBase
from hall_app.services.admin.models import (
    THRESHOLD_LIMITS,
    VOICE_STATIONS,
    WEEKDAY_LABELS,
    HallEdit,
    ThresholdSettings,
)
from hall_app.text import clean_text


def _hours_text(opens: time | None, closes: time | None) -> str:
    if opens is None or closes is None:
        return "休息"
    return f"{opens:%H:%M}-{closes:%H:%M}"


class HallAdmin(AdminBase):
    def update_hall(self, actor: Actor, edit: HallEdit) -> None:
        actor.require(Permission.ADMIN_CONFIG)
        name = clean_text(edit.name, "name", label="营业厅名称")
        if not name:
            raise ValidationError("请填写营业厅名称。", field="name")
        if len(name) > 100:
            raise ValidationError("营业厅名称不能超过100个字。", field="name")
        hotline = edit.hotline.strip()
        if not re.fullmatch(r"[0-9\-]{3,32}", hotline):
            raise ValidationError("服务热线只能包含数字和“-”,至少3位。", field="hotline")
        try:
            ZoneInfo(edit.timezone)
        except Exception as exc:
            raise ValidationError(f"未知时区「{edit.timezone}」。", field="timezone") from exc
        if not 0 <= edit.closing_prompt_minutes <= 240:
            raise ValidationError("闭厅提醒应在 0 到 240 分钟之间。", field="closing_prompt_minutes")
        if sorted(h.weekday for h in edit.hours) != list(range(7)):
            raise ValidationError("营业时间应包含周一到周日。", field="hours")
        for h in edit.hours:
            if (h.opens is None) != (h.closes is None):
                raise ValidationError(f"{WEEKDAY_LABELS[h.weekday]}请同时填写开门和关门时间。",
                                      field=f"hours_{h.weekday}")
            if h.opens is not None and h.closes is not None and h.closes <= h.opens:
                raise ValidationError(f"{WEEKDAY_LABELS[h.weekday]}的关门时间应晚于开门时间。",
                                      field=f"hours_{h.weekday}")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall = self._hall_row(s)
            self._set(s, actor, hall, "hall", "name", name)
            self._set(s, actor, hall, "hall", "hotline", hotline)
            self._set(s, actor, hall, "hall", "timezone", edit.timezone)
            old_prompt = self.ctx.thresholds(hall).closing_prompt_minutes
            if old_prompt != edit.closing_prompt_minutes:
                self._audit(s, actor, "hall", hall.id, "closing_prompt_minutes", old_prompt,
                            edit.closing_prompt_minutes)
            hall.closing_prompt_minutes = edit.closing_prompt_minutes
            by_day = {h.weekday: h for h in hall.opening_hours}
            for h in edit.hours:
                row = by_day.get(h.weekday)
                old = _hours_text(row.opens, row.closes) if row else "休息"
                new = _hours_text(h.opens, h.closes)
                if row is None:
                    row = OpeningHours(weekday=h.weekday)
                    hall.opening_hours.append(row)
                row.opens, row.closes = h.opens, h.closes
                self._audit(s, actor, "opening_hours", hall.id, WEEKDAY_LABELS[h.weekday],
                            old, new)
            self._done(s)
        self.ctx.forget_hall()

    def set_priority_rule(self, actor: Actor, config: RuleConfig) -> None:
        actor.require(Permission.ADMIN_CONFIG)
        config.validate()
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall = self._hall_row(s)
            self._set(s, actor, hall, "priority", "priority_rule", str(config.rule))
            self._set(s, actor, hall, "priority", "priority_ratio", config.ratio)
            self._set(s, actor, hall, "priority", "priority_aging_minutes", config.aging_minutes)
            self._done(s)

    def update_thresholds(self, actor: Actor, edit: ThresholdSettings) -> None:
        actor.require(Permission.ADMIN_CONFIG)
        for fld, (lo, hi, label) in THRESHOLD_LIMITS.items():
            if not lo <= getattr(edit, fld) <= hi:
                raise ValidationError(f"{label}应在 {lo} 到 {hi} 之间。", field=fld)
        if edit.voice_station not in VOICE_STATIONS:
            raise ValidationError("请选择由哪里播报叫号。", field="voice_station")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall = self._hall_row(s)
            before = self._thresholds(hall)
            for fld in (*THRESHOLD_LIMITS, "voice_enabled", "voice_station"):
                old, new = getattr(before, fld), getattr(edit, fld)
                self._audit(s, actor, "thresholds", hall.id, fld, old, new)
                setattr(hall, fld, new)
            self._done(s)
