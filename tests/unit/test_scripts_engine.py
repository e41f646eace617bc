"""Selection engine: concrete situations and the exact prompts they produce."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from hall_app.scripts import Situation, Thresholds, flow_steps, load_scripts, select_prompts

BOOK = load_scripts()
T = Thresholds(default_long_wait_minutes=20, closing_warning_minutes=15,
               crowded_per_counter=5, restored_notice_minutes=10)

APOLOGY = ("say", "long_wait_apology", "对不起,让您久等了,我马上为您办理。", False)
OUTAGE = ("say", "outage_notice", "系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。", True)
OUTAGE_DO = ("do", "outage_notice.do", "在窗口摆放告示牌,向每一位等候和新到的客户说明情况。", False)
RESTORED = ("say", "outage_restored", "系统已经恢复正常,感谢您的耐心等候,我们马上继续为大家办理。", True)
CLOSING = ("say", "closing_time", "请别着急,我会等您的。", True)
CROWDED = ("say", "crowded_counter", "请不用着急,我会尽快为大家办理。", True)
APPROACH = [
    ("do", "flow.approach.do[0]", "客户走近时起立", False),
    ("do", "flow.approach.do[1]", "面带微笑", False),
    ("do", "flow.approach.do[2]", "目光注视客户", False),
    ("do", "flow.approach.do[3]", "主动问候", False),
    ("say", "greeting", "先生/女士,您好,请问有什么可以帮您?", False),
]

# A called customer who waited 8 minutes for a service with a 20-minute threshold,
# 2 people waiting, 3 counters open, 3 hours to closing, no outage.
CALM = Situation(counter_state="open", ticket_code="A012", ticket_state="called",
                 waited_minutes=8, long_wait_minutes=20, queue_length=2, open_counters=3,
                 minutes_to_closing=180, hotline="10000", counter_number="3")


def run(situation: Situation, thresholds: Thresholds = T) -> list[tuple[str, str, str, bool]]:
    return [(p.kind, p.key, p.text, p.tell_waiting)
            for p in select_prompts(BOOK, situation, thresholds)]


def test_calm_called_customer_gets_the_approach_step() -> None:
    assert run(CALM) == APPROACH


def test_idle_counter_with_nothing_going_on_shows_nothing() -> None:
    assert run(Situation(counter_state="open", queue_length=0)) == []


def test_long_wait_apology_comes_first() -> None:
    assert run(replace(CALM, waited_minutes=35)) == [APOLOGY, *APPROACH]


def test_wait_exactly_at_threshold_is_not_long() -> None:
    assert run(replace(CALM, waited_minutes=20)) == APPROACH
    assert run(replace(CALM, waited_minutes=20.5))[0] == APOLOGY


def test_long_wait_uses_service_threshold_over_default() -> None:
    # 15 minutes is within the default 20 but beyond this service's 10.
    assert run(replace(CALM, waited_minutes=15, long_wait_minutes=10))[0] == APOLOGY
    # Without a service threshold the default applies.
    assert run(replace(CALM, waited_minutes=15, long_wait_minutes=None)) == APPROACH
    assert run(replace(CALM, waited_minutes=25, long_wait_minutes=None))[0] == APOLOGY


def test_long_wait_only_at_approach_step_with_a_customer() -> None:
    assert APOLOGY not in run(replace(CALM, waited_minutes=35, flow_step=1))
    assert APOLOGY not in run(replace(CALM, waited_minutes=35, ticket_state="done"))
    assert APOLOGY not in run(replace(CALM, waited_minutes=35, ticket_code=None))
    assert run(replace(CALM, waited_minutes=35, ticket_state="serving"))[0] == APOLOGY


def test_apology_first_even_with_everything_else_active() -> None:
    busy = replace(CALM, waited_minutes=35, outage_active=True, queue_length=20,
                   minutes_to_closing=5)
    assert run(busy) == [APOLOGY, OUTAGE, OUTAGE_DO, CLOSING, CROWDED, *APPROACH]


def test_outage_is_shown_and_marked_for_waiting_customers() -> None:
    assert run(replace(CALM, outage_active=True)) == [OUTAGE, OUTAGE_DO, *APPROACH]


def test_outage_uses_the_duty_managers_notice_text() -> None:
    notice = "营业系统升级,预计15:00恢复,给您带来不便,敬请谅解。"
    prompts = run(replace(CALM, outage_active=True, outage_notice=notice))
    assert prompts[0] == ("say", "outage_notice", notice, True)
    blank = run(replace(CALM, outage_active=True, outage_notice="  "))
    assert blank[0] == OUTAGE


@pytest.mark.parametrize("state", ["paused", "closed", "open"])
def test_outage_shown_to_every_counter_concerned_even_idle_or_paused(state: str) -> None:
    idle = Situation(counter_state=state, outage_active=True, queue_length=0)
    assert run(idle) == [OUTAGE, OUTAGE_DO]


def test_system_restored_within_window() -> None:
    assert run(replace(CALM, outage_ended_minutes_ago=3)) == [RESTORED, *APPROACH]
    assert run(replace(CALM, outage_ended_minutes_ago=10)) == [RESTORED, *APPROACH]
    assert run(replace(CALM, outage_ended_minutes_ago=10.5)) == APPROACH


def test_active_outage_wins_over_an_earlier_restore() -> None:
    prompts = run(replace(CALM, outage_active=True, outage_ended_minutes_ago=2))
    assert RESTORED not in prompts and prompts[0] == OUTAGE


def test_closing_time_with_customers_waiting() -> None:
    assert run(replace(CALM, minutes_to_closing=10)) == [CLOSING, *APPROACH]
    assert run(replace(CALM, minutes_to_closing=15)) == [CLOSING, *APPROACH]
    assert run(replace(CALM, minutes_to_closing=16)) == APPROACH


def test_closing_time_after_closing_with_customers_still_waiting() -> None:
    assert run(replace(CALM, minutes_to_closing=-5)) == [CLOSING, *APPROACH]


def test_no_closing_phrase_when_nobody_waits_or_counter_paused() -> None:
    assert run(replace(CALM, minutes_to_closing=10, queue_length=0)) == APPROACH
    assert run(Situation(counter_state="paused", minutes_to_closing=10, queue_length=4)) == []


def test_idle_open_counter_near_closing_with_queue() -> None:
    assert run(Situation(queue_length=4, open_counters=2, minutes_to_closing=5)) == [CLOSING]


def test_crowded_counter_per_open_counter() -> None:
    # 3 open counters × 5 = 15: 15 waiting is not crowded, 16 is.
    assert run(replace(CALM, queue_length=15)) == APPROACH
    assert run(replace(CALM, queue_length=16)) == [CROWDED, *APPROACH]


def test_crowded_with_no_open_counter_counts_as_one() -> None:
    assert run(Situation(queue_length=6, open_counters=0)) == [CROWDED]
    assert run(Situation(queue_length=5, open_counters=0)) == []


def test_thresholds_are_passed_in() -> None:
    strict = Thresholds(default_long_wait_minutes=5, closing_warning_minutes=60,
                        crowded_per_counter=1, restored_notice_minutes=30)
    situation = replace(CALM, waited_minutes=8, long_wait_minutes=None, minutes_to_closing=45,
                        queue_length=4, outage_ended_minutes_ago=25)
    assert run(situation, strict) == [APOLOGY, RESTORED, CLOSING, CROWDED, *APPROACH]
    assert run(situation, T) == APPROACH


def test_default_thresholds() -> None:
    assert select_prompts(BOOK, replace(CALM, waited_minutes=21))[0].key == "long_wait_apology"


def test_negative_threshold_rejected() -> None:
    with pytest.raises(ValueError):
        Thresholds(crowded_per_counter=-1)


def test_handling_step_prompts() -> None:
    prompts = run(replace(CALM, ticket_state="serving", flow_step=3))
    assert prompts == [
        ("do", "flow.handle.do[0]", "操作快捷熟练", False),
        ("do", "flow.handle.do[1]", "证件、单据和现金双手接递,唱收唱交", False),
        ("warn", "flow.handle.warn[0]", "不说服务忌语;客户问到的事情首问负责", False),
        ("say", "business_start", "我马上为您办理。", False),
    ]


def test_farewell_step_renders_commitment_with_hotline() -> None:
    situation = replace(CALM, ticket_state="serving", flow_step=4, business="宽带",
                        commitment="24小时")
    says = [p for p in run(situation) if p[0] == "say"]
    assert says == [
        ("say", "farewell_commitment",
         "宽带业务会在24小时内开通,如有疑问请拨打服务热线10000,也可以到营业厅找我们。", False),
        ("say", "farewell_thanks", "感谢您使用我们的业务,再见。", False),
    ]


def test_flow_step_out_of_range() -> None:
    with pytest.raises(ValueError):
        select_prompts(BOOK, replace(CALM, flow_step=5), T)
    with pytest.raises(ValueError):
        flow_steps(BOOK, replace(CALM, flow_step=-1))


def test_flow_steps_rendered() -> None:
    steps = flow_steps(BOOK, replace(CALM, flow_step=2, business="宽带", honorific="王先生"))
    assert [(s.index, s.title, s.current) for s in steps] == [
        (0, "积极的接近", False), (1, "了解需求", False), (2, "确认需求", True),
        (3, "快捷熟练的业务处理", False), (4, "亲切的告别", False),
    ]
    assert steps[0].do == ("客户走近时起立", "面带微笑", "目光注视客户", "主动问候")
    assert [p.text for p in steps[0].phrases] == ["王先生,您好,请问有什么可以帮您?"]
    assert [p.text for p in steps[2].phrases] == [
        "您要办理的是宽带业务,对吗?", "请给我您的姓名/号码。", "请告诉我您的联系地址。",
    ]
    palette = {p.key: p.text for p in steps[3].situational}
    assert len(palette) == 19
    assert palette["help_later"] == "请稍等,我忙完这些再帮您办,好吗?"
    assert palette["cash_exchange"] == "收您【实收金额】元,找您【找零金额】元,请点一下。"
    assert all(p.kind == "say" for s in steps for p in (*s.phrases, *s.situational))


def test_engine_reads_the_books_wording(tmp_path: Path) -> None:
    text = BOOK.source.read_text(encoding="utf-8").replace(
        'text = "请别着急,我会等您的。"',
        'text = "请别着急,{counter}号窗口会等您办完。"\nplaceholders = ["counter"]')
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    book = load_scripts(path)
    prompts = select_prompts(book, Situation(queue_length=2, minutes_to_closing=5,
                                             counter_number="7"), T)
    assert [p.text for p in prompts] == ["请别着急,7号窗口会等您办完。"]


def test_paused_counter_gets_no_crowded_phrase() -> None:
    assert run(Situation(counter_state="paused", queue_length=50, open_counters=1)) == []
