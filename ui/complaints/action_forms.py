"""Small forms for the complaint actions that need more than a note: the resolution for
approval, the signed agreement (处理协议) with the agreed follow-up time, a hand-off to a
department and its completion, a contact with the customer, scheduling and recording a
follow-up (回访).

    form = action_form(A.FOLLOW_UP, detail, tz, parent)   # an ActionForm, not yet shown
    form.submitted.connect(lambda values: ...)             # dict of the typed values
    form.open()

`ActionForm` only collects and converts the input (times become aware datetimes in the
hall's zone); the detail view calls the service and, on a ValidationError, puts the
message beside the field (`show_error`) while the form keeps what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.complaints import (
    ACTION_LABELS,
    CONTACT_METHOD_LABELS,
    CONTACT_PURPOSE_LABELS,
    FOLLOW_UP_OUTCOMES,
    ComplaintAction,
)
from hall_app.services.complaints import ComplaintDetail

A = ComplaintAction
ERROR_STYLE = "color: #b00020; font-weight: bold;"
DEPARTMENTS = ("计费中心", "装维部", "网络维护中心", "市场部", "客户服务中心", "渠道管理部")


@dataclass(frozen=True)
class Field:
    name: str  # the service's parameter name (also the ValidationError field)
    label: str
    kind: str  # text | line | choice | edit_choice | when | optional_when
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    default: Any = None
    placeholder: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _methods() -> tuple[tuple[str, str], ...]:
    return tuple(CONTACT_METHOD_LABELS.items())


def _tomorrow_ten(now: datetime, tz: ZoneInfo | None) -> datetime:
    local = now.astimezone(tz) if tz else now
    return datetime.combine(local.date() + timedelta(days=1), time(10, 0), tzinfo=local.tzinfo)


def fields_for(action: ComplaintAction, d: ComplaintDetail, now: datetime,
               tz: ZoneInfo | None) -> tuple[Field, ...]:
    """The inputs `action` needs, prefilled from the complaint where that helps."""
    follow = _tomorrow_ten(now, tz)
    if action is A.PROPOSE_RESOLUTION:
        return (Field("resolution", "处理方案", "text", default=d.resolution or "",
                      placeholder="拟给客户的处理意见,如:当面致歉、退还多收费用…"),
                Field("compensation", "其中补偿", "line", default=d.compensation or "",
                      placeholder="选填:补偿内容(按公司规定)"))
    if action is A.SIGN_AGREEMENT:
        return (Field("agreement", "协议内容", "text", default=d.resolution or d.reply_text or ""),
                Field("signer", "签署客户", "line", default=d.row.customer_name),
                Field("follow_up_at", "约定回访时间", "when", default=follow),
                Field("method", "回访方式", "choice", _methods()))
    if action is A.HAND_OFF:
        return (Field("department", "落实部门", "edit_choice",
                      tuple((x, x) for x in DEPARTMENTS)),
                Field("task", "交办事项", "text", placeholder="要部门落实的具体事项"),
                Field("due_at", "完成期限", "optional_when", default=follow))
    if action is A.HAND_OFF_DONE:
        open_items = tuple((str(h.id), f"{h.department}:{h.task}") for h in d.hand_offs
                           if not h.done)
        return (Field("hand_off_id", "交办事项", "choice", open_items),
                Field("note", "落实情况", "text"))
    if action is A.CONTACT:
        return (Field("method", "联系方式", "choice", _methods()),
                Field("purpose", "联系目的", "choice", tuple(CONTACT_PURPOSE_LABELS.items()),
                      default="feedback"),
                Field("note", "联系内容", "text", placeholder="告知客户的进展、客户的反馈"))
    if action is A.SCHEDULE_FOLLOW_UP:
        return (Field("at", "回访时间", "when", default=d.row.next_follow_up_at or follow),
                Field("method", "回访方式", "choice", _methods(),
                      default=d.follow_up_method or "phone"))
    if action is A.FOLLOW_UP:
        return (Field("method", "回访方式", "choice", _methods(),
                      default=d.follow_up_method or "phone"),
                Field("outcome", "客户答复", "choice", tuple(FOLLOW_UP_OUTCOMES.items())),
                Field("note", "回访记录", "text", placeholder="客户的原话、落实情况"),
                Field("next_at", "下次回访时间", "optional_when", default=follow,
                      extra={"enabled_when": ("outcome", "pending")}))
    raise ValueError(f"{action} has no form")


FORM_ACTIONS = frozenset({A.PROPOSE_RESOLUTION, A.SIGN_AGREEMENT, A.HAND_OFF, A.HAND_OFF_DONE,
                          A.CONTACT, A.SCHEDULE_FOLLOW_UP, A.FOLLOW_UP})


class ActionForm(QDialog):
    """Collects one action's inputs. `submitted(values)` when OK is pressed."""

    submitted = Signal(object)

    def __init__(self, action: ComplaintAction, fields: tuple[Field, ...],
                 tz: ZoneInfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.action = action
        self.tz = tz
        self.fields = fields
        self.widgets: dict[str, QWidget] = {}
        self.switches: dict[str, QCheckBox] = {}
        self.errors: dict[str, QLabel] = {}
        self.setWindowTitle(ACTION_LABELS[action])
        root = QVBoxLayout(self)
        form = QFormLayout()
        root.addLayout(form)
        for f in fields:
            form.addRow(f.label + ":", self._field_row(f))
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(ERROR_STYLE)
        root.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(ACTION_LABELS[action])
        self.ok_button = ok
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        root.addWidget(buttons)
        self._link_enabled()
        self.resize(620, 200 + 60 * len(fields))

    def _field_row(self, f: Field) -> QWidget:
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        widget: QWidget
        if f.kind == "text":
            edit = QPlainTextEdit(str(f.default or ""))
            edit.setPlaceholderText(f.placeholder)
            edit.setMinimumHeight(70)
            widget = edit
        elif f.kind == "line":
            line = QLineEdit(str(f.default or ""))
            line.setPlaceholderText(f.placeholder)
            widget = line
        elif f.kind in ("choice", "edit_choice"):
            combo = QComboBox()
            combo.setEditable(f.kind == "edit_choice")
            for value, label in f.choices:
                combo.addItem(label, value)
            if f.default is not None:
                combo.setCurrentIndex(max(0, combo.findData(f.default)))
            widget = combo
        else:  # when / optional_when
            when = QDateTimeEdit()
            when.setDisplayFormat("yyyy-MM-dd HH:mm")
            when.setCalendarPopup(True)
            if f.default is not None:
                local = f.default.astimezone(self.tz) if self.tz else f.default
                when.setDateTime(QDateTime(local.replace(tzinfo=None)))
            widget = when
            if f.kind == "optional_when":
                switch = QCheckBox("指定")
                switch.setChecked(False)
                when.setEnabled(False)
                switch.toggled.connect(when.setEnabled)
                self.switches[f.name] = switch
                lay.addWidget(switch)
        widget.setObjectName(f"field_{f.name}")
        self.widgets[f.name] = widget
        lay.addWidget(widget, 1)
        error = QLabel("")
        error.setObjectName(f"error_{f.name}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        self.errors[f.name] = error
        lay.addWidget(error)
        return box

    def _link_enabled(self) -> None:
        """A field that only makes sense for one choice (the next follow-up when the
        customer's answer is 尚未落实完) is switched on with that choice."""
        for f in self.fields:
            rule = f.extra.get("enabled_when")
            if not rule:
                continue
            source = cast(QComboBox, self.widgets[rule[0]])
            switch = self.switches.get(f.name)

            def follow(_i: int = 0, src: QComboBox = source, want: str = rule[1],
                       sw: QCheckBox | None = switch) -> None:
                if sw is not None:
                    sw.setChecked(src.currentData() == want)
            source.currentIndexChanged.connect(follow)
            follow()

    # -- values ---------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            w = self.widgets[f.name]
            if isinstance(w, QPlainTextEdit):
                out[f.name] = w.toPlainText()
            elif isinstance(w, QLineEdit):
                out[f.name] = w.text()
            elif isinstance(w, QComboBox):
                data = w.currentData()
                out[f.name] = w.currentText() if w.isEditable() else data
            elif isinstance(w, QDateTimeEdit):
                switch = self.switches.get(f.name)
                if switch is not None and not switch.isChecked():
                    out[f.name] = None
                    continue
                local = cast(datetime, w.dateTime().toPython()).replace(tzinfo=None)
                out[f.name] = local.replace(tzinfo=self.tz) if self.tz else local.astimezone()
        return out

    def submit(self) -> None:
        for label in self.errors.values():
            label.hide()
        self.status.setText("")
        self.submitted.emit(self.values())

    def show_error(self, field_name: str | None, message: str) -> None:
        """Put the message beside its field (or at the bottom); keep what was typed."""
        label = self.errors.get(field_name or "")
        if label is not None:
            label.setText(message)
            label.show()
            self.widgets[field_name or ""].setFocus()
        else:
            self.status.setText(message)


def action_form(action: ComplaintAction, d: ComplaintDetail, now: datetime,
                tz: ZoneInfo | None, parent: QWidget | None = None) -> ActionForm:
    return ActionForm(action, fields_for(action, d, now, tz), tz, parent)
