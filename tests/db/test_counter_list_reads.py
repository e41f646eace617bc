"""The counter list (the login dialog's choice of counter, the admin's counters page): the
same few statements for any number of counters, each counter with its clerk and services."""

from __future__ import annotations

from sqlalchemy import event, select

from db.models import CounterService


def test_the_counter_list_is_read_in_three_statements_with_each_clerk_and_service(
        hall, clerk):
    counter_1 = hall.queries.counter_for_number(1)
    hall.counters.sign_in(clerk, counter_1.id)
    with hall.ctx.read() as s:
        served = {}
        for cid, sid in s.execute(select(CounterService.counter_id, CounterService.service_id)):
            served.setdefault(cid, set()).add(sid)
    selects: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    engine = hall.ctx.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        counters = hall.queries.counters()
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(counters) >= 4
    # counters, their services, the clerks at them: not one more per counter
    assert len(selects) <= 3, [" ".join(x.split())[-80:] for x in selects]
    by_number = {c.number: c for c in counters}
    assert by_number[1].staff_name == clerk.name
    assert all(c.staff_name is None for n, c in by_number.items() if n != 1)
    for c in counters:
        assert set(c.service_ids) == served.get(c.id, set())
