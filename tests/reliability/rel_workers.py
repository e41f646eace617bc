"""Worker processes for the soak and crash tests (run as scripts, one process each).

    python rel_workers.py counter URL NUMBER SECONDS SEED OUT.json
    python rel_workers.py kiosk   URL SECONDS SEED OUT.json
    python rel_workers.py churn   URL SEED            (until killed; prints "ops N")

A counter worker signs in at its counter and, until the time is up, calls the next
customer and then recalls, marks no-show, transfers, starts and finishes at random,
sometimes also trying an action the state machine forbids. Every acknowledged action
(the service returned) is counted by kind, so the test can check the database holds
exactly the events the clerk was told succeeded: nothing lost, nothing extra.
"""

from __future__ import annotations

import json
import random
import sys
import time
import traceback
from collections import Counter as Tally
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rel_support import CLERK_PIN, SOAK_HALL  # noqa: E402

from hall_app.config import Settings  # noqa: E402
from hall_app.errors import (  # noqa: E402
    DatabaseUnavailable,
    HallError,
    IllegalTransition,
    QueueEmpty,
)
from hall_app.services import HallServices  # noqa: E402
from hall_app.services.context import ServiceContext  # noqa: E402

# Events each acknowledged action writes for the acting clerk.
EVENTS_PER_ACTION = {"call": 1, "recall": 1, "no_show": 1, "start": 1, "finish": 1,
                     "transfer": 2}


def open_hall(url: str, hall_code: str = SOAK_HALL) -> HallServices:
    from db.engine import Database

    return HallServices(ServiceContext(Database(url), Settings(database_url=url, demo=True),
                                       hall_code=hall_code))


class CounterBot:
    """One clerk at one counter, choosing the next action at random."""

    def __init__(self, hall: HallServices, number: int, rng: random.Random) -> None:
        self.hall = hall
        self.rng = rng
        self.actor = hall.auth.login(str(3000 + number), CLERK_PIN)
        self.counter_id = hall.queries.counter_for_number(number).id
        self.services = [s.id for s in hall.queries.services()]
        self.serving: dict[int, list[int]] = {}
        for c in hall.queries.counters():
            for sid in hall.queries.service_ranks(c.id):
                self.serving.setdefault(sid, []).append(c.id)
        hall.counters.sign_in(self.actor, self.counter_id)
        self.ok: Tally = Tally()
        self.refused: Tally = Tally()
        self.unexpected: list[str] = []
        self.called_ids: list[int] = []

    def step(self) -> None:
        h, a, cid, rng = self.hall, self.actor, self.counter_id, self.rng
        try:
            cur = h.tickets.current(cid)
            if cur is None:
                try:
                    info = h.tickets.call_next(a, cid)
                except QueueEmpty:
                    self.refused["queue_empty"] += 1
                    time.sleep(0.02)
                    return
                self.ok["call"] += 1
                self.called_ids.append(info.id)
                return
            r = rng.random()
            if r < 0.05:  # a forbidden action: must be refused, and change nothing
                try:
                    if cur.state == "called":
                        h.tickets.finish(a, cur.id, cid)
                    else:
                        h.tickets.recall(a, cur.id, cid)
                except IllegalTransition:
                    self.refused["illegal"] += 1
                    return
                self.unexpected.append(f"forbidden action accepted on {cur.code} ({cur.state})")
                return
            if cur.state == "called":
                if r < 0.30:
                    h.tickets.recall(a, cur.id, cid)
                    self.ok["recall"] += 1
                elif r < 0.42 and cur.recall_count >= 1:
                    h.tickets.no_show(a, cur.id, cid)
                    self.ok["no_show"] += 1
                elif r < 0.50:
                    self._transfer(cur)
                else:
                    h.tickets.start(a, cur.id, cid)
                    self.ok["start"] += 1
            elif cur.state == "serving":
                if r < 0.18:
                    self._transfer(cur)
                else:
                    h.tickets.finish(a, cur.id, cid)
                    self.ok["finish"] += 1
        except DatabaseUnavailable as exc:  # busy: refused with a message, nothing written
            self.refused["db_unavailable"] += 1
            if not exc.message:
                self.unexpected.append("DatabaseUnavailable without a message")
        except HallError as exc:
            self.unexpected.append(f"{type(exc).__name__}: {exc.message}")
        except Exception:  # noqa: BLE001 - recorded and reported by the test
            self.unexpected.append(traceback.format_exc())

    def _transfer(self, cur) -> None:  # type: ignore[no-untyped-def]
        others = [s for s in self.services if s != cur.service_id]
        target = self.rng.choice(others)
        to_counter = None
        if self.rng.random() < 0.3:
            to_counter = self.rng.choice(self.serving[target])
        self.hall.tickets.transfer(self.actor, cur.id, to_service_id=target,
                                   to_counter_id=to_counter, counter_id=self.counter_id,
                                   note="压力测试转移")
        self.ok["transfer"] += 1


def run_counter(url: str, number: int, seconds: float, seed: int, out: str) -> int:
    hall = open_hall(url)
    bot = CounterBot(hall, number, random.Random(seed))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        bot.step()
    Path(out).write_text(json.dumps({
        "staff_id": bot.actor.staff_id, "counter_id": bot.counter_id, "ok": bot.ok,
        "refused": bot.refused, "unexpected": bot.unexpected, "called_ids": bot.called_ids,
        "expected_events": sum(EVENTS_PER_ACTION[k] * n for k, n in bot.ok.items()),
    }, ensure_ascii=False))
    hall.close()
    return 0


def run_kiosk(url: str, seconds: float, seed: int, out: str) -> int:
    hall = open_hall(url)
    rng = random.Random(seed)
    services = [s.id for s in hall.queries.services()]
    issued: list[int] = []
    refused: Tally = Tally()
    unexpected: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            info = hall.tickets.issue(rng.choice(services),
                                      priority="vip" if rng.random() < 0.1 else "normal")
            issued.append(info.id)
            if info.ahead > 12:  # a real queue, not an ever-growing one
                time.sleep(0.05)
        except DatabaseUnavailable:
            refused["db_unavailable"] += 1
        except Exception:  # noqa: BLE001
            unexpected.append(traceback.format_exc())
    Path(out).write_text(json.dumps({"issued": issued, "refused": refused,
                                     "unexpected": unexpected}))
    hall.close()
    return 0


def run_churn(url: str, seed: int) -> int:
    """Issue and serve as fast as possible at three counters until SIGKILL arrives."""
    hall = open_hall(url)
    rng = random.Random(seed)
    bots = [CounterBot(hall, n, rng) for n in (1, 2, 3)]
    services = [s.id for s in hall.queries.services()]
    ops = 0
    while True:
        hall.tickets.issue(rng.choice(services))
        ops += 1
        for _ in range(2):
            rng.choice(bots).step()
            ops += 1
        print(f"ops {ops}", flush=True)


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "counter":
        return run_counter(argv[1], int(argv[2]), float(argv[3]), int(argv[4]), argv[5])
    if mode == "kiosk":
        return run_kiosk(argv[1], float(argv[2]), int(argv[3]), argv[4])
    if mode == "churn":
        return run_churn(argv[1], int(argv[2]))
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
