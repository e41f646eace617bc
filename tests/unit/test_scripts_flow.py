"""The five-step flow follows the ticket (called → 1, start → 2, finish → 5) and the clerk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hall_app.scripts import FlowTracker, Situation, TicketAtCounter, load_scripts, select_prompts

BOOK = load_scripts()
T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def ticket(state: str, ticket_id: int = 1, **kw: object) -> TicketAtCounter:
    return TicketAtCounter(ticket_id, f"B{ticket_id:03d}", state, business="宽带业务",
                           commitment="3个工作日", **kw)  # type: ignore[arg-type]


def test_called_customer_starts_at_step_one() -> None:
    flow = FlowTracker()
    assert flow.observe(ticket("called")) == 0


def test_start_moves_to_step_two() -> None:
    flow = FlowTracker()
    flow.observe(ticket("called"))
    assert flow.observe(ticket("serving")) == 1


def test_clerk_moves_on_and_the_ticket_never_pulls_back() -> None:
    flow = FlowTracker()
    flow.observe(ticket("called"))
    flow.observe(ticket("serving"))
    assert flow.move(3) == 3
    assert flow.observe(ticket("serving")) == 3  # a refresh keeps the clerk's step
    assert flow.move(9) == 4 and flow.move(-2) == 0


def test_clerk_may_move_ahead_before_the_start_and_keeps_it() -> None:
    flow = FlowTracker()
    flow.observe(ticket("called"))
    flow.move(2)
    assert flow.observe(ticket("serving")) == 2


def test_finish_goes_to_the_farewell_with_the_tickets_facts() -> None:
    flow = FlowTracker()
    flow.observe(ticket("called"))
    flow.observe(ticket("serving"))
    finished = ticket("done", finished_at=T0)
    assert flow.observe(None, finished, T0) == 4
    situation = flow.apply(Situation(hotline="10000"))
    assert (situation.ticket_code, situation.ticket_state, situation.flow_step) == (
        "B001", "done", 4)
    says = [p.text for p in select_prompts(BOOK, situation) if p.kind == "say"]
    assert says[0].startswith("宽带业务会在3个工作日内开通")  # not 「宽带业务业务」


def test_farewell_ends_at_the_next_call_or_when_dismissed_or_after_a_while() -> None:
    flow = FlowTracker()
    flow.observe(ticket("serving"))
    flow.observe(None, ticket("done", finished_at=T0), T0)
    assert flow.observe(None, ticket("done", finished_at=T0), T0 + timedelta(minutes=2)) == 4
    assert flow.observe(ticket("called", 2)) == 0 and not flow.seeing_off

    flow.observe(ticket("serving", 2))
    flow.observe(None, ticket("done", 2, finished_at=T0), T0)
    flow.dismiss_farewell()
    assert (flow.step, flow.ticket) == (0, None)

    flow.observe(ticket("serving", 3))
    flow.observe(None, ticket("done", 3, finished_at=T0), T0)
    assert flow.observe(None, ticket("done", 3, finished_at=T0), T0 + timedelta(minutes=4)) == 0
    assert not flow.seeing_off


def test_transfer_or_no_show_is_no_farewell() -> None:
    flow = FlowTracker()
    flow.observe(ticket("serving", 5))
    # The ticket left, and the last one finished here is an older one.
    assert flow.observe(None, ticket("done", 4, finished_at=T0), T0) == 0
    assert not flow.seeing_off


def test_window_opened_after_a_finish_shows_no_old_farewell() -> None:
    flow = FlowTracker()
    assert flow.observe(None, ticket("done", finished_at=T0), T0) == 0


def test_window_opened_mid_service_starts_at_step_two() -> None:
    assert FlowTracker().observe(ticket("serving")) == 1


def test_said_phrases_belong_to_the_customer() -> None:
    flow = FlowTracker()
    flow.observe(ticket("called"))
    flow.mark_said("long_wait_apology")
    assert flow.apply(Situation()).said == frozenset({"long_wait_apology"})
    flow.observe(ticket("serving"))
    assert "long_wait_apology" in flow.said
    flow.observe(ticket("called", 2))
    assert flow.said == set()


def test_acknowledged_apology_stays_gone_through_the_start() -> None:
    flow = FlowTracker()
    base = Situation(ticket_code="B001", ticket_state="called", waited_minutes=40,
                     long_wait_minutes=20)
    flow.observe(ticket("called"))
    assert select_prompts(BOOK, flow.apply(base))[0].key == "long_wait_apology"
    flow.observe(ticket("serving"))
    serving = flow.apply(Situation(ticket_code="B001", ticket_state="serving",
                                   waited_minutes=40, long_wait_minutes=20))
    assert serving.flow_step == 1
    assert select_prompts(BOOK, serving)[0].key == "long_wait_apology"
    flow.mark_said("long_wait_apology")
    assert "long_wait_apology" not in [p.key for p in select_prompts(BOOK, flow.apply(serving))]
