"""Python's cyclic garbage collector runs on the GUI thread, between operations.

Automatic collection starts in whichever thread allocates past the threshold: a pool
thread running a database operation could destroy a window's Qt objects, and a
collection on the GUI thread while an operation was running ended a test run with a
segmentation fault (the GUI thread "Garbage-collecting" while a worker signed a counter
in). So a window process turns the automatic collector off and collects from a timer on
the GUI thread, when no operation is running — with the collector's own thresholds, so
memory is reclaimed as often as before. After `MAX_SKIPS` busy ticks it collects anyway,
so a window that is never idle cannot grow without bound.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
MAX_SKIPS = 20


class GuiGarbageCollector(QObject):
    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.skips = 0
        self.collections = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        gc.disable()
        self._timer.start()

    def tick(self) -> None:
        from ui import ops

        generation = due_generation()
        if generation is None:
            return
        if ops.pending_count() and self.skips < MAX_SKIPS:
            self.skips += 1
            return
        self.skips = 0
        self.collections += 1
        gc.collect(generation)


def due_generation() -> int | None:
    """The oldest generation whose threshold is passed (as the automatic collector does)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = None
    for generation in range(3):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            due = generation
    return due


def install(app: QObject) -> GuiGarbageCollector:
    """Once per application: the collector as a child of `app`."""
    found = app.findChild(GuiGarbageCollector)
    return found if found is not None else GuiGarbageCollector(app)
