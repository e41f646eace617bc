"""Open a window at the size it wants, but never larger than the screen it is on.

``fit_to_screen(window, 1400, 900)`` resizes to 1400×900 on a big screen and to the free
area of a 1366×768 one (a window bigger than its screen has parts nobody can reach).
The wanted size is kept as the ``preferredSize`` property, so a check can lay the
window out for any screen (tests/ui/test_layout_fit.py).
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: Room left for the window frame and the task bar.
FRAME_MARGIN = QSize(16, 48)


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    window.setProperty("preferredSize", QSize(width, height))
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry().size() - FRAME_MARGIN
        width, height = min(width, area.width()), min(height, area.height())
    window.resize(width, height)
