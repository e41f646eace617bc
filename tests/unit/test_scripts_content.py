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


# Fixed phrases, copied as written in domain.md, with the phrase key that carries them.
FIXED = [
    ("ask_need", "请问有什么可以帮您?"),
    ("ask_details", "您可否再具体说明一下情况?"),
    ("ask_identity", "请给我您的姓名/号码。"),
    ("farewell_thanks", "感谢您使用我们的业务,再见。"),
    ("business_here", "请在这里办理。"),
    ("business_start", "我马上为您办理。"),
    ("unknown_question", "对不起,您问的业务我不太清楚,请您稍等,我请值班长来帮您。"),
    ("form_signing", "请您看看还有什么问题,若无问题麻烦您签名,我马上帮您办理,好吗?"),
    ("crowded_counter", "请不用着急,我会尽快为大家办理。"),
    ("long_wait_apology", "对不起,让您久等了,我马上为您办理。"),
    ("outage_notice", "系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。"),
    ("closing_time", "请别着急,我会等您的。"),
    ("clerk_mistake", "对不起,给您添麻烦了,我马上为您更正。"),
    ("help_now", "没问题,我马上为您办。"),
    ("help_later", "请稍等,我忙完这些再帮您办,好吗?"),
    ("escalate_manager", "请您稍等,我请值班长来接待您。"),
    ("suggestion_thanks", "谢谢您提的意见,今后我们会改进。"),
]

# Phrases with XX blanks in domain.md: rendered with concrete values, exact expected text.
TEMPLATED = [
    ("greeting", {"honorific": "先生/女士"}, "先生/女士,您好,请问有什么可以帮您?"),
    ("business_not_offered", {"alternative": "宽带提速"},
     "对不起,此项业务尚未开办,您可以办理宽带提速业务,好吗?"),
    ("fee_breakdown", {"business": "宽带", "total": "150.00",
                       "fee_items": "业务费100.00元,话费50.00元"},
     "您办的宽带业务总费用一共是150.00元,其中业务费100.00元,话费50.00元。"),
    ("cash_exchange", {"received": "100.00", "change": "28.50"},
     "收您100.00元,找您28.50元,请点一下。"),
    ("document_exchange", {"item": "身份证", "return_item": "身份证"},
     "收您身份证,这是您的身份证,请收好。"),
    ("farewell_commitment", {"business": "宽带", "duration": "24小时", "hotline": "10000"},
     "宽带业务会在24小时内开通,如有疑问请拨打服务热线10000,也可以到营业厅找我们。"),
]


@pytest.mark.parametrize(("key", "domain_text"), FIXED)
def test_fixed_domain_phrase_present(key: str, domain_text: str) -> None:
    assert BOOK.render(key) == domain_text


@pytest.mark.parametrize(("key", "values", "expected"), TEMPLATED)
def test_templated_domain_phrase(key: str, values: dict[str, str], expected: str) -> None:
    assert BOOK.render(key, values) == expected


def test_situations_without_fixed_wording_have_guidance() -> None:
    for key in ("customer_mistake", "refusal_by_rule"):
        phrase = BOOK.phrase(key)
        assert phrase.text and phrase.do
    assert "不要说客户错了" in (BOOK.phrase("customer_mistake").warn or "")


def test_missing_value_shows_label() -> None:
    assert BOOK.render("farewell_commitment", business="宽带") == (
        "宽带业务会在【办结时限】内开通,如有疑问请拨打服务热线【服务热线】,也可以到营业厅找我们。"
    )


def test_forbidden_and_recommended_lists() -> None:
    assert [norm(p) for p in BOOK.forbidden] == [norm(p) for p in [
        "这事不归我管", "这是公司规定,我没办法", "这是小事,无所谓", "不关我事,你找别人吧",
        "你会不会,你怎么搞的?", "这么简单的问题还问我!", "不可能", "我是新来的,这我不懂",
        "这我早告诉过你,怎么又搞错了?", "我没空", "反正我做不了", "我不知道", "这事你不懂",
        "有问题?关电复位就得了", "以前这是谁做的,水平这么差",
    ]]
    assert list(BOOK.recommended) == [
        "感谢您的支持", "您的意见很重要", "这件事我来处理", "欢迎您提出宝贵意见",
    ]
    assert "首问负责" in BOOK.principle


def test_no_shipped_phrase_contains_a_forbidden_phrase() -> None:
    spoken = [p.text for p in BOOK.phrases.values()]
    spoken += [line for card in BOOK.coaching_cards for line in card.say]
    spoken += [step.say for step in BOOK.complaint_steps if step.say]
    for text in spoken:
        assert find_forbidden(BOOK, text) == [], text


def test_coaching_cards() -> None:
    cards = {c.key: c for c in BOOK.coaching_cards}
    assert set(cards) == {"agitated", "silent", "complainer", "sulking", "unreasonable", "hostile"}
    assert "先处理情绪,再处理问题" in cards["agitated"].advice
    assert list(cards["silent"].say) == ["请问是什么问题?", "事情是怎么发生的?", "您希望我们怎么帮您?"]
    assert "您希望得到什么样的处理结果?" in cards["complainer"].say
    assert "您希望这个问题怎样解决?" in cards["unreasonable"].say
    assert len(cards["hostile"].advice) == 4


def test_complaint_steps_and_five_more() -> None:
    assert [s.title for s in BOOK.complaint_steps] == [
        "致歉", "倾听", "复述确认", "询问期望", "共同协议", "双方约定",
    ]
    assert [f.text for f in BOOK.five_more] == [
        "耐心多一点", "态度好一点", "动作快一点", "补偿多一点", "层次高一点",
    ]
    assert BOOK.five_more[3].detail == "在公司规定范围内"
    assert "推诿、踢皮球" in BOOK.complaint_pitfalls


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
