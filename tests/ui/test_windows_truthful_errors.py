"""Windows tell the truth about database errors: only a lost connection is 「数据库连接中断」
(and retried); a refused constraint from a bug, a full disk, bad text are said as such."""

import ast
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy.exc import IntegrityError, OperationalError  # noqa: E402

from hall_app.errors import (  # noqa: E402
    DatabaseUnavailable,
    DataConflict,
    HallError,
)
from ui import ops  # noqa: E402
from ui.live import LiveFeed  # noqa: E402

UI = Path(__file__).resolve().parents[2] / "ui"


def test_ui_never_imports_sqlalchemy():
    offenders = []
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(UI)}: {n}" for n in names
                          if n.split(".")[0] == "sqlalchemy"]
    assert offenders == []


def test_an_integrity_error_from_a_bug_is_not_a_lost_connection(qtbot):
    errors: list[HallError] = []

    def bug() -> None:
        raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed"))

    ops.run_op(bug, on_failure=errors.append)
    assert ops.wait_idle()
    assert isinstance(errors[0], DataConflict) and not ops.is_connection_error(errors[0])
    assert "连接中断" not in errors[0].message and "重试" not in errors[0].message


def test_a_lost_connection_is_still_one(qtbot):
    errors: list[HallError] = []

    def lost() -> None:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    ops.run_op(lost, on_failure=errors.append)
    assert ops.wait_idle()
    assert isinstance(errors[0], DatabaseUnavailable)


class _Feed:
    def wait_for_change(self, timeout: float) -> bool:
        return False

    def close(self) -> None:
        pass


def test_a_refresh_that_hits_a_bug_is_reported_once_not_as_connection_lost(qtbot):
    calls = []

    def load() -> None:
        calls.append(1)
        raise DataConflict()

    live = LiveFeed(_Feed(), load, poll_timeout=0.02, backoff=(0.02, 0.05))
    lost, failed = [], []
    live.connection_lost.connect(lost.append)
    live.load_failed.connect(failed.append)
    live.start()
    qtbot.waitUntil(lambda: len(failed) == 1, timeout=5000)
    for _ in range(3):  # the user asks again: still the same single, truthful report
        before = len(calls)
        live.request_refresh()
        qtbot.waitUntil(lambda: len(calls) > before, timeout=5000)  # noqa: B023
    live.stop()
    assert lost == [] and failed == [DataConflict().message]
