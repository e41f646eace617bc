"""The rating pad's wording, loaded from resources/rating/pad_texts.toml (editable data).

`load_pad_texts()` validates the file: every key must be there as a non-empty string and
may use only its own placeholders; a problem is a `ConfigError` naming the file and key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from string import Formatter

from hall_app.errors import ConfigError
from hall_app.resources import resource_path

FORMAT_VERSION = 1
#: Placeholders each text may use (the others take none).
PLACEHOLDERS = {"calling": {"code"}, "countdown": {"seconds"}, "unbound_detail": {"number"}}


@dataclass(frozen=True)
class PadTexts:
    default_promise: str
    welcome: str
    closed: str
    calling: str
    serving: str
    prompt: str
    countdown: str
    reason_prompt: str
    contact_prompt: str
    contact_yes: str
    contact_no: str
    thanks: str
    thanks_dissatisfied: str
    contact_promised: str
    already_rated: str
    paused: str
    paused_detail: str
    unbound: str
    unbound_detail: str


def default_texts_path() -> Path:
    return resource_path("rating", "pad_texts.toml")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def parse_pad_texts(data: dict[str, object], source: str) -> PadTexts:
    if data.get("format") != FORMAT_VERSION:
        raise ConfigError(f"评价器文字文件 {source} 的 format 应为 {FORMAT_VERSION}。")
    table = data.get("texts")
    if not isinstance(table, dict):
        raise ConfigError(f"评价器文字文件 {source} 缺少 [texts] 表。")
    names = [f.name for f in fields(PadTexts)]
    unknown = sorted(set(table) - set(names))
    if unknown:
        raise ConfigError(f"评价器文字文件 {source} 中的 texts.{unknown[0]} 是未知的设置项。")
    values: dict[str, str] = {}
    for name in names:
        value = table.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"评价器文字文件 {source} 缺少 texts.{name}(应为非空文字)。")
        try:
            used = _placeholders(value)
        except ValueError as exc:
            raise ConfigError(f"评价器文字文件 {source} 中的 texts.{name} 格式有误:{exc}") from exc
        extra = used - PLACEHOLDERS.get(name, set())
        if extra:
            raise ConfigError(f"评价器文字文件 {source} 中的 texts.{name} "
                              f"用了未知的占位符 {{{sorted(extra)[0]}}}。")
        values[name] = value.strip()
    return PadTexts(**values)


def load_pad_texts(path: Path | str | None = None) -> PadTexts:
    """The pad texts from `path` (default: the shipped file)."""
    return _load(str(path or default_texts_path()))


@lru_cache(maxsize=8)
def _load(path: str) -> PadTexts:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到评价器文字文件 {path}。") from exc
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"评价器文字文件 {path} 无法读取:{exc}") from exc
    return parse_pad_texts(data, path)
