"""The action bar: one big button per counter action, each with its keypad shortcut.

Buttons are enabled only when the action is legal for the snapshot (the core still
checks). Shortcuts stay active even when a button is disabled, so a key press is
never silently dropped: the window answers it with a message saying why not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

if TYPE_CHECKING:
    from hall_app.services.queries import CounterView


@dataclass(frozen=True)
class ActionDef:
    name: str
    label: str
    key: str


ACTIONS = (
    ActionDef("call_next", "叫下一位", "F1"),
    ActionDef("recall", "重呼", "F2"),
    ActionDef("no_show", "过号", "F3"),
    ActionDef("start_finish", "开始办理", "F4"),
    ActionDef("transfer", "转移", "F5"),
    ActionDef("pause", "暂停服务", "F6"),
    ActionDef("escalate", "呼叫值班长", "F7"),
    ActionDef("complaint", "登记投诉", "F8"),
)


def legal_actions(view: CounterView | None, connected: bool = True) -> set[str]:
    """Names of the actions that make sense for this snapshot."""
    if view is None or not connected:
        return set()
    cur = view.current
    state = view.counter.state
    legal = {"escalate", "complaint"}
    if cur is None:
        if state == "open" and view.queue:
            legal.add("call_next")
        if state in ("open", "paused"):
            legal.add("pause")
        return legal
    legal |= {"transfer", "start_finish"}
    if cur.state == "called":
        legal.add("recall")
        if cur.recall_count >= view.recalls_before_no_show:
            legal.add("no_show")
    return legal


class ActionBar(QWidget):
    """Buttons in a grid; ``buttons[name]`` and ``shortcuts[name]`` for the window."""

    def __init__(self, shortcut_parent: QWidget, *, with_complaint: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ActionBar")
        self.buttons: dict[str, QPushButton] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        grid = QGridLayout(self)
        grid.setSpacing(8)
        defs = [a for a in ACTIONS if with_complaint or a.name != "complaint"]
        for i, action in enumerate(defs):
            button = QPushButton()
            button.setObjectName(f"action_{action.name}")
            button.setProperty("role", "action")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to shortcuts and fields
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.buttons[action.name] = button
            self.set_label(action.name, action.label)
            grid.addWidget(button, i // 4, i % 4)
            shortcut = QShortcut(QKeySequence(action.key), shortcut_parent)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            self.shortcuts[action.name] = shortcut

    def key_for(self, name: str) -> str:
        return next(a.key for a in ACTIONS if a.name == name)

    def set_label(self, name: str, label: str) -> None:
        self.buttons[name].setText(f"{label}  [{self.key_for(name)}]")
        self.buttons[name].setToolTip(f"{label}(快捷键 {self.key_for(name)})")

    def update_state(self, view: CounterView | None, *, connected: bool, busy: bool) -> None:
        legal: set[str] = set() if busy else legal_actions(view, connected)
        for name, button in self.buttons.items():
            button.setEnabled(name in legal)
        cur = view.current if view is not None else None
        self.set_label("start_finish", "办理完成" if cur is not None and cur.state == "serving"
                       else "开始办理")
        paused = view is not None and view.counter.state == "paused"
        self.set_label("pause", "恢复服务" if paused else "暂停服务")
