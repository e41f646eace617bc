"""Benchmark: from F1 to the called ticket painted in the counter window, in a busy hall.

    .venv/bin/python bench/f1_paint.py [--calls 300] [--busy 7] [--think-ms 50] [--tickets 300]

PostgreSQL (HALL_TEST_PG_URL's server; a database is created and dropped). `--busy`
other counter processes call next and close the ticket all the time (bench/call_next.py's
worker, a pause of up to 2 x think between customers), while this process runs a real
CounterWindow (offscreen) at counter 1 and, for each of `--calls` customers, presses F1
and measures until the ticket code is painted (the first paint event of the code label
showing the new code). Three ways, interleaved customer by customer:

* painted  — the product: the window paints from the call's own result (after_call)
             and rereads its view afterwards;
* reread   — the same window painting only after the full counter_view reread
             (the behaviour before), for comparison;
* bare     — the limit: one SKIP LOCKED claim + one finishing UPDATE in bare SQL on
             an open psycopg connection (no window, no checks, no events).

Prints p50 / p99 / max of each and the ratios to bare. The goal is p99 <= 50 ms painted.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import call_next as cn  # noqa: E402  (the bench beside this one: hall, workers)

BARE_CLAIM = """
UPDATE ticket SET state = 'called', counter_id = %(c)s, first_called_at = now(),
       last_called_at = now()
WHERE id = (SELECT id FROM ticket WHERE hall_id = %(h)s AND business_day = %(d)s
              AND state = 'waiting' ORDER BY issued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id
"""
WAITING = "SELECT count(*) FROM ticket WHERE hall_id = %(h)s AND business_day = %(d)s AND state = 'waiting'"
REFILL = """
INSERT INTO ticket (hall_id, business_day, service_id, prefix, number, hop, code, priority, state,
                    issued_at, created_at, recall_count)
SELECT %(h)s, %(d)s, s.id, s.prefix, n, 0, s.prefix || n::text, 'normal', 'waiting',
       now() - interval '20 minutes', now(), 0
FROM service_type s, generate_series(%(first)s, %(first)s + %(n)s - 1) AS n
WHERE s.hall_id = %(h)s AND s.code = 'PAY'
"""
BARE_FINISH = "UPDATE ticket SET state = 'no_show', ended_at = now() WHERE id = %(t)s"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class PaintWatch:
    """Records when the code label is first painted showing a code other than `before`."""

    def __init__(self, label) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import QEvent, QObject

        self.label = label
        self.before = label.text()
        self.painted_at: float | None = None
        self.loop = None
        watch = self

        class Filter(QObject):
            def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]  # noqa: N802
                if (event.type() == QEvent.Type.Paint and watch.painted_at is None
                        and watch.label.text() not in (watch.before, "—")):
                    watch.painted_at = time.perf_counter()
                    if watch.loop is not None:
                        watch.loop.quit()
                return False

        self._filter = Filter()
        label.installEventFilter(self._filter)

    def arm(self) -> None:
        self.before, self.painted_at = self.label.text(), None


def spin_until(predicate, timeout_s: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    """Run the Qt event loop (idle in between, as the real window is) until `predicate()`."""
    from PySide6.QtCore import QEventLoop, QTimer

    if predicate():
        return True
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(2)
    check.timeout.connect(lambda: loop.quit() if predicate() else None)
    check.start()
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    check.stop()
    return bool(predicate())


def run(calls: int, busy: int, think_ms: float, tickets: int,
        estimates: bool = False) -> dict[str, list[float]]:
    import psycopg
    from PySide6.QtWidgets import QApplication
    from sqlalchemy.engine import make_url

    from hall_app.config import SecuritySettings, Settings
    from hall_app.services import HallServices
    from ui import ops
    from ui.counter.window import CounterWindow

    url, admin = cn._pg_database()
    try:
        cn.prepare(url, tickets, "strict", busy + 1)
        out: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        start_at = time.time() + 3.0
        procs = [mp.Process(target=cn.worker, args=(url, i, start_at, out, think_ms))
                 for i in range(1, busy + 1)]
        for p in procs:
            p.start()
        app = QApplication.instance() or QApplication([])
        from ui.fonts import install_cjk_font

        install_cjk_font(app)
        settings = Settings(database_url=url,
                            security=SecuritySettings(workstation="bench-f1-window"))
        services = HallServices.open(settings, migrate=False)
        # Today open all day, as the demo does: run after the hall's closing time, the
        # window's day scheduler would close the day and sign the bench's clerk out.
        from dataclasses import replace

        from hall_app.demo.simulate import keep_demo_day_open

        demo = HallServices.open(replace(settings, demo=True), migrate=False)
        try:
            keep_demo_day_open(demo)
        finally:
            demo.close()
        actor = services.auth.login("8000", cn.BENCH_PIN)
        counter_id = services.queries.counter_for_number(1).id
        services.counters.sign_in(actor, counter_id)
        window = CounterWindow(services, actor, counter_id, sign_out_on_close=False)
        window.show()
        deadline = time.monotonic() + 10
        while window.view is None and time.monotonic() < deadline:
            app.processEvents()
        if not estimates:  # the predictor's simulation competes for the 2 cores
            window.estimates.offer = lambda _ids: False  # type: ignore[method-assign]
        watch = PaintWatch(window.current_panel.code_label)
        bare = psycopg.connect(make_url(url).set(drivername="postgresql")
                               .render_as_string(False), autocommit=True)
        hall_id, day = services.ctx.hall.id, services.ctx.business_day()
        painted_call = window.call_next
        tickets_svc = services.tickets

        def reread_call():  # type: ignore[no-untyped-def]  # the behaviour before
            return window.run_action(
                "叫号", lambda: tickets_svc.call_next(actor, counter_id),
                lambda t: window._announce(t.code))

        while time.time() < start_at:
            app.processEvents()
        results: dict[str, list[float]] = {"painted": [], "reread": [], "bare": []}
        next_number = 100_000
        for i in range(calls):
            # The queue stays between `tickets` / 2 and `tickets` (the busy counters eat it).
            if bare.execute(WAITING, {"h": hall_id, "d": day}).fetchone()[0] < tickets // 2:
                bare.execute(REFILL, {"h": hall_id, "d": day, "first": next_number,
                                      "n": tickets})
                next_number += tickets
            for way, press in (("painted", painted_call), ("reread", reread_call)):
                from PySide6.QtCore import QEventLoop, QTimer

                watch.arm()
                watch.loop = QEventLoop()
                QTimer.singleShot(10_000, watch.loop.quit)
                t0 = time.perf_counter()
                press()
                if watch.painted_at is None:
                    watch.loop.exec()  # idle until the paint event quits it
                watch.loop = None
                if watch.painted_at is None:
                    raise RuntimeError(f"{way}: the called ticket was never painted")
                results[way].append((watch.painted_at - t0) * 1000)
                spin_until(lambda: ops.pending_count() == 0)  # the confirming read
                cur = window.view.current if window.view else None
                if cur is not None:
                    tickets_svc.no_show(actor, cur.ticket_id, counter_id)
                    window.view = None  # the next press paints from a fresh read
                    window.live.request_refresh()
                    spin_until(lambda: window.view is not None)
            t0 = time.perf_counter()
            row = bare.execute(BARE_CLAIM, {"c": counter_id, "h": hall_id, "d": day}).fetchone()
            if row is not None:
                bare.execute(BARE_FINISH, {"t": row[0]})
            results["bare"].append((time.perf_counter() - t0) * 1000)
            del i
        window.close()
        window.live.stop(5.0)
        ops.wait_idle(10_000)
        for p in procs:
            p.terminate()
            p.join(10)
        bare.close()
        services.close()
        return results
    finally:
        cn._drop_pg(url, admin)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=150)
    ap.add_argument("--busy", type=int, default=7)
    ap.add_argument("--think-ms", type=float, default=50.0)
    ap.add_argument("--tickets", type=int, default=300, help="waiting tickets kept in the queue")
    ap.add_argument("--estimates", action="store_true",
                    help="let the window run its wait estimates too (off: they compete for CPU)")
    args = ap.parse_args()
    if not os.environ.get("HALL_TEST_PG_URL"):
        print("set HALL_TEST_PG_URL", file=sys.stderr)
        return 2
    results = run(args.calls, args.busy, args.think_ms, args.tickets, args.estimates)
    base = results["bare"]
    print(f"F1 to painted, {args.busy + 1} counters on PostgreSQL, {args.calls} customers each way, "
          f"think {args.think_ms:g} ms, load average {os.getloadavg()[0]:.1f}")
    for way, values in results.items():
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        print(f"  {way:8s} p50={p50:7.2f} ms  p99={p99:7.2f} ms  max={max(values):7.2f} ms  "
              f"p50/bare={p50 / statistics.median(base):5.1f}  "
              f"p99/bare={p99 / percentile(base, 0.99):5.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
