"""Use-case services of the hall, bundled behind one facade.

    services = HallServices.open(settings)          # or HallServices(ctx)
    actor = services.auth.login("1001", "1234")
    services.counters.sign_in(actor, counter_id)
    ticket = services.tickets.call_next(actor, counter_id)

Windows call these from worker threads; every call is one unit of work.
"""

from __future__ import annotations

from hall_app.clock import Clock
from hall_app.config import Settings
from hall_app.forecast.service import ForecastService
from hall_app.services.admin import AdminService
from hall_app.services.auth import AuthService
from hall_app.services.complaints import ComplaintService
from hall_app.services.context import ServiceContext
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


class HallServices:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.auth = AuthService(ctx)
        self.forecast = ForecastService(ctx)
        self.tickets = TicketService(ctx, self.forecast)
        self.counters = CounterService(ctx)
        self.incidents = IncidentService(ctx)
        self.desk = DeskService(ctx)
        self.queries = QueryService(ctx)
        self.complaints = ComplaintService(ctx)
        self.overview = OverviewService(ctx)
        self.admin = AdminService(ctx)
        self.inspection = InspectionService(ctx)
        self.staff_care = StaffCareService(ctx)
        # Ratings: the manager's follow-ups and pad binding. The pad's own RatingService
        # (which rates) is deliberately not here: only a bound pad builds it.
        self.follow_ups = FollowUpService(ctx)
        self.pads = PadBindingService(ctx)
        self.days = DayService(ctx)

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock | None = None,
             hall_code: str | None = None, migrate: bool = True) -> HallServices:
        from db.engine import Database
        from db.migrate import upgrade
        from hall_app.db_errors import check_sqlite_location

        check_sqlite_location(settings.database_url)
        database = Database(settings.database_url)
        ctx = ServiceContext(database, settings, clock, hall_code)
        if migrate:
            with ctx.guarded():  # an unreachable server is DatabaseUnavailable, in Chinese
                upgrade(database)
        return cls(ctx)

    def change_feed(self, interval: float | None = None):  # type: ignore[no-untyped-def]
        """A new ChangeFeed for this hall's database (one per worker thread)."""
        from hall_app.feeds import open_feed

        return open_feed(self.ctx, interval)

    def close(self) -> None:
        self.ctx.db.dispose()
