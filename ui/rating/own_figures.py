"""The clerk's own rating figures of today, shown on his counter window (never others').

The counter view carries `my_rating` (the figures of the clerk holding the counter); the
window passes it here only when that clerk is the one signed in at this window.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from hall_app.metrics.satisfaction import SatisfactionFigures


def own_figures_text(f: SatisfactionFigures | None) -> str:
    if f is None or not f.served:
        return "我的今日评价:暂无办结"
    text = f"我的今日评价:参评 {f.rated}/{f.served}"
    if f.rated:
        text += (f" · 满意率 {f.satisfaction_rate:.0f}%\n"
                 f"非常满意{f.very_satisfied} 满意{f.satisfied} "
                 f"基本满意{f.basic} 不满意{f.dissatisfied}")
    return text


class OwnRatingLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(own_figures_text(None), parent)
        self.setObjectName("OwnRating")
        self.setWordWrap(True)
        self.figures: SatisfactionFigures | None = None

    def apply(self, figures: SatisfactionFigures | None) -> None:
        if figures != self.figures or self.text() == "":
            self.figures = figures
            self.setText(own_figures_text(figures))
