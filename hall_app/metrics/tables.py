"""The building blocks of a printed report, as plain data (no Qt): tables, paragraphs and
charts. The PDF renders them (ui/report/document.py); the CSV export writes every table
(csv_export.py), so each table on paper is also a CSV file.

Cells are text, formatted with hall_app.metrics.numbers (decimal, half up); "—" means
no data. A header may hold "\\n" where the printed header may break; the CSV joins it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hall_app.domain.tickets import STATE_LABELS
from hall_app.metrics.numbers import NO_DATA

COMPLAINT_STATE_LABELS = {
    "registered": "已登记", "in_progress": "处理中", "awaiting_approval": "待审批",
    "replied": "已答复", "confirmed": "客户已确认", "follow_up": "回访中", "closed": "已结案",
}
CHANNEL_LABELS = {"counter": "柜台", "phone": "电话", "letter": "信函", "other": "其他"}
INCIDENT_KIND_LABELS = {"outage": "系统故障", "facility": "设施故障"}

#: Cell tones the PDF colours (a comparison's better / worse, a verdict).
GOOD, BAD = "good", "bad"


@dataclass(frozen=True)
class Table:
    key: str  # CSV file stem
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: Columns whose text may wrap (long free text); every other cell stays on one line.
    wrap: tuple[int, ...] = ()
    #: Columns aligned left (text); the others are right-aligned numbers.
    left: tuple[int, ...] = (0,)
    #: Per-cell tone ("", GOOD, BAD), same shape as rows, or empty.
    tones: tuple[tuple[str, ...], ...] = ()
    note: str = ""  # one line printed under the table
    empty: str = "无"  # printed instead of an empty table
    #: "rows" (a normal table) or "pairs" (label/value pairs printed two per line).
    layout: str = "rows"

    @property
    def csv_headers(self) -> tuple[str, ...]:
        return tuple(h.replace("\n", "") for h in self.headers)


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = ""  # "" | "note" (small) | "notice" (red, centred) | "status" (the first line)


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # None: no value (a gap in a line)
    colour: str  # "#4a78c2"
    kind: str = "bar"  # bar | line
    axis: str = "left"  # left | right


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    left_unit: str = "人"
    right_unit: str = ""
    empty_text: str = "无数据"
    aspect: float = 0.38  # height ÷ width of the printed chart


Block = Table | Paragraph | Chart


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # numbered by the renderer: 「一、主要指标」
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    new_page: bool = False  # start the section on a new page

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Table))


def ticket_state(state: str) -> str:
    return STATE_LABELS.get(state, state)


def complaint_state(state: str) -> str:
    try:
        from hall_app.domain.complaints import STATE_LABELS as LABELS  # the complaint module
    except ImportError:
        LABELS = COMPLAINT_STATE_LABELS  # noqa: N806
    return LABELS.get(state) or COMPLAINT_STATE_LABELS.get(state) or state


def or_no_data(text: str | None) -> str:
    return text if text else NO_DATA
