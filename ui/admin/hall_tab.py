"""营业厅 tab: name, code (read-only), time zone, hotline, closing prompt, weekly hours."""

from __future__ import annotations

from datetime import time

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
        lay.addStretch(1)
        self.edit_buttons = [self.save_button]

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

    def load_later(self) -> None:
        self.snap = None  # the next snapshot reloads the form
