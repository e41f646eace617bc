"""`hall-app … --help` and argument errors read in Chinese, argparse's own words included."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest

from hall_app.cli import build_parser
from hall_app.cli_parser import display_width, wrap_columns

# Words that may stay Latin: the program, file formats, the date pattern, settings file,
ALLOWED = {"hall-app", "TOML", "PDF", "CSV", "YYYY-MM-DD", "settings.toml", "VIP",
           "postgresql",  # the scheme of an example database address
           "SQLite", "PostgreSQL", "pg_dump",  # the databases and PostgreSQL's dump tool
           "backups",  # the backup folder's name on disk
           "hall_district",  # the replication account's default name
           "W"}  # the week letter of an ISO week as typed: 2026-W48


def all_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from all_parsers(sub, (*path, name))


def latin_words(text: str, commands: set[str]) -> list[str]:
    """Latin words left once the allowed ones and the command names are taken out."""
    words = re.findall(r"[A-Za-z][A-Za-z_.\-]*", text)
    return [w for w in words if w not in ALLOWED and w not in commands]


def test_every_help_page_is_chinese():
    parser = build_parser()
    pages = list(all_parsers(parser))
    assert len(pages) > 15  # db, report, config, staffing, district, every role …
    commands = {name for path, _ in pages for name in path}
    for path, sub in pages:
        text = sub.format_help()
        options = {s for a in sub._actions for s in a.option_strings}
        flagless = re.sub("|".join(re.escape(o) for o in sorted(options, key=len, reverse=True)),
                          " ", text)
        assert latin_words(flagless, commands) == [], (path, text)
        assert text.startswith("用法:"), (path, text)
        assert "显示本帮助并退出" in text
    assert "显示版本号并退出" in parser.format_help()


def test_help_columns_line_up_with_chinese_metavars():
    text = build_parser().format_help()
    rows = [line for line in text.splitlines() if line.startswith("  --")]
    columns = {display_width(re.match(r"(\s+\S+(?: \S+)?\s+)", row).group(1)) for row in rows}
    assert len(rows) >= 3 and len(columns) == 1, text


@pytest.mark.parametrize(("args", "expected"), [
    (["frob"], "无效的选择:'frob'"),
    (["report"], "必须提供以下参数之一:--date --week --month"),
    (["db"], "缺少必需的参数:操作"),
    (["counter", "--nope"], "无法识别的参数:--nope"),
    (["demo", "--speed"], "参数 --speed:需要一个值"),
])
def test_argument_errors_are_chinese(args, expected):
    out = subprocess.run([sys.executable, "-m", "hall_app", *args], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.startswith("用法:hall-app")
    assert "参数错误:" in out.stderr and expected in out.stderr, out.stderr
    assert "usage" not in out.stderr and "error" not in out.stderr


def test_argparse_left_english_outside_the_cli():
    build_parser().format_help()
    plain = argparse.ArgumentParser(prog="x")
    assert "usage: x" in plain.format_help() and "show this help message" in plain.format_help()


def test_wrap_columns_breaks_chinese_anywhere_latin_at_spaces():
    text = "区域站点号(仅首次升级到站点键版本时生效)"
    lines = wrap_columns(text, 10)
    assert "".join(lines) == text and len(lines) == 5
    assert all(display_width(line) <= 10 for line in lines)
    assert wrap_columns("one two three", 8) == ["one two", "three"]
    assert all(display_width(line) <= 14 for line in wrap_columns("设置文件路径 settings.toml 默认", 14))
