"""The columns the hall display and the kiosk read, as light table clauses.

The mapped models (`db.models`, 44 classes) take ≈ 90 ms and 7 MiB to import, which is
most of what a display's start has beyond SQLAlchemy and Qt. The two customer screens
only read, so their reads are built on these clauses (`sqlalchemy.table`/`column`, no
metadata, no mapper) and the models are imported after the first paint, by the actions.
Each column carries the model's own type (UTC timestamps, dates, booleans), so values
are bound and returned exactly as through the models; `tests/unit/test_screen_tables.py`
checks every name and type against `db.models`.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Date, Integer, String, Text, Time, column, table

from db.types import IdType, UTCDateTime

ticket_event = table(
    "ticket_event",
    column("id", IdType), column("hall_id", IdType), column("ticket_id", IdType),
    column("counter_id", IdType), column("kind", String(24)), column("at", UTCDateTime()),
)
ticket = table(
    "ticket",
    column("id", IdType), column("hall_id", IdType), column("service_id", IdType),
    column("code", String(8)), column("business_day", Date()), column("state", String(16)),
)
counter = table(
    "counter",
    column("id", IdType), column("hall_id", IdType), column("number", Integer()),
    column("name", String(64)),
)
service_type = table(
    "service_type",
    column("id", IdType), column("hall_id", IdType), column("name", String(64)),
    column("prefix", String(2)), column("is_vip", Boolean()), column("active", Boolean()),
    column("sort_order", Integer()),
)
incident = table(
    "incident",
    column("id", IdType), column("hall_id", IdType), column("kind", String(16)),
    column("started_at", UTCDateTime()), column("ended_at", UTCDateTime()),
    column("notice", Text()),
)
incident_counter = table(
    "incident_counter", column("incident_id", IdType), column("counter_id", IdType),
)
hall = table(
    "hall",
    column("id", IdType), column("care_channel", Boolean()),
)
opening_hours = table(
    "opening_hours",
    column("hall_id", IdType), column("weekday", Integer()), column("opens", Time()),
    column("closes", Time()),
)
business_day = table(
    "business_day",
    column("hall_id", IdType), column("day", Date()), column("state", String(16)),
    column("opens_at", UTCDateTime()), column("closes_at", UTCDateTime()),
)

ALL = (ticket_event, ticket, counter, service_type, incident, incident_counter, hall,
       opening_hours, business_day)
