"""The inspection checklist as data (resources/inspection/checklist.toml), validated on load.

    checklist = load_checklist()        # the shipped file; load_checklist(path) for a hall's
    checklist.times                     # ("09:00", "11:00", …) set times of a round
    checklist.items_of("facilities")    # the items of one area, in file order

A bad file raises ConfigError naming the file and the key (in Chinese), like the script
file: unknown or missing fields, a time that is not HH:MM, times out of order, an item in
an unknown area, a duplicate key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from hall_app.errors import ConfigError
from hall_app.resources import resource_path

_KEY = re.compile(r"^[a-z][a-z_]{0,31}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    look: str


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    area: str
    label: str
    look: str
    case: str | None = None  # seed 002's case: what went wrong, to watch for
    facility: str | None = None  # incident category when a problem opens an incident


@dataclass(frozen=True)
class Checklist:
    name: str
    times: tuple[str, ...]
    areas: tuple[Area, ...]
    items: tuple[ChecklistItem, ...]

    def items_of(self, area: str) -> tuple[ChecklistItem, ...]:
        return tuple(i for i in self.items if i.area == area)

    def item(self, key: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.key == key), None)

    def area(self, key: str) -> Area | None:
        return next((a for a in self.areas if a.key == key), None)

    @staticmethod
    def slot_time(slot: str) -> time:
        hours, minutes = slot.split(":")
        return time(int(hours), int(minutes))


def _bad(source: str, key: str, why: str) -> ConfigError:
    return ConfigError(f"巡检表 {source} 中的 {key} 有误:{why}")


def _text(source: str, key: str, table: dict[str, Any], name: str, *, required: bool = True,
          limit: int = 200) -> str | None:
    value = table.get(name)
    if value is None:
        if required:
            raise _bad(source, f"{key}.{name}", "缺少此项")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _bad(source, f"{key}.{name}", "应为非空文字")
    if len(value) > limit:
        raise _bad(source, f"{key}.{name}", f"不能超过{limit}个字")
    return value.strip()


def _fields(source: str, key: str, table: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _bad(source, key, "应为一个表")
    for name in table:
        if name not in allowed:
            raise _bad(source, f"{key}.{name}", "未知的字段")
    return table


def parse_checklist(data: dict[str, Any], source: str = "<checklist>") -> Checklist:
    _fields(source, "", data, {"meta", "times", "areas", "items"})
    meta = _fields(source, "meta", data.get("meta", {}), {"format", "name"})
    if meta.get("format") != 1:
        raise _bad(source, "meta.format", "应为 1")
    name = _text(source, "meta", meta, "name") or ""
    times = data.get("times")
    if not isinstance(times, list) or not times:
        raise _bad(source, "times", "应列出至少一个巡检时间,如 [\"09:00\", \"14:00\"]")
    for i, t in enumerate(times):
        if not isinstance(t, str) or not _TIME.match(t):
            raise _bad(source, f"times[{i}]", f"应为“时:分”格式,如 09:30,实际为 {t!r}")
    if list(times) != sorted(set(times)):
        raise _bad(source, "times", "巡检时间应从早到晚排列,且不能重复")
    areas: list[Area] = []
    for i, table in enumerate(data.get("areas") or []):
        t = _fields(source, f"areas[{i}]", table, {"key", "title", "look"})
        key = t.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise _bad(source, f"areas[{i}].key", "应为小写英文字母和下划线")
        if any(a.key == key for a in areas):
            raise _bad(source, f"areas[{i}].key", f"重复的区域 {key}")
        areas.append(Area(key, _text(source, f"areas[{i}]", t, "title") or "",
                          _text(source, f"areas[{i}]", t, "look") or ""))
    if not areas:
        raise _bad(source, "areas", "至少需要一个巡检区域")
    items: list[ChecklistItem] = []
    for i, table in enumerate(data.get("items") or []):
        where = f"items[{i}]"
        t = _fields(source, where, table, {"key", "area", "label", "look", "case", "facility"})
        key = t.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise _bad(source, f"{where}.key", "应为小写英文字母和下划线,不超过32个字符")
        if any(it.key == key for it in items):
            raise _bad(source, f"{where}.key", f"重复的巡检项 {key}")
        area = t.get("area")
        if not any(a.key == area for a in areas):
            raise _bad(source, f"{where}.area", f"未定义的区域 {area!r}")
        items.append(ChecklistItem(
            key=key, area=str(area), label=_text(source, where, t, "label", limit=100) or "",
            look=_text(source, where, t, "look") or "",
            case=_text(source, where, t, "case", required=False),
            facility=_text(source, where, t, "facility", required=False, limit=32)))
    for a in areas:
        if not any(it.area == a.key for it in items):
            raise _bad(source, "items", f"区域 {a.key} 没有巡检项")
    return Checklist(name, tuple(times), tuple(areas), tuple(items))


def load_checklist(path: str | Path | None = None) -> Checklist:
    """The hall's checklist file, or the shipped one when `path` is None."""
    if path is None:
        return _shipped()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _shipped() -> Checklist:
    return _load(resource_path("inspection", "checklist.toml"))


def _load(path: Path) -> Checklist:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"巡检表 {path} 格式错误:{exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"无法读取巡检表 {path}:{exc}") from exc
    return parse_checklist(data, str(path))
