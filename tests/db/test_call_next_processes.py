"""Many counter processes press call-next at once: every ticket is called exactly once, and
no counter is told the queue is empty while a ticket it may serve is waiting.

bench/call_next.py checks each "queue empty" answer against the tickets that counter may
serve (waiting for claims in flight to commit first). Without FOR UPDATE SKIP LOCKED the
losing counters get a false "empty" (the statement's update finds its pick taken) and
this test fails on `false_empty`; a worker process that raises fails it at once
(`WorkerFailed` with the traceback) instead of waiting out a timeout.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def _bench():
    # Importable by name so the spawned worker processes can find `worker`.
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    return importlib.import_module("call_next")


@pytest.mark.slow
@pytest.mark.parametrize("rule", ["strict"])
def test_eight_processes_call_2000_tickets_each_exactly_once(db_url, rule):
    result = _bench().run(db_url, processes=8, tickets=2000, rule=rule)
    assert result.false_empty == 0
    assert result.calls == 2000
    assert result.double_called == 0
    assert result.lost == 0


def test_a_worker_that_raises_fails_the_run_at_once(sqlite_url, monkeypatch):
    bench = _bench()
    monkeypatch.setenv("HALL_BENCH_FAIL_WORKER", "1")  # worker 1 raises after its login
    started = time.monotonic()
    with pytest.raises(bench.WorkerFailed, match="counter process 1 failed"):
        bench.run(sqlite_url, processes=2, tickets=50, rule="strict")
    assert time.monotonic() - started < 300  # not the 600 s result timeout
