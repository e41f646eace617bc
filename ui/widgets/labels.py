"""Big, readable labels for the hall display and the kiosk."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ui.fonts import cjk_font


class BigLabel(QLabel):
    """A centred label in the shipped CJK font at a large point size (default 36 pt bold)."""

    def __init__(
        self,
        text: str = "",
        point_size: float = 36,
        *,
        bold: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(text, parent)
        self._bold = bold
        self.setFont(cjk_font(point_size, bold=bold))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_point_size(point_size)

    def set_point_size(self, point_size: float) -> None:
        """Change the size. Done through the widget's own style sheet, because an
        application style sheet with a font-size would otherwise override setFont()."""
        weight = "bold" if self._bold else "normal"
        self.setStyleSheet(f"font-size: {point_size}pt; font-weight: {weight};")
