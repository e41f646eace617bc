"""The demo's one window: the hall's screens side by side, none hiding another.

Staff screens (the duty manager's overview, each counter) are tabs on the left; the
customer-facing screens (the hall display above the kiosk) stay in view on the right,
so a call made at a counter is seen on the display at once. On a screen narrower than
the two columns need, the customer screens become tabs too.

Each role's style sheet (``resources/styles/<role>.qss``) is applied to its own screen,
so the counter, overview, kiosk and display look as they do on their workstations.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget, QWidget

from ui.app_runtime import load_role_stylesheet

log = logging.getLogger(__name__)

TITLE = "演示营业厅"


def style_for_role(widget: QWidget, role: str) -> None:
    """Give `widget` its role's look (the role sheet, then the widget's own rules)."""
    sheet = load_role_stylesheet(role)
    keeper = getattr(widget, "set_role_sheet", None)
    if keeper is not None:  # a window that rebuilds its own sheet (type scaled to its size)
        keeper(sheet)
    elif sheet:
        widget.setStyleSheet(sheet + "\n" + widget.styleSheet())


class DemoFloor(QMainWindow):
    """``add_staff(widget, role)`` adds a tab; ``add_customer(widget, role)`` a pane."""

    def __init__(self, hall_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DemoFloor")
        self.setWindowTitle(f"{TITLE} — {hall_name}" if hall_name else TITLE)
        self.staff_tabs = QTabWidget()
        self.staff_tabs.setObjectName("DemoStaffTabs")
        self.customer_panes = QSplitter(Qt.Orientation.Vertical)
        self.customer_panes.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.staff_tabs)
        self.splitter.addWidget(self.customer_panes)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)
        self.screens: list[QWidget] = []
        self._order: dict[QWidget, float] = {}
        self._customers: list[QWidget] = []
        self._customers_as_tabs = False
        self._counter_shown = False

    def place_on_screen(self) -> None:
        """Fill the screen's free area; the customer screens become tabs if it is narrow."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        need = self.staff_tabs.minimumSizeHint().width() + 460 + 24
        if area.width() < need:
            self._customers_as_tabs = True
            for pane in reversed(self._customers):
                self.staff_tabs.insertTab(0, pane, pane.windowTitle())
            self.customer_panes.hide()
        self.setGeometry(area)
        side = max(460, area.width() - self.staff_tabs.minimumSizeHint().width() - 24)
        side = min(side, area.width() // 3)
        self.splitter.setSizes([area.width() - side, side])
        self.customer_panes.setSizes([area.height() * 9 // 20, area.height() * 11 // 20])

    def add_customer(self, widget: QWidget, role: str) -> None:
        style_for_role(widget, role)
        self.screens.append(widget)
        self._order[widget] = -1
        self._customers.append(widget)
        if self._customers_as_tabs:
            self.staff_tabs.insertTab(0, widget, widget.windowTitle())
        else:
            self.customer_panes.addWidget(widget)

    def add_staff(self, widget: QWidget, role: str, order: float = 0) -> None:
        """A tab, placed by `order` (the overview 0, counter N at N) whatever logs in first;
        the first counter's tab is shown, so F1 works at once."""
        style_for_role(widget, role)
        self.screens.append(widget)
        tabs = [self.staff_tabs.widget(i) for i in range(self.staff_tabs.count())]
        index = sum(1 for tab in tabs if tab is not None and self._order.get(tab, 0) < order)
        self._order[widget] = order
        self.staff_tabs.insertTab(index, widget, self._tab_title(widget))
        widget.windowTitleChanged.connect(lambda _title, w=widget: self._retitle(w))
        if role == "counter" and not self._counter_shown:
            self._counter_shown = True
            self.staff_tabs.setCurrentWidget(widget)

    @staticmethod
    def _tab_title(widget: QWidget) -> str:
        return widget.windowTitle().split(" — ")[0]

    def _retitle(self, widget: QWidget) -> None:
        index = self.staff_tabs.indexOf(widget)
        if index >= 0:
            self.staff_tabs.setTabText(index, self._tab_title(widget))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        for widget in self.screens:
            try:
                widget.close()
            except RuntimeError:  # already deleted
                log.debug("demo screen already gone")
        super().closeEvent(event)
