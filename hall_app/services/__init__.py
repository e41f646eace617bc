"""Use-case services of the hall, bundled behind one facade.

    services = HallServices.open(settings)          # or HallServices(ctx)
    actor = services.auth.login("1001", "1234")
    services.counters.sign_in(actor, counter_id)
    ticket = services.tickets.call_next(actor, counter_id)

Windows call these from worker threads; every call is one unit of work.
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from hall_app.clock import Clock
from hall_app.config import Settings
from hall_app.services.context import ServiceContext

if TYPE_CHECKING:
    from hall_app.forecast.service import ForecastService
    from hall_app.services.admin import AdminService
    from hall_app.services.auth import AuthService
    from hall_app.services.complaints import ComplaintService
    from hall_app.services.counters import CounterService
    from hall_app.services.days import DayService
    from hall_app.services.desk import DeskService
    from hall_app.services.incidents import IncidentService
    from hall_app.services.inspection import InspectionService
    from hall_app.services.overview import OverviewService
    from hall_app.services.queries import QueryService
    from hall_app.services.ratings import FollowUpService, PadBindingService
    from hall_app.services.staff_care import StaffCareService
    from hall_app.services.tickets import TicketService
    from hall_app.staffing.service import StaffingService

T = TypeVar("T")
#: One lock for every facade's first construction of a service (rare, and short).
_BUILDING = threading.RLock()


class _Service(Generic[T]):
    """A service built on first use: a window imports and builds only what it calls.

    A kiosk never needs the complaint or admin services, and importing every service
    module (each with its queries and dataclasses) was a third of a window's start.
    The instance is kept in the facade's ``__dict__``, so later reads are plain
    attribute reads; tests may still assign a stand-in.
    """

    def __init__(self, target: str, *needs: str) -> None:
        self.module, _, self.cls = target.partition(":")
        self.needs = needs  # other services passed to the constructor, by name

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, facade: Any, owner: type | None = None) -> T:
        if facade is None:  # pragma: no cover - class attribute access
            return self  # type: ignore[return-value]
        with _BUILDING:
            built = facade.__dict__.get(self.name)
            if built is None:
                cls = getattr(importlib.import_module(self.module), self.cls)
                built = cls(facade.ctx, *(getattr(facade, n) for n in self.needs))
                facade.__dict__[self.name] = built
        return built  # type: ignore[no-any-return]


class HallServices:
    auth: _Service[AuthService] = _Service("hall_app.services.auth:AuthService")
    forecast: _Service[ForecastService] = _Service("hall_app.forecast.service:ForecastService")
    tickets: _Service[TicketService] = _Service("hall_app.services.tickets:TicketService",
                                                "forecast")
    counters: _Service[CounterService] = _Service("hall_app.services.counters:CounterService")
    incidents: _Service[IncidentService] = _Service(
        "hall_app.services.incidents:IncidentService")
    desk: _Service[DeskService] = _Service("hall_app.services.desk:DeskService")
    queries: _Service[QueryService] = _Service("hall_app.services.queries:QueryService")
    complaints: _Service[ComplaintService] = _Service(
        "hall_app.services.complaints:ComplaintService")
    overview: _Service[OverviewService] = _Service("hall_app.services.overview:OverviewService")
    admin: _Service[AdminService] = _Service("hall_app.services.admin:AdminService")
    inspection: _Service[InspectionService] = _Service(
        "hall_app.services.inspection:InspectionService")
    staff_care: _Service[StaffCareService] = _Service(
        "hall_app.services.staff_care:StaffCareService")
    # Ratings: the manager's follow-ups and pad binding. The pad's own RatingService
    # (which rates) is deliberately not here: only a bound pad builds it.
    follow_ups: _Service[FollowUpService] = _Service("hall_app.services.ratings:FollowUpService")
    pads: _Service[PadBindingService] = _Service("hall_app.services.ratings:PadBindingService")
    days: _Service[DayService] = _Service("hall_app.services.days:DayService")
    # The staffing planner (numpy, the simulation): the overview's strip, after its first
    # snapshot; its plans are cached per day in the instance.
    staffing: _Service[StaffingService] = _Service("hall_app.staffing.service:StaffingService")

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def set_role(self, role: str) -> None:
        """Name this workstation by its window's role (its entry point calls this): the
        day-close facts it records say which window closed the day. The day service is
        not built for it (its queries import the mapped models: not before a display's
        first paint)."""
        self.ctx.role = role
        days = self.__dict__.get("days")
        if days is not None:
            days.set_role(role)

    def prepare_login(self) -> None:
        """Import and configure what a login uses (the auth service, the mapped models and
        their relationships), so the PIN's check is not also the process's first ORM use.
        A login dialog calls this in the background while the PIN is being typed: a duty
        manager's first login 160 -> 55 ms after Enter (docs/performance.md)."""
        from sqlalchemy.orm import configure_mappers

        self.warm("auth")
        configure_mappers()

    def warm(self, *names: str) -> None:
        """Build these services now (a window's worker, after its first refresh), so the
        first action that uses one does not import it."""
        for name in names:
            getattr(self, name)

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock | None = None,
             hall_code: str | None = None, migrate: bool = True) -> HallServices:
        from db.engine import Database
        from db.migrate import NewerSchema, upgrade
        from hall_app.db_errors import check_sqlite_location
        from hall_app.errors import ProgramOutdated

        check_sqlite_location(settings.database_url)
        database = Database(settings.database_url)
        ctx = ServiceContext(database, settings, clock, hall_code)
        if migrate:
            try:
                with ctx.guarded():  # an unreachable server is DatabaseUnavailable, in Chinese
                    upgrade(database)
            except NewerSchema as exc:
                database.dispose()
                raise ProgramOutdated(exc.revisions) from None
        return cls(ctx)

    def change_feed(self, interval: float | None = None):  # type: ignore[no-untyped-def]
        """A new ChangeFeed for this hall's database (one per worker thread)."""
        from hall_app.feeds import open_feed

        return open_feed(self.ctx, interval)

    def close(self) -> None:
        self.ctx.db.dispose()
