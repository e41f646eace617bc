"""Benchmark: from starting a window's process to its first refresh painted, and its peak memory.

    .venv/bin/python bench/startup.py [--rounds 5] [--roles counter,overview,kiosk,display,admin]

A demo hall on SQLite (a simulated day, so the windows have a queue and figures to show)
is made once in a temporary folder. Then, round by round and interleaved, a fresh
Python process is started for each window role and for the bare baseline:

* a role — what ``hall-app <role>`` does on start (``create_app``, the database opened
  off the GUI thread by ``open_services``, the role's window), with the login dialog's
  work done by the same service calls the dialog makes (``auth.login``,
  ``counters.sign_in``); the clock stops when the window's live feed has delivered
  its first snapshot and the window has been painted with it;
* bare — the limit: a process that imports QtWidgets, creates a QApplication, reads
  one figure from the same database with ``sqlite3`` and paints it in a QLabel.

The parent takes the time from just before it starts the process to the moment the
child reports the paint (wall clock, both sides), and the child's peak resident memory
as the kernel counts it for the child since its exec (VmHWM, reported by the child). Prints median / max per role, the ratio to bare, and
the goals: ≤ 500 ms offscreen and ≤ 100 MiB per window role.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ROLES = ("counter", "overview", "kiosk", "display", "admin")
GOAL_MS, GOAL_MIB = 500.0, 100.0
CLERK, MANAGER, ADMIN = "1001", "2001", "9001"
BENCH_PIN = "135790"


# --------------------------------------------------------------------------- child side
#: Moments of the child's start (wall clock), reported with the paint; and the child's
#: peak memory (VmHWM, MiB) at each of them.
MARKS: dict[str, float] = {}
PEAKS: dict[str, float] = {}
PHASES = ("python", "core", "qt app", "database", "login", "window", "first refresh")


def _mark(name: str) -> None:
    MARKS[name] = time.time()
    PEAKS[name] = _peak_mib()


def _peak_mib() -> float:
    """This process's peak resident memory since its exec (VmHWM), in MiB.

    Not the parent's ``wait4`` figure: a forked child's peak counts the parent's pages
    it shared before the exec, i.e. the bench's own size."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _report_and_quit(t_painted: float) -> None:
    print(json.dumps({"painted": t_painted, "marks": MARKS, "peaks": PEAKS,
                      "peak_mib": _peak_mib()}), flush=True)
    os._exit(0)  # a start-up bench: the window's shutdown is not what is measured


def _watch_first_paint(window: Any) -> None:
    """When the window's feed delivers its first snapshot: paint, report, end."""
    from PySide6.QtCore import QTimer

    def first(_: object) -> None:
        def paint() -> None:
            window.repaint()  # the whole window, synchronously, with the snapshot shown
            _report_and_quit(time.time())

        QTimer.singleShot(0, paint)  # after the window's own slot has applied it

    window.live.snapshot.connect(first)


def _pin(staff_no: str) -> str:
    return BENCH_PIN


def child_role(role: str) -> int:
    # What `hall-app <role>` does before the window's module: settings, the database
    # location checked, the core imported before Qt (hall_app.cli).
    _mark("python")
    from hall_app.cli import check_database_location
    from hall_app.config import load_settings

    try:
        from hall_app.cli import preload_core_for_window
    except ImportError:  # an older tree, run for comparison
        def preload_core_for_window() -> None:
            pass

    settings = load_settings()
    check_database_location(settings.database_url)
    preload_core_for_window()
    _mark("core")
    from ui.app_runtime import create_app
    from ui.startup import open_services

    app = create_app(role, logging_to_file=False)
    _mark("qt app")
    services = open_services(settings, role, role=role)
    if services is None:
        return 1
    _mark("database")
    window: Any
    if role == "counter":
        from ui.counter.window import CounterWindow

        actor = services.auth.login(CLERK, _pin(CLERK))
        counter = next(c for c in services.queries.counters() if c.number == 1)
        services.counters.sign_in(actor, counter.id)
        _mark("login")
        window = CounterWindow(services, actor, counter.id, sign_out_on_close=False)
    elif role == "overview":
        from ui.overview.window import OverviewWindow

        manager = services.auth.login(MANAGER, _pin(MANAGER))
        _mark("login")
        window = OverviewWindow(services, manager)
    elif role == "admin":
        from ui.admin.window import AdminWindow

        admin = services.auth.login(ADMIN, _pin(ADMIN))
        _mark("login")
        window = AdminWindow(services, admin)
    elif role == "kiosk":
        from ui.kiosk.window import KioskWindow
        from ui.voice import Announcer

        announcer = Announcer(enabled=settings.voice.enabled, volume=settings.voice.volume)
        window = KioskWindow(services, announcer=announcer, speak=settings.voice.enabled)
    elif role == "display":
        from ui.display.window import DisplayWindow, speaks_calls
        from ui.voice import Announcer

        speak = speaks_calls(settings)
        announcer = Announcer(volume=settings.voice.volume) if speak else None
        window = DisplayWindow(services, announcer=announcer, speak=speak)
    else:
        raise SystemExit(f"unknown role {role}")
    _watch_first_paint(window)
    window.show()
    _mark("window")
    return int(app.exec())


def child_bare(db_path: str) -> int:
    import sqlite3

    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    con = sqlite3.connect(db_path)
    waiting = con.execute("SELECT count(*) FROM ticket WHERE state = 'waiting'").fetchone()[0]
    label = QLabel(f"等候 {waiting} 人")
    label.show()
    label.repaint()
    _report_and_quit(time.time())
    return int(app.exec())


# --------------------------------------------------------------------------- parent side
def make_hall(folder: Path) -> dict[str, str]:
    db = folder / "hall.db"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HALL_DATABASE_URL=f"sqlite+pysqlite:///{db}",
               HALL_LOG_DIR=str(folder / "logs"), HALL_DATA_DIR=str(folder / "data"),
               XDG_CONFIG_HOME=str(folder / "config"), HALL_UI_SETTINGS_DIR=str(folder / "ui"))
    env.pop("HALL_CONFIG", None)
    # As installed: byte code compiled once and reused (the bundle ships it; a checkout
    # with PYTHONDONTWRITEBYTECODE would compile every module on every start).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    today = date.today().isoformat()
    for argv in (["db", "upgrade"], ["db", "seed-demo", "--date", today]):
        subprocess.run([sys.executable, "-m", "hall_app", *argv], env=env, check=True,
                       capture_output=True, cwd=ROOT)
    set_pins(env["HALL_DATABASE_URL"])
    return env


def set_pins(url: str) -> None:
    """The staff the windows log in as change their demo PINs once, as on a first login."""
    from hall_app.config import Settings
    from hall_app.demo.simulate import demo_pins
    from hall_app.services import HallServices

    services = HallServices.open(Settings(database_url=url))
    try:
        for staff_no in (CLERK, MANAGER, ADMIN):
            old = demo_pins()[staff_no]
            services.auth.change_pin(services.auth.login(staff_no, old), old, BENCH_PIN)
    finally:
        services.close()


Run = tuple[float, float, dict[str, float], dict[str, float]]


def run_once(what: str, env: dict[str, str], db_path: str) -> Run:
    """(ms from start to the first refresh painted, peak MiB, ms per phase) of one fresh
    process. Phases: the interpreter's own start, the core's imports, Qt's application
    and style, the database opened, the login's calls (staff windows: the PIN's scrypt
    check and the session, done while the login dialog waits for the clerk), the window
    built, and the wait for its first snapshot until painted; and MiB the peak grew by
    in each phase."""
    argv = [sys.executable, __file__, "--child", what, "--db-path", db_path]
    t0 = time.time()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    proc.wait()
    if not line:
        raise RuntimeError(f"{what}: no paint reported; stderr:\n{proc.stderr.read().decode()}")
    report = json.loads(line)
    painted, marks = report["painted"], report.get("marks", {})
    peaks = dict(report.get("peaks", {}), **{"first refresh": report["peak_mib"]})
    phases, grown, last, last_peak = {}, {}, t0, 0.0
    for name in PHASES:
        at = painted if name == "first refresh" else marks.get(name)
        if at is not None:
            phases[name], last = (at - last) * 1000.0, at
        if name in peaks:
            grown[name], last_peak = peaks[name] - last_peak, peaks[name]
    return (painted - t0) * 1000.0, report["peak_mib"], phases, grown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--child")
    parser.add_argument("--db-path")
    args = parser.parse_args()
    if args.child:
        return child_bare(args.db_path) if args.child == "bare" else child_role(args.child)

    roles = [r for r in args.roles.split(",") if r]
    with tempfile.TemporaryDirectory(prefix="hall-startup-") as tmp:
        folder = Path(tmp)
        env = make_hall(folder)
        db_path = str(folder / "hall.db")
        runs: dict[str, list[Run]] = {
            w: [] for w in ["bare", *roles]}
        for what in ["bare", *roles]:  # byte code written, page cache warm, for all alike
            run_once(what, env, db_path)
        for _ in range(args.rounds):
            for what in ["bare", *roles]:
                runs[what].append(run_once(what, env, db_path))
    bare_ms = statistics.median(v[0] for v in runs["bare"])
    bare_mib = statistics.median(v[1] for v in runs["bare"])
    print(f"rounds={args.rounds} load={os.getloadavg()[0]:.1f} (start -> first refresh painted, "
          f"offscreen; peak RSS)")
    for what, values in runs.items():
        ms = [v[0] for v in values]
        mib = [v[1] for v in values]
        med_ms, med_mib = statistics.median(ms), statistics.median(mib)
        line = (f"{what:9s} median {med_ms:6.0f} ms  max {max(ms):6.0f} ms  "
                f"peak {med_mib:5.1f} MiB (max {max(mib):5.1f})")
        if what != "bare":
            line += (f"  ratio to bare {med_ms / bare_ms:4.1f}x / {med_mib / bare_mib:4.1f}x"
                     f"  goal {'met' if med_ms <= GOAL_MS else 'NOT met'} (time), "
                     f"{'met' if max(mib) <= GOAL_MIB else 'NOT met'} (memory)")
            line += "\n          " + "  ".join(
                f"{p} {statistics.median(v[2][p] for v in values):.0f}"
                for p in PHASES if all(p in v[2] for v in values)) + " ms"
            line += "\n          " + "  ".join(
                f"{p} +{statistics.median(v[3][p] for v in values):.1f}"
                for p in PHASES if all(p in v[3] for v in values)) + " MiB"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
