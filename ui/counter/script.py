"""Script panel: the core's situational prompts on top, the five-step flow below.

The panel only displays what ``hall_app.scripts`` selects from the situation. The
current step follows the ticket (called → step 1, serving → step 2) and the clerk
may click any step. Coaching cards and forbidden phrases are one click away.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from hall_app.scripts import flow_steps, select_prompts
from ui.counter.situation import build_situation, script_thresholds

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hall_app.scripts import FlowStep, Prompt, ScriptBook, Thresholds
    from hall_app.services.queries import CounterView

KIND_LABELS = {"say": "说", "do": "做", "warn": "注意"}
KIND_COLOURS = {"say": "#1565c0", "do": "#2e7d32", "warn": "#c62828"}


def _badge(kind: str) -> str:
    return (f'<span style="background:{KIND_COLOURS[kind]}; color:white; '
            f'padding:1px 6px;">&nbsp;{KIND_LABELS[kind]}&nbsp;</span>')


def prompts_html(prompts: Sequence[Prompt]) -> str:
    rows = []
    for i, p in enumerate(prompts):
        size = "15pt" if i == 0 else "12pt"
        weight = "bold" if i == 0 or p.kind == "warn" else "normal"
        rows.append(f'<p style="font-size:{size}; font-weight:{weight}; margin:4px 0;">'
                    f"{_badge(p.kind)} {html.escape(p.text)}</p>")
    return "".join(rows) or '<p style="color:#666;">暂无提示。</p>'


def step_html(step: FlowStep) -> str:
    parts = [f'<p style="font-size:13pt; font-weight:bold;">{html.escape(step.title)}</p>']
    parts += [f"<p>{_badge('do')} {html.escape(x)}</p>" for x in step.do]
    parts += [f"<p>{_badge('warn')} {html.escape(x)}</p>" for x in step.warn]
    parts += [f"<p>{_badge('say')} <b>{html.escape(p.text)}</b></p>" for p in step.phrases]
    if step.situational:
        parts.append('<p style="color:#555; margin-top:8px;">按情况选用:</p>')
        parts += [f"<p>· <b>{html.escape(p.title)}</b>:{html.escape(p.text)}</p>"
                  for p in step.situational]
    return "".join(parts)


class GuideDialog(QDialog):
    """Coaching cards (six customer types), forbidden / recommended phrases, complaint steps."""

    def __init__(self, book: ScriptBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("服务应对指引")
        self.resize(640, 520)
        self.tabs = QTabWidget()
        cards = "".join(
            f"<h3>{html.escape(c.title)}</h3>"
            + "".join(f"<p>· {html.escape(a)}</p>" for a in c.advice)
            + "".join(f"<p>{_badge('say')} {html.escape(s)}</p>" for s in c.say)
            for c in book.coaching_cards)
        forbidden = ("<h3>服务忌语(绝对不能说)</h3>"
                     + "".join(f'<p style="color:#b00020;">✗ {html.escape(x)}</p>'
                               for x in book.forbidden)
                     + "<h3>推荐用语</h3>"
                     + "".join(f'<p style="color:#2e7d32;">✓ {html.escape(x)}</p>'
                               for x in book.recommended)
                     + f"<p><b>{html.escape(book.principle)}</b></p>")
        complaint = "".join(
            f"<h3>{i}. {html.escape(s.title)}</h3><p>{html.escape(s.guidance)}</p>"
            + (f"<p>{_badge('say')} {html.escape(s.say)}</p>" if s.say else "")
            for i, s in enumerate(book.complaint_steps, 1))
        for title, body in (("客户类型应对", cards), ("服务忌语", forbidden),
                            ("投诉处理六步", complaint)):
            view = QTextBrowser()
            view.setHtml(body)
            self.tabs.addTab(view, title)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)


class ScriptPanel(QFrame):
    """Prompts + five-step flow for the current snapshot."""

    def __init__(self, book: ScriptBook, thresholds: Thresholds,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScriptPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.book = book
        self.thresholds = thresholds
        self.step = 0
        self.prompts: list[Prompt] = []
        self.steps: list[FlowStep] = []
        self._view: CounterView | None = None
        self._ticket_key: tuple[int, str] | None = None

        title = QLabel("话术提示")
        title.setProperty("role", "panelTitle")
        self.guide_button = QPushButton("应对指引 / 服务忌语")
        self.guide_button.setObjectName("GuideButton")
        self.guide_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.guide_button.clicked.connect(self.open_guide)
        self.guide: GuideDialog | None = None
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.guide_button)

        self.prompt_label = QLabel()
        self.prompt_label.setObjectName("Prompts")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setTextFormat(Qt.TextFormat.RichText)
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
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.step_label)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.prompt_label)
        layout.addLayout(steps_row)
        layout.addWidget(scroll, 1)

    def apply(self, view: CounterView) -> None:
        """New snapshot: follow the ticket's progress through the flow, then re-render."""
        cur = view.current
        key = (cur.ticket_id, cur.state) if cur else None
        if key != self._ticket_key:
            old = self._ticket_key
            if cur is None or cur.state == "called":
                self.step = 0
            elif cur.state == "serving" and (old is None or old[0] != cur.ticket_id
                                             or self.step == 0):
                self.step = 1
            self._ticket_key = key
        self._view = view
        self.redraw()

    def situational_prompts(self) -> list:
        """The selected prompts minus those the step area below already shows."""
        if not self.steps:
            return list(self.prompts)
        step_def = self.book.flow[self.step]
        own = set(step_def.say)
        return [p for p in self.prompts
                if not p.key.startswith(f"flow.{step_def.key}.")
                and p.key.split(".")[0] not in own]

    def set_step(self, index: int) -> None:
        self.step = max(0, min(index, len(self.book.flow) - 1))
        self.redraw()

    def redraw(self) -> None:
        # Not `render`: that would hide QWidget.render(target).
        if self._view is None:
            return
        situation = build_situation(self._view, self.step)
        hall_thresholds = getattr(self._view, "thresholds", None)
        if hall_thresholds is not None:
            # The hall's current values (an admin may have changed them today).
            self.thresholds = script_thresholds(hall_thresholds)
        self.prompts = select_prompts(self.book, situation, self.thresholds)
        self.steps = flow_steps(self.book, situation)
        self.prompt_label.setText(prompts_html(self.situational_prompts()))
        button = self.step_buttons.button(self.step)
        if button is not None:
            button.setChecked(True)
        self.step_label.setText(step_html(self.steps[self.step]))

    def open_guide(self) -> None:
        if self.guide is None:
            self.guide = GuideDialog(self.book, self)
        self.guide.show()
        self.guide.raise_()
