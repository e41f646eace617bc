"""A window role's self-check: did it paint its Chinese text with real glyphs?

An installed bundle can start, print its version and write a PDF and still show the
clerk empty boxes (a font left out of the bundle) or nothing at all (a missing Qt
plugin). With ``HALL_SELF_CHECK_DIR`` set, :func:`arm` (called by
:func:`ui.app_runtime.create_app`) waits until the role's first window is on screen
and has had time for its first refresh, then:

- grabs every visible top-level window into ``<dir>/<role>-<n>.png``;
- reads every visible label, button, tab, list and table text and checks, character
  by character, that the font file the widget's font resolves to has a glyph for it
  (a missing glyph is what is drawn as a box where no system font stands in);
- flags a button still carrying Qt's English standard text (Cancel, OK…);
- writes ``<dir>/<role>.txt``: one line each for the windows, the Chinese characters
  drawn, the characters without a glyph (and where), English buttons, and the painted
  share of pixels;
- ends the process: exit code 0 when Chinese text was drawn, every character had its glyph and
  the window painted more than its background; otherwise 3.

``.ci/bundle_smoke.sh`` runs every role of the built bundle this way.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QImage, QRawFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTableWidget,
    QTabWidget,
    QWidget,
)

log = logging.getLogger(__name__)

#: Folder for the screenshots and the summary; unset = no self-check (the normal case).
SELF_CHECK_ENV = "HALL_SELF_CHECK_DIR"
#: Time after the first window appears before the check runs (its first refresh);
#: ``HALL_SELF_CHECK_SETTLE_MS`` sets another (a demo hall filling up for a screenshot).
SETTLE_MS = 2500
SETTLE_ENV = "HALL_SELF_CHECK_SETTLE_MS"
#: Give up waiting for a window after this long (the check then fails).
GIVE_UP_MS = 30000
#: Exit code of a failed self-check.
FAILED = 3


@dataclass
class Findings:
    """What one pass over the visible windows found."""

    windows: list[str] = field(default_factory=list)
    chinese: int = 0
    missing: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    painted: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.windows) and self.chinese > 0 and not self.missing \
            and not self.english and self.painted > 0.01

    def lines(self) -> list[str]:
        return [
            f"windows: {len(self.windows)} ({'; '.join(self.windows)})",
            f"chinese characters drawn: {self.chinese}",
            f"characters without a glyph: {len(self.missing)}"
            + (f" ({'; '.join(self.missing[:20])})" if self.missing else ""),
            f"buttons in English: {len(self.english)}"
            + (f" ({'; '.join(self.english)})" if self.english else ""),
            f"painted share of pixels: {self.painted:.3f}",
            f"result: {'ok' if self.ok else 'FAILED'}",
        ]


#: Qt's standard button texts, shown when its Chinese translations are not loaded.
QT_ENGLISH = frozenset({"OK", "&OK", "Cancel", "&Cancel", "Yes", "&Yes", "No", "&No",
                        "Close", "&Close", "Apply", "&Apply", "Save", "&Save", "Open",
                        "&Open", "Retry", "&Retry", "Abort", "&Abort", "Ignore", "&Ignore",
                        "Reset", "&Reset", "Help", "&Help", "Discard", "&Discard"})


def _is_chinese(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def _raw_font(font: QFont) -> QRawFont:
    """The font file the widget's font resolves to, without Qt's per-character fallback.

    Fallback would hide a missing shipped font on a machine that happens to have a
    Chinese system font; the workstations in a hall may have none.
    """
    return QRawFont.fromFont(font)


def _texts(widget: QWidget) -> Iterator[str]:
    if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
        yield widget.text() or (widget.placeholderText() if isinstance(widget, QLineEdit) else "")
    elif isinstance(widget, QComboBox):
        yield widget.currentText()
    elif isinstance(widget, QTabWidget):
        yield from (widget.tabText(i) for i in range(widget.count()))
    elif isinstance(widget, QListWidget):
        yield from (widget.item(i).text() for i in range(min(widget.count(), 200)))
    elif isinstance(widget, QTableWidget):
        for column in range(widget.columnCount()):
            header = widget.horizontalHeaderItem(column)
            if header is not None:
                yield header.text()


def _painted_share(image: QImage) -> float:
    """Share of sampled pixels that differ from the top-left (background) pixel."""
    if image.isNull() or image.width() == 0 or image.height() == 0:
        return 0.0
    background = image.pixel(0, 0)
    step = max(1, min(image.width(), image.height()) // 100)
    total = differ = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            total += 1
            differ += image.pixel(x, y) != background
    return differ / total if total else 0.0


def inspect(folder: Path, role: str) -> Findings:
    """Grab and read every visible top-level window of the running application."""
    findings = Findings()
    shares = []
    tops = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.width() > 1]
    for n, top in enumerate(tops, 1):
        image = top.grab().toImage()
        image.save(str(folder / f"{role}-{n}.png"))
        shares.append(_painted_share(image))
        findings.windows.append(f"{type(top).__name__} {top.width()}x{top.height()}"
                                f" 「{top.windowTitle()}」")
        for widget in [top, *top.findChildren(QWidget)]:
            if not widget.isVisible():
                continue
            raw = _raw_font(widget.font())
            if isinstance(widget, QAbstractButton) and widget.text() in QT_ENGLISH:
                findings.english.append(f"{type(top).__name__}: {widget.text()}")
            for text in _texts(widget):
                for ch in text:
                    if not _is_chinese(ch):
                        continue
                    findings.chinese += 1
                    if not raw.supportsCharacter(ord(ch)):  # (the str overload errs)
                        findings.missing.append(f"{ch} in {type(widget).__name__} 「{text[:20]}」")
    findings.painted = max(shares, default=0.0)
    return findings


def arm(app: QApplication, role: str) -> None:
    """Schedule the self-check when ``HALL_SELF_CHECK_DIR`` is set; otherwise nothing."""
    folder_text = os.environ.get(SELF_CHECK_ENV)
    if not folder_text:
        return
    folder = Path(folder_text)
    folder.mkdir(parents=True, exist_ok=True)
    settle = int(os.environ.get(SETTLE_ENV) or SETTLE_MS)
    waited = {"ms": 0}

    def run() -> None:
        findings = inspect(folder, role)
        (folder / f"{role}.txt").write_text("\n".join(findings.lines()) + "\n", encoding="utf-8")
        log.info("self-check %s: %s", role, "ok" if findings.ok else "failed")
        # The role may be inside a modal login dialog's own event loop, whose caller would
        # turn a quit into its own exit code: end the process here with the check's.
        logging.shutdown()
        os._exit(0 if findings.ok else FAILED)

    def wait_for_window() -> None:
        if any(w.isVisible() for w in QApplication.topLevelWidgets()):
            QTimer.singleShot(settle, run)
        elif waited["ms"] >= GIVE_UP_MS:
            run()
        else:
            waited["ms"] += 200
            QTimer.singleShot(200, wait_for_window)

    QTimer.singleShot(200, wait_for_window)
