"""Check a script file's seed citations: does each quoted line really occur in its seed?

Every line of a script file that the clerk sees carries a comment beside it::

    text = "请别急,我会等您的"  # seed 000 §当办理业务计算机系统出现问题或故障时
    do = "耐心解释、指导或示范"  # after seed 000 §对客户提出的意见、要求: typo corrected

``# seed NNN §HEADING`` claims the strings on that line quote seed NNN verbatim in the
passage starting at HEADING; ``# after seed NNN §HEADING: note`` says they are our own
wording of that passage. :func:`check_citations` verifies both kinds: the heading exists
in the seed, and a quoted string occurs within :data:`PASSAGE_CHARS` characters after it.

Comparison is on :func:`normalise`\\ d text, which forgives only what a slide extraction
changes without changing a word: widths and spaces, curly quotes, and for seed 003
(published in traditional characters with pinyin after many of them) the pinyin
annotations and the traditional forms. A ``{placeholder}`` in a quoted string stands for
the seed's blank (XX, ** or ……, or the value the seed gives as an example) and matches
up to :data:`BLANK_CHARS` characters. No Qt, no database.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: How far after its heading a quotation may lie (in normalised characters).
PASSAGE_CHARS = 1500
#: How many characters a {placeholder} may stand for in the seed.
BLANK_CHARS = 24

# Traditional → simplified for the characters of the seed 003 passages the scripts quote
# and cite. A character missing here makes its quotation fail to match (never pass
# wrongly): add the pair and run the check again.
_T2S_PAIRS = (
    "處处 戶户 與与 訴诉 裡里 應应 該该 麼么 時时 間间 題题 聽听 說说 話话 語语 們们 "
    "會会 這这 樣样 則则 對对 錯错 為为 無无 須须 辯辩 過过 體体 諒谅 關关 見见 氣气 "
    "讓让 況况 據据 實实 際际 輕轻 斷断 敘叙 勵励 傾倾 盡尽 滿满 當当 後后 夠够 較较 "
    "態态 誠诚 懇恳 禮礼 熱热 謙谦 導导 緒绪 協协 動动 來来 損损 將将 級级 種种 參参 "
    "觀观 經经 營营 討讨 論论 獎奖 層层 償偿 員员 發发 給给 復复 擾扰 詢询 絕绝 決决 "
    "點点 號号 碼码 電电 傳传 遞递 簽签 確确 認认 報报 變变 驚惊 臺台 櫃柜 進进 術术 "
    "傷伤 嚴严 轉转 還还 惡恶 業业 務务 詳详 細细 單单 問问 懷怀 誤误 類类 擊击 節节 "
    "調调 顯显 謝谢 釋释 溝沟 補补 規规 別别 辦办 許许 "
)
_T2S = {ord(pair[0]): pair[1] for pair in _T2S_PAIRS.split() if pair[0] != pair[1]}

# Pinyin added after characters in seed 003, e.g. 時(shí), 點(diǎn).
_PINYIN = re.compile(r"\((?:[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňḿ]+\?*)\)")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})

_CITATION = re.compile(r"#\s*(?P<after>after\s+)?seed\s+(?P<seed>\d{3})\s*§(?P<rest>.+)$")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def normalise(text: str) -> str:
    """The comparable form of *text*.

    NFKC (full-width letters, digits and punctuation become half-width: ，→, ？→? （→( ),
    curly quotes become straight ones, every whitespace character is dropped, pinyin
    annotations in parentheses are dropped, and traditional characters become
    simplified (for the characters in the table above). Nothing else: a different
    word, character or punctuation mark still differs.
    """
    text = _PINYIN.sub("", text)
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(_T2S)
    return "".join(ch for ch in text if not ch.isspace())


@dataclass(frozen=True)
class Citation:
    """One cited line of a script file."""

    line: int
    seed: str  # "000" … "004"
    heading: str
    quoted: bool  # False for ``# after seed …`` (own wording)
    strings: tuple[str, ...]  # the TOML strings on the line


@dataclass(frozen=True)
class CitationProblem:
    """A citation that does not hold, in Chinese for the script's editor."""

    line: int
    message: str


def citations(path: Path) -> list[Citation]:
    """Every line of *path* with a ``# seed`` or ``# after seed`` comment."""
    out: list[Citation] = []
    for no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code, sep, comment = raw.partition("#")
        if not sep:
            continue
        m = _CITATION.match("#" + comment)
        if m is None:
            continue
        rest = m.group("rest")
        heading = rest.split(":", 1)[0].strip() if m.group("after") else rest.strip()
        strings = tuple(tomllib.loads(f'v = "{s}"')["v"] for s in _STRING.findall(code))
        out.append(Citation(no, m.group("seed"), heading, not m.group("after"), strings))
    return out


def seed_files(directory: Path) -> dict[str, Path]:
    """``{"000": path, …}`` for the seed files ``NNN_*.txt`` in *directory*."""
    return {p.name[:3]: p for p in sorted(directory.glob("[0-9][0-9][0-9]_*.txt"))}


def quote_pattern(quoted: str) -> re.Pattern[str]:
    """A regex over normalised seed text for one quoted script string."""
    parts = _PLACEHOLDER.split(quoted)
    literals = parts[0::2]
    return re.compile(f".{{0,{BLANK_CHARS}}}?".join(re.escape(normalise(x)) for x in literals))


def _headings(seed: str, heading: str) -> list[int]:
    starts, pos = [], seed.find(heading)
    while pos >= 0:
        starts.append(pos)
        pos = seed.find(heading, pos + 1)
    return starts


def check_citations(path: Path, seeds: Mapping[str, str]) -> list[CitationProblem]:
    """Problems with the citations in *path*; *seeds* maps "000" → the seed's raw text."""
    normalised = {k: normalise(v) for k, v in seeds.items()}
    problems: list[CitationProblem] = []
    for c in citations(path):
        seed = normalised.get(c.seed)
        if seed is None:
            problems.append(CitationProblem(c.line, f"引用了不存在的源文件 seed {c.seed}"))
            continue
        starts = _headings(seed, normalise(c.heading))
        if not starts:
            problems.append(CitationProblem(
                c.line, f"seed {c.seed} 中找不到章节「{c.heading}」"))
            continue
        if not c.quoted:
            continue
        if not c.strings:
            problems.append(CitationProblem(c.line, "标为原文引用,但这一行没有文字"))
        for s in c.strings:
            pattern = quote_pattern(s)
            if not any(pattern.search(seed, start, start + PASSAGE_CHARS + len(c.heading))
                       for start in starts):
                problems.append(CitationProblem(
                    c.line, f"「{s}」不在 seed {c.seed} 的「{c.heading}」一节中"))
    return problems


def uncited(path: Path, shown_fields: Iterable[str],
            skip_tables: Iterable[str] = ("meta", "flow")) -> list[int]:
    """Lines holding a string of one of *shown_fields* without a citation comment.

    A field's value may be one string (``text = "…"``) or an array with one string per
    line; every line that holds such a string must carry a citation. Fields of the
    tables in *skip_tables* (whose strings are names and phrase keys) are not checked.
    """
    fields = set(shown_fields)
    skipped = set(skip_tables)
    missing: list[int] = []
    in_array = False
    table = ""
    for no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code, _, comment = raw.partition("#")
        stripped = code.strip()
        header = re.match(r"\[\[?([a-z_.]+)\]\]?$", stripped)
        if header and not in_array:
            table = header.group(1).split(".")[0]
            continue
        m = re.match(r"([a-z_]+)\s*=\s*(.*)$", stripped)
        holds = False
        if m and not in_array:
            if m.group(1) in fields and table not in skipped:
                value = m.group(2)
                holds = '"' in value
                in_array = value.startswith("[") and "]" not in value
        elif in_array:
            holds = '"' in stripped
            if stripped.startswith("]") or stripped.endswith("]"):
                in_array = False
        if holds and not _CITATION.match("#" + comment):
            missing.append(no)
    return missing
