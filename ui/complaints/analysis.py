"""The duty manager's complaint analysis (投诉分析) and 通报 (notices to the staff).

    widget = ComplaintAnalysisWidget(service, actor)   # service: ComplaintService
    widget.refresh()                                   # loads the chosen period (off the GUI thread)

Top: the period (last 4/8/13/26 weeks) and the headline figures — complaints, same-day
reply rate against the hall's target (达标 / 未达标), escalated, open, closed satisfied,
未满意结案, nuisance. Then by category (beside the published survey's shares), by
counter and by clerk, the weekly trend (complaints and same-day reply rate, with the
target), the complaints closed unsatisfied with who signed them off and why, and the
通报 panel: the recent notices and a form to issue one.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.keys import local_number
from hall_app.domain.roles import Actor
from hall_app.errors import HallError, ValidationError
from hall_app.services.complaints import ComplaintAnalysis, NoticeInfo, WeekRow
from ui.complaints.detail import ERROR_STYLE, OK_STYLE, failure_text
from ui.complaints.detail_tables import RecordTable, local_text
from ui.ops import run_op

PERIODS = ((4, "近4周"), (8, "近8周"), (13, "近13周"), (26, "近26周"))
GOOD, BAD = "#1b5e20", "#b00020"


def pct(part: int, total: int) -> str:
    return f"{100.0 * part / total:.1f}%" if total else "—"


class TrendChart(QChartView):
    """Complaints per week (bars) and the same-day reply rate (line) against the target."""

    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setTitle("每周投诉量与当日答复率")
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(4, 4, 4, 4))
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(240)
        self.weeks: tuple[WeekRow, ...] = ()

    def set_weeks(self, weeks: tuple[WeekRow, ...], target_pct: int) -> None:
        self.weeks = weeks
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        labels = [f"{w.week_start:%m-%d}" for w in weeks]
        bars = QBarSet("投诉(件)")
        bars.setColor(QColor("#1e88e5"))
        bars.append([float(w.total) for w in weeks])
        series = QBarSeries()
        series.append(bars)
        chart.addSeries(series)
        rate = QLineSeries()
        rate.setName("当日答复率(%)")
        rate.setPen(QPen(QColor("#e65100"), 2.5))
        target = QLineSeries()
        target.setName(f"目标 {target_pct}%")
        dashed = QPen(QColor(GOOD), 1.5)
        dashed.setStyle(Qt.PenStyle.DashLine)
        target.setPen(dashed)
        for i, w in enumerate(weeks):
            if w.same_day_rate is not None:
                rate.append(i, 100.0 * w.same_day_rate)
            target.append(i, float(target_pct))
        chart.addSeries(rate)
        chart.addSeries(target)
        x = QBarCategoryAxis()
        x.append(labels)
        y = QValueAxis()
        top = max([w.total for w in weeks] + [4])
        y.setRange(0, top + (-top % 4))
        y.setLabelFormat("%d")
        y.setTitleText("件")
        y_rate = QValueAxis()
        y_rate.setRange(0, 100)
        y_rate.setLabelFormat("%d%%")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(y_rate, Qt.AlignmentFlag.AlignRight)
        series.attachAxis(x)
        series.attachAxis(y)
        for line in (rate, target):
            line.attachAxis(x)
            line.attachAxis(y_rate)


class ComplaintAnalysisWidget(QWidget):
    """Analysis + 通报. `loaded(analysis)` after every refresh."""

    loaded = Signal(object)

    def __init__(self, service: Any, actor: Actor, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.actor = actor
        self.today = today
        self.tz: Any = None
        self.analysis: ComplaintAnalysis | None = None
        self.notices: list[NoticeInfo] = []
        self._seq = 0
        self._build()

    # -- layout ---------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.period = QComboBox()
        for weeks, label in PERIODS:
            self.period.addItem(label, weeks)
        self.period.setCurrentIndex(1)
        self.period.currentIndexChanged.connect(self.refresh)
        self.range_label = QLabel("")
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        bar.addWidget(QLabel("分析期间:"))
        bar.addWidget(self.period)
        bar.addWidget(self.range_label)
        bar.addStretch(1)
        bar.addWidget(refresh)
        root.addLayout(bar)

        self.kpis: dict[str, QLabel] = {}
        kpi_box = QGroupBox("总体")
        grid = QGridLayout(kpi_box)
        for i, (key, title) in enumerate((
                ("total", "投诉总数"), ("same_day", "当日答复率"), ("escalated", "升级投诉"),
                ("open", "未结案"), ("satisfied", "满意结案"), ("signed_off", "未满意结案"),
                ("nuisance", "非真实投诉"))):
            caption = QLabel(title)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            value = QLabel("—")
            value.setObjectName(f"kpi_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            value.setStyleSheet("font-size: 16pt; font-weight: bold;")
            grid.addWidget(caption, 0, i)
            grid.addWidget(value, 1, i)
            self.kpis[key] = value
        self.target_label = QLabel("")
        self.target_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.target_label, 2, 1)
        root.addWidget(kpi_box)

        split = QSplitter(Qt.Orientation.Vertical)
        tables = QWidget()
        row = QHBoxLayout(tables)
        row.setContentsMargins(0, 0, 0, 0)
        self.by_category = RecordTable(["类别", "件数", "占比", "调查占比"])
        self.by_counter = RecordTable(["窗口", "件数", "当日答复率", "升级"])
        self.by_clerk = RecordTable(["营业员", "件数", "当日答复率", "升级"])
        for table in (self.by_category, self.by_counter, self.by_clerk):
            table.setMinimumHeight(240)  # the eight categories without scrolling
        for title, table in (("按类别", self.by_category), ("按窗口", self.by_counter),
                             ("按营业员", self.by_clerk)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(table)
            row.addWidget(box, 1)
        split.addWidget(tables)
        middle = QWidget()
        mid = QHBoxLayout(middle)
        mid.setContentsMargins(0, 0, 0, 0)
        self.trend = TrendChart()
        mid.addWidget(self.trend, 3)
        signed_box = QGroupBox("未满意结案(值班长签批)")
        self.signed_off = RecordTable(["编号", "类别", "结案", "签批人", "理由"])
        QVBoxLayout(signed_box).addWidget(self.signed_off)
        mid.addWidget(signed_box, 2)
        split.addWidget(middle)
        split.addWidget(self._notice_panel())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 2)
        root.addWidget(split, 1)
        self.status = QLabel("")
        self.status.setObjectName("analysis_status")
        self.status.setWordWrap(True)
        root.addWidget(self.status)

    def _notice_panel(self) -> QWidget:
        box = QGroupBox("通报(向员工通报投诉的经验教训)")
        lay = QHBoxLayout(box)
        self.notice_table = RecordTable(["发布时间", "发布人", "标题", "经验教训"])
        lay.addWidget(self.notice_table, 3)
        form = QVBoxLayout()
        self.notice_title = QLineEdit()
        self.notice_title.setPlaceholderText("通报标题,如:11月服务态度类投诉通报")
        self.notice_lessons = QPlainTextEdit()
        self.notice_lessons.setPlaceholderText("要让员工吸取的经验教训、改进要求")
        self.notice_lessons.setMaximumHeight(90)
        self.notice_ids = QLineEdit()
        self.notice_ids.setPlaceholderText("相关投诉编号(选填),如:12, 15")
        self.notice_button = QPushButton("发布通报")
        self.notice_button.clicked.connect(self.issue_notice)
        self.notice_message = QLabel("")
        self.notice_message.setWordWrap(True)
        for w in (self.notice_title, self.notice_lessons, self.notice_ids, self.notice_button,
                  self.notice_message):
            form.addWidget(w)
        lay.addLayout(form, 2)
        return box

    # -- data -----------------------------------------------------------------------
    @staticmethod
    def period_days(end: date, weeks: int) -> tuple[date, date]:
        """From the Monday `weeks` - 1 weeks before `end`'s week, to `end`."""
        return end - timedelta(days=end.weekday()) - timedelta(weeks=weeks - 1), end

    def refresh(self) -> None:
        svc, actor, today = self.service, self.actor, self.today
        weeks = int(self.period.currentData() or 8)
        self._seq += 1
        seq = self._seq

        def load() -> tuple[Any, Any, Any]:
            ctx = getattr(svc, "ctx", None)
            tz = getattr(getattr(ctx, "hall", None), "tz", None)
            end = today or (ctx.business_day() if ctx is not None else date.today())
            day_from, day_to = self.period_days(end, weeks)
            return svc.analysis(actor, day_from, day_to), svc.notices(20), tz

        self.status.setText("正在统计…")
        self.status.setStyleSheet("")
        run_op(load, on_success=lambda r: self._show(*r) if seq == self._seq else None,
               on_failure=lambda e: self._failed(e) if seq == self._seq else None, parent=self,
               background=True)

    def _show(self, a: ComplaintAnalysis, notices: list[NoticeInfo], tz: Any) -> None:
        self.analysis, self.notices, self.tz = a, notices, tz
        self.range_label.setText(f"{a.day_from:%Y-%m-%d} 至 {a.day_to:%Y-%m-%d}")
        k = self.kpis
        k["total"].setText(str(a.total))
        k["same_day"].setText(pct(a.replied_on_time, a.total))
        met = a.target_met
        k["same_day"].setStyleSheet("font-size: 16pt; font-weight: bold; color: "
                                    + (GOOD if met else BAD if met is not None else "#333"))
        self.target_label.setText(f"目标 ≥{a.target_pct}% · " +
                                  ("达标" if met else "未达标" if met is not None else "无数据"))
        k["escalated"].setText(str(a.escalated))
        k["open"].setText(str(a.open))
        k["satisfied"].setText(str(a.closed_satisfied))
        k["signed_off"].setText(str(a.signed_off))
        k["nuisance"].setText(str(a.nuisance))
        self.by_category.fill([[c.name, str(c.count), pct(c.count, a.total),
                                f"{100 * c.survey_share:.0f}%"] for c in a.by_category])
        self.by_counter.fill([[g.label, str(g.count), pct(g.replied_on_time, g.count),
                               str(g.escalated)] for g in a.by_counter])
        self.by_clerk.fill([[g.label, str(g.count), pct(g.replied_on_time, g.count),
                             str(g.escalated)] for g in a.by_clerk])
        self.trend.set_weeks(a.weeks, a.target_pct)
        self.signed_off.fill([[f"#{local_number(c.id)}", c.category_name, local_text(c.closed_at, tz),
                               c.signed_by, c.reason] for c in a.signed_off_cases])
        self._show_notices(notices)
        self.status.setText("")
        self.loaded.emit(a)

    def _show_notices(self, notices: list[NoticeInfo]) -> None:
        self.notice_table.fill([[local_text(n.issued_at, self.tz, "%Y-%m-%d %H:%M"),
                                 n.issued_by, n.title,
                                 n.lessons + ("(涉及投诉 " + "、".join(f"#{local_number(i)}" for i in
                                                                  n.complaint_ids) + ")"
                                              if n.complaint_ids else "")]
                                for n in notices])

    def _failed(self, err: HallError) -> None:
        self.status.setText(f"统计未更新:{failure_text(err)}")
        self.status.setStyleSheet(ERROR_STYLE)

    # -- 通报 -----------------------------------------------------------------------
    def issue_notice(self) -> None:
        title, lessons = self.notice_title.text(), self.notice_lessons.toPlainText()
        ids_text = self.notice_ids.text()
        if not re.fullmatch(r"[\s#,,、0-9]*", ids_text):
            self._notice_say("相关投诉编号只能填写数字,用逗号分开。", error=True)
            return
        ids = [int(x) for x in re.findall(r"\d+", ids_text)]
        svc, actor = self.service, self.actor

        def issue() -> list[NoticeInfo]:
            svc.issue_notice(actor, title, lessons, ids)
            return list(svc.notices(20))

        def done(notices: list[NoticeInfo]) -> None:
            self.notices = notices
            self._show_notices(notices)
            self.notice_title.clear()
            self.notice_lessons.clear()
            self.notice_ids.clear()
            self._notice_say("通报已发布,将打印在今天的营业日报中。")

        def failed(err: HallError) -> None:
            where = {"title": "标题", "lessons": "经验教训", "complaint_ids": "相关投诉"}
            field = err.field if isinstance(err, ValidationError) else None
            self._notice_say((f"{where[field]}:" if field in where else "") + failure_text(err),
                             error=True)
        run_op(issue, on_success=done, on_failure=failed, parent=self,
               disable=[self.notice_button])

    def _notice_say(self, text: str, *, error: bool = False) -> None:
        self.notice_message.setText(text)
        self.notice_message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
