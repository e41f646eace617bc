"""`hall-app db seed-demo`: create the demo hall if missing, then simulate a day of traffic."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from db.engine import Database
from db.models import Hall, Ticket
from hall_app.clock import ManualClock
from hall_app.config import Settings
from hall_app.demo.simulate import DayResult, SimParams, simulate_day
from hall_app.hall_config import create_hall, load_hall_config
from hall_app.resources import resource_path
from hall_app.services import HallServices
from hall_app.services.context import ServiceContext


def demo_config_path() -> Path:
    return resource_path("demo", "demo_hall.toml")


def ensure_demo_hall(database: Database, path: Path | None = None, *, code: str | None = None,
                     name: str | None = None) -> tuple[str, bool]:
    """Create the hall described in the demo file unless it exists. (code, created).

    `code` / `name` make another hall with the demo's configuration (a district of
    demo halls in tests and benchmarks).
    """
    cfg = load_hall_config(path or demo_config_path())
    if code or name:
        from dataclasses import replace

        cfg = replace(cfg, hall=replace(cfg.hall, code=code or cfg.hall.code,
                                        name=name or cfg.hall.name))
    with database.write() as s:
        exists = s.scalar(select(Hall.id).where(Hall.code == cfg.hall.code))
        if exists:
            return cfg.hall.code, False
        create_hall(s, cfg)
    return cfg.hall.code, True


@dataclass(frozen=True)
class SeedResult:
    hall_code: str
    created_hall: bool
    day: DayResult | None
    skipped_existing_day: bool


def seed_demo(database: Database, settings: Settings, day: date | None = None, seed: int = 1,
              params: SimParams | None = None, traffic: bool = True) -> SeedResult:
    code, created = ensure_demo_hall(database)
    if not traffic:
        return SeedResult(code, created, None, False)
    clock = ManualClock(datetime.now(UTC))
    # The simulated day is the demo: its staff log in with the demo's default PINs.
    services = HallServices(ServiceContext(database, replace(settings, demo=True), clock, code))
    day = day or services.ctx.business_day()
    with database.read() as s:
        existing = s.scalar(select(func.count(Ticket.id)).where(
            Ticket.hall_id == services.ctx.hall.id, Ticket.business_day == day))
    if existing:
        return SeedResult(code, created, None, True)
    result = simulate_day(services, day, seed=seed, params=params)
    return SeedResult(code, created, result, False)
