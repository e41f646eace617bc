"""Loading and validating script files: the shipped file and every kind of invalid file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hall_app.errors import ConfigError
from hall_app.scripts import ScriptFileError, load_scripts
from hall_app.scripts.loader import default_script_path

SHIPPED = default_script_path()
TEXT = SHIPPED.read_text(encoding="utf-8")


def write_variant(tmp_path: Path, old: str, new: str, *, count: int = 1) -> Path:
    assert TEXT.count(old) >= count, f"fixture text not found: {old!r}"
    path = tmp_path / "hall_scripts.toml"
    path.write_text(TEXT.replace(old, new, count), encoding="utf-8")
    return path


def load_error(path: Path) -> ScriptFileError:
    with pytest.raises(ScriptFileError) as info:
        load_scripts(path)
    err = info.value
    assert isinstance(err, ConfigError)
    assert str(path) in err.message
    assert err.key in err.message
    return err


def line_of(path: Path, needle: str) -> int:
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return no
    raise AssertionError(needle)


def test_shipped_file_is_the_default_and_loads() -> None:
    assert SHIPPED.is_file()
    assert SHIPPED.parts[-3:] == ("resources", "scripts", "service_scripts.toml")
    book = load_scripts()
    assert book.source == SHIPPED
    assert [s.key for s in book.flow] == ["approach", "understand", "confirm", "handle", "farewell"]
    assert [s.title for s in book.flow] == [
        "积极的接近", "了解需求", "确认需求", "快捷熟练的业务处理", "亲切的告别",
    ]


def test_meipass_bundle_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert default_script_path() == tmp_path / "resources" / "scripts" / "service_scripts.toml"


def test_hall_override_is_used(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'text = "请别急,我会等您的"',
                         'text = "请别急,我们会等您办完再下班。"')
    book = load_scripts(path)
    assert book.source == path
    assert book.render("closing_time") == "请别急,我们会等您办完再下班。"


def test_override_accepts_str_path(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'name = "标准服务规范用语"', 'name = "某某营业厅话术"')
    assert load_scripts(str(path)).name == "某某营业厅话术"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    err = load_error(path)
    assert err.key == "(文件)"
    assert "无法读取文件" in err.message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes(TEXT.encode("gbk"))
    err = load_error(path)
    assert "UTF-8" in err.message


def test_malformed_toml_names_line_and_column(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'title = "久等致歉"', 'title = "久等致歉')
    err = load_error(path)
    expected = line_of(path, 'title = "久等致歉')
    assert err.line == expected
    assert f"第{expected}行" in err.message
    assert re.search(rf"第{expected}行第\d+列", err.message)


def test_malformed_toml_at_end_of_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.toml"
    path.write_text(TEXT + "\nbroken = [\n", encoding="utf-8")
    err = load_error(path)
    assert "TOML 格式错误" in err.message
    assert err.line is not None


def test_unknown_placeholder_in_text(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'text = "请别急,我会等您的"',
                         'text = "请别着急,{clerk}会等您的。"\nplaceholders = ["clerk"]')
    err = load_error(path)
    assert err.key == "phrases.closing_time.placeholders"
    assert "未知的占位符「clerk」" in err.message
    assert err.line == line_of(path, 'placeholders = ["clerk"]')


def test_unknown_placeholder_used_but_not_declared(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'text = "请别急,我会等您的"',
                         'text = "请别着急,{clerk}会等您的。"')
    err = load_error(path)
    assert err.key == "phrases.closing_time.text"
    assert "未知的占位符 {clerk}" in err.message
    assert err.line == line_of(path, "{clerk}")


def test_known_placeholder_not_declared(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'text = "请别急,我会等您的"',
                         'text = "请别着急,{counter}号窗口会等您的。"')
    err = load_error(path)
    assert err.key == "phrases.closing_time.text"
    assert "未声明的占位符 {counter}" in err.message


def test_broken_braces(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'text = "请别急,我会等您的"',
                         'text = "请别着急,{counter 会等您的。"')
    err = load_error(path)
    assert err.key == "phrases.closing_time.text"
    assert "占位符格式错误" in err.message


def test_format_spec_rejected(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'text = "收您{received}元,找您{change}元,请点一下。"',
                         'text = "收您{received:.2f}元,找您{change}元,请点一下。"')
    err = load_error(path)
    assert err.key == "phrases.cash_exchange.text"


def test_missing_required_phrase(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "[phrases.long_wait_apology]", "[phrases.long_wait_sorry]")
    err = load_error(path)
    assert err.key == "phrases.long_wait_apology"
    assert "缺少必需的话术" in err.message


def test_missing_required_placeholder(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'text = "收您{received}元,找您{change}元,请点一下。"',
                         'text = "收您{received}元,请点一下。"')
    err = load_error(path)
    assert err.key == "phrases.cash_exchange.text"
    assert "缺少必需的占位符 {change}" in err.message


def test_unknown_field_is_a_typo(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'title = "营业终了客户着急"', 'titel = "营业终了客户着急"')
    err = load_error(path)
    assert err.key == "phrases.closing_time.titel"
    assert "不认识的字段「titel」" in err.message
    assert err.line == line_of(path, "titel")


def test_unknown_top_level_section(tmp_path: Path) -> None:
    path = tmp_path / "extra.toml"
    path.write_text(TEXT + "\n[phrase_typo]\na = 1\n", encoding="utf-8")
    err = load_error(path)
    assert err.key == "phrase_typo"


def test_phrase_text_must_be_text(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'text = "请别急,我会等您的"', "text = 42")
    err = load_error(path)
    assert err.key == "phrases.closing_time.text"
    assert "应为非空的文字" in err.message


def test_flow_step_missing(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'key = "confirm"', 'key = "check"')
    err = load_error(path)
    assert err.key == "flow.confirm"
    assert "缺少必需的项「confirm」" in err.message


def test_flow_steps_out_of_order(tmp_path: Path) -> None:
    swapped = TEXT.replace('key = "understand"', 'key = "TMP"')
    swapped = swapped.replace('key = "confirm"', 'key = "understand"')
    swapped = swapped.replace('key = "TMP"', 'key = "confirm"')
    path = tmp_path / "order.toml"
    path.write_text(swapped, encoding="utf-8")
    err = load_error(path)
    assert err.key == "flow"
    assert "approach → understand → confirm → handle → farewell" in err.message


def test_flow_references_unknown_phrase(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'say = ["ask_need", "ask_how_help"',
                         'say = ["ask_need", "ask_how_hlp"')
    err = load_error(path)
    assert err.key == "flow[1].say[1]"
    assert "引用了不存在的话术「ask_how_hlp」" in err.message
    assert err.line == line_of(path, '"ask_how_hlp"')


def test_missing_coaching_card(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'key = "sulking"', 'key = "grumpy"')
    err = load_error(path)
    assert err.key == "coaching.sulking"


def test_duplicate_key(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'key = "sulking"', 'key = "silent"')
    err = load_error(path)
    assert err.key == "coaching[3].key"
    assert "重复" in err.message


def test_complaint_steps_order(tmp_path: Path) -> None:
    text = TEXT.replace('key = "apologise"', 'key = "X"').replace('key = "listen"',
                                                                   'key = "apologise"')
    path = tmp_path / "c.toml"
    path.write_text(text.replace('key = "X"', 'key = "listen"'), encoding="utf-8")
    err = load_error(path)
    assert err.key == "complaint_steps"


def test_missing_seven_more_item(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'key = "language"', 'key = "words"')
    err = load_error(path)
    assert err.key == "seven_more.language"


def test_old_format_one_file_gets_an_upgrade_message(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "format = 2", "format = 1")
    err = load_error(path)
    assert err.key == "meta.format"
    assert "七个一点" in err.message and "service_scripts.toml" in err.message


def test_phrase_without_words_or_reminder(tmp_path: Path) -> None:
    start = TEXT.index('do = "耐心解释直到客户明白、满意。"')
    end = TEXT.index("\n", TEXT.index('warn = "不要直指客户错了'))
    path = tmp_path / "bare.toml"
    path.write_text(TEXT[:start] + TEXT[end + 1:], encoding="utf-8")
    err = load_error(path)
    assert err.key == "phrases.customer_mistake.text"
    assert "至少要有 text" in err.message


def test_spoken_phrase_needs_text(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'text = "对不起,让您久等了,我马上为您办理。"',
                         'do = "致歉"')
    err = load_error(path)
    assert err.key == "phrases.long_wait_apology.text"
    assert "必须有 text" in err.message


def test_fallback_must_exist(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'fallback = "farewell_questions"',
                         'fallback = "farewell_question"')
    err = load_error(path)
    assert err.key == "phrases.farewell_commitment.fallback"
    assert "不存在的话术「farewell_question」" in err.message


def test_requires_must_name_a_placeholder(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'requires = ["duration"]', 'requires = ["minutes"]')
    err = load_error(path)
    assert err.key == "phrases.farewell_commitment.requires"


def test_requires_needs_a_fallback(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'fallback = "farewell_questions"', "")
    err = load_error(path)
    assert err.key == "phrases.farewell_commitment.fallback"


def test_bad_category_share(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "share = 0.35", "share = 35")
    err = load_error(path)
    assert err.key == "complaint_categories[0].share"
    assert err.line == line_of(path, "share = 35")


def test_missing_category(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'code = "advertising"', 'code = "ads"')
    err = load_error(path)
    assert err.key == "complaint_categories.advertising"


def test_missing_forbidden_list(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "forbidden = [", "forbidden_list = [")
    err = load_error(path)
    assert err.key == "etiquette.forbidden_list"


def test_empty_forbidden_list(tmp_path: Path) -> None:
    start = TEXT.index("forbidden = [")
    end = TEXT.index("]", TEXT.index("以前这是谁做的")) + 1
    path = tmp_path / "empty.toml"
    path.write_text(TEXT[:start] + "forbidden = []" + TEXT[end:], encoding="utf-8")
    err = load_error(path)
    assert err.key == "etiquette.forbidden"
    assert "不能为空" in err.message


def test_missing_section(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "[etiquette]", "[etiquette_old]")
    err = load_error(path)
    assert err.key == "etiquette_old"  # unknown section is reported first


def test_wrong_format_version(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "format = 2", "format = 3")
    err = load_error(path)
    assert err.key == "meta.format"
    assert err.line == line_of(path, "format = 3")
