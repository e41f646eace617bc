"""One complaint in detail: its fields, its history, and the next actions the viewer may take.

`ComplaintDetailWidget(service, actor)` shows a `ComplaintDetail` and offers one button per
action the core allows this viewer (`detail.actions`; the core checks again on every
call). The reply editor checks forbidden phrases as the clerk types and, when the core
refuses a reply, highlights each phrase in the text; a duty manager may override with a
written reason. Every call runs through `ui.ops.run_op`; typed text is kept on failure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.complaints import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    SATISFACTION_LABELS,
    STATE_LABELS,
    ComplaintAction,
)
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import DatabaseUnavailable, HallError
from hall_app.scripts import ForbiddenHit
from hall_app.services.complaints import ComplaintDetail, ForbiddenPhraseFound
from ui.ops import run_op

A = ComplaintAction
ERROR_STYLE = "color: #b00020; font-weight: bold;"
OK_STYLE = "color: #1b5e20; font-weight: bold;"
KEPT = "已填写的内容已保留。"


def local_text(when: datetime | None, tz: ZoneInfo | None, fmt: str = "%m-%d %H:%M") -> str:
    """A UTC timestamp as hall-local text ('' for None)."""
    if when is None:
        return ""
    return when.astimezone(tz).strftime(fmt) if tz else when.strftime(fmt)


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
    A.PROPOSE_COMPENSATION: "请在「说明」中写明补偿方案。",
    A.REJECT: "请在「说明」中写明驳回原因。",
    A.REOPEN: "请在「说明」中记录客户不接受答复的原因。",
    A.FOLLOW_UP: "请在「说明」中记录回访情况。",
    A.ESCALATE: "请在「说明」中写明升级原因。",
    A.CLOSE_NUISANCE: "请在「说明」中写明按非真实投诉关闭的理由。",
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
        self._build()

    # -- layout ---------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        self.title = QLabel("请选择一条投诉")
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        root.addWidget(self.title)
        self.deadline = QLabel("")
        root.addWidget(self.deadline)

        info = QGroupBox("登记内容")
        self.form = QFormLayout(info)
        self.values: dict[str, QLabel] = {}
        for key, label in (("customer", "客户"), ("phone", "电话"), ("channel", "渠道"),
                           ("category", "类别"), ("links", "关联"), ("people", "登记/处理"),
                           ("description", "客户原话"), ("expectation", "客户期望"),
                           ("compensation", "补偿方案"), ("reply", "答复"),
                           ("outcome", "结果")):
            value = QLabel("")
            value.setWordWrap(True)
            value.setObjectName(f"value_{key}")
            self.values[key] = value
            self.form.addRow(label + ":", value)
        root.addWidget(info)

        self.history = QTableWidget(0, 4)
        self.history.setHorizontalHeaderLabels(["时间", "人员", "操作", "说明"])
        self.history.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.history.verticalHeader().setVisible(False)
        self.history.setMinimumHeight(150)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        box = QGroupBox("处理记录")
        QVBoxLayout(box).addWidget(self.history)
        root.addWidget(box, 1)

        act = QGroupBox("下一步")
        grid = QVBoxLayout(act)
        self.reply_edit = QPlainTextEdit()
        self.reply_edit.setPlaceholderText("答复客户的内容(保存前检查服务忌语)")
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
        self.note_edit.setPlaceholderText("说明:补偿方案 / 原因 / 回访记录 / 备注")
        self.satisfaction = QComboBox()
        for code, label in SATISFACTION_LABELS.items():
            self.satisfaction.addItem(label, code)
        self.handler = QComboBox()
        extra.addWidget(QLabel("说明:"))
        extra.addWidget(self.note_edit, 1)
        self.satisfaction_label = QLabel("满意度:")
        self.handler_label = QLabel("处理人:")
        extra.addWidget(self.satisfaction_label)
        extra.addWidget(self.satisfaction)
        extra.addWidget(self.handler_label)
        extra.addWidget(self.handler)
        grid.addLayout(extra)
        self.buttons_row = QHBoxLayout()
        grid.addLayout(self.buttons_row)
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
        self.title.setText(f"投诉 #{r.id} · {STATE_LABELS.get(r.state, r.state)} {flag}")
        st = r.deadline
        if st.hard_overdue:
            text, style = f"已超过监管最长时限({local_text(r.hard_due_at, self.tz, '%Y-%m-%d %H:%M')})", ERROR_STYLE
        elif st.reply_overdue:
            text, style = f"答复已逾期(期限 {local_text(r.reply_due_at, self.tz)})", ERROR_STYLE
        elif st.minutes_left is not None:
            text = (f"答复期限 {local_text(r.reply_due_at, self.tz)}"
                    f"(剩余 {st.minutes_left // 60} 小时 {st.minutes_left % 60} 分);"
                    f"最长时限 {local_text(r.hard_due_at, self.tz, '%Y-%m-%d %H:%M')}")
            style = "color: #8a5300; font-weight: bold;" if st.due_soon else ""
        else:
            text = f"已于 {local_text(r.replied_at, self.tz)} 答复" if r.replied_at else ""
            style = ""
        self.deadline.setText(text)
        self.deadline.setStyleSheet(style)
        v = self.values
        v["customer"].setText(r.customer_name + (f"({d.address})" if d.address else ""))
        v["phone"].setText(r.phone)
        v["channel"].setText(f"{CHANNEL_LABELS.get(r.channel, r.channel)} · "
                             f"受理于 {local_text(r.received_at, self.tz, '%Y-%m-%d %H:%M')}")
        v["category"].setText(f"{r.category_name} · 严重程度:{r.severity_label}")
        links = [x for x in (f"号票 {r.ticket_code}" if r.ticket_code else "",
                             f"{r.counter_number}号窗口" if r.counter_number else "",
                             f"营业员 {d.clerk_name}" if d.clerk_name else "") if x]
        v["links"].setText(",".join(links) or "无")
        v["people"].setText(f"登记人 {d.recorder_name} · 处理人 {r.handler_name or '未指派'}")
        v["description"].setText(d.description)
        v["expectation"].setText(d.expectation or "(未填写)")
        v["compensation"].setText(d.compensation or "无")
        v["reply"].setText(d.reply_text or "(尚未答复)")
        outcome = d.satisfaction_label or d.close_reason or ""
        v["outcome"].setText(outcome)
        self.history.setRowCount(len(d.history))
        for i, h in enumerate(d.history):
            cells = (local_text(h.at, self.tz), h.staff_name, h.action_label, h.note or "")
            for j, text in enumerate(cells):
                self.history.setItem(i, j, QTableWidgetItem(text))
        self.history.resizeColumnsToContents()
        self._set_actions(d.actions)

    def _set_actions(self, actions: tuple[ComplaintAction, ...]) -> None:
        while self.buttons_row.count():
            item = self.buttons_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.action_buttons = {}
        for action in actions:
            button = QPushButton(ACTION_LABELS[action])
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
        for widget in (self.satisfaction, self.satisfaction_label):
            widget.setVisible(A.CLOSE in actions)
        for widget in (self.handler, self.handler_label):
            widget.setVisible(A.ASSIGN in actions)

    # -- actions --------------------------------------------------------------------
    def perform(self, action: ComplaintAction) -> None:
        if self.detail is None:
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
            A.PROPOSE_COMPENSATION: lambda: svc.propose_compensation(actor, cid, note),
            A.APPROVE: lambda: svc.approve(actor, cid, note or None),
            A.REJECT: lambda: svc.reject(actor, cid, note),
            A.REPLY: lambda: svc.reply(actor, cid, self.reply_edit.toPlainText()),
            A.REOPEN: lambda: svc.reopen(actor, cid, note),
            A.CONFIRM: lambda: svc.confirm(actor, cid, note or None),
            A.FOLLOW_UP: lambda: svc.follow_up(actor, cid, note),
            A.CLOSE: lambda: svc.close(actor, cid, self.satisfaction.currentData(), note or None),
            A.ESCALATE: lambda: svc.escalate(actor, cid, note),
            A.CLOSE_NUISANCE: lambda: svc.close_as_nuisance(actor, cid, note),
            A.NOTE: lambda: svc.add_note(actor, cid, note),
        }
        if action == A.ASSIGN and self.handler.currentData() is None:
            self._say("请选择处理人。", error=True)
            return
        self._run(calls[action], ACTION_LABELS[action])

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
        if d.reply_text and d.state != "in_progress":
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
