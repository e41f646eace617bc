"""What a hall publishes to its district, table by table and column by column.

Every table of the schema is classified here, and a test fails when a new table is not
(tests/unit/test_publication_plan.py): a table is either *published* (all its columns
except the ones named in `WITHHELD`) or *local* (never leaves the hall). Withheld
columns follow data minimisation (PIPL): the district compares halls, it needs no PIN
hash, no customer's name, phone or address, and no free text a customer dictated. At the
district a withheld column arrives empty (NULL); `district_schema_fixes` lets it.

TRUNCATE is never published: a hall clearing a table must not clear every hall's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData

PUBLICATION = "hall_facts"

# Tables that stay at the hall.
LOCAL_TABLES = frozenset({
    "site",             # each database's own number
    "ticket_sequence",  # the hall's ticket-number counters: operational, derivable
    "district_site",    # the district's registry of halls (lives at the district)
    # Security (issue 14): logins, their lockouts and the hall's own tamper seals never
    # leave the hall (a session token's hash, attempts per workstation; a seal covers
    # columns the district does not receive, so it could not be checked there).
    "staff_session",
    "login_throttle",
    "history_seal",
    # Staffing plans (issue 19) are the hall's own advice, recomputable from its facts;
    # the district compares halls by their rollups.
    "staffing_plan",
})

# Published tables: the columns they keep back.
WITHHELD: dict[str, frozenset[str]] = {
    "staff": frozenset({"pin_hash", "failed_logins", "locked_until", "must_change_pin",
                        "lock_seconds", "lock_started_at", "lock_started_mono",
                        "default_pin"}),
    "complaint": frozenset({"customer_name", "phone", "address", "description",
                            "expectation", "reply_text", "compensation", "close_reason",
                            "company_name", "business_number", "problem_onset",
                            "resolution", "agreement_text", "agreement_signer"}),
    "complaint_history": frozenset({"note"}),
    "complaint_contact": frozenset({"note"}),
    "complaint_hand_off": frozenset({"task", "done_note"}),
    "escalation": frozenset({"reason"}),
    # The 唱收唱交 phrase names the customer's document; which kind and whether it was
    # returned is enough for the district.
    "document_exchange": frozenset({"phrase"}),
    # A pad's credential never leaves the hall; a follow-up's note may quote the customer.
    "rating_pad": frozenset({"token_hash"}),
    "rating_follow_up": frozenset({"note"}),
}

# Column names that suggest personal or secret data: a published column named like this
# must be listed in `ALLOWED_SENSITIVE_NAMES` with the reason it may travel.
SENSITIVE_WORDS = ("pin", "phone", "address", "password", "token", "secret", "id_number",
                   "customer", "mobile", "idcard")
ALLOWED_SENSITIVE_NAMES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class PublishedTable:
    name: str
    columns: tuple[str, ...]  # in table order
    withheld: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.withheld


def unclassified_tables(metadata: MetaData) -> list[str]:
    known = LOCAL_TABLES | set(WITHHELD) | set(PUBLISHED_WHOLE)
    return sorted(t for t in metadata.tables if t not in known)


# Published tables whose every column travels (listed so that a new table must be
# classified deliberately, never published by accident).
PUBLISHED_WHOLE = frozenset({
    "hall", "opening_hours", "service_type", "counter", "counter_service",
    "ticket", "ticket_event", "counter_session", "counter_pause",
    "incident", "incident_counter", "cash_exchange", "alert_ack", "audit_log",
    "day_rollup", "day_rollup_service", "day_rollup_counter", "day_rollup_clerk",
    "month_rollup",
    # Staff-side records without customer data: notices to staff, inspections, breaks.
    "complaint_notice", "complaint_notice_item", "inspection_round", "inspection_item",
    "inspection_event", "recovery_break",
    "rating", "hall_service_promise",
    "business_day",  # the day's lifecycle: when it closed and what the close settled
})
# hall.care_channel and ticket.care (爱心通道, migration 0021) travel with their tables: a
# hall's setting and a ticket's kind. Which need a customer had is never recorded.


def publication_plan(live_columns: dict[str, list[str]]) -> list[PublishedTable]:
    """The published tables among `live_columns` (table -> its columns, in order)."""
    plan = []
    for name in sorted(live_columns):
        if name in LOCAL_TABLES or (name not in WITHHELD and name not in PUBLISHED_WHOLE):
            continue
        held = WITHHELD.get(name, frozenset())
        cols = tuple(c for c in live_columns[name] if c not in held)
        plan.append(PublishedTable(name, cols, tuple(c for c in live_columns[name] if c in held)))
    return plan
