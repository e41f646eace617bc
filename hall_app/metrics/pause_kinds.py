"""Which counter pauses count as staffed (idle) time, read from resources/report/pause_kinds.toml.

    kinds = load_pause_kinds()                      # the shipped file (cached)
    kinds.in_staffed_time("用餐")                    # False: taken out of staffed time
    kinds.in_staffed_time("离席")                    # True: the counter is manned but idle
    kinds.in_staffed_time("调整情绪", "recovery")     # False: by its kind, whatever the reason

A pause is judged by its kind first (`counter_pause.kind`: "recovery" is a 调整情绪 break
the duty manager granted after a hard complaint, hall_app.services.staff_care), then by
the reason the clerk picked. A new pause type is one entry in the file. The file is
checked on load: an unknown key or a wrong type is a ConfigError naming the file and
the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hall_app.errors import ConfigError
from hall_app.resources import resource_path

PAUSE_KINDS_FILE = ("report", "pause_kinds.toml")


@dataclass(frozen=True)
class PauseKinds:
    default_in_staffed_time: bool = True
    by_reason: dict[str, bool] = field(default_factory=dict)
    by_kind: dict[str, bool] = field(default_factory=dict)  # counter_pause.kind → staffed?

    def in_staffed_time(self, reason: str, kind: str | None = None) -> bool:
        if kind is not None and kind in self.by_kind:
            return self.by_kind[kind]
        return self.by_reason.get((reason or "").strip(), self.default_in_staffed_time)


def parse_pause_kinds(data: dict[str, object], source: str) -> PauseKinds:
    allowed = {"default_in_staffed_time", "pause", "kind"}
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{source}: 未知的设置项「{key}」。")
    default = data.get("default_in_staffed_time", True)
    if not isinstance(default, bool):
        raise ConfigError(f"{source}: default_in_staffed_time 应为 true 或 false。")
    entries = data.get("pause", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: pause 应为 [[pause]] 列表。")
    by_reason: dict[str, bool] = {}
    for i, entry in enumerate(entries, start=1):
        where = f"{source}: 第{i}个 [[pause]]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} 格式不正确。")
        for key in entry:
            if key not in ("reason", "in_staffed_time"):
                raise ConfigError(f"{where} 有未知的键「{key}」。")
        reason = entry.get("reason")
        staffed = entry.get("in_staffed_time")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where} 缺少 reason(暂停原因)。")
        if not isinstance(staffed, bool):
            raise ConfigError(f"{where}(「{reason}」)的 in_staffed_time 应为 true 或 false。")
        if reason.strip() in by_reason:
            raise ConfigError(f"{where}:暂停原因「{reason}」重复。")
        by_reason[reason.strip()] = staffed
    return PauseKinds(default, by_reason, _kinds(data.get("kind", []), source))


def _kinds(entries: object, source: str) -> dict[str, bool]:
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: kind 应为 [[kind]] 列表。")
    by_kind: dict[str, bool] = {}
    for i, entry in enumerate(entries, start=1):
        where = f"{source}: 第{i}个 [[kind]]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} 格式不正确。")
        for key in entry:
            if key not in ("kind", "in_staffed_time"):
                raise ConfigError(f"{where} 有未知的键「{key}」。")
        kind, staffed = entry.get("kind"), entry.get("in_staffed_time")
        if not isinstance(kind, str) or not kind.strip():
            raise ConfigError(f"{where} 缺少 kind(暂停类别)。")
        if not isinstance(staffed, bool):
            raise ConfigError(f"{where}(「{kind}」)的 in_staffed_time 应为 true 或 false。")
        if kind.strip() in by_kind:
            raise ConfigError(f"{where}:暂停类别「{kind}」重复。")
        by_kind[kind.strip()] = staffed
    return by_kind


def read_pause_kinds(path: Path) -> PauseKinds:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"无法读取 {path}:{exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} 格式错误:{exc}") from exc
    return parse_pause_kinds(data, str(path))


@lru_cache(maxsize=1)
def load_pause_kinds() -> PauseKinds:
    return read_pause_kinds(resource_path(*PAUSE_KINDS_FILE))
