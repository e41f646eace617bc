"""One complaint in detail: its fields, its records, and the next actions the viewer may take.

`ComplaintDetailWidget(service, actor)` shows a `ComplaintDetail`: the register's fields
(with 公司名称, the business and number, when the problem started), the resolution and
its approval, the reply, the signed agreement, the agreed follow-up, how it ended; then
three record tables (history, contact log, hand-offs to departments) and one button per
action the core allows this viewer (`detail.actions`; the core checks again on every
call). Simple actions take the 说明 line; those that need more open a small form
(`ui.complaints.action_forms`). The reply editor checks forbidden phrases as the clerk
types and, when the core refuses a reply, highlights each phrase in the text; a duty
manager may override with a written reason. A duty manager can also grant the clerk of
the complaint a 调整情绪 break. Every call runs through `ui.ops.run_op`; typed text is
kept on failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.complaints import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    CONTACT_METHOD_LABELS,
    ComplaintAction,
)
from hall_app.domain.keys import local_number
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import DatabaseUnavailable, HallError, ValidationError
from hall_app.scripts import ForbiddenHit
from hall_app.services.complaints import ComplaintDetail, ForbiddenPhraseFound
from ui.complaints.action_forms import FORM_ACTIONS, ActionForm, action_form
from ui.complaints.detail_tables import (
    RecordTable,
    contact_rows,
    hand_off_rows,
    history_rows,
    local_text,
)
from ui.ops import run_op

A = ComplaintAction
ERROR_STYLE = "color: #b00020; font-weight: bold;"
WARN_STYLE = "color: #8a5300; font-weight: bold;"
OK_STYLE = "color: #1b5e20; font-weight: bold;"
KEPT = "已填写的内容已保留。"
__all__ = ["ERROR_STYLE", "OK_STYLE", "ComplaintDetailWidget", "failure_text", "local_text"]


def failure_text(err: HallError) -> str:
    """The Chinese message for a failed call, saying the typed text was kept."""
    if isinstance(err, DatabaseUnavailable):
        return f"{err.message} {KEPT}请稍后再试,内容不会丢失。"
    return err.message


def highlight_hits(edit: QPlainTextEdit, hits: list[ForbiddenHit] | tuple[ForbiddenHit, ...]) -> None:
    """Mark every forbidden passage in `edit` with a red background (ExtraSelections)."""
    selections = []
    for hit in hits:
        sel = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#ffcdd2"))
        fmt.setForeground(QColor("#b00020"))
        fmt.setFontUnderline(True)
        sel.format = fmt
        cursor = QTextCursor(edit.document())
        cursor.setPosition(hit.start)
        cursor.setPosition(hit.end, QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor
        selections.append(sel)
    edit.setExtraSelections(selections)


def describe_hits(hits: list[ForbiddenHit] | tuple[ForbiddenHit, ...]) -> str:
    parts = [f"第{h.start + 1}字起「{h.matched}」(忌语:{h.phrase})" for h in hits]
    return "答复中含有服务忌语:" + ";".join(parts) + "。请换一种说法。"


# Actions whose text box content is required, with the prompt shown when it is empty.
_NEEDS_TEXT = {
    A.REJECT: "请在「说明」中写明驳回原因。",
    A.REOPEN: "请在「说明」中记录客户不满意的原因。",
    A.ESCALATE: "请在「说明」中写明升级原因。",
    A.CLOSE_NUISANCE: "请在「说明」中写明按非真实投诉关闭的理由。",
    A.SIGN_OFF: "请在「说明」中写明未满意结案的理由(会显示在营业日报中)。",
    A.NOTE: "请在「说明」中填写备注。",
}


class ComplaintDetailWidget(QWidget):
    """Detail of one complaint. `changed(detail)` after every successful action."""

    changed = Signal(object)

    def __init__(self, service: Any, actor: Actor, parent: QWidget | None = None,
                 tz: ZoneInfo | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.actor = actor
        self.tz = tz
        self.detail: ComplaintDetail | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        self.last_hits: tuple[ForbiddenHit, ...] = ()
        self.open_form: ActionForm | None = None
        self._build()

    # -- layout ---------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        self.title = QLabel("请选择一条投诉")
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        root.addWidget(self.title)
        self.deadline = QLabel("")
        self.deadline.setWordWrap(True)
        root.addWidget(self.deadline)
        self.reminders = QLabel("")
        self.reminders.setObjectName("detail_reminders")
        self.reminders.setWordWrap(True)
        self.reminders.setStyleSheet(WARN_STYLE)
        root.addWidget(self.reminders)

        info = QGroupBox("登记内容")
        self.form = QFormLayout(info)
        self.values: dict[str, QLabel] = {}
        for key, label in (("customer", "客户"), ("phone", "电话"), ("channel", "渠道"),
                           ("category", "类别"), ("business", "业务/号码"),
                           ("onset", "何时开始、表现"), ("links", "关联"),
                           ("people", "登记/处理"), ("description", "客户原话"),
                           ("expectation", "客户期望"), ("resolution", "处理方案"),
                           ("reply", "答复"), ("agreement", "处理协议"),
                           ("follow_up", "回访安排"), ("outcome", "结果")):
            value = QLabel("")
            value.setWordWrap(True)
            value.setObjectName(f"value_{key}")
            self.values[key] = value
            self.form.addRow(label + ":", value)
        root.addWidget(info)

        self.tabs = QTabWidget()
        self.history = RecordTable(["时间", "人员", "操作", "说明"])
        self.contacts_table = RecordTable(["时间", "人员", "方式", "目的", "内容"])
        self.hand_offs_table = RecordTable(["交办时间", "部门", "事项", "期限", "落实情况"])
        self.tabs.addTab(self.history, "处理记录")
        self.tabs.addTab(self.contacts_table, "联系记录")
        self.tabs.addTab(self.hand_offs_table, "交办事项")
        root.addWidget(self.tabs, 1)

        act = QGroupBox("下一步")
        grid = QVBoxLayout(act)
        self.reply_edit = QPlainTextEdit()
        self.reply_edit.setPlaceholderText("答复客户的内容(按已批准的处理方案;保存前检查服务忌语)")
        self.reply_edit.setMaximumHeight(90)
        self.reply_edit.textChanged.connect(self._check_reply_live)
        self.reply_label = QLabel("答复内容:")
        grid.addWidget(self.reply_label)
        grid.addWidget(self.reply_edit)
        self.override_row = QWidget()
        ov = QHBoxLayout(self.override_row)
        ov.setContentsMargins(0, 0, 0, 0)
        self.override_reason = QLineEdit()
        self.override_reason.setPlaceholderText("放行理由(值班长)")
        self.override_button = QPushButton("放行并保存答复")
        self.override_button.clicked.connect(self._override_reply)
        ov.addWidget(QLabel("忌语放行:"))
        ov.addWidget(self.override_reason, 1)
        ov.addWidget(self.override_button)
        self.override_row.hide()
        grid.addWidget(self.override_row)

        extra = QHBoxLayout()
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("说明:原因 / 理由 / 备注")
        self.handler = QComboBox()
        extra.addWidget(QLabel("说明:"))
        extra.addWidget(self.note_edit, 1)
        self.handler_label = QLabel("处理人:")
        extra.addWidget(self.handler_label)
        extra.addWidget(self.handler)
        grid.addLayout(extra)
        self.buttons_row = QHBoxLayout()
        grid.addLayout(self.buttons_row)
        self.care_row = QWidget()
        care = QHBoxLayout(self.care_row)
        care.setContentsMargins(0, 0, 0, 0)
        self.recovery_minutes = QSpinBox()
        self.recovery_minutes.setRange(1, 60)
        self.recovery_minutes.setValue(10)
        self.recovery_minutes.setSuffix(" 分钟")
        self.recovery_button = QPushButton("安排营业员调整情绪")
        self.recovery_button.setObjectName("action_recovery_break")
        self.recovery_button.clicked.connect(self.grant_recovery)
        care.addWidget(QLabel("员工关怀:"))
        care.addWidget(self.recovery_minutes)
        care.addWidget(self.recovery_button)
        care.addStretch(1)
        self.care_row.hide()
        grid.addWidget(self.care_row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setObjectName("detail_message")
        grid.addWidget(self.message)
        root.addWidget(act)
        self._set_actions(())

    # -- data -----------------------------------------------------------------------
    def load(self, complaint_id: int) -> None:
        """Fetch and show a complaint (off the GUI thread)."""
        svc, actor = self.service, self.actor
        need_handlers = self.handler.count() == 0

        def fetch() -> tuple[Any, Any]:
            return svc.get(actor, complaint_id), svc.link_choices() if need_handlers else None

        def show(result: tuple[Any, Any]) -> None:
            detail, choices = result
            if choices is not None:
                self.load_handlers(choices)
            self.show_detail(detail)
        run_op(fetch, on_success=show, on_failure=self._failed, parent=self)

    def load_handlers(self, choices: Any) -> None:
        self.handler.clear()
        for c in choices.clerks:
            self.handler.addItem(c.label, c.id)

    def show_detail(self, d: ComplaintDetail) -> None:
        self.detail = d
        r = d.row
        flag = "【已升级】" if r.escalated else ""
        self.title.setText(f"投诉 #{local_number(r.id)} · {r.state_label} {flag}")
        self._show_deadline(d)
        tz = self.tz
        v = self.values
        v["customer"].setText(r.customer_name + (f"({d.company_name})" if d.company_name else "")
                              + (f",{d.address}" if d.address else ""))
        v["phone"].setText(r.phone)
        v["channel"].setText(f"{CHANNEL_LABELS.get(r.channel, r.channel)} · "
                             f"受理于 {local_text(r.received_at, tz, '%Y-%m-%d %H:%M')}")
        v["category"].setText(f"{r.category_name} · 严重程度:{r.severity_label}")
        v["business"].setText(" ".join(x for x in (d.business, d.business_number) if x) or "(未填写)")
        v["onset"].setText(d.problem_onset or "(未填写)")
        links = [x for x in (f"号票 {r.ticket_code}" if r.ticket_code else "",
                             f"{r.counter_number}号窗口" if r.counter_number else "",
                             f"营业员 {d.clerk_name}" if d.clerk_name else "") if x]
        v["links"].setText(",".join(links) or "无")
        v["people"].setText(f"登记人 {d.recorder_name} · 处理人 {r.handler_name or '未指派'}")
        v["description"].setText(d.description)
        v["expectation"].setText(d.expectation or "(未填写)")
        if d.resolution:
            approval = (f"已由{d.approved_by}于 {local_text(d.approved_at, tz)} 批准"
                        if d.approved_at else "待值班长审批" if r.state == "awaiting_approval"
                        else "未批准")
            v["resolution"].setText(d.resolution + (f";补偿:{d.compensation}" if d.compensation
                                                    else "") + f"({approval})")
        else:
            v["resolution"].setText("(尚未提出)")
        v["reply"].setText(d.reply_text or "(尚未答复)")
        v["agreement"].setText(
            f"{d.agreement_text}(客户{d.agreement_signer}于 "
            f"{local_text(d.agreement_signed_at, tz)} 签署)" if d.agreement_text else "(未签)")
        if r.next_follow_up_at:
            method = CONTACT_METHOD_LABELS.get(d.follow_up_method or "", "")
            v["follow_up"].setText(f"{local_text(r.next_follow_up_at, tz, '%Y-%m-%d %H:%M')} "
                                   f"{method}回访")
        else:
            v["follow_up"].setText("(无)")
        outcome = [x for x in (f"最近回访:客户{d.satisfaction_label}" if d.satisfaction else "",
                               d.close_kind_label or "", d.close_reason or "") if x]
        v["outcome"].setText(";".join(outcome))
        self.history.fill(history_rows(d.history, tz))
        self.contacts_table.fill(contact_rows(d.contacts, tz))
        self.hand_offs_table.fill(hand_off_rows(d.hand_offs, tz), [h.id for h in d.hand_offs],
                                  [h.done for h in d.hand_offs])
        self.tabs.setTabText(1, f"联系记录({len(d.contacts)})")
        self.tabs.setTabText(2, f"交办事项({d.open_hand_offs}项待落实)" if d.open_hand_offs
                             else f"交办事项({len(d.hand_offs)})")
        self._set_actions(d.actions)
        self.care_row.setVisible(self.actor.can(Permission.GRANT_RECOVERY_BREAK)
                                 and d.clerk_id is not None)

    def _show_deadline(self, d: ComplaintDetail) -> None:
        r, tz = d.row, self.tz
        st = r.deadline
        if st.hard_overdue:
            text, style = (f"已超过监管最长时限({local_text(r.hard_due_at, tz, '%Y-%m-%d %H:%M')})",
                           ERROR_STYLE)
        elif st.reply_overdue:
            text, style = f"答复已逾期(期限 {local_text(r.reply_due_at, tz)})", ERROR_STYLE
        elif st.minutes_left is not None:
            text = (f"答复期限 {local_text(r.reply_due_at, tz)}"
                    f"(剩余 {st.minutes_left // 60} 小时 {st.minutes_left % 60} 分);"
                    f"最长时限 {local_text(r.hard_due_at, tz, '%Y-%m-%d %H:%M')}")
            style = WARN_STYLE if st.due_soon else ""
        elif r.replied_at:
            text = (f"已于 {local_text(r.replied_at, tz)} 答复" +
                    ("" if r.state == "closed" else
                     f";最长时限 {local_text(r.hard_due_at, tz, '%Y-%m-%d %H:%M')}"))
            style = ""
        else:
            text, style = "", ""
        self.deadline.setText(text)
        self.deadline.setStyleSheet(style)
        now = self.now()
        days = max(1, (r.hard_due_at - now).days + 1) if now is not None else None
        notes = [x for x in (
            (f"距监管最长时限已不足{days}天" if days else "监管最长时限将至")
            if st.near_limit else "",
            "约定的回访时间已到" if st.follow_up_due else "",
            "须向客户进度回馈(定期回馈)" if st.feedback_due else "",
            "处理方案待值班长审批" if r.state == "awaiting_approval" else "") if x]
        self.reminders.setText("提醒:" + ";".join(notes) if notes else "")
        self.reminders.setVisible(bool(notes))

    def now(self) -> Any:
        ctx = getattr(self.service, "ctx", None)
        return ctx.now() if ctx is not None else None

    def _set_actions(self, actions: tuple[ComplaintAction, ...]) -> None:
        while self.buttons_row.count():
            item = self.buttons_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # gone at once, deleted when the event loop gets to it
                widget.deleteLater()
        self.action_buttons = {}
        for action in actions:
            text = ACTION_LABELS[action] + ("…" if action in FORM_ACTIONS else "")
            button = QPushButton(text)
            button.setObjectName(f"action_{action}")
            button.clicked.connect(lambda _=False, a=action: self.perform(a))
            self.buttons_row.addWidget(button)
            self.action_buttons[action] = button
        self.buttons_row.addStretch(1)
        can_reply = A.REPLY in actions
        self.reply_edit.setVisible(can_reply)
        self.reply_label.setVisible(can_reply)
        if not can_reply:
            self.override_row.hide()
        for widget in (self.handler, self.handler_label):
            widget.setVisible(A.ASSIGN in actions)

    # -- actions --------------------------------------------------------------------
    def perform(self, action: ComplaintAction) -> None:
        if self.detail is None:
            return
        if action in FORM_ACTIONS:
            self._open_form(action)
            return
        cid, actor, svc = self.detail.id, self.actor, self.service
        note = self.note_edit.text().strip()
        if action in _NEEDS_TEXT and not note:
            self._say(_NEEDS_TEXT[action], error=True)
            self.note_edit.setFocus()
            return
        calls: dict[ComplaintAction, Callable[[], Any]] = {
            A.START: lambda: svc.start(actor, cid, note or None),
            A.ASSIGN: lambda: svc.assign(actor, cid, self.handler.currentData(), note or None),
            A.APPROVE: lambda: svc.approve(actor, cid, note or None),
            A.REJECT: lambda: svc.reject(actor, cid, note),
            A.REPLY: lambda: svc.reply(actor, cid, self.reply_edit.toPlainText()),
            A.REOPEN: lambda: svc.reopen(actor, cid, note),
            A.CLOSE: lambda: svc.close(actor, cid, note or None),
            A.SIGN_OFF: lambda: svc.sign_off(actor, cid, note),
            A.ESCALATE: lambda: svc.escalate(actor, cid, note),
            A.CLOSE_NUISANCE: lambda: svc.close_as_nuisance(actor, cid, note),
            A.NOTE: lambda: svc.add_note(actor, cid, note),
        }
        if action == A.ASSIGN and self.handler.currentData() is None:
            self._say("请选择处理人。", error=True)
            return
        self._run(calls[action], ACTION_LABELS[action])

    def _open_form(self, action: ComplaintAction) -> None:
        assert self.detail is not None
        form = action_form(action, self.detail, self.now() or self.detail.row.received_at,
                           self.tz, self)
        form.submitted.connect(lambda values, f=form: self._submit_form(f, values))
        self.open_form = form
        form.open()

    def _submit_form(self, form: ActionForm, values: dict[str, Any]) -> None:
        if self.detail is None:
            return
        cid, actor, svc, action = self.detail.id, self.actor, self.service, form.action
        calls: dict[ComplaintAction, Callable[[], Any]] = {
            A.PROPOSE_RESOLUTION: lambda: svc.propose_resolution(
                actor, cid, values["resolution"], values["compensation"]),
            A.SIGN_AGREEMENT: lambda: svc.sign_agreement(
                actor, cid, values["agreement"], values["signer"], values["follow_up_at"],
                values["method"]),
            A.HAND_OFF: lambda: svc.hand_off(actor, cid, values["department"], values["task"],
                                             values["due_at"]),
            A.HAND_OFF_DONE: lambda: svc.hand_off_done(
                actor, cid, int(values["hand_off_id"] or 0), values["note"]),
            A.CONTACT: lambda: svc.contact(actor, cid, values["method"], values["note"],
                                           values["purpose"]),
            A.SCHEDULE_FOLLOW_UP: lambda: svc.schedule_follow_up(actor, cid, values["at"],
                                                                 values["method"]),
            A.FOLLOW_UP: lambda: svc.follow_up(actor, cid, values["outcome"], values["note"],
                                               values["method"], values["next_at"]),
        }
        label = ACTION_LABELS[action]

        def failed(err: HallError) -> None:
            form.show_error(err.field if isinstance(err, ValidationError) else None,
                            failure_text(err))

        def done(d: ComplaintDetail) -> None:
            form.accept()
            self.open_form = None
            self._done(d, label)
        self._say(f"正在{label}…")
        run_op(calls[action], on_success=done, on_failure=failed, parent=self,
               disable=[form.ok_button])

    def grant_recovery(self) -> None:
        if self.detail is None or self.detail.clerk_id is None:
            return
        care = getattr(self.service, "staff_care", None)
        if care is None:
            from hall_app.services.staff_care import StaffCareService

            care = StaffCareService(self.service.ctx)
        clerk, minutes, cid = self.detail.clerk_id, self.recovery_minutes.value(), self.detail.id
        name = self.detail.clerk_name or "营业员"

        def grant() -> Any:
            care.grant_recovery_break(self.actor, clerk, minutes, cid)
            return self.service.get(self.actor, cid)
        self._say("正在安排…")
        run_op(grant, on_success=lambda d: self._done(d, f"为{name}安排调整情绪{minutes}分钟"),
               on_failure=self._failed, parent=self, disable=[self.recovery_button])

    def _override_reply(self) -> None:
        if self.detail is None:
            return
        reason = self.override_reason.text()
        if not reason.strip():
            self._say("放行忌语检查须写明理由。", error=True)
            self.override_reason.setFocus()
            return
        cid, text = self.detail.id, self.reply_edit.toPlainText()
        self._run(lambda: self.service.reply(self.actor, cid, text, override_reason=reason),
                  "放行并保存答复")

    def _run(self, fn: Callable[[], Any], label: str) -> None:
        self._say(f"正在{label}…")
        run_op(fn, on_success=lambda d: self._done(d, label), on_failure=self._failed,
               parent=self, disable=list(self.action_buttons.values()) + [self.override_button])

    def _done(self, d: ComplaintDetail, label: str) -> None:
        self.note_edit.clear()
        if d.reply_text and d.state not in ("approved", "in_progress"):
            self.reply_edit.clear()
            self.override_reason.clear()
            self.override_row.hide()
        self.show_detail(d)
        self._say(f"已{label}。")
        self.changed.emit(d)

    def _failed(self, err: HallError) -> None:
        if isinstance(err, ForbiddenPhraseFound):
            self.last_hits = err.hits
            highlight_hits(self.reply_edit, err.hits)
            self._say(describe_hits(err.hits), error=True)
            self.override_row.setVisible(self.actor.can(Permission.OVERRIDE_FORBIDDEN))
            self.reply_edit.setFocus()
            return
        self._say(failure_text(err), error=True)

    def _check_reply_live(self) -> None:
        """Highlight forbidden phrases while typing (pure check, no database)."""
        hits = self.service.check_reply(self.reply_edit.toPlainText())
        self.last_hits = tuple(hits)
        highlight_hits(self.reply_edit, hits)
        if not hits:
            self.override_row.hide()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
