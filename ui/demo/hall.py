"""`hall-app demo`: a whole hall alive on the embedded database, in one command.

Seeds the demo hall if needed (and yesterday's simulated day in the background, so the
reports have data), then opens one window (`ui.demo.floor`): the duty manager's overview,
`--counters` interactive counter screens (logged in as the demo clerks) and a rating pad
(评价器) beside each of them as tabs, the hall display and the kiosk beside them, each in
its role's style. Meanwhile `DemoSimulator` runs customers and the other counters through
the real services on a worker thread (its customers rate on those counters' pads). Every
screen therefore sees genuine changes through its change feed.

Simulated time: with `--speed S` the services' clock runs S times faster than real time
(`ScaledClock`), so waits, service durations and walkaways keep their proportions. The
simulator steps every min(60/S, 2) real seconds, each step being that many simulated
minutes (at S=60, one simulated minute per real second).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hall_app.errors import DatabaseUnavailable, HallError
from hall_app.services import HallServices

log = logging.getLogger(__name__)

MAX_STEP_SECONDS = 2.0
OUTAGE_AFTER_MINUTES = 20.0   # simulated minutes into the run
OUTAGE_LENGTH_MINUTES = 6.0
OVERVIEW_LOGIN = ("2001", "2468")
CLERK_PIN = "1234"


class ScaledClock:
    """UTC clock that starts now and runs `speed` times faster than real time."""

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self.speed = speed
        self._start = (start or datetime.now(UTC)).astimezone(UTC)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)


@dataclass
class SimStats:
    steps: int = 0
    issued: int = 0
    walkaways: int = 0
    outages: int = 0
    errors: int = 0


class DemoSimulator:
    """Runs HallSimulator on its own thread: arrivals, automated counters, walkaways, one outage."""

    def __init__(self, services: HallServices, *, speed: float, rate: float,
                 counters: list[int] | None, seed: int = 7) -> None:
        self.services = services
        self.speed = speed
        self.rate = rate
        self.counters = counters
        self.seed = seed
        self.stats = SimStats()
        self.period = min(60.0 / speed, MAX_STEP_SECONDS)
        self.minutes_per_step = self.period * speed / 60.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hall-demo-sim", daemon=True)
        self._day: Any = None
        self.ready = threading.Event()
        self.sim: Any = None  # the HallSimulator, once built on the worker thread

    def rated(self) -> int:
        """Ratings the simulated customers have given so far."""
        return int(self.sim.rated) if self.sim is not None else 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> bool:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _build(self) -> Any:
        from hall_app.demo.simulate import HallSimulator, SimParams

        params = SimParams(arrivals_per_hour=self.rate, walkaway_after_minutes=15,
                           walkaway_per_minute=0.03, daily_curve=False)
        sim = HallSimulator(self.services, seed=self.seed, params=params, counters=self.counters)
        self._open_desks(sim)
        return sim

    def _open_desks(self, sim: Any) -> None:
        """Today open all day (the demo runs at any hour), the simulated counters signed in."""
        from hall_app.demo.simulate import keep_demo_day_open

        self._day = keep_demo_day_open(self.services)
        for desk in sim.desks:
            desk.phase, desk.ticket_id, desk.until = "idle", None, None
            try:
                self.services.counters.sign_in(desk.actor, desk.counter_id)
            except HallError as exc:
                log.warning("Demo counter %s not opened: %s", desk.number, exc.message)

    def _run(self) -> None:
        sim = None
        outage_id: int | None = None
        elapsed = 0.0  # simulated minutes since start
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                if sim is None:
                    sim = self.sim = self._build()
                    sim.arrivals(minutes=10.0)  # a queue is already there when the doors open
                    self.ready.set()
                if self.services.ctx.business_day() != self._day:
                    self._open_desks(sim)  # a new day: yesterday closed itself at 00:30
                minutes = self.minutes_per_step
                sim.arrivals(minutes=minutes)
                if outage_id is None and self.stats.outages == 0 \
                        and elapsed >= OUTAGE_AFTER_MINUTES:
                    outage_id = self.services.incidents.declare_outage(sim.manager).id
                    self.stats.outages += 1
                elif outage_id is not None and \
                        elapsed >= OUTAGE_AFTER_MINUTES + OUTAGE_LENGTH_MINUTES:
                    self.services.incidents.clear(sim.manager, outage_id)
                    outage_id = None
                sim.serve(paused=outage_id is not None)
                self.stats.walkaways += sim.walkaways(minutes=minutes)
                self.stats.issued = sim.issued
                self.stats.steps += 1
                elapsed += minutes
            except DatabaseUnavailable as exc:
                self.stats.errors += 1
                log.warning("Demo simulator: database unavailable (%s)", exc.detail)
            except Exception:
                self.stats.errors += 1
                log.exception("Demo simulator step failed")
            self._stop.wait(max(0.0, self.period - (time.monotonic() - began)))
        if outage_id is not None and sim is not None:
            try:  # leave no outage behind for the next run
                self.services.incidents.clear(sim.manager, outage_id)
            except Exception:
                log.debug("Clearing the demo outage failed", exc_info=True)


def _window_class(module_name: str, class_name: str, params: tuple[str, ...]) -> Any | None:
    """The window class if its module exists and its constructor takes `params` first."""
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
        names = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    except Exception as exc:
        log.warning("Demo: %s.%s not available (%s); window skipped", module_name, class_name, exc)
        return None
    if tuple(names[: len(params)]) != params:
        log.warning("Demo: %s.%s(%s) does not take (%s); window skipped", module_name,
                    class_name, ", ".join(names), ", ".join(params))
        return None
    return cls


class DemoHall:
    """Everything `hall-app demo` opens. `close()` stops the simulator and every window."""

    def __init__(self, settings: Any, *, speed: float = 1.0, counters: int = 2,
                 rate: float = 60.0, seed_history: bool = True, staff_windows: bool = True,
                 announcer: Any | None = None, printer: Any | None = None) -> None:
        from dataclasses import replace

        from db.engine import Database
        from db.migrate import upgrade
        from hall_app.demo.seed import ensure_demo_hall
        from hall_app.services.context import ServiceContext

        # The demo: its default PINs are used as they are, no login throttle.
        settings = replace(settings, demo=True)
        self.settings = settings
        self.windows: list[Any] = []
        self.floor: Any = None
        self.pads: list[Any] = []  # the rating pads (also in `windows`)
        self.clock = ScaledClock(speed)
        database = Database(settings.database_url)
        upgrade(database)
        code, created = ensure_demo_hall(database)
        log.info("Demo hall %s %s on %s", code, "created" if created else "found",
                 database.url)
        self.services = HallServices(ServiceContext(database, settings, self.clock, code))
        self._history: threading.Thread | None = None
        if seed_history:
            # Before any window opens or the live simulation starts: yesterday's simulated
            # clerks sign in and out of the same counters, which must not happen under the
            # live windows. Only the first run does real work (a few seconds).
            print("正在准备演示营业厅(首次运行需模拟昨日客流,约需数秒)…", flush=True)
            self._seed_yesterday()
        # Today open all day before any window starts: a window's day scheduler closes a
        # day that is past its hours (the demo started at 20:00 closed itself before the
        # simulator thread came to extend them, and every ticket was refused).
        from hall_app.demo.simulate import keep_demo_day_open

        try:
            keep_demo_day_open(self.services)
        except HallError as exc:
            log.warning("Demo day not kept open: %s", exc.message)

        self.counter_cls = _window_class("ui.counter.window", "CounterWindow",
                                         ("services", "actor", "counter_id")) \
            if staff_windows else None
        self.overview_cls = _window_class("ui.overview.window", "OverviewWindow",
                                          ("services", "actor")) if staff_windows else None
        interactive = list(range(1, counters + 1)) if self.counter_cls else []
        all_numbers = [c.number for c in self.services.queries.counters()]
        simulated = [n for n in all_numbers if n not in interactive]
        self.interactive_counters = interactive
        self.simulator = DemoSimulator(self.services, speed=speed, rate=rate, counters=simulated)
        self._announcer = announcer
        self._printer = printer

    def _seed_yesterday(self) -> None:
        from hall_app.demo.seed import seed_demo

        try:
            day = self.services.ctx.business_day(datetime.now(UTC)) - timedelta(days=1)
            result = seed_demo(self.services.ctx.db, self.settings, day)
            log.info("Demo history for %s: %s", day,
                     "already there" if result.skipped_existing_day else "simulated")
        except Exception:
            log.exception("Seeding yesterday's demo day failed")

    # --- windows -------------------------------------------------------------------
    def open_windows(self) -> None:
        """One window (ui.demo.floor): staff screens as tabs, display and kiosk beside."""
        from ui.demo.floor import DemoFloor
        from ui.display.window import DisplayWindow, speaks_calls
        from ui.kiosk.printers import PdfSlipPrinter
        from ui.kiosk.window import KioskWindow

        settings = self.settings
        self.floor = DemoFloor(self.services.ctx.hall.name)
        speak = speaks_calls(settings)
        announcer = self._announcer
        if announcer is None and speak:
            from ui.voice import Announcer

            announcer = Announcer(volume=settings.voice.volume)
        display = DisplayWindow(self.services, announcer=announcer, speak=speak)
        self.floor.add_customer(display, "display")
        self.windows.append(display)

        printer = self._printer
        if printer is None:
            from hall_app.config import user_data_dir

            printer = PdfSlipPrinter(user_data_dir() / "demo-last-slip.pdf")
        kiosk = KioskWindow(self.services, printer=printer, announcer=announcer,
                            speak=False)
        self.floor.add_customer(kiosk, "kiosk")
        self.windows.append(kiosk)
        self.floor.place_on_screen()
        self.floor.show()

        if self.overview_cls is not None:
            self._login_then(OVERVIEW_LOGIN, None, self._open_overview)
        for index, number in enumerate(self.interactive_counters):
            self._login_then((str(1000 + number), CLERK_PIN), number,
                             lambda result, i=index: self._open_counter(result, i))
        if self.interactive_counters:
            self._open_pads()
        self.simulator.start()

    def _login_then(self, login: tuple[str, str], counter_number: int | None,
                    then: Any) -> None:
        from ui.ops import run_op

        services = self.services

        def work() -> tuple[Any, int | None]:
            actor = services.auth.login(*login)
            counter_id = None
            if counter_number is not None:
                # As the counter's login dialog does: the clerk opens the counter.
                counter_id = services.queries.counter_for_number(counter_number).id
                services.counters.sign_in(actor, counter_id)
            return actor, counter_id

        run_op(work, on_success=then,
               on_failure=lambda err: log.warning("Demo login %s failed: %s", login[0],
                                                  err.message),
               description=f"demo login {login[0]}")

    def _open_overview(self, result: tuple[Any, int | None]) -> None:
        actor, _ = result
        window_cls = self.overview_cls
        if window_cls is None:
            return
        try:
            window = window_cls(self.services, actor)
            self.floor.add_staff(window, "overview")
            self.windows.append(window)
        except Exception:
            log.exception("Demo: the overview window could not be opened; skipped")

    def _open_counter(self, result: tuple[Any, int | None], index: int) -> None:
        actor, counter_id = result
        window_cls = self.counter_cls
        if window_cls is None:
            return
        try:
            window = window_cls(self.services, actor, counter_id)
            self.floor.add_staff(window, "counter", order=index + 1)
            self.windows.append(window)
        except Exception:
            log.exception("Demo: counter window %s could not be opened; skipped", index + 1)

    def _open_pads(self) -> None:
        """A rating pad beside each interactive counter, bound by the demo's duty manager."""
        from ui.ops import run_op

        services, numbers = self.services, list(self.interactive_counters)

        def bind() -> list[Any]:
            manager = services.auth.login(*OVERVIEW_LOGIN)
            return [services.pads.bind(manager, services.queries.counter_for_number(n).id,
                                       f"{n}号窗口评价器(演示)") for n in numbers]

        run_op(bind, on_success=self._show_pads,
               on_failure=lambda err: log.warning("Demo pads not bound: %s", err.message),
               description="demo pads")

    def _show_pads(self, credentials: list[Any]) -> None:
        try:
            from ui.rating.window import RatingPadWindow
        except ImportError:
            log.warning("Demo: the rating pad is not available; skipped")
            return
        for index, credential in enumerate(credentials):
            try:
                pad = RatingPadWindow(self.services, credential)
                number = self.interactive_counters[index]
                pad.setWindowTitle(f"{number}号窗口评价器")
                # The tab after its counter's: the customer's side of the same desk.
                self.floor.add_staff(pad, "rating", order=index + 1.5)
                self.windows.append(pad)
                self.pads.append(pad)
            except Exception:
                log.exception("Demo: rating pad %s could not be opened; skipped", index + 1)

    def close(self) -> None:
        from ui import ops

        self.simulator.stop()
        for window in list(self.windows):
            try:
                live = getattr(window, "live", None)
                if live is not None:
                    live.stop()
                window.close()
                window.deleteLater()
            except Exception:
                log.debug("Closing a demo window failed", exc_info=True)
        if self.floor is not None:
            self.floor.close()
            self.floor.deleteLater()
            self.floor = None
        ops.wait_idle(5000)
        # Delete the windows now, on this thread, not whenever the garbage collector runs.
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.windows.clear()
        self.pads.clear()
        if self._history is not None:
            self._history.join(30)
        self.services.close()


def main(args: Any, settings: Any) -> int:
    """`hall-app demo [--speed S] [--counters N] [--rate R]`."""
    from ui.app_runtime import create_app

    app = create_app("demo")
    demo = DemoHall(settings, speed=float(getattr(args, "speed", 1.0) or 1.0),
                    counters=int(getattr(args, "counters", 2)),
                    rate=float(getattr(args, "rate", 60.0) or 60.0))
    demo.open_windows()
    app.setQuitOnLastWindowClosed(True)
    try:
        return int(app.exec())
    finally:
        demo.close()
