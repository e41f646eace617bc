"""The hall's service promise (服务承诺), shown by every rating pad while it is idle.

Hall data: one row per hall in `hall_service_promise`; no row means the shipped default
(resources/rating/pad_texts.toml). The admin edits it; every change is audited.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from db.models import AuditLog, HallServicePromise
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import ValidationError
from hall_app.services.context import ServiceContext
from hall_app.services.ratings.models import TOPIC
from hall_app.services.ratings.texts import PadTexts, load_pad_texts

MAX_LENGTH = 200


class ServicePromiseService:
    def __init__(self, ctx: ServiceContext, texts: PadTexts | None = None) -> None:
        self.ctx = ctx
        self.texts = texts or load_pad_texts()

    def current(self) -> tuple[str, bool]:
        """(the promise the pads show, whether it is the hall's own rather than the default)."""
        with self.ctx.read() as s:
            text = s.scalar(select(HallServicePromise.text)
                            .where(HallServicePromise.hall_id == self.ctx.hall.id))
        return (text, True) if text else (self.texts.default_promise, False)

    def set(self, actor: Actor, text: str) -> str:
        """Store the hall's promise; empty text goes back to the default. Returns what shows."""
        actor.require(Permission.ADMIN_CONFIG)
        text = " ".join((text or "").split())
        if len(text) > MAX_LENGTH:
            raise ValidationError(f"服务承诺不能超过{MAX_LENGTH}个字。", field="promise")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall_id = self.ctx.hall.id
            row = s.scalars(select(HallServicePromise)
                            .where(HallServicePromise.hall_id == hall_id)).first()
            old = row.text if row is not None else None
            now = self.ctx.now()
            if not text:
                s.execute(delete(HallServicePromise).where(HallServicePromise.hall_id == hall_id))
            elif row is None:
                s.add(HallServicePromise(hall_id=hall_id, text=text, updated_by=actor.staff_id,
                                         updated_at=now))
            else:
                row.text, row.updated_by, row.updated_at = text, actor.staff_id, now
            if old != (text or None):
                s.add(AuditLog(hall_id=hall_id, staff_id=actor.staff_id, at=now,
                               entity="hall", entity_id=hall_id, field="service_promise",
                               old_value=old, new_value=text or None))
            self.ctx.notify(s, TOPIC)
        return text or self.texts.default_promise
