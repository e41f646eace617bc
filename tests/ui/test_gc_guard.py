"""ui.gc_guard: garbage is collected on the GUI thread's timer, not while an operation runs."""

from __future__ import annotations

import gc
import threading

from ui import gc_guard, ops


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _garbage(n: int = 2000) -> None:
    for _ in range(n):
        _Cycle()


def test_collects_on_the_gui_thread_and_waits_for_running_operations(qtbot, qapp):
    guard = gc_guard.GuiGarbageCollector(qapp, interval_ms=10)
    try:
        assert not gc.isenabled()
        collected_in: list[str] = []
        gc.callbacks.append(lambda phase, _info: phase == "start" and collected_in.append(
            threading.current_thread().name))
        release = threading.Event()
        handle = ops.run_op(lambda: release.wait(10))
        _garbage()
        qtbot.waitUntil(lambda: guard.skips >= 3, timeout=5000)
        assert guard.collections == 0, "collected while an operation was running"
        release.set()
        assert handle.wait(5000)
        qtbot.waitUntil(lambda: guard.collections >= 1, timeout=5000)
        assert set(collected_in) == {threading.main_thread().name}
    finally:
        gc.callbacks.pop()
        guard.deleteLater()
        gc.enable()


def test_a_busy_window_still_collects_after_enough_ticks(qtbot, qapp):
    guard = gc_guard.GuiGarbageCollector(qapp, interval_ms=5)
    try:
        release = threading.Event()
        handle = ops.run_op(lambda: release.wait(10))
        _garbage()
        qtbot.waitUntil(lambda: guard.collections >= 1, timeout=5000)
        assert ops.pending_count() == 1  # the operation was still running
        release.set()
        assert handle.wait(5000)
    finally:
        guard.deleteLater()
        gc.enable()
