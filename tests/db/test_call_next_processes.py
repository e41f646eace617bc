"""Many counter processes press call-next at once: every ticket is called exactly once."""

from __future__ import annotations

import importlib
import sys
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
    assert result.calls == 2000
    assert result.double_called == 0
    assert result.lost == 0
