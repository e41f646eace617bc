"""Load and validate a script file (TOML) into a :class:`ScriptBook`.

Every problem raises :class:`ScriptFileError` (a ``ConfigError``) whose Chinese message
names the file, the key (e.g. ``phrases.greeting.text`` or ``flow[2].say``) and, where it
can be found, the line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from hall_app.errors import ConfigError
from hall_app.resources import resource_path
from hall_app.scripts.model import (
    PLACEHOLDERS,
    CoachingCard,
    ComplaintCategory,
    ComplaintStep,
    FlowStepDef,
    Phrase,
    ScriptBook,
    SevenMore,
    parse_template,
)

FORMAT_VERSION = 2

#: Phrases every script file must contain, with the placeholders each must use.
REQUIRED_PHRASES: Mapping[str, frozenset[str]] = {
    key: frozenset(names)
    for key, names in {
        "greeting": (),
        "ask_need": (),
        "ask_details": (),
        "ask_identity": (),
        "business_here": (),
        "business_start": (),
        "business_not_offered": (),
        "unknown_question": (),
        "form_signing": (),
        "fee_breakdown": ("total", "fee_items"),
        "fee_item": ("fee_name", "fee_amount"),
        "cash_exchange": ("received", "change"),
        "document_exchange": ("item", "return_item"),
        "document_receive": ("item",),
        "document_hand_over": ("return_item",),
        "crowded_counter": (),
        "long_wait_apology": (),
        "outage_notice": (),
        "outage_restored": (),
        "closing_time": (),
        "clerk_mistake": (),
        "customer_mistake": (),
        "help_now": (),
        "help_later": (),
        "refusal_by_rule": (),
        "escalate_manager": (),
        "suggestion_thanks": (),
        "farewell_commitment": ("hotline",),
        "farewell_questions": ("hotline",),
        "farewell_thanks": (),
    }.items()
}
#: Required phrases the engine or a helper says aloud: they must have a text.
SPOKEN_PHRASES = frozenset({
    "greeting", "long_wait_apology", "outage_notice", "outage_restored", "closing_time",
    "crowded_counter", "cash_exchange", "fee_breakdown", "fee_item", "document_exchange",
    "document_receive", "document_hand_over", "farewell_commitment", "farewell_questions",
    "farewell_thanks",
})
FLOW_KEYS = ("approach", "understand", "confirm", "handle", "farewell")
COACHING_KEYS = ("agitated", "silent", "complainer", "sulking", "unreasonable", "hostile",
                 "abusive", "drunk_violent")
COMPLAINT_STEP_KEYS = ("apologise", "listen", "restate", "expectation", "agreement", "follow_up")
SEVEN_MORE_KEYS = ("patience", "attitude", "action", "language", "compensation", "level",
                   "methods")
CATEGORY_CODES = (
    "attitude", "fees", "waiting", "pushy_selling",
    "technique", "after_sales", "advertising", "other",
)

_TOP_LEVEL = {
    "meta", "phrases", "flow", "coaching", "complaint_steps", "complaints",
    "seven_more", "etiquette", "documents", "complaint_categories",
}

KeyPath = tuple[str | int, ...]


class ScriptFileError(ConfigError):
    """A script file is unreadable or invalid. ``path``, ``key`` and ``line`` say where."""

    def __init__(self, path: Path, key: str, problem: str, line: int | None = None) -> None:
        where = f"{key}" + (f"(第{line}行)" if line else "")
        super().__init__(f"话术文件 {path} 有误:{where}:{problem}", detail=problem)
        self.path = path
        self.key = key
        self.line = line
        self.problem = problem


def default_script_path() -> Path:
    """The shipped script file, in a PyInstaller bundle or in the source tree."""
    return resource_path("scripts", "service_scripts.toml")


def load_scripts(path: Path | str | None = None) -> ScriptBook:
    """Load and validate a script file; ``None`` loads the shipped default.

    A hall's own file (from settings) replaces the shipped one entirely and is
    validated the same way.
    """
    file = Path(path) if path is not None else default_script_path()
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ScriptFileError(file, "(文件)", f"无法读取文件:{exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScriptFileError(file, "(文件)", "文件不是 UTF-8 编码") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _decode_error(file, text, exc) from exc
    return _Builder(file, text).build(data)


@lru_cache(maxsize=1)
def default_book() -> ScriptBook:
    """The shipped script book, loaded once per process."""
    return load_scripts(None)


def hall_book(path: Path | str | None) -> ScriptBook:
    """The hall's script book (its own file from settings, else the shipped one).

    Loaded again only when the file changes, so a hall's edit shows without a restart.
    Raises ScriptFileError for a broken file, like :func:`load_scripts`.
    """
    if path is None or str(path) == "":
        return default_book()
    file = Path(path)
    try:
        stamp = file.stat().st_mtime_ns
    except OSError:
        stamp = -1  # let load_scripts report the unreadable file in Chinese
    return _cached_book(str(file), stamp)


@lru_cache(maxsize=8)
def _cached_book(path: str, stamp: int) -> ScriptBook:
    return load_scripts(path)


def outage_text(path: Path | str | None) -> str:
    """The hall's scripted outage notice for customers (phrase ``outage_notice``).

    A broken hall file must never block or blank an outage notice: the shipped wording
    is used then (the broken file is reported where the scripts are loaded for a window).
    """
    try:
        return hall_book(path).render("outage_notice")
    except ConfigError:
        return default_book().render("outage_notice")


def _decode_error(file: Path, text: str, exc: tomllib.TOMLDecodeError) -> ScriptFileError:
    msg = str(exc)
    line: int | None = None
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    if m:
        line = int(m.group(1))
        problem = f"TOML 格式错误,第{m.group(1)}行第{m.group(2)}列:{msg[: m.start()].strip()}"
    else:
        line = text.count("\n") + 1
        reason = re.sub(r"\s*\(at .*\)$", "", msg)
        problem = f"TOML 格式错误(文件末尾):{reason}"
    return ScriptFileError(file, "(TOML 语法)", problem, line)


def _fmt_key(parts: KeyPath) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Builder:
    """Walks the parsed TOML, validating as it builds the model."""

    def __init__(self, file: Path, text: str) -> None:
        self.file = file
        self.lines = text.splitlines()

    # -- error helpers -------------------------------------------------
    def fail(self, parts: KeyPath, problem: str) -> ScriptFileError:
        return ScriptFileError(self.file, _fmt_key(parts), problem, self._locate(parts))

    def _locate(self, parts: KeyPath) -> int | None:
        """Best effort: the line of the table header, or of the field inside it."""
        header: str | None = None
        occurrence = 0
        rest: list[str | int] = []
        names: list[str] = []
        for i, part in enumerate(parts):
            if isinstance(part, int):
                header, occurrence, rest = f"[[{'.'.join(names)}]]", part, list(parts[i + 1 :])
                break
            names.append(part)
        else:
            if len(names) == 1:
                header, rest = f"[{names[0]}]", []
            else:
                header, rest = f"[{'.'.join(names[:-1])}]", [names[-1]]
        start = None
        seen = 0
        for no, line in enumerate(self.lines, 1):
            if line.strip().replace(" ", "") == header:
                if seen == occurrence:
                    start = no
                    break
                seen += 1
        if start is None:
            return None
        if rest and isinstance(rest[0], str):
            pattern = re.compile(rf"^\s*{re.escape(rest[0])}\s*=")
            for no in range(start + 1, len(self.lines) + 1):
                line = self.lines[no - 1]
                if line.lstrip().startswith("["):
                    break
                if pattern.match(line):
                    return no
        return start

    # -- typed getters -------------------------------------------------
    def section(self, data: Mapping[str, Any], name: str, allowed: set[str] | None, *,
                required: bool = True) -> dict[str, Any]:
        if name not in data:
            if required:
                raise self.fail((name,), "缺少必需的部分")
            return {}
        return self.table(data[name], (name,), allowed)

    def table(self, value: Any, parts: KeyPath, allowed: set[str] | None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(parts, "应为一个表(table)")
        for name in value:
            if allowed is not None and name not in allowed:
                raise self.fail((*parts, name), f"不认识的字段「{name}」")
        return value

    def array(self, value: Any, parts: KeyPath) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(parts, "应为一个数组([[...]] 或 [...])")
        return value

    def text(self, tbl: Mapping[str, Any], name: str, parts: KeyPath, *, required: bool = True,
             default: str = "") -> str:
        if name not in tbl:
            if required:
                raise self.fail((*parts, name), "缺少必需的项")
            return default
        value = tbl[name]
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail((*parts, name), "应为非空的文字")
        return value

    def texts(self, tbl: Mapping[str, Any], name: str, parts: KeyPath, *,
              required: bool = False) -> tuple[str, ...]:
        if name not in tbl:
            if required:
                raise self.fail((*parts, name), "缺少必需的项")
            return ()
        value = tbl[name]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail((*parts, name), "应为文字列表,例如 [\"…\", \"…\"]")
        if required and not value:
            raise self.fail((*parts, name), "列表不能为空")
        return tuple(value)

    def keyed(self, data: Mapping[str, Any], section: str, fields: set[str], key_field: str,
              expected: Sequence[str], ordered: bool) -> list[tuple[KeyPath, dict[str, Any]]]:
        """An array of tables whose ``key_field`` values must cover ``expected``."""
        if section not in data:
            raise self.fail((section,), "缺少必需的部分")
        items = self.array(data[section], (section,))
        out: list[tuple[KeyPath, dict[str, Any]]] = []
        seen: list[str] = []
        for i, item in enumerate(items):
            parts: KeyPath = (section, i)
            tbl = self.table(item, parts, fields)
            key = self.text(tbl, key_field, parts)
            if key in seen:
                raise self.fail((*parts, key_field), f"重复的 {key_field}「{key}」")
            seen.append(key)
            out.append((parts, tbl))
        for name in expected:
            if name not in seen:
                raise self.fail((section, name), f"缺少必需的项「{name}」")
        if ordered and tuple(seen) != tuple(expected):
            raise self.fail((section,), "必须恰好依次为:" + " → ".join(expected))
        return out

    # -- sections ------------------------------------------------------
    def build(self, data: dict[str, Any]) -> ScriptBook:
        for name in data:
            if name not in _TOP_LEVEL:
                raise self.fail((name,), f"不认识的部分「{name}」")
        meta = self.section(data, "meta", {"format", "name"})
        if meta.get("format") == 1:
            raise self.fail(("meta", "format"),
                            "这是旧格式(1)的话术文件。格式 2 按培训资料原文改写了话术,"
                            "「五个一点」改为「七个一点」([[seven_more]]),投诉六步骤的 say "
                            "改为列表,并新增了几张辅导卡;请以随软件提供的 "
                            "service_scripts.toml 为模板重新整理")
        if meta.get("format") != FORMAT_VERSION:
            raise self.fail(("meta", "format"), f"格式版本应为 {FORMAT_VERSION}")
        name = self.text(meta, "name", ("meta",))
        phrases = self.phrases(data)
        etiquette = self.section(data, "etiquette",
                                 {"principle", "rules", "forbidden", "recommended"})
        complaints = self.section(data, "complaints", {"pitfalls"}, required=False)
        documents = self.section(data, "documents", {"suggestions"}, required=False)
        return ScriptBook(
            source=self.file,
            name=name,
            phrases=phrases,
            flow=self.flow(data, phrases),
            coaching_cards=tuple(
                CoachingCard(
                    key=tbl["key"], title=self.text(tbl, "title", p),
                    advice=self.texts(tbl, "advice", p, required=True),
                    say=self.texts(tbl, "say", p), never=self.texts(tbl, "never", p),
                )
                for p, tbl in self.keyed(data, "coaching",
                                         {"key", "title", "advice", "say", "never"},
                                         "key", COACHING_KEYS, ordered=False)
            ),
            complaint_steps=tuple(
                ComplaintStep(
                    key=tbl["key"], title=self.text(tbl, "title", p),
                    guidance=self.text(tbl, "guidance", p),
                    say=self.texts(tbl, "say", p),
                )
                for p, tbl in self.keyed(data, "complaint_steps",
                                         {"key", "title", "guidance", "say"}, "key",
                                         COMPLAINT_STEP_KEYS, ordered=True)
            ),
            complaint_pitfalls=self.texts(complaints, "pitfalls", ("complaints",)),
            seven_more=tuple(
                SevenMore(key=tbl["key"], text=self.text(tbl, "text", p),
                          detail=self.text(tbl, "detail", p, required=False))
                for p, tbl in self.keyed(data, "seven_more", {"key", "text", "detail"}, "key",
                                         SEVEN_MORE_KEYS, ordered=True)
            ),
            forbidden=self.texts(etiquette, "forbidden", ("etiquette",), required=True),
            recommended=self.texts(etiquette, "recommended", ("etiquette",), required=True),
            principle=self.text(etiquette, "principle", ("etiquette",)),
            complaint_categories=self.categories(data),
            language_rules=self.texts(etiquette, "rules", ("etiquette",)),
            document_suggestions=self.texts(documents, "suggestions", ("documents",)),
        )

    def phrases(self, data: Mapping[str, Any]) -> dict[str, Phrase]:
        section = self.section(data, "phrases", None)
        out: dict[str, Phrase] = {}
        for key, value in section.items():
            parts: KeyPath = ("phrases", key)
            tbl = self.table(value, parts, {"title", "text", "placeholders", "do", "warn",
                                            "escalate", "requires", "fallback"})
            text = self.text(tbl, "text", parts, required=False)
            if not text.strip() and not (tbl.get("do") or tbl.get("warn")):
                raise self.fail((*parts, "text"), "话术至少要有 text(要说的话)或 do/warn(提示)")
            try:
                segments = parse_template(text)
            except ValueError as exc:
                raise self.fail((*parts, "text"),
                                f"占位符格式错误({exc});占位符写作 {{名称}},"
                                "文字中的大括号写作 {{{{ 和 }}}}") from exc
            declared = self.texts(tbl, "placeholders", parts)
            for name in declared:
                if name not in PLACEHOLDERS:
                    raise self.fail((*parts, "placeholders"), f"声明了未知的占位符「{name}」")
            phrase = Phrase(
                key=key,
                title=self.text(tbl, "title", parts, required=False, default=key),
                text=text,
                placeholders=frozenset(declared),
                do=self.text(tbl, "do", parts, required=False) or None,
                warn=self.text(tbl, "warn", parts, required=False) or None,
                escalate=self.text(tbl, "escalate", parts, required=False) or None,
                requires=frozenset(self.texts(tbl, "requires", parts)),
                fallback=self.text(tbl, "fallback", parts, required=False) or None,
                segments=segments,
            )
            stray = sorted(phrase.requires - phrase.used_placeholders)
            if stray:
                raise self.fail((*parts, "requires"),
                                f"requires 中的「{stray[0]}」不是本话术的占位符")
            if phrase.requires and phrase.fallback is None:
                raise self.fail((*parts, "fallback"), "有 requires 时必须给出 fallback(备用话术)")
            for name in sorted(phrase.used_placeholders):
                if name not in PLACEHOLDERS:
                    raise self.fail((*parts, "text"), f"使用了未知的占位符 {{{name}}}")
                if name not in phrase.placeholders:
                    raise self.fail((*parts, "text"),
                                    f"使用了未声明的占位符 {{{name}}},请在 placeholders 中声明")
            out[key] = phrase
        for key, phrase in out.items():
            if phrase.fallback is not None:
                target = out.get(phrase.fallback)
                if target is None:
                    raise self.fail(("phrases", key, "fallback"),
                                    f"引用了不存在的话术「{phrase.fallback}」")
                if target.fallback is not None or not target.spoken:
                    raise self.fail(("phrases", key, "fallback"),
                                    f"备用话术「{phrase.fallback}」必须有 text 且自身没有 fallback")
        for key, needed in REQUIRED_PHRASES.items():
            if key not in out:
                raise self.fail(("phrases", key), "缺少必需的话术")
            if key in SPOKEN_PHRASES and not out[key].spoken:
                raise self.fail(("phrases", key, "text"), "这条话术必须有 text(要说的话)")
            missing = sorted(needed - out[key].used_placeholders)
            if missing:
                raise self.fail(("phrases", key, "text"),
                                "缺少必需的占位符 " + "、".join(f"{{{m}}}" for m in missing))
        return out

    def flow(self, data: Mapping[str, Any], phrases: Mapping[str, Phrase]
             ) -> tuple[FlowStepDef, ...]:
        steps: list[FlowStepDef] = []
        fields = {"key", "title", "do", "warn", "say", "situational"}
        for parts, tbl in self.keyed(data, "flow", fields, "key", FLOW_KEYS, ordered=True):
            refs: dict[str, tuple[str, ...]] = {}
            for name in ("say", "situational"):
                refs[name] = self.texts(tbl, name, parts)
                for j, ref in enumerate(refs[name]):
                    if ref not in phrases:
                        raise self.fail((*parts, name, j), f"引用了不存在的话术「{ref}」")
            steps.append(FlowStepDef(
                key=tbl["key"], title=self.text(tbl, "title", parts),
                do=self.texts(tbl, "do", parts), warn=self.texts(tbl, "warn", parts),
                say=refs["say"], situational=refs["situational"],
            ))
        return tuple(steps)

    def categories(self, data: Mapping[str, Any]) -> tuple[ComplaintCategory, ...]:
        out: list[ComplaintCategory] = []
        for parts, tbl in self.keyed(data, "complaint_categories", {"code", "name", "share"},
                                     "code", CATEGORY_CODES, ordered=False):
            share = tbl.get("share")
            if isinstance(share, bool) or not isinstance(share, int | float) \
                    or not 0 <= share <= 1:
                raise self.fail((*parts, "share"), "应为 0 到 1 之间的小数,例如 0.35 表示 35%")
            out.append(ComplaintCategory(code=tbl["code"], name=self.text(tbl, "name", parts),
                                         share=float(share)))
        return tuple(out)
