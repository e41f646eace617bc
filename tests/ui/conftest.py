"""Window tests: Python's cyclic garbage collector does not run during a test.

A collection while an operation ran on a pool thread ended a run with a segmentation
fault (the GUI thread "Garbage-collecting" in the middle of a login's operation). The
product collects on the GUI thread between operations (ui/gc_guard.py); here each test
runs with the automatic collector off, and its garbage is collected after the test,
once every operation has been delivered; then the collector is on again for whatever
runs next on the worker (an application made by `create_app` turned it off for good).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _garbage_collected_between_tests() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        from ui import ops

        ops.wait_idle(5000)
        gc.collect()
        gc.enable()
