"""Selection engine: concrete situations and the exact prompts they produce."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from hall_app.scripts import (
    Situation,
    Thresholds,
    flow_steps,
    load_scripts,
    pick_phrase,
    select_prompts,
)

BOOK = load_scripts()
T = Thresholds(default_long_wait_minutes=20, closing_warning_minutes=15,
               crowded_per_counter=5, restored_notice_minutes=10)

APOLOGY = ("say", "long_wait_apology", "对不起,让您久等了,我马上为您办理。", False)
OUTAGE = ("say", "outage_notice", "系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。", True)
OUTAGE_DO = ("do", "outage_notice.do",
             "列示告示牌,并视不同情况作出解释,及时通知后面排队和新加入的客户", False)
RESTORED = ("say", "outage_restored", "系统已经恢复正常,感谢您的耐心等候,我们马上继续为大家办理。", True)
CLOSING = ("say", "closing_time", "请别急,我会等您的", True)
CLOSING_DO = ("do", "closing_time.do", "当营业终了,客户着急时,应稳定客户急躁情绪", False)
CROWDED = ("say", "crowded_counter", "请遵守秩序(请不用急),我会尽快为大家办理", True)
CROWDED_DO = ("do", "crowded_counter.do", "当窗口拥齐或客户催促时,就作好安慰", False)
APPROACH = [
    ("do", "flow.approach.do[0]", "当客户进门时,展现微笑并与客户有目光的沟通,但目光不追随客户。", False),
    ("do", "flow.approach.do[1]", "当客户走近柜台时,迅速站立,展现准备服务的姿态", False),
    ("do", "flow.approach.do[2]", "适时请客户坐下询问需要", False),
    ("say", "greeting", "先生/小姐,您好,请问有什么我能帮到您?", False),
    ("do", "greeting.do", "当客户走到柜台前或与客户眼睛相碰时,主动微笑,亲切招呼", False),
]
UNDERSTAND_SAYS = [
    "您好,先生/小姐,请问有什么可以帮您?", "我可以怎样帮忙?", "我有什么可以效劳?",
    "您可否再具体说明情况?",
]

# A called customer who waited 8 minutes for a service with a 20-minute threshold,
# 2 people waiting, 3 counters open, 3 hours to closing, no outage.
CALM = Situation(counter_state="open", ticket_code="A012", ticket_state="called",
                 waited_minutes=8, long_wait_minutes=20, queue_length=2, peer_open_counters=3,
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


def test_long_wait_apology_survives_the_start_of_service() -> None:
    # F4 (开始办理) moves the flow to step 2 just as the customer sits down: the apology
    # is still due then.
    serving = replace(CALM, waited_minutes=35, ticket_state="serving", flow_step=1)
    assert run(serving)[0] == APOLOGY


def test_long_wait_apology_goes_once_acknowledged() -> None:
    said = frozenset({"long_wait_apology"})
    assert APOLOGY not in run(replace(CALM, waited_minutes=35, said=said))
    assert APOLOGY not in run(replace(CALM, waited_minutes=35, ticket_state="serving",
                                      flow_step=1, said=said))


def test_long_wait_apology_goes_when_the_greeting_is_over() -> None:
    for step in (2, 3, 4):
        assert APOLOGY not in run(replace(CALM, waited_minutes=35, ticket_state="serving",
                                          flow_step=step))


def test_long_wait_only_with_a_customer_being_served() -> None:
    assert APOLOGY not in run(replace(CALM, waited_minutes=35, ticket_state="done"))
    assert APOLOGY not in run(replace(CALM, waited_minutes=35, ticket_code=None))
    assert run(replace(CALM, waited_minutes=35, ticket_state="serving"))[0] == APOLOGY


def test_apology_first_even_with_everything_else_active() -> None:
    busy = replace(CALM, waited_minutes=35, outage_active=True, queue_length=20,
                   minutes_to_closing=5)
    assert run(busy) == [APOLOGY, OUTAGE, OUTAGE_DO, CLOSING, CLOSING_DO, CROWDED,
                         CROWDED_DO, *APPROACH]


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
    assert run(replace(CALM, minutes_to_closing=10)) == [CLOSING, CLOSING_DO, *APPROACH]
    assert run(replace(CALM, minutes_to_closing=15)) == [CLOSING, CLOSING_DO, *APPROACH]
    assert run(replace(CALM, minutes_to_closing=16)) == APPROACH


def test_closing_time_after_closing_with_customers_still_waiting() -> None:
    assert run(replace(CALM, minutes_to_closing=-5)) == [CLOSING, CLOSING_DO, *APPROACH]


def test_closing_phrase_for_the_last_customer_at_the_counter() -> None:
    # Nobody waits any more, but the customer at the counter hurries: say it to them.
    last = run(replace(CALM, minutes_to_closing=10, queue_length=0))
    assert last == [(*CLOSING[:3], False), CLOSING_DO, *APPROACH]


def test_no_closing_phrase_when_nobody_is_there_or_counter_paused() -> None:
    assert run(Situation(minutes_to_closing=10, queue_length=0)) == []
    assert run(Situation(counter_state="paused", minutes_to_closing=10, queue_length=4)) == []


def test_idle_open_counter_near_closing_with_queue() -> None:
    assert run(Situation(queue_length=4, peer_open_counters=2, minutes_to_closing=5)) == [
        CLOSING, CLOSING_DO]


def test_crowded_counter_per_open_counter_of_the_same_services() -> None:
    # 3 open counters serve these services × 5 = 15: 15 waiting is not crowded, 16 is.
    assert run(replace(CALM, queue_length=15)) == APPROACH
    assert run(replace(CALM, queue_length=16)) == [CROWDED, CROWDED_DO, *APPROACH]


def test_crowded_single_service_counter_compares_with_its_peers_only() -> None:
    # A hall with 6 open counters, but only this one and one other serve its service:
    # 11 waiting is crowded (limit 2 × 5), whatever the other 4 counters do.
    assert run(Situation(queue_length=11, peer_open_counters=2)) == [CROWDED, CROWDED_DO]
    assert run(Situation(queue_length=10, peer_open_counters=2)) == []


def test_crowded_with_no_open_counter_counts_as_one() -> None:
    assert run(Situation(queue_length=6, peer_open_counters=0)) == [CROWDED, CROWDED_DO]
    assert run(Situation(queue_length=5, peer_open_counters=0)) == []


def test_thresholds_are_passed_in() -> None:
    strict = Thresholds(default_long_wait_minutes=5, closing_warning_minutes=60,
                        crowded_per_counter=1, restored_notice_minutes=30)
    situation = replace(CALM, waited_minutes=8, long_wait_minutes=None, minutes_to_closing=45,
                        queue_length=4, outage_ended_minutes_ago=25)
    assert run(situation, strict) == [APOLOGY, RESTORED, CLOSING, CLOSING_DO, CROWDED,
                                      CROWDED_DO, *APPROACH]
    assert run(situation, T) == APPROACH


def test_default_thresholds() -> None:
    assert select_prompts(BOOK, replace(CALM, waited_minutes=21))[0].key == "long_wait_apology"


def test_negative_threshold_rejected() -> None:
    with pytest.raises(ValueError):
        Thresholds(crowded_per_counter=-1)


def test_handling_step_prompts() -> None:
    prompts = run(replace(CALM, ticket_state="serving", flow_step=3))
    assert prompts == [
        ("do", "flow.handle.do[0]", "与客户发生证件,现金等交接时,应唱收唱交", False),
        ("warn", "flow.handle.warn[0]", "首问负责,言而有信。", False),
        ("warn", "flow.handle.warn[1]", "不随意承诺。", False),
        ("say", "business_start", "我马上为您办理。", False),
    ]


def test_understand_step_offers_the_seeds_three_questions() -> None:
    prompts = run(replace(CALM, ticket_state="serving", flow_step=1))
    assert [p[2] for p in prompts if p[0] == "say"] == UNDERSTAND_SAYS


FAREWELL_WITH_COMMITMENT = ("宽带业务会在3个工作日内开通,您要是有疑问或使用时有什么问题,"
                            "请至电我公司的服务热线:10000。也可以到我们的营业厅找我们。")


def test_farewell_fills_the_services_commitment_time() -> None:
    situation = replace(CALM, ticket_state="done", flow_step=4, business="宽带",
                        commitment="3个工作日")
    says = [p for p in run(situation) if p[0] == "say"]
    assert says == [
        ("say", "farewell_commitment", FAREWELL_WITH_COMMITMENT, False),
        ("say", "farewell_thanks", "感谢您使用我们的业务,再见。", False),
    ]


def test_farewell_without_a_commitment_time_never_shows_a_blank() -> None:
    # A service with no commitment time (缴费 is done on the spot): no 「会在…内开通」 at all.
    situation = replace(CALM, ticket_state="done", flow_step=4, business="缴费充值")
    says = [p for p in run(situation) if p[0] == "say"]
    assert says[0] == ("say", "farewell_questions",
                       "您要是有疑问或使用时有什么问题,请至电我公司的服务热线:10000。"
                       "也可以到我们的营业厅找我们。", False)
    assert all("【" not in p[2] for p in says)
    steps = flow_steps(BOOK, situation)
    assert [p.key for p in steps[4].phrases] == ["farewell_questions", "farewell_thanks"]


def test_farewell_step_reminders_quote_the_seed() -> None:
    prompts = run(replace(CALM, ticket_state="done", flow_step=4, commitment="2小时"))
    assert [p[2] for p in prompts if p[0] == "do"] == [
        "核定要求是否全部满足", "确定客户是否满意、告别", "微笑目送客户离开"]


def test_said_phrases_are_marked() -> None:
    situation = replace(CALM, said=frozenset({"greeting"}))
    [greeting] = [p for p in select_prompts(BOOK, situation, T) if p.key == "greeting"]
    assert greeting.said
    steps = flow_steps(BOOK, replace(situation, flow_step=3, said=frozenset({"help_now"})))
    assert {p.key for p in steps[3].situational if p.said} == {"help_now"}


def test_picking_i_dont_know_offers_f7_with_the_reason() -> None:
    pick = pick_phrase(BOOK, "unknown_question", CALM)
    assert pick.text == "对不起!您问的业务我不太清楚,请您稍等,我问问值班长,看能否给您帮助。"
    assert pick.escalation == "客户询问非本台业务,我不太清楚,请值班长帮助。"


def test_picking_still_unhappy_offers_f7_with_the_reason() -> None:
    pick = pick_phrase(BOOK, "escalate_manager", CALM)
    assert pick.text == "请您稍等,我请值班长来接待您!"
    assert pick.escalation == "经解释处理后客户仍不满意,无法解决,请值班长接待。"


def test_picking_an_ordinary_phrase_offers_nothing_more() -> None:
    pick = pick_phrase(BOOK, "help_now", CALM)
    assert (pick.text, pick.escalation, pick.helper) == ("没问题,我马上为您办", None, None)


def test_picking_a_money_or_document_phrase_opens_its_helper() -> None:
    assert pick_phrase(BOOK, "cash_exchange", CALM).helper == "cash"
    assert pick_phrase(BOOK, "document_exchange", CALM).helper == "documents"


def test_picking_a_situation_without_words_gives_its_reminder() -> None:
    pick = pick_phrase(BOOK, "customer_misoperation", CALM)
    assert pick.text == "耐心解释、指导或示范"


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
    assert steps[0].do[0] == "当客户进门时,展现微笑并与客户有目光的沟通,但目光不追随客户。"
    assert [p.text for p in steps[0].phrases] == ["王先生,您好,请问有什么我能帮到您?"]
    assert [p.text for p in steps[2].phrases] == ["请给我您的 (姓名/地址/号码)?"]
    palette = {p.key: p for p in steps[3].situational}
    assert len(palette) == 21
    assert palette["help_later"].text == "请稍等,我忙完这些再帮您办,好吗?"
    assert palette["cash_exchange"].text == "收您【实收金额】元,找您【找零金额】元,请点一下。"
    # Situations the seed gives no words for show their reminder instead.
    assert (palette["customer_mistake"].kind, palette["customer_mistake"].text) == (
        "do", "耐心解释直到客户明白、满意。")
    assert all(p.kind == "say" for s in steps for p in s.phrases)


def test_engine_reads_the_books_wording(tmp_path: Path) -> None:
    text = BOOK.source.read_text(encoding="utf-8").replace(
        'text = "请别急,我会等您的"',
        'text = "请别着急,{counter}号窗口会等您办完。"\nplaceholders = ["counter"]')
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    book = load_scripts(path)
    prompts = select_prompts(book, Situation(queue_length=2, minutes_to_closing=5,
                                             counter_number="7"), T)
    assert [p.text for p in prompts] == ["请别着急,7号窗口会等您办完。", CLOSING_DO[2]]


def test_paused_counter_gets_no_crowded_phrase() -> None:
    assert run(Situation(counter_state="paused", queue_length=50, peer_open_counters=1)) == []
