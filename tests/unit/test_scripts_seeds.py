"""The shipped script file against its source documents (shared/seeds, issue 15).

(a) every seed phrase that issue 15's counter-script part quotes is in the data;
(b) every line cited as a quotation occurs verbatim (after `normalise`) in the passage
    of the seed it cites, and every cited heading exists;
(c) every line the clerk is shown carries a citation;
and the normalisation and the checker themselves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from hall_app.scripts.citations import (
    check_citations,
    citations,
    normalise,
    quote_pattern,
    seed_files,
    uncited,
)
from hall_app.scripts.loader import default_script_path

REPO = Path(__file__).resolve().parents[2]
SHIPPED = default_script_path()
SHOWN_FIELDS = ("text", "do", "warn", "advice", "say", "never", "guidance", "detail",
                "principle", "rules", "forbidden", "recommended", "pitfalls", "suggestions",
                "escalate", "name")


def _seed_dir() -> Path | None:
    env = os.environ.get("HALL_SEEDS_DIR")
    if env:
        return Path(env)
    for parent in REPO.parents:
        candidate = parent / "shared" / "seeds"
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    directory = _seed_dir()
    if directory is None or not seed_files(directory):
        if os.environ.get("CI"):
            pytest.fail("shared/seeds not found beside the checkout (set HALL_SEEDS_DIR)")
        pytest.skip("shared/seeds not found beside the checkout (set HALL_SEEDS_DIR)")
    return {k: p.read_text(encoding="utf-8") for k, p in seed_files(directory).items()}


# (a) Issue 15, "The counter script (seed 000)": every phrase it quotes, as quoted there.
ISSUE_PHRASES = [
    "我问问值班长,看能否给您帮助",
    "但目光不追随客户", "直到客户明白、满意", "有疑问或使用时有什么问题", "微笑目送",
    "确定客户是否满意",
    "请遵守秩序(请不用急)",
    "我现在帮您办理,好吗?", "我可以怎样帮忙?", "我有什么可以效劳?", "适时请客户坐下",
    "您能详细地给我说说吗?", "我理解您的感受", "您说的是……的吗?", "除此之外还有什么问题吗?",
    "我会马上处理这件事", "另一样我可以做的是……", "您认为这样处理可以吗?",
    "感谢您把问题及时告知我们",
    "表示或暗示客户不重要", "强调自己正确的方面", "不屑一顾", "悲观无措", "自高自大",
    "耐心多一点", "态度好一点", "动作快一点", "语言得体一点", "补偿多一点", "层次高一点", "办法多一点",
    "XX机器就这样", "你怎么用也不会?", "你懂不懂最基本的技巧?",
    "推行普通话", '少用"XX大公司"',
    "要满足您的期望对我来说也是个问题,请问我该怎么办?", "您需要我们怎样处理?",
    "要我怎么做呢?", "是的", "原来是这么回事",
    "我们拒绝为您服务", "不要评价客户本身",
    "处变不惊",
]
# 「XX业务会在XX时间内开通」: the seed's blank 「**时间」 is one placeholder, {duration},
# filled with the service's commitment time (「宽带业务会在3个工作日内开通」).
ISSUE_TEMPLATES = [("XX业务会在XX时间内开通", "{business}业务会在{duration}内开通")]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _data_strings() -> list[str]:
    import tomllib

    return [normalise(s) for s in _strings(tomllib.loads(SHIPPED.read_text(encoding="utf-8")))]


@pytest.mark.parametrize("phrase", ISSUE_PHRASES)
def test_issue_phrase_is_in_the_data(phrase: str) -> None:
    assert any(normalise(phrase) in s for s in _data_strings()), phrase


@pytest.mark.parametrize(("issue", "data"), ISSUE_TEMPLATES)
def test_issue_template_is_in_the_data(issue: str, data: str) -> None:
    assert any(normalise(data) in s for s in _data_strings()), issue


def test_all_seven_points_in_order() -> None:
    from hall_app.scripts import load_scripts

    assert [p.text for p in load_scripts().seven_more] == [
        "耐心多一点", "态度好一点", "动作快一点", "语言得体一点", "补偿多一点", "层次高一点",
        "办法多一点",
    ]


# (b) and (c)
def test_every_citation_of_the_shipped_file_holds(seeds: dict[str, str]) -> None:
    problems = check_citations(SHIPPED, seeds)
    assert [f"第{p.line}行:{p.message}" for p in problems] == []


def test_the_shipped_file_quotes_more_than_it_paraphrases() -> None:
    cited = citations(SHIPPED)
    quoted = [c for c in cited if c.quoted]
    assert len(quoted) > 3 * (len(cited) - len(quoted))
    assert {c.seed for c in quoted} == {"000", "001", "003", "004"}


def test_every_shown_line_is_cited() -> None:
    assert uncited(SHIPPED, SHOWN_FIELDS) == []


# The normalisation
def test_normalise_folds_width_spaces_and_curly_quotes() -> None:
    assert normalise("请别急 , 我会等您的！") == normalise("请别急,我会等您的!")
    assert normalise("（请不用急）") == "(请不用急)"
    assert normalise("少用“XX大公司”") == '少用"XX大公司"'
    assert normalise("ＸＸ　业务") == "XX业务"


def test_normalise_drops_pinyin_and_folds_traditional() -> None:
    assert normalise("語(yǔ)言得體一點(diǎn)") == "语言得体一点"
    assert normalise("你怎么用也不會(huì)?") == "你怎么用也不会?"
    assert normalise("(或投訴登記表)").startswith("(或投诉")  # words in parentheses stay


def test_normalise_keeps_every_other_difference() -> None:
    assert normalise("请别急,我会等您的") != normalise("请别着急,我会等您的")
    assert normalise("我马上为您更正。") != normalise("我马上为您更正!")
    assert normalise("不屑一顾") != normalise("不悄一顾")


def test_placeholder_matches_the_seeds_blank() -> None:
    seed = normalise("表负责任的承诺:**业务会在**时间内开通,您要是有疑问")
    assert quote_pattern("{business}业务会在{duration}内开通").search(seed)
    assert not quote_pattern("{business}业务会在{duration}内办结").search(seed)


# The checker itself, on a small file and made-up seeds
def _check(tmp_path: Path, lines: list[str], seeds: dict[str, str]) -> list[str]:
    path = tmp_path / "s.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [p.message for p in check_citations(path, seeds)]


SEEDS = {"000": "* 甲节 第一句话。第二句话 * 乙节 " + "填充" * 900 + "远处的话"}


def test_checker_accepts_a_true_quotation_and_own_words(tmp_path: Path) -> None:
    assert _check(tmp_path, ['text = "第二句话"  # seed 000 §甲节',
                             'do = "自己的话"  # after seed 000 §乙节: own'], SEEDS) == []


def test_checker_rejects_a_paraphrase(tmp_path: Path) -> None:
    assert _check(tmp_path, ['text = "第二句"  # seed 000 §甲节',
                             'text = "第三句话"  # seed 000 §甲节'], SEEDS) == [
        "「第三句话」不在 seed 000 的「甲节」一节中"]


def test_checker_rejects_a_missing_heading_or_seed(tmp_path: Path) -> None:
    assert _check(tmp_path, ['do = "x"  # after seed 000 §丙节: own',
                             'text = "第二句话"  # seed 009 §甲节'], SEEDS) == [
        "seed 000 中找不到章节「丙节」", "引用了不存在的源文件 seed 009"]


def test_checker_rejects_a_quote_far_from_its_heading(tmp_path: Path) -> None:
    assert _check(tmp_path, ['text = "远处的话"  # seed 000 §乙节'], SEEDS) == [
        "「远处的话」不在 seed 000 的「乙节」一节中"]
    assert _check(tmp_path, ['text = "第二句话"  # seed 000 §乙节'], SEEDS) != []


def test_uncited_finds_a_shown_line_without_citation(tmp_path: Path) -> None:
    path = tmp_path / "u.toml"
    path.write_text('[phrases.a]\ntitle = "标题"\ntext = "没有出处"\n[[flow]]\nsay = ["a"]\n'
                    '[[coaching]]\nadvice = [\n    "有出处",  # seed 000 §甲节\n    "没有",\n]\n',
                    encoding="utf-8")
    assert uncited(path, SHOWN_FIELDS) == [3, 9]
