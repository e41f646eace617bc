"""The clerk's reference: coaching cards, 服务忌语 and language rules, complaint handling.

Everything shown comes from the script book (the seeds' wording); this module only lays
it out. The complaint tab puts 「七个一点」 first, then the six steps with their phrases
and the wrong ways to avoid.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from hall_app.scripts import ScriptBook

KIND_LABELS = {"say": "说", "do": "做", "warn": "注意", "never": "不说"}
KIND_COLOURS = {"say": "#1565c0", "do": "#2e7d32", "warn": "#c62828", "never": "#6d4c41"}
TABS = ("cards", "etiquette", "complaint")


def badge(kind: str) -> str:
    return (f'<span style="background:{KIND_COLOURS[kind]}; color:white; '
            f'padding:1px 6px;">&nbsp;{KIND_LABELS[kind]}&nbsp;</span>')


def cards_html(book: ScriptBook) -> str:
    parts = []
    for c in book.coaching_cards:
        parts.append(f"<h3>{html.escape(c.title)}</h3>")
        parts += [f"<p>· {html.escape(a)}</p>" for a in c.advice]
        parts += [f"<p>{badge('say')} {html.escape(s)}</p>" for s in c.say]
        parts += [f'<p style="color:#6d4c41;">{badge("never")} {html.escape(s)}</p>'
                  for s in c.never]
    return "".join(parts)


def etiquette_html(book: ScriptBook) -> str:
    return ("<h3>服务忌语(绝对不能说)</h3>"
            + "".join(f'<p style="color:#b00020;">✗ {html.escape(x)}</p>' for x in book.forbidden)
            + "<h3>规范常用语</h3>"
            + "".join(f'<p style="color:#2e7d32;">✓ {html.escape(x)}</p>'
                      for x in book.recommended)
            + "<h3>言谈与举止</h3>"
            + f"<p><b>{html.escape(book.principle)}</b></p>"
            + "".join(f"<p>· {html.escape(x)}</p>" for x in book.language_rules))


def complaint_html(book: ScriptBook) -> str:
    seven = "".join(f"<p><b>{html.escape(p.text)}</b> — {html.escape(p.detail)}</p>"
                    for p in book.seven_more)
    steps = "".join(
        f"<h4>{i}. {html.escape(s.title)}</h4><p>{html.escape(s.guidance)}</p>"
        + "".join(f"<p>{badge('say')} {html.escape(x)}</p>" for x in s.say)
        for i, s in enumerate(book.complaint_steps, 1))
    pitfalls = "、".join(html.escape(x) for x in book.complaint_pitfalls)
    return (f"<h3>七个一点</h3>{seven}<h3>投诉处理六步</h3>{steps}"
            f'<h3>避免</h3><p style="color:#b00020;">{pitfalls}</p>')


class GuideDialog(QDialog):
    """Three tabs: 客户类型应对, 服务忌语与用语, 投诉处理 (七个一点 first)."""

    def __init__(self, book: ScriptBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("服务应对指引")
        self.resize(700, 560)
        self.tabs = QTabWidget()
        self.views: dict[str, QTextBrowser] = {}
        for key, title, body in (("cards", "客户类型应对", cards_html(book)),
                                 ("etiquette", "服务忌语与用语", etiquette_html(book)),
                                 ("complaint", "投诉处理(七个一点)", complaint_html(book))):
            view = QTextBrowser()
            view.setObjectName(f"Guide_{key}")
            view.setHtml(body)
            self.views[key] = view
            self.tabs.addTab(view, title)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(key))
