"""An argparse parser that speaks Chinese, argparse's own words included.

argparse builds its fixed phrases ("usage: ", "options", "show this help message and
exit", "the following arguments are required: …") through ``gettext`` at the moment
it needs them. ``ChineseArgumentParser`` swaps argparse's ``_``/``ngettext`` for a
table lookup only while one of its own methods runs, so nothing outside the CLI
(pytest's own parser, for one) is touched. A phrase missing from the table stays
English: ``test_cli_help_is_chinese`` fails on any run of Latin words in the help.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

# argparse's phrases (Python 3.11-3.13) and what the hall's staff read instead.
ARGPARSE_CHINESE: dict[str, str] = {
    "usage: ": "用法:",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数:%s",
    "unrecognized arguments: %s": "无法识别的参数:%s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "无效的选择:%(value)r(可选:%(choices)s)",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s:%(message)s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "expected at least one argument": "至少需要一个值",
    "invalid %(type)s value: %(value)r": "无效的值:%(value)r",
    "ambiguous option: %(option)s could match %(matches)s":
        "选项 %(option)s 不明确,可能是:%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "必须提供以下参数之一:%s",
    "ignored explicit argument %r": "多余的值 %r 已忽略",
    "unexpected option string: %s": "意外的选项:%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "未知的命令 %(parser_name)r(可选:%(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s:错误:%(message)s\n",
    "subcommands": "子命令",
}
ARGPARSE_CHINESE_PLURAL: dict[str, str] = {
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
}
VERSION_HELP = "显示版本号并退出"


def _chinese(message: str) -> str:
    return ARGPARSE_CHINESE.get(message, message)


def _chinese_plural(singular: str, plural: str, n: int) -> str:
    chosen = singular if n == 1 else plural
    return ARGPARSE_CHINESE_PLURAL.get(chosen, chosen)


@contextmanager
def chinese_argparse() -> Iterator[None]:
    """argparse's phrases in Chinese inside the block (re-entrant)."""
    saved: tuple[Callable[..., str], Callable[..., str]] = (
        argparse._, argparse.ngettext)  # type: ignore[attr-defined]
    argparse._ = _chinese  # type: ignore[attr-defined]
    argparse.ngettext = _chinese_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def display_width(text: str) -> int:
    """Terminal columns of `text`: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def wrap_columns(text: str, width: int) -> list[str]:
    """Wrap at `width` terminal columns; Chinese may break between any two characters,
    Latin words only at spaces."""
    lines: list[str] = []
    line, used = "", 0
    for word in _words(" ".join(text.split())):
        size = display_width(word)
        if line and used + size > width:
            lines.append(line.rstrip())
            line, used = "", 0
            if word == " ":
                continue
        line += word
        used += size
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _words(text: str) -> Iterable[str]:
    """Latin runs, single spaces and single wide characters, in order."""
    run = ""
    for ch in text:
        if ch == " " or display_width(ch) == 2:
            if run:
                yield run
                run = ""
            yield ch
        else:
            run += ch
    if run:
        yield run


class ColumnHelpFormatter(argparse.HelpFormatter):
    """Help laid out by terminal columns, so Chinese help lines up and wraps.

    A group of commands without a help text of its own lists just the commands.
    """

    def add_argument(self, action: argparse.Action) -> None:
        if action.help is argparse.SUPPRESS:
            return
        invocations = [self._format_action_invocation(action)]
        invocations += [self._format_action_invocation(sub)
                        for sub in self._iter_indented_subactions(action)]
        longest = max(display_width(text) for text in invocations) + self._current_indent
        self._action_max_length = max(self._action_max_length, longest)
        self._add_item(self._format_action, [action])

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_columns(text, width)

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction) and not action.help:
            return "".join(self._format_action(sub) for sub in action._get_subactions())
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        header = " " * self._current_indent + self._format_action_invocation(action)
        if not action.help:
            parts = [header + "\n"]
        else:
            lines = self._split_lines(self._expand_help(action), help_width)
            gap = help_position - display_width(header)
            if gap >= 2:
                parts = [header + " " * gap + lines[0] + "\n"]
                lines = lines[1:]
            else:
                parts = [header + "\n"]
            parts += [" " * help_position + line + "\n" for line in lines]
        parts += [self._format_action(sub) for sub in self._iter_indented_subactions(action)]
        return "".join(parts)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help, usage and errors are Chinese.

    Errors print the usage, then 「参数错误:…」, and exit with code 2.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ColumnHelpFormatter)
        with chinese_argparse():
            super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if kwargs.get("action") == "version":
            kwargs.setdefault("help", VERSION_HELP)
        with chinese_argparse():
            return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", type(self))
        with chinese_argparse():
            return super().add_subparsers(**kwargs)

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        with chinese_argparse():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None,
                         ) -> tuple[argparse.Namespace, list[str]]:
        with chinese_argparse():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with chinese_argparse():
            return super().format_usage()

    def format_help(self) -> str:
        with chinese_argparse():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误:{message}\n")
