"""Script panel: the core's situational prompts on top, the five-step flow below.

The panel only displays what ``hall_app.scripts`` selects from the situation. The current
step follows the ticket (``FlowTracker``: called → step 1, start → step 2, finish → step
5's farewell) and the clerk may click any step. Every phrase can be marked said (the
long-wait apology stays until it is); the palette under the step is clickable: picking a
phrase marks it said, opens the cash or document helper where the phrase is built by one,
and for 「我不太清楚」 / 「客户仍不满意」 offers F7 with the reason filled in. Coaching cards,
forbidden phrases and 七个一点 are one click away.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hall_app.scripts import FlowTracker, flow_steps, pick_phrase, select_prompts
from ui.counter.guide import GuideDialog, badge
from ui.counter.situation import build_situation, script_thresholds, ticket_facts

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hall_app.scripts import FlowStep, Pick, Prompt, ScriptBook, Situation, Thresholds
    from hall_app.services.queries import CounterView

SAID_LINK = "said:"
TELL_WAITING = "〔告知所有等候和新到的客户〕"


def _say_tail(p: Prompt) -> str:
    if p.kind != "say":
        return ""
    if p.said:
        return ' <span style="color:#2e7d32;">✓已说</span>'
    return f' <a href="{SAID_LINK}{html.escape(p.key)}">标为已说</a>'


def prompts_html(prompts: Sequence[Prompt]) -> str:
    rows = []
    for i, p in enumerate(prompts):
        size = "15pt" if i == 0 else "12pt"
        weight = "bold" if i == 0 or p.kind == "warn" else "normal"
        colour = "color:#777;" if p.said else ""
        tell = f' <span style="color:#b26a00;">{TELL_WAITING}</span>' if p.tell_waiting else ""
        rows.append(f'<p style="font-size:{size}; font-weight:{weight}; margin:4px 0; {colour}">'
                    f"{badge(p.kind)} {html.escape(p.text)}{tell}{_say_tail(p)}</p>")
    return "".join(rows) or '<p style="color:#666;">暂无提示。</p>'


def step_html(step: FlowStep) -> str:
    parts = [f'<p style="font-size:13pt; font-weight:bold;">{html.escape(step.title)}</p>']
    parts += [f"<p>{badge('do')} {html.escape(x)}</p>" for x in step.do]
    parts += [f"<p>{badge('warn')} {html.escape(x)}</p>" for x in step.warn]
    parts += [f"<p>{badge('say')} <b>{html.escape(p.text)}</b>{_say_tail(p)}</p>"
              for p in step.phrases]
    return "".join(parts)


def palette_text(p: Prompt) -> str:
    mark = "✓ " if p.said else ""
    return f"{mark}{p.title}:{p.text}"


class ScriptPanel(QFrame):
    """Prompts + five-step flow + phrase palette for the current snapshot."""

    helper_requested = Signal(str)  # "cash" | "documents"
    escalate_requested = Signal(str)  # the reason to prefill in F7's dialog

    def __init__(self, book: ScriptBook, thresholds: Thresholds,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScriptPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.book = book
        self.thresholds = thresholds
        self.flow = FlowTracker(len(book.flow))
        self.prompts: list[Prompt] = []
        self.steps: list[FlowStep] = []
        self.offer_reason: str | None = None
        self.last_pick: Pick | None = None
        self._view: CounterView | None = None
        self.guide: GuideDialog | None = None

        title = QLabel("话术提示")
        title.setProperty("role", "panelTitle")
        self.documents_button = QPushButton("证件唱收唱交")
        self.documents_button.setObjectName("DocumentsButton")
        self.documents_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.documents_button.clicked.connect(lambda: self.helper_requested.emit("documents"))
        self.guide_button = QPushButton("应对指引 / 忌语 / 七个一点")
        self.guide_button.setObjectName("GuideButton")
        self.guide_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.guide_button.clicked.connect(lambda: self.open_guide())
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.documents_button)
        head.addWidget(self.guide_button)

        self.prompt_label = QLabel()
        self.prompt_label.setObjectName("Prompts")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setTextFormat(Qt.TextFormat.RichText)
        self.prompt_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.prompt_label.linkActivated.connect(self._on_link)

        self.offer = QFrame()
        self.offer.setObjectName("EscalationOffer")
        self.offer.setStyleSheet("#EscalationOffer { background: #fff3e0; "
                                 "border: 1px solid #ef6c00; }")
        self.offer_label = QLabel()
        self.offer_label.setWordWrap(True)
        self.offer_button = QPushButton("呼叫值班长  [F7]")
        self.offer_button.setObjectName("OfferEscalate")
        self.offer_button.clicked.connect(self._accept_offer)
        self.offer_dismiss = QPushButton("不用了")
        self.offer_dismiss.clicked.connect(self.dismiss_offer)
        offer_row = QHBoxLayout(self.offer)
        offer_row.addWidget(self.offer_label, 1)
        offer_row.addWidget(self.offer_button)
        offer_row.addWidget(self.offer_dismiss)
        self.offer.hide()

        self.farewell_done = QPushButton("客户已离开")
        self.farewell_done.setObjectName("FarewellDone")
        self.farewell_done.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.farewell_done.clicked.connect(self._end_farewell)
        self.farewell_done.hide()

        self.step_buttons = QButtonGroup(self)
        self.step_buttons.setExclusive(True)
        steps_row = QHBoxLayout()
        for i, step in enumerate(book.flow):
            button = QPushButton(f"{i + 1}.{step.title}")
            button.setCheckable(True)
            button.setProperty("role", "step")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.step_buttons.addButton(button, i)
            steps_row.addWidget(button)
        self.step_buttons.idClicked.connect(self.set_step)
        self.step_label = QLabel()
        self.step_label.setObjectName("StepDetail")
        self.step_label.setWordWrap(True)
        self.step_label.setTextFormat(Qt.TextFormat.RichText)
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.step_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.step_label.linkActivated.connect(self._on_link)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.step_label)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        palette_title = QLabel("按情况选用(点击或回车:标为已说 / 打开助手)")
        palette_title.setProperty("role", "hint")
        self.phrase_list = QListWidget()
        self.phrase_list.setObjectName("Palette")
        self.phrase_list.setWordWrap(True)
        self.phrase_list.itemClicked.connect(self._on_palette_item)
        self.phrase_list.itemActivated.connect(self._on_palette_item)

        # Wrapped text must not widen the panel (the columns would shift with every
        # phrase); the step buttons set its width.
        for label in (self.prompt_label, self.offer_label, self.step_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.phrase_list.setSizePolicy(QSizePolicy.Policy.Ignored,
                                       QSizePolicy.Policy.Expanding)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.offer)
        layout.addLayout(steps_row)
        layout.addWidget(scroll, 3)
        layout.addWidget(self.farewell_done, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(palette_title)
        layout.addWidget(self.phrase_list, 2)

    # -- state --------------------------------------------------------------------------
    @property
    def step(self) -> int:
        return self.flow.step

    def apply(self, view: CounterView) -> None:
        """New snapshot: follow the ticket's progress through the flow, then re-render."""
        previous = self.flow.ticket
        current, finished = ticket_facts(view)
        self.flow.observe(current, finished, view.now)
        if self.flow.ticket is None or (previous is not None and current is not None
                                        and previous.ticket_id != current.ticket_id):
            self.dismiss_offer()
        self._view = view
        self.redraw()

    def situation(self) -> Situation | None:
        if self._view is None:
            return None
        return self.flow.apply(build_situation(self._view))

    def situational_prompts(self) -> list[Prompt]:
        """The selected prompts minus those the step area below already shows."""
        if not self.steps:
            return list(self.prompts)
        step_def = self.book.flow[self.step]
        own = set(step_def.say) | {p.key for p in self.steps[self.step].phrases}
        return [p for p in self.prompts
                if not p.key.startswith(f"flow.{step_def.key}.")
                and p.key.split(".")[0] not in own]

    # -- the clerk's actions ------------------------------------------------------------
    def set_step(self, index: int) -> None:
        self.flow.move(index)
        self.redraw()

    def mark_said(self, key: str) -> None:
        self.flow.mark_said(key)
        self.redraw()

    def pick(self, key: str) -> Pick | None:
        """The clerk picked phrase *key* from the palette."""
        situation = self.situation()
        if situation is None:
            return None
        picked = pick_phrase(self.book, key, situation)
        self.last_pick = picked
        self.flow.mark_said(key)
        self.flow.mark_said(picked.key)
        if picked.escalation:
            self.offer_escalation(picked.escalation)
        if picked.helper:
            self.helper_requested.emit(picked.helper)
        self.redraw()
        return picked

    def offer_escalation(self, reason: str) -> None:
        self.offer_reason = reason
        self.offer_label.setText(f"需要值班长帮助吗?将说明:「{reason}」")
        self.offer.show()

    def dismiss_offer(self) -> None:
        self.offer_reason = None
        self.offer.hide()

    def _accept_offer(self) -> None:
        if self.offer_reason:
            self.escalate_requested.emit(self.offer_reason)

    def _end_farewell(self) -> None:
        self.flow.dismiss_farewell()
        self.redraw()

    def _on_link(self, link: str) -> None:
        if link.startswith(SAID_LINK):
            self.mark_said(link[len(SAID_LINK):])

    def _on_palette_item(self, item: QListWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(key, str):
            self.pick(key)

    # -- drawing ------------------------------------------------------------------------
    def redraw(self) -> None:
        situation = self.situation()
        if situation is None or self._view is None:
            return
        if self._view.thresholds is not None:
            # The hall's current values (an admin may have changed them today).
            self.thresholds = script_thresholds(self._view.thresholds)
        self.prompts = select_prompts(self.book, situation, self.thresholds)
        self.steps = flow_steps(self.book, situation)
        self.prompt_label.setText(prompts_html(self.situational_prompts()))
        button = self.step_buttons.button(self.step)
        if button is not None:
            button.setChecked(True)
        current = self.steps[self.step]
        self.step_label.setText(step_html(current))
        self.farewell_done.setVisible(self.flow.seeing_off)
        row = self.phrase_list.currentRow()
        self.phrase_list.clear()
        for p in current.situational:
            item = QListWidgetItem(palette_text(p))
            item.setData(Qt.ItemDataRole.UserRole, p.key)
            if p.said:
                item.setForeground(Qt.GlobalColor.darkGray)
            self.phrase_list.addItem(item)
        if 0 <= row < self.phrase_list.count():
            self.phrase_list.setCurrentRow(row)

    def open_guide(self, tab: str = "cards") -> GuideDialog:
        if self.guide is None:
            self.guide = GuideDialog(self.book, self)
        self.guide.show_tab(tab)
        self.guide.show()
        self.guide.raise_()
        return self.guide
