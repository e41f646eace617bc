"""The admin's editor of the hall's service promise (shown by the rating pads while idle).

Self-contained: loads and saves through `ServicePromiseService` on `run_op`; an empty
field restores the shipped default. Placed on the admin window's 营业厅 tab.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from hall_app.domain.roles import Actor
from hall_app.errors import HallError
from hall_app.services.context import ServiceContext
from hall_app.services.ratings.promise import MAX_LENGTH, ServicePromiseService
from ui.ops import run_op


class PromiseEditor(QGroupBox):
    def __init__(self, ctx: ServiceContext, actor: Actor) -> None:
        super().__init__("服务承诺(评价器空闲时显示)")
        self.service = ServicePromiseService(ctx)
        self.actor = actor
        self.text = QLineEdit()
        self.text.setMaxLength(MAX_LENGTH)
        self.text.setPlaceholderText(self.service.texts.default_promise)
        self.save_button = QPushButton("保存服务承诺")
        self.save_button.clicked.connect(self.save)
        self.status = QLabel("用「 · 」分隔的每一项在评价器上单独成行;留空则使用默认承诺。")
        self.status.setProperty("role", "hint")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.text, 1)
        row.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.status)
        run_op(self.service.current, on_success=self._loaded, on_failure=self._failed,
               parent=self)

    def _loaded(self, current: tuple[str, bool]) -> None:
        text, own = current
        self.text.setText(text if own else "")

    def save(self) -> None:
        service, actor, text = self.service, self.actor, self.text.text()
        run_op(lambda: service.set(actor, text), on_success=self._saved,
               on_failure=self._failed, parent=self, disable=[self.save_button])

    def _saved(self, shown: str) -> None:
        self.status.setText(f"已保存,评价器将显示:{shown}")

    def _failed(self, error: HallError) -> None:
        self.status.setText(error.message)
