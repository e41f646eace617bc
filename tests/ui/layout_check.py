"""What a user would see as broken in a laid-out window: text that does not fit its
widget, and widgets outside the window.

``layout_problems(window)`` walks every visible label, button and table header of a
shown top-level widget and returns one line per defect:

* a label whose text needs more room than it has (wrapped: more height; one line: more
  width or height) — unless it is deliberately elided: ending in 「…」 with the whole
  text in its tooltip;
* a button (push, check, radio, tool) narrower or lower than its own size hint, i.e.
  its text is cut;
* a header section narrower than its title, and a table or list whose columns are wider
  than the view (a sideways scroll bar);
* a widget reaching outside its parent (and so outside the window), other than the
  contents of a scroll area, which may scroll up and down — but not sideways: a scroll
  area whose content is wider than itself is a defect too.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import Qt  # QtGui.Qt also has mightBeRichText
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStyle,
    QWidget,
)

ELLIPSIS = "…"
SLACK = 1  # pixels of rounding


def _name(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, QLabel | QAbstractButton):
        text = " 「" + widget.text().replace("\n", "⏎")[:40] + "」"
    name = widget.objectName()
    return f"{type(widget).__name__}{'#' + name if name else ''}{text}"


def _inside_scrolled_content(widget: QWidget) -> bool:
    """Within a scroll area's viewport (content that may scroll out of view)."""
    inner = widget.parentWidget()
    while inner is not None:
        area = inner.parentWidget()
        if isinstance(area, QAbstractScrollArea) and area.viewport() is inner:
            return True
        inner = area
    return False


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text.strip() or label.pixmap() is not None and not label.pixmap().isNull():
        return None
    if text.endswith(ELLIPSIS) and label.toolTip():
        return None  # elided on purpose, the whole text one hover away
    rect = label.contentsRect()
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        if need > label.height() + SLACK:
            return f"needs {need}px height, has {label.height()}"
        return None
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(text))
    need = (label.minimumSizeHint().width() if rich
            else label.fontMetrics().horizontalAdvance(text) + 2 * label.margin()
            + label.width() - rect.width())
    if need > label.width() + SLACK:
        return f"needs {need}px width, has {label.width()}"
    if label.fontMetrics().height() > rect.height() + SLACK:
        return f"needs {label.fontMetrics().height()}px height, has {rect.height()}"
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    if not button.text().strip():
        return None
    need = button.sizeHint()
    if need.width() > button.width() + SLACK:
        return f"needs {need.width()}px width, has {button.width()}"
    if button.fontMetrics().height() > button.height() + SLACK:
        return f"text {button.fontMetrics().height()}px high, button {button.height()}"
    return None


def _header_problems(header: QHeaderView) -> list[str]:
    model = header.model()
    if model is None or not header.isVisible():
        return []
    problems = []
    style = header.style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    for logical in range(header.count()):
        if header.isSectionHidden(logical) or header.sectionSize(logical) <= 0:
            continue
        title = model.headerData(logical, header.orientation())
        if not title:
            continue
        need = header.fontMetrics().horizontalAdvance(str(title)) + 2 * margin
        if header.orientation().name == "Horizontal" and need > header.sectionSize(logical) + SLACK:
            problems.append(f"header 「{title}」 needs {need}px, section has "
                            f"{header.sectionSize(logical)}")
    return problems


def _outside_parent(widget: QWidget) -> str | None:
    parent = widget.parentWidget()
    if parent is None or widget.isWindow() or _inside_scrolled_content(widget):
        return None
    if isinstance(parent, QAbstractScrollArea):
        return None
    bounds = QRect(0, 0, parent.width(), parent.height()).adjusted(-SLACK, -SLACK,
                                                                   SLACK, SLACK)
    if not bounds.contains(widget.geometry()):
        g = widget.geometry()
        return (f"outside its parent {_name(parent)} ({parent.width()}x{parent.height()}): "
                f"at {g.x()},{g.y()} size {g.width()}x{g.height()}")
    return None


def layout_problems(window: QWidget) -> list[str]:
    """Every defect of the shown `window` (empty when everything fits)."""
    problems: list[str] = []
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisible() or widget.window() is not window:
            continue
        where = _outside_parent(widget)
        if where:
            problems.append(f"{_name(widget)}: {where}")
        if isinstance(widget, QLabel):
            what = _label_problem(widget)
        elif isinstance(widget, QAbstractButton):
            what = _button_problem(widget)
        elif isinstance(widget, QHeaderView):
            problems += [f"{_name(widget)}: {p}" for p in _header_problems(widget)]
            what = None
        elif isinstance(widget, QAbstractItemView) and widget.horizontalScrollBar().isVisible():
            what = None
            problems.append(f"{_name(widget)}: its columns are wider than the view "
                            f"({widget.viewport().width()}px): it scrolls sideways")
        elif isinstance(widget, QScrollArea) and widget.widget() is not None \
                and widget.widget().width() > widget.viewport().width() + SLACK:
            what = None
            problems.append(f"{_name(widget)}: content {widget.widget().width()}px wide in a "
                            f"{widget.viewport().width()}px view (scrolls sideways)")
        else:
            what = None
        if what:
            problems.append(f"{_name(widget)}: text cut, {what}")
    return problems


def problems_at_sizes(widget: QWidget, name: str, sizes: list[tuple[int, int]],
                      shots: str | None = None) -> list[str]:
    """`layout_problems` of the shown `widget` resized to each size (and a screenshot of
    each in `shots`, when given): for windows whose tests have their own fixtures."""
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    found: list[str] = []
    for width, height in sizes:
        widget.resize(width, height)
        for _ in range(3):
            QApplication.processEvents()
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            widget.grab().save(str(Path(shots) / f"{name}_{width}x{height}.png"))
        found += [f"{name} {width}x{height}: {p}" for p in layout_problems(widget)]
    return found
