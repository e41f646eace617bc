"""通报: the duty manager tells the staff the lessons of complaints (seed 002: 对投诉事件
及时通报). A notice has a title, the lessons, and the complaints it draws on; the daily
report prints the notices issued that day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Complaint, ComplaintNotice, ComplaintNoticeItem, Staff
from hall_app.domain.complaints import require_text
from hall_app.domain.keys import local_number
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import ValidationError
from hall_app.services.complaints.base import ComplaintBase
from hall_app.services.complaints.models import TOPIC, NoticeInfo


class ComplaintNotices(ComplaintBase):
    def issue_notice(self, actor: Actor, title: str, lessons: str,
                     complaint_ids: tuple[int, ...] | list[int] = ()) -> NoticeInfo:
        head = require_text(title, "title", "请填写通报标题。", 100)
        body = require_text(lessons, "lessons", "请写明要让员工吸取的经验教训。", 4000)
        ids = tuple(dict.fromkeys(int(i) for i in complaint_ids))
        with self.ctx.acting(actor, Permission.ISSUE_NOTICE) as s:
            if ids:
                found = set(s.scalars(select(Complaint.id).where(
                    Complaint.hall_id == self.ctx.hall.id, Complaint.id.in_(ids))))
                missing = [i for i in ids if i not in found]
                if missing:
                    raise ValidationError(
                        "找不到投诉 " + "、".join(f"#{local_number(i)}" for i in missing) + "。",
                        field="complaint_ids")
            notice = ComplaintNotice(hall_id=self.ctx.hall.id, issued_at=self.ctx.now(),
                                     issued_by=actor.staff_id, title=head, lessons=body)
            s.add(notice)
            s.flush()
            s.add_all(ComplaintNoticeItem(notice_id=notice.id, complaint_id=i) for i in ids)
            s.flush()
            self.ctx.notify(s, TOPIC)
            return NoticeInfo(notice.id, notice.issued_at, actor.name, head, body, ids)

    def notices(self, limit: int = 50, day: date | None = None) -> list[NoticeInfo]:
        """Newest first; with `day`, only those issued on that business day."""
        with self.ctx.read() as s:
            return notices_in(s, self.ctx.hall.id, self.ctx.hall.tz, limit, day)


def notices_in(s: Session, hall_id: int, tz, limit: int = 50,  # type: ignore[no-untyped-def]
               day: date | None = None) -> list[NoticeInfo]:
    """The notices of a hall (read in the caller's session; also used by the report)."""
    stmt = (select(ComplaintNotice, Staff.name)
            .outerjoin(Staff, Staff.id == ComplaintNotice.issued_by)
            .where(ComplaintNotice.hall_id == hall_id))
    if day is not None:
        start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
        stmt = stmt.where(ComplaintNotice.issued_at >= start, ComplaintNotice.issued_at < end)
    rows = s.execute(stmt.order_by(ComplaintNotice.issued_at.desc(), ComplaintNotice.id.desc())
                     .limit(max(1, min(limit, 500)))).all()
    items: dict[int, list[int]] = defaultdict(list)
    if rows:
        for nid, cid in s.execute(select(ComplaintNoticeItem.notice_id,
                                         ComplaintNoticeItem.complaint_id)
                                  .where(ComplaintNoticeItem.notice_id.in_([n.id for n, _ in rows]))
                                  .order_by(ComplaintNoticeItem.complaint_id)):
            items[nid].append(cid)
    return [NoticeInfo(n.id, n.issued_at, name or "", n.title, n.lessons, tuple(items[n.id]))
            for n, name in rows]
