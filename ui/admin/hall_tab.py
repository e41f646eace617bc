"""营业厅 tab: name, code (read-only), time zone, hotline, closing prompt, weekly hours, and
extending today's hours (the kiosk issues until then; the day closes itself after it)."""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from hall_app.services.admin import WEEKDAY_LABELS, AdminSnapshot, DayHours, HallEdit
from ui.admin.base import AdminHost, AdminTab, spin
from ui.admin.form import FieldForm


def _qtime(value: time | None, default: str) -> QTime:
    if value is None:
        return QTime.fromString(default, "HH:mm")
    return QTime(value.hour, value.minute)


class HallTab(AdminTab):
    title = "营业厅"

    def __init__(self, host: AdminHost) -> None:
        super().__init__(host)
        lay = QVBoxLayout(self)
        self.form = FieldForm()
        self.code = self.form.add("code", "营业厅代码", QLabel(""))
        self.name = self.form.add("name", "名称", QLineEdit())
        self.timezone = self.form.add("timezone", "时区", QLineEdit())
        self.hotline = self.form.add("hotline", "服务热线", QLineEdit())
        self.closing = self.form.add("closing_prompt_minutes", "闭厅前提醒",
                                     spin(15, suffix=" 分钟"))
        self.days: list[tuple[QCheckBox, QTimeEdit, QTimeEdit]] = []
        for d, label in enumerate(WEEKDAY_LABELS):
            row = QWidget()
            box = QHBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            open_box = QCheckBox("营业")
            opens, closes = QTimeEdit(), QTimeEdit()
            for t in (opens, closes):
                t.setDisplayFormat("HH:mm")
            box.addWidget(open_box)
            box.addWidget(opens)
            box.addWidget(QLabel("至"))
            box.addWidget(closes)
            self.form.add(f"hours_{d}", label, row)
            self.days.append((open_box, opens, closes))
        lay.addLayout(self.form)
        lay.addWidget(QLabel("营业厅代码由各工作站的设置文件引用,不在此修改。"))
        self.save_button = QPushButton("保存营业厅信息")
        self.save_button.clicked.connect(self.save)
        lay.addWidget(self.save_button)
        from ui.rating.promise_editor import PromiseEditor  # the rating pads' idle screen

        self.promise_editor = PromiseEditor(host.admin.ctx, host.actor)
        lay.addWidget(self.promise_editor)
        self.today_form = FieldForm()
        today_row = QWidget()
        today_box = QHBoxLayout(today_row)
        today_box.setContentsMargins(0, 0, 0, 0)
        self.extend_until = QTimeEdit()
        self.extend_until.setDisplayFormat("HH:mm")
        self.extend_until.setTime(QTime(19, 0))
        self.extend_button = QPushButton("延长今日营业时间")
        self.extend_button.clicked.connect(self.extend_today)
        today_box.addWidget(self.extend_until)
        today_box.addWidget(self.extend_button)
        today_box.addStretch(1)
        self.today_form.add("closes_at", "今日营业至", today_row)
        lay.addSpacing(12)
        lay.addLayout(self.today_form)
        lay.addWidget(QLabel("只改今天:取号机营业到所选时间,营业日在其后自动闭厅。"))
        lay.addStretch(1)
        self.edit_buttons = [self.save_button, self.extend_button]

    def refresh(self, snap: AdminSnapshot, first: bool) -> None:
        if first:
            self.load(snap)

    def load(self, snap: AdminSnapshot) -> None:
        h = snap.hall
        self.code.setText(h.code)
        self.name.setText(h.name)
        self.timezone.setText(h.timezone)
        self.hotline.setText(h.hotline)
        self.closing.setValue(h.closing_prompt_minutes)
        for day, (box, opens, closes) in zip(h.hours, self.days, strict=True):
            box.setChecked(day.opens is not None)
            opens.setTime(_qtime(day.opens, "08:30"))
            closes.setTime(_qtime(day.closes, "18:00"))

    def edit(self) -> HallEdit:
        hours = []
        for d, (box, opens, closes) in enumerate(self.days):
            if box.isChecked():
                o, c = opens.time(), closes.time()
                hours.append(DayHours(d, time(o.hour(), o.minute()), time(c.hour(), c.minute())))
            else:
                hours.append(DayHours(d, None, None))
        return HallEdit(self.name.text(), self.hotline.text(), self.timezone.text().strip(),
                        self.closing.value(), tuple(hours))

    def save(self) -> None:
        edit = self.edit()
        self.host.submit(lambda **_: self.admin.update_hall(self.actor, edit), self.form,
                           "营业厅信息已保存。", after=lambda _: self.load_later())

    def extend_today(self) -> None:
        """Today (in the hall's zone) closes at the chosen time instead of its usual hour."""
        from hall_app.services.days import DayService

        ctx = self.admin.ctx
        chosen = self.extend_until.time()
        days = DayService(ctx)
        actor = self.actor

        def extend(**_: object) -> object:
            day = ctx.business_day()
            until = datetime.combine(day, time(chosen.hour(), chosen.minute()), ctx.hall.tz)
            return days.extend_hours(actor, until)

        self.host.submit(extend, self.today_form,
                         f"今日营业时间已延长至 {chosen.toString('HH:mm')}。")

    def load_later(self) -> None:
        self.snap = None  # the next snapshot reloads the form
