"""The database goes away under the counter window and comes back.

Uses its OWN throwaway PostgreSQL cluster (port 54340, /tmp/pg-counter), never the
shared test server: the cluster is stopped and started again during the test.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
import subprocess  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from conftest import _seed, make_hall  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from ui import notify, ops  # noqa: E402
from ui.counter.window import OFFLINE_REFUSAL, CounterWindow  # noqa: E402

PG_DIR = "/tmp/pg-counter"
PG_PORT = 54340
PG_CTL = Path("/usr/lib/postgresql/15/bin/pg_ctl")
REPO = Path(__file__).resolve().parents[2]


def _as_postgres(*cmd: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


def start_cluster() -> str:
    out = subprocess.run(["bash", str(REPO / ".ci/start_pg.sh"), PG_DIR, str(PG_PORT)],
                         check=True, capture_output=True, text=True, timeout=120)
    return out.stdout.strip().splitlines()[-1]


def stop_cluster() -> None:
    subprocess.run(_as_postgres(str(PG_CTL), "-D", PG_DIR, "stop", "-m", "fast"),
                   check=True, capture_output=True, timeout=60)


@pytest.fixture
def own_pg():
    if not PG_CTL.exists() or shutil.which("psql") is None:
        pytest.skip("PostgreSQL 15 binaries not installed")
    base = start_cluster()
    name = f"counter_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-qc",
                    f'CREATE DATABASE "{name}"'], check=True, timeout=60)
    url = base.rsplit("/", 1)[0] + "/" + name
    _seed(url)
    yield url
    start_cluster()  # in case the test failed while it was stopped
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-qc",
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], timeout=60)
    stop_cluster()


def test_banner_refusal_and_recovery_when_the_server_stops(qtbot, own_pg, tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))
    bridge = notify.MessageBridge()
    old = notify.set_bridge(bridge)
    hall = make_hall(own_pg)
    try:
        clerk = hall.auth.login("1001", "1234")
        pay = next(s for s in hall.queries.services() if s.code == "PAY")
        hall.tickets.issue(pay.id)
        hall.tickets.issue(pay.id)
        counter = hall.queries.counter_for_number(1)
        hall.counters.sign_in(clerk, counter.id)
        window = CounterWindow(hall, clerk, counter.id,
                               live_options={"poll_timeout": 0.1, "backoff": (0.2, 0.5)})
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.view is not None and len(window.view.queue) == 2)
        status = window.statusBar().findChild(QLabel, "StatusMessage")

        stop_cluster()
        qtbot.waitUntil(window.connection_banner.isVisible, timeout=15000)
        assert window.connection_banner.text() == "数据库连接中断,正在重试…"
        assert not window.actions_bar.buttons["call_next"].isEnabled()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        qtbot.keyClick(window, Qt.Key.Key_F1)  # refused with a message, never dropped
        assert status.text() == OFFLINE_REFUSAL

        start_cluster()
        qtbot.waitUntil(lambda: not window.connection_banner.isVisible(), timeout=20000)
        qtbot.waitUntil(lambda: window.actions_bar.buttons["call_next"].isEnabled())
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        qtbot.keyClick(window, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda: not window.busy and window.shows_latest_view()
                        and window.view.current is not None,
                        timeout=10000)
        assert window.view.current.code == "A001"
        assert [e.code for e in window.view.queue] == ["A002"]
        window.close()
        ops.wait_idle()
    finally:
        hall.close()
        notify.set_bridge(old)
