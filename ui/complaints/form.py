"""The complaint register form (投诉登记表), opened from the counter window (F8).

    dialog = open_complaint_form(parent, services, actor, ticket_id=.., ticket_code=..,
                                 counter_id=..)        # non-modal QDialog, already shown

Fields on the left — the register of seed 003 §一 with 公司名称, the business and number
concerned and when the problem started (何时使用,问题表现状况) — and the six
complaint-handling steps (致歉 → 倾听 → 复述确认 → 询问期望 → 共同协议 → 双方约定) as
guidance on the right. The ticket, counter and clerk are
prefilled and chosen from lists, never typed. The phone number is checked as soon as
the field is left. A failed save (bad input, lost database) keeps everything typed
and says what happened beside the field or at the bottom.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.complaints import CHANNEL_LABELS, SEVERITY_LABELS
from hall_app.domain.keys import local_number
from hall_app.domain.roles import Actor
from hall_app.errors import HallError, ValidationError
from hall_app.phone import normalize_phone
from hall_app.services.complaints import ComplaintDetail, ComplaintDraft, ComplaintService
from ui.complaints.detail import ERROR_STYLE, OK_STYLE, failure_text, local_text
from ui.ops import run_op

NONE = "(无)"


class ComplaintForm(QDialog):
    """Register one complaint. `registered(detail)` once it is saved."""

    registered = Signal(object)

    def __init__(self, service: Any, actor: Actor, parent: QWidget | None = None, *,
                 ticket_id: int | None = None, ticket_code: str | None = None,
                 counter_id: int | None = None, clerk_id: int | None = None,
                 clerk_label: str | None = None, category: str | None = None,
                 description: str = "") -> None:
        super().__init__(parent)
        self.service = service
        self.actor = actor
        self.saved: ComplaintDetail | None = None
        self.tz: Any = None
        self.setWindowTitle("投诉登记")
        self.setModal(False)
        # The clerk concerned: the one who served (a follow-up from the rating pad) or,
        # at the counter, the clerk registering it.
        self._clerk = (clerk_id, clerk_label) if clerk_id is not None else (
            actor.staff_id, f"{actor.staff_no} {actor.name}".strip())
        self._prefill = (ticket_id, counter_id, self._clerk[0])
        self.errors: dict[str, QLabel] = {}
        self._build(ticket_id, ticket_code, counter_id)
        if category is not None:
            self.category.setCurrentIndex(max(0, self.category.findData(category)))
        if description:
            self.description.setPlainText(description)
        self._load_choices()

    # -- layout ---------------------------------------------------------------------
    def _error_label(self, field: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(f"error_{field}")
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        self.errors[field] = label
        return label

    def _row(self, form: QFormLayout, title: str, widget: QWidget, field: str) -> None:
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(widget, 1)
        lay.addWidget(self._error_label(field), 1)
        form.addRow(title, box)

    def _build(self, ticket_id: int | None, ticket_code: str | None,
               counter_id: int | None) -> None:
        root = QVBoxLayout(self)
        body = QHBoxLayout()
        root.addLayout(body, 1)
        fields = QGroupBox("登记内容")
        form = QFormLayout(fields)
        body.addWidget(fields, 3)

        self.backdate = QCheckBox("补登(受理时间不是现在)")
        self.received = QDateTimeEdit(QDateTime.currentDateTime())
        self.received.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.received.setCalendarPopup(True)
        self.received.setEnabled(False)
        self.backdate.toggled.connect(self.received.setEnabled)
        rec = QWidget()
        rl = QHBoxLayout(rec)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.backdate)
        rl.addWidget(self.received, 1)
        rl.addWidget(self._error_label("received_at"))
        form.addRow("受理时间:", rec)

        self.channel = QComboBox()
        for code, label in CHANNEL_LABELS.items():
            self.channel.addItem(label, code)
        self._row(form, "渠道:", self.channel, "channel")
        self.customer_name = QLineEdit()
        self.customer_name.setPlaceholderText("如:王先生")
        self._row(form, "客户姓名:", self.customer_name, "customer_name")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("11位手机号或带区号的固定电话")
        self.phone.editingFinished.connect(self.check_phone)
        self._row(form, "联系电话:", self.phone, "phone")
        self.address = QLineEdit()
        self.address.setPlaceholderText("选填")
        self._row(form, "地址:", self.address, "address")
        self.company_name = QLineEdit()
        self.company_name.setPlaceholderText("选填:企业客户的公司名称")
        self._row(form, "公司名称:", self.company_name, "company_name")
        self.business = QLineEdit()
        self.business.setPlaceholderText("如:手机套餐、宽带、固话")
        self.business_number = QLineEdit()
        self.business_number.setPlaceholderText("业务号码 / 宽带账号(数字)")
        biz = QWidget()
        bl = QHBoxLayout(biz)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.business, 1)
        bl.addWidget(self.business_number, 1)
        bl.addWidget(self._error_label("business"))
        bl.addWidget(self._error_label("business_number"))
        form.addRow("涉及业务/号码:", biz)
        self.problem_onset = QLineEdit()
        self.problem_onset.setPlaceholderText("何时使用,问题表现状况(如:上周一开通,每天下午断线)")
        self._row(form, "问题开始及表现:", self.problem_onset, "problem_onset")

        self.ticket = QComboBox()
        self.ticket.addItem(NONE, None)
        if ticket_id is not None:
            self.ticket.addItem(ticket_code or f"#{local_number(ticket_id)}", ticket_id)
            self.ticket.setCurrentIndex(1)
        self._row(form, "关联号票:", self.ticket, "ticket")
        self.counter = QComboBox()
        self.counter.addItem(NONE, None)
        if counter_id is not None:
            self.counter.addItem(f"窗口 #{local_number(counter_id)}", counter_id)
            self.counter.setCurrentIndex(1)
        self._row(form, "关联窗口:", self.counter, "counter")
        self.clerk = QComboBox()
        self.clerk.addItem(NONE, None)
        if self._clerk[0] is not None:
            self.clerk.addItem(self._clerk[1] or f"#{self._clerk[0]}", self._clerk[0])
            self.clerk.setCurrentIndex(1)
        self._row(form, "关联营业员:", self.clerk, "clerk")

        self.category = QComboBox()
        self.category.addItem("(请选择)", None)
        for cat in self.service.categories():
            self.category.addItem(cat.name, cat.code)
        self._row(form, "投诉类别:", self.category, "category")
        self.severity = QComboBox()
        for code, label in SEVERITY_LABELS.items():
            self.severity.addItem(label, code)
        self.severity.setCurrentIndex(1)
        self._row(form, "严重程度:", self.severity, "severity")
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("按客户的原话记录(倾听、复述确认)")
        self.description.setMinimumHeight(80)
        self._row(form, "投诉内容:", self.description, "description")
        self.expectation = QPlainTextEdit()
        self.expectation.setPlaceholderText("「您希望得到什么样的处理结果?」")
        self.expectation.setMaximumHeight(70)
        self._row(form, "客户期望:", self.expectation, "expectation")
        self.handler = QComboBox()
        self.handler.addItem("本人(首问负责)", None)
        self._row(form, "处理人:", self.handler, "handler")
        form.addRow("登记人:", QLabel(f"{self.actor.name}(工号 {self.actor.staff_no})"))

        body.addWidget(self._steps_panel(), 2)

        self.status = QLabel("")
        self.status.setObjectName("form_status")
        self.status.setWordWrap(True)
        root.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.submit_button = QPushButton("登记投诉")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        self.detail_button = QPushButton("查看处理页")
        self.detail_button.hide()
        self.detail_button.clicked.connect(self._open_detail)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        buttons.addWidget(self.detail_button)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(close)
        root.addLayout(buttons)
        self.resize(1100, 800)

    def _steps_panel(self) -> QWidget:
        box = QGroupBox("投诉处理六步")
        lay = QVBoxLayout(box)
        self.steps = QListWidget()
        self.steps.setObjectName("complaint_steps")
        book = self.service.book
        for i, step in enumerate(book.complaint_steps, 1):
            text = f"{i}. {step.title}\n   {step.guidance}"
            for line in step.say:
                text += f"\n   说:「{line}」"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, step.key)
            self.steps.addItem(item)
        self.steps.setCurrentRow(0)
        self.steps.setWordWrap(True)
        lay.addWidget(self.steps, 1)
        nav = QHBoxLayout()
        prev = QPushButton("上一步")
        prev.clicked.connect(lambda: self.steps.setCurrentRow(max(0, self.steps.currentRow() - 1)))
        nxt = QPushButton("下一步")
        nxt.clicked.connect(lambda: self.steps.setCurrentRow(
            min(self.steps.count() - 1, self.steps.currentRow() + 1)))
        nav.addWidget(prev)
        nav.addWidget(nxt)
        lay.addLayout(nav)
        if book.seven_more:
            seven = QLabel("七个一点:" + "、".join(p.text for p in book.seven_more))
            seven.setObjectName("SevenMore")
            seven.setWordWrap(True)
            seven.setToolTip("\n".join(f"{p.text}:{p.detail}" for p in book.seven_more))
            lay.addWidget(seven)
        if book.complaint_pitfalls:
            warn = QLabel("避免:" + "、".join(book.complaint_pitfalls))
            warn.setWordWrap(True)
            warn.setProperty("role", "hint")
            lay.addWidget(warn)
        return box

    # -- choices ----------------------------------------------------------------------
    def _load_choices(self) -> None:
        svc = self.service

        def load() -> tuple[Any, Any, Any]:
            tz = getattr(getattr(getattr(svc, "ctx", None), "hall", None), "tz", None)
            now = svc.ctx.now() if tz is not None else None
            return svc.link_choices(), tz, now

        def apply(result: tuple[Any, Any, Any]) -> None:
            choices, self.tz, now = result
            if now is not None and not self.backdate.isChecked():
                local = now.astimezone(self.tz).replace(tzinfo=None)
                self.received.setDateTime(QDateTime(local))
            self.apply_choices(choices)
        run_op(load, on_success=apply,
               on_failure=lambda err: self._say(
                   f"无法载入号票/窗口/员工列表:{err.message}(已预填的内容仍可登记)", error=True),
               parent=self)

    def apply_choices(self, choices: Any) -> None:
        ticket_id, counter_id, clerk_id = self._prefill
        current = (self.ticket.currentData(), self.counter.currentData(), self.clerk.currentData())
        handler = self.handler.currentData()
        for combo, items, keep in ((self.ticket, choices.tickets, current[0] or ticket_id),
                                   (self.counter, choices.counters, current[1] or counter_id),
                                   (self.clerk, choices.clerks, current[2] or clerk_id)):
            prefilled = combo.itemText(combo.currentIndex()) if keep is not None else None
            combo.clear()
            combo.addItem(NONE, None)
            for c in items:
                combo.addItem(c.label, c.id)
            if keep is not None:
                index = combo.findData(keep)
                if index < 0:  # e.g. the current ticket is not in the day's list yet
                    combo.addItem(prefilled or f"#{local_number(keep)}", keep)
                    index = combo.count() - 1
                combo.setCurrentIndex(index)
        self.handler.clear()
        self.handler.addItem("本人(首问负责)", None)
        for c in choices.clerks:
            self.handler.addItem(c.label, c.id)
        if handler is not None:
            self.handler.setCurrentIndex(max(0, self.handler.findData(handler)))

    # -- validation and saving ----------------------------------------------------------
    def check_phone(self) -> bool:
        """Check the phone field now (pure rule, no database); the message goes beside it."""
        if not self.phone.text().strip():
            return True  # emptiness is reported when saving
        try:
            normalize_phone(self.phone.text())
        except ValidationError as err:
            self._field_error("phone", err.message)
            return False
        self.errors["phone"].hide()
        return True

    def draft(self) -> ComplaintDraft:
        received = None
        if self.backdate.isChecked():
            # PySide6's stubs type toPython() as object; for a QDateTime it is a datetime.
            local = cast(datetime, self.received.dateTime().toPython()).replace(tzinfo=None)
            received = local.replace(tzinfo=self.tz) if self.tz else local.astimezone()
        return ComplaintDraft(
            channel=self.channel.currentData(), customer_name=self.customer_name.text(),
            phone=self.phone.text(), address=self.address.text() or None,
            category=self.category.currentData() or "", description=self.description.toPlainText(),
            expectation=self.expectation.toPlainText(), severity=self.severity.currentData(),
            ticket_id=self.ticket.currentData(), counter_id=self.counter.currentData(),
            clerk_id=self.clerk.currentData(), handler_id=self.handler.currentData(),
            received_at=received, company_name=self.company_name.text() or None,
            business=self.business.text() or None,
            business_number=self.business_number.text() or None,
            problem_onset=self.problem_onset.text() or None)

    def submit(self) -> None:
        if self.saved is not None:
            return
        for label in self.errors.values():
            label.hide()
        draft = self.draft()
        self._say("正在登记…")
        run_op(lambda: self.service.register(self.actor, draft), on_success=self._saved,
               on_failure=self._failed, parent=self, disable=[self.submit_button])

    def _saved(self, detail: ComplaintDetail) -> None:
        self.saved = detail
        due = local_text(detail.row.reply_due_at, self.tz)
        self._say(f"已登记投诉 #{local_number(detail.id)},请在 {due} 前答复客户。")
        self.submit_button.setEnabled(False)
        self.submit_button.setText("已登记")
        self.detail_button.show()
        self.registered.emit(detail)

    def _failed(self, err: HallError) -> None:
        field = err.field if isinstance(err, ValidationError) else None
        if field is not None and field in self.errors:
            self._field_error(field, err.message)
            self._say("请按提示修改后再登记," + "已填写的内容已保留。", error=True)
        else:
            self._say(failure_text(err), error=True)

    def _field_error(self, field: str, message: str) -> None:
        label = self.errors[field]
        label.setText(message)
        label.show()
        widget = getattr(self, field, None)
        if isinstance(widget, QWidget):
            widget.setFocus()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(ERROR_STYLE if error else OK_STYLE)

    def _open_detail(self) -> None:
        if self.saved is None:
            return
        from ui.complaints.detail import ComplaintDetailWidget

        dialog = QDialog(self)
        dialog.setWindowTitle(f"投诉 #{local_number(self.saved.id)}")
        lay = QVBoxLayout(dialog)
        view = ComplaintDetailWidget(self.service, self.actor, dialog, tz=self.tz)
        lay.addWidget(view)
        view.show_detail(self.saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resize(900, 700)
        dialog.show()
        self.detail_dialog = dialog


def open_complaint_form(parent: QWidget | None, services: Any, actor: Actor, *,
                        ticket_id: int | None = None, ticket_code: str | None = None,
                        counter_id: int | None = None, **prefill: Any) -> QDialog:
    """Open the register form, prefilled with the current ticket, counter and clerk.

    `prefill` may also name `clerk_id` / `clerk_label` (the clerk concerned, when it is
    not the one registering), `category` and `description` (a rating follow-up)."""
    form = ComplaintForm(ComplaintService(services.ctx), actor, parent, ticket_id=ticket_id,
                         ticket_code=ticket_code, counter_id=counter_id, **prefill)
    form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    form.show()
    return form
