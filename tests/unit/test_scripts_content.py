"""The shipped Chinese script file contains every phrase listed in domain.md."""

from __future__ import annotations

import unicodedata

import pytest

from hall_app.scripts import load_scripts
from hall_app.scripts.forbidden import find_forbidden

BOOK = load_scripts()


def norm(text: str) -> str:
    """Compare modulo full-width/half-width punctuation."""
    return unicodedata.normalize("NFKC", text)


# Fixed phrases, as the seeds write them (seed 000 unless noted), with their phrase key.
FIXED = [
    ("ask_how_help", "我可以怎样帮忙?"),
    ("ask_service", "我有什么可以效劳?"),
    ("ask_details", "您可否再具体说明情况?"),
    ("ask_identity", "请给我您的 (姓名/地址/号码)?"),
    ("offer_to_handle", "我现在帮您办理,好吗?"),
    ("business_here", "请在这里办理。"),
    ("business_start", "我马上为您办理。"),
    ("unknown_question", "对不起!您问的业务我不太清楚,请您稍等,我问问值班长,看能否给您帮助。"),
    ("form_signing", "请您看看还有什么问题,若无问题麻烦您签名,我马上帮您办理,好吗?"),
    ("crowded_counter", "请遵守秩序(请不用急),我会尽快为大家办理"),
    ("long_wait_apology", "对不起,让您久等了,我马上为您办理。"),
    ("closing_time", "请别急,我会等您的"),
    ("clerk_mistake", "对不起,给您添麻烦了,我马上为您更正"),
    ("help_now", "没问题,我马上为您办"),
    ("help_later", "请稍等,我忙完这些再帮您办,好吗?"),
    ("escalate_manager", "请您稍等,我请值班长来接待您!"),
    ("suggestion_thanks", "谢谢您提的意见,今后我们会改进。"),
    ("farewell_thanks", "感谢您使用我们的业务,再见。"),
]

# Phrases with XX blanks in the seed: rendered with concrete values, exact expected text.
TEMPLATED = [
    ("greeting", {"honorific": "王先生"}, "王先生,您好,请问有什么我能帮到您?"),
    ("greeting", {}, "先生/小姐,您好,请问有什么我能帮到您?"),
    ("ask_need", {}, "您好,先生/小姐,请问有什么可以帮您?"),
    ("business_not_offered", {"alternative": "宽带提速"},
     "对不起!此项业务尚未开办,您可办理宽带提速业务好吗?"),
    ("fee_breakdown", {"business": "宽带", "total": "150.00",
                       "fee_items": "业务费100.00元,话费50.00元"},
     "您办的宽带业务总费用一共是150.00元,其中业务费100.00元,话费50.00元。"),
    ("cash_exchange", {"received": "100.00", "change": "28.50"},
     "收您100.00元,找您28.50元,请点一下。"),
    ("document_exchange", {"item": "身份证", "return_item": "身份证"},
     "收您身份证,这是您的身份证,请收好。"),
    ("farewell_commitment", {"business": "宽带", "duration": "24小时", "hotline": "10000"},
     "宽带业务会在24小时内开通,您要是有疑问或使用时有什么问题,请至电我公司的服务热线:"
     "10000。也可以到我们的营业厅找我们。"),
]


@pytest.mark.parametrize(("key", "seed_text"), FIXED)
def test_fixed_seed_phrase_present(key: str, seed_text: str) -> None:
    assert BOOK.render(key) == seed_text


@pytest.mark.parametrize(("key", "values", "expected"), TEMPLATED)
def test_templated_seed_phrase(key: str, values: dict[str, str], expected: str) -> None:
    assert BOOK.render(key, values) == expected


def test_situations_without_seed_wording_have_only_guidance() -> None:
    for key in ("customer_mistake", "customer_misoperation", "refusal_by_rule"):
        phrase = BOOK.phrase(key)
        assert not phrase.spoken and phrase.do
    assert BOOK.phrase("customer_mistake").warn == "不要直指客户错了,更不能以教训的口吻指责客户"
    assert BOOK.phrase("customer_misoperation").warn == "不能表现轻视客户、不耐烦或直接批评客户"


def test_missing_value_shows_label() -> None:
    assert BOOK.render("farewell_commitment", business="宽带") == (
        "宽带业务会在【开通时限】内开通,您要是有疑问或使用时有什么问题,请至电我公司的服务热线:"
        "【服务热线】。也可以到我们的营业厅找我们。"
    )


def test_forbidden_and_recommended_lists() -> None:
    assert [norm(p) for p in BOOK.forbidden] == [norm(p) for p in [
        "这事不归我管", "以前这是谁做的,水平这么差", "这是公司规定,我没办法", "这是小事,无所谓",
        "不关我事,你找别人吧", "你会不会,你怎么搞的?", "这么简单的问题还问我!", "不可能",
        "我是新来的,这我不懂", "这我早告诉过你,怎么又搞错了?", "我没空", "反正我做不了",
        "我不知道", "这事你不懂", "有问题?关电复位就得了", "XX机器就这样",
        "你怎么用也不会?", "你懂不懂最基本的技巧?",
    ]]
    assert list(BOOK.recommended) == [
        "感谢您的支持", "欢迎指导工作", "您的意见很重要", "XX的成长离不开大家的支持",
        "这件事我来处理", "欢迎您提出宝贵意见",
    ]
    assert BOOK.principle == "首问负责,言而有信。"
    assert BOOK.language_rules[:2] == ("推行普通话,少说方言。",
                                       "尊重对方,谦虚稳重,少用“XX大公司”等词句。")


def test_no_shipped_phrase_contains_a_forbidden_phrase() -> None:
    spoken = [p.text for p in BOOK.phrases.values()]
    spoken += [line for card in BOOK.coaching_cards for line in card.say]
    spoken += [line for step in BOOK.complaint_steps for line in step.say]
    for text in spoken:
        assert find_forbidden(BOOK, text) == [], text


def test_coaching_cards() -> None:
    cards = {c.key: c for c in BOOK.coaching_cards}
    assert set(cards) == {"agitated", "silent", "complainer", "sulking", "unreasonable",
                          "hostile", "abusive", "drunk_violent"}
    assert list(cards["silent"].say) == ["是什么问题?", "怎么发生的?", "希望我们怎么帮助你呢?",
                                         "要我怎么做呢?"]
    assert list(cards["unreasonable"].say) == [
        "您希望这个问题得到怎样地解决?", "要满足您的期望对我来说也是个问题,请问我该怎么办?"]
    assert cards["hostile"].say == ("是的", "原来是这么回事")
    assert "运用肢体语言,表示关切" in cards["hostile"].advice


def test_abusive_customer_card_is_bounded_and_protects_escalating_complainants() -> None:
    card = BOOK.coaching_card("abusive")
    assert card.advice[0] == "注:不要随意把投诉升级的客户当成骚扰客户"
    assert "不要评价客户本身,不要评价问题本身。" in card.advice
    assert all(line.endswith("吗?") for line in card.say)  # every reply hands the turn back
    assert "我们拒绝为您服务。" in card.never and "你觉得可能吗?" in card.never
    for line in card.say:
        assert line not in card.never


def test_drunk_or_violent_customer_card_puts_safety_first_and_calls_the_manager() -> None:
    card = BOOK.coaching_card("drunk_violent")
    assert card.advice[0] == "处变不惊"
    assert "安全" in card.advice[1] and "值班长" in card.advice[2]


def test_complaint_steps_carry_the_seed_phrases() -> None:
    steps = BOOK.complaint_steps
    assert [s.title for s in steps] == [
        "向顾客致歉", "专注地倾听", "复述内容并确认之", "询问期望", "共同协议", "双方约定",
    ]
    assert [s.say[0] for s in steps] == [
        "我理解您的感受", "您能详细地给我说说吗?", "您说的是……的吗?", "您需要我们怎样处理?",
        "我会马上处理这件事", "感谢您把问题及时告知我们",
    ]
    assert "另一样我可以做的是……" in steps[4].say and "您认为这样处理可以吗?" in steps[4].say


def test_seven_more_with_their_seed_sentences() -> None:
    assert [(p.key, p.text) for p in BOOK.seven_more] == [
        ("patience", "耐心多一点"), ("attitude", "态度好一点"), ("action", "动作快一点"),
        ("language", "语言得体一点"), ("compensation", "补偿多一点"), ("level", "层次高一点"),
        ("methods", "办法多一点"),
    ]
    assert BOOK.seven_more[2].detail == "最好当天给客户答复"
    assert BOOK.seven_more[4].detail == "当然,这点得按公司规定"


def test_complaint_pitfalls_are_the_seeds_wrong_ways() -> None:
    pitfalls = BOOK.complaint_pitfalls
    assert len(pitfalls) == 16
    for p in ("表示或暗示客户不重要", "强调自己正确的方面", "对客户提的问题不屑一顾",
              "悲观无措", "自高自大", "踢皮球"):
        assert p in pitfalls


def test_complaint_categories_with_survey_shares() -> None:
    assert [(c.code, c.name, c.share) for c in BOOK.complaint_categories] == [
        ("attitude", "服务态度差", 0.35),
        ("fees", "收费过高", 0.28),
        ("waiting", "等候时间过长", 0.27),
        ("pushy_selling", "强行推销", 0.21),
        ("technique", "技术或产品质量差", 0.17),
        ("after_sales", "售后服务差", 0.07),
        ("advertising", "夸大宣传", 0.07),
        ("other", "其他", 0.15),
    ]
