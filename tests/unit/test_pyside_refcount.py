"""The installed PySide6 keeps None's reference count (pyproject pins it below 6.12).

PySide6 6.12.0 on Python 3.11 returns None from every void method without taking a
reference, so each call lowers None's count; a report or a window makes thousands of
such calls and the interpreter then aborts ("none_dealloc: deallocating None"), at the
latest when it exits. Python 3.12's None is immortal, which is why it went unnoticed.
"""

from __future__ import annotations

import sys

import pytest


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_void_calls_leave_none_alone() -> None:
    from PySide6.QtCore import QRectF, QTimer

    timer, rect = QTimer(), QRectF()
    before = sys.getrefcount(None)
    for _ in range(500):
        timer.setInterval(5)
        rect.setWidth(3.0)
    # Other code may create or drop a handful of references meanwhile, never a thousand.
    assert abs(sys.getrefcount(None) - before) < 50
