"""The printed summary (营业日报 / 周报 / 月报) as one QTextDocument, and its PDF writer.

`build_document(report)` renders `hall_app.metrics.sections.Report` — an ordered list
of sections of tables, paragraphs and charts — as HTML with the chart images as
document resources. The same document goes to the print preview, the printer and
`hall-app report --pdf`. `print_document(doc, device)` paginates it for the device's
page and paints each page with a footer (hall, period, page n of N); on the way it

* keeps every heading on the page of the first rows of what follows it;
* repeats a table's header row on each page it continues on;
* keeps cells on one line (only free-text columns may wrap), so the tables are laid
  out narrow enough for A4 (tests check no table is wider than the page);
* turns off the font's `locl` feature, whose Latin digits have no Unicode mapping in
  the PDF (pdftotext read "P90" as "P   ."), so the text can be searched and read aloud.

The layout is done at 96 dpi and scaled to the device. Needs a QGuiApplication
(see `ensure_gui_app`), not a display.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import cast

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextImageFormat,
    QTextTable,
)

from hall_app.errors import HallError
from hall_app.metrics import DailyMetrics
from hall_app.metrics.sections import Report, build_report, heading_date
from hall_app.metrics.tables import Chart, Paragraph, Table
from ui.fonts import cjk_family, load_cjk_fonts
from ui.report.charts import render_chart

PAGE_MARGINS_MM = (15.0, 12.0, 15.0, 10.0)  # left, top, right, bottom
LAYOUT_DPI = 96.0
FOOTER_MM = 8.0
NUMERALS = "一二三四五六七八九十"
_APP: QGuiApplication | None = None  # the application made here, kept alive for the process

STYLE = """
body { color: #111; }
h1 { font-size: 16pt; margin: 0; text-align: center; }
h2 { font-size: 11pt; margin-top: 12px; margin-bottom: 4px; color: #1f3f73; }
h3 { font-size: 8.5pt; margin-top: 6px; margin-bottom: 2px; color: #333; }
p.sub { text-align: center; font-size: 8.5pt; color: #444; margin: 2px; }
p.note { font-size: 7pt; color: #555; margin-top: 2px; }
p.notice { font-size: 12pt; color: #9b1c1c; text-align: center; }
p.status { font-size: 10pt; color: #9b1c1c; font-weight: bold; }
table.data { border-collapse: collapse; font-size: 7.5pt; }
table.data th { background-color: #e6ecf5; font-weight: bold; }
table.kpi { border-collapse: collapse; font-size: 9pt; }
td.n { white-space: nowrap; }
th.n { white-space: nowrap; }
td.k { background-color: #f3f5f9; font-weight: bold; white-space: nowrap; }
.good { color: #1d6b2f; font-weight: bold; }
.bad { color: #b3261e; font-weight: bold; }
td.sign { font-size: 10pt; padding-top: 16px; }
"""


def ensure_gui_app() -> QGuiApplication:
    """The Qt application, created for headless use if there is none (offscreen platform
    when there is no display). A QApplication, so a window may still open later in the
    same process."""
    app = QGuiApplication.instance()
    if app is None:
        from PySide6.QtWidgets import QApplication

        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        global _APP
        app = _APP = QApplication(["hall-app-report"])
    load_cjk_fonts()
    # instance() is typed as the QCoreApplication base; here it is always a QGuiApplication.
    return cast(QGuiApplication, app)


def numbered(i: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十."""
    if i <= 10:
        return NUMERALS[i - 1]
    tens, ones = divmod(i, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


# -- HTML -------------------------------------------------------------------------------
def _header_html(text: str) -> str:
    return "<br>".join(escape(part) for part in text.split("\n"))


def table_html(table: Table) -> str:
    if table.layout == "pairs":
        return _pairs_html(table)
    if not table.rows:
        return f'<p>{escape(table.empty)}</p>'
    head = "".join(f'<th class="n">{_header_html(h)}</th>' for h in table.headers)
    body = []
    for r, row in enumerate(table.rows):
        tones = table.tones[r] if r < len(table.tones) else ()
        cells = []
        for i, cell in enumerate(row):
            align = "left" if i in table.left else "right"
            classes = [] if i in table.wrap else ["n"]
            if i < len(tones) and tones[i]:
                classes.append(tones[i])
            cls = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f'<td align="{align}"{cls}>{escape(cell)}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    # A narrow table keeps its columns as wide as their content; a wide one spans the page.
    width = ' width="100%"' if len(table.headers) > 3 else ""
    return (f'<table class="data" border="1" cellspacing="0" cellpadding="2"{width}>'
            f"<thead><tr>{head}</tr></thead>{''.join(body)}</table>")


WIDE_VALUE = 20  # characters: a key figure this long gets a whole row of the grid


def _pairs_html(table: Table) -> str:
    cells: list[tuple[str, str, str]] = []
    for r, (label, value) in enumerate(table.rows):
        tone = table.tones[r][1] if r < len(table.tones) else ""
        cells.append((label, value, tone))
    rows: list[str] = []
    pending: list[tuple[str, str, str]] = []

    def value_td(value: str, tone: str, span: int = 1) -> str:
        cls = f' class="{tone}"' if tone else ""
        colspan = f' colspan="{span}"' if span > 1 else ""
        return f"<td{colspan}{cls}>{escape(value)}</td>"

    def flush() -> None:
        if pending:
            tds = "".join(f'<td class="k">{escape(k)}</td>{value_td(v, t)}' for k, v, t in pending)
            if len(pending) == 1:
                tds += '<td class="k"></td><td></td>'
            rows.append(f"<tr>{tds}</tr>")
            pending.clear()

    for label, value, tone in cells:
        if len(value) > WIDE_VALUE:
            flush()
            rows.append(f'<tr><td class="k">{escape(label)}</td>{value_td(value, tone, 3)}</tr>')
            continue
        pending.append((label, value, tone))
        if len(pending) == 2:
            flush()
    flush()
    return ('<table class="kpi" border="1" cellspacing="0" cellpadding="3" width="100%">'
            + "".join(rows) + "</table>")


def _a4_text_width() -> float:
    left, _, right, _ = PAGE_MARGINS_MM
    return (210.0 - left - right) * LAYOUT_DPI / 25.4


A4_TEXT_WIDTH = _a4_text_width()


def chart_url(chart: Chart) -> QUrl:
    return QUrl(f"chart://{chart.key}.png")


def report_html(report: Report) -> str:
    """The whole report as HTML; chart images are referenced as chart:// resources."""
    m = report.metrics
    # The report's first line, before the title: a day not closed (figures still moving).
    first = [p for p in report.status if p.style == "status"]
    parts = [f"<html><head><style>{STYLE}</style></head><body>"]
    parts += [_paragraph_html(p) for p in first]
    parts += [
        f"<h1>{escape(m.hall_name)} {escape(m.span.title)}</h1>",
        f'<p class="sub">{escape(heading_date(m))} · 营业厅代码 {escape(m.hall_code)} · '
        f"生成时间 {m.generated_at:%Y-%m-%d %H:%M}</p>",
    ]
    parts += [_paragraph_html(p) for p in report.status if p.style != "status"]
    for i, section in enumerate(report.sections, start=1):
        brk = ' style="page-break-before: always"' if section.new_page else ""
        parts.append(f"<h2{brk}>{numbered(i)}、{escape(section.title)}</h2>")
        several = len(section.tables) > 1 or any(isinstance(b, Chart) for b in section.blocks)
        for block in section.blocks:
            if isinstance(block, Table):
                if several and block.layout != "pairs":
                    parts.append(f"<h3>{escape(block.title)}</h3>")
                parts.append(table_html(block))
                if block.note and block.rows:
                    parts.append(f'<p class="note">{escape(block.note)}</p>')
            elif isinstance(block, Chart):
                # Sized for A4; print_document resizes them for another paper.
                width = A4_TEXT_WIDTH
                parts.append(f'<p align="center"><img src="{chart_url(block).toString()}" '
                             f'width="{width:.2f}" height="{width * block.aspect:.2f}"></p>')
            else:
                parts.append(_paragraph_html(block))
    if not m.is_future:
        parts += [f'<p class="note">{escape(note)}</p>' for note in report.notes]
    parts.append(
        '<table width="100%" cellpadding="4"><tr>'
        '<td class="sign">值班长(签字):____________________</td>'
        '<td class="sign">日期:______年____月____日</td></tr>'
        '<tr><td class="sign">营业厅负责人(审阅):____________________</td>'
        '<td class="sign">日期:______年____月____日</td></tr></table>')
    parts.append("</body></html>")
    return "".join(parts)


def _paragraph_html(p: Paragraph) -> str:
    cls = f' class="{p.style}"' if p.style else ""
    return f"<p{cls}>{escape(p.text)}</p>"


# -- the document -------------------------------------------------------------------------
def _layout_device() -> QImage:
    """A 96-dpi paint device the document is laid out on (kept alive by the document)."""
    image = QImage(1, 1, QImage.Format.Format_RGB32)
    dpm = int(round(LAYOUT_DPI / 0.0254))
    image.setDotsPerMeterX(dpm)
    image.setDotsPerMeterY(dpm)
    return image


class ReportDocument(QTextDocument):
    """A QTextDocument that owns the 96-dpi device its layout measures text on (the layout
    keeps only a raw pointer to it)."""

    def __init__(self) -> None:
        super().__init__()
        self.layout_device = _layout_device()


def report_font() -> QFont:
    font = QFont(cjk_family())
    font.setPointSizeF(9.0)
    # The Latin `locl` digits of Noto Sans SC are not in its cmap: a PDF would map them to
    # nothing (pdftotext read "P90 24.0" as "P   ."). The default digits look the same.
    font.setFeature(QFont.Tag("locl"), 0)
    return font


def build_document(source: Report | DailyMetrics) -> QTextDocument:
    """The report document with its charts; safe to build in a worker thread."""
    ensure_gui_app()
    report = source if isinstance(source, Report) else build_report(None, source)
    doc = ReportDocument()
    doc.documentLayout().setPaintDevice(doc.layout_device)
    doc.setDefaultFont(report_font())
    doc.setDocumentMargin(0)
    doc.setUseDesignMetrics(True)
    for section in report.sections:
        for block in section.blocks:
            if isinstance(block, Chart):
                doc.addResource(QTextDocument.ResourceType.ImageResource, chart_url(block),
                                render_chart(block))
    doc.setHtml(report_html(report))
    m = report.metrics
    doc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle,
                           f"{m.hall_name} {m.span.title} {m.span.key}")
    return doc


def _fit_images(doc: QTextDocument, width: float) -> None:
    """Charts span the text width (their aspect ratio kept); on A4 they already do."""
    if abs(width - A4_TEXT_WIDTH) <= 0.5:
        return
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            if fmt.isImageFormat():
                img = fmt.toImageFormat()
                if abs(img.width() - width) > 0.5:
                    picture = doc.resource(QTextDocument.ResourceType.ImageResource,
                                           QUrl(img.name()))
                    aspect = (picture.height() / picture.width()
                              if isinstance(picture, QImage) and picture.width() else 0.38)
                    cursor = QTextCursor(doc)
                    cursor.setPosition(frag.position())
                    cursor.setPosition(frag.position() + frag.length(),
                                       QTextCursor.MoveMode.KeepAnchor)
                    sized = QTextImageFormat(img)
                    sized.setWidth(width)
                    sized.setHeight(width * aspect)
                    cursor.setCharFormat(sized)
            it += 1
        block = block.next()


def table_of(doc: QTextDocument, block: QTextBlock) -> QTextTable | None:
    """The table a block is in, if any. (Not QTextCursor.currentTable(): in PySide6 6.12
    each call that returns None takes a reference from None, and a few thousand such calls
    crash the interpreter at exit.)"""
    frame = doc.frameAt(block.position())
    return frame if isinstance(frame, QTextTable) else None


def bottom_of_what_follows(doc: QTextDocument, heading: QTextBlock) -> float | None:
    """Bottom of the content a heading introduces: the next paragraph or image, or a
    table's header row and first data row."""
    layout = doc.documentLayout()
    block = heading.next()
    while block.isValid() and block.blockFormat().headingLevel() > 0:
        block = block.next()
    if not block.isValid():
        return None
    table = table_of(doc, block)
    if table is None:
        return layout.blockBoundingRect(block).bottom()
    row = min(1, table.rows() - 1)
    bottom = 0.0
    for col in range(table.columns()):
        cell = table.cellAt(row, col)
        rect = layout.blockBoundingRect(cell.lastCursorPosition().block())
        bottom = max(bottom, rect.bottom())
    return bottom


def _relayout(doc: QTextDocument, start: int = 0) -> None:
    """Finish the layout after a format change at `start` (the change itself re-lays out
    from its block; asking for the size completes what Qt left lazily). Marking the rest
    dirty as well laid the tail out twice: the same pages, 60 ms more per moved heading."""
    doc.documentLayout().documentSize()


def keep_headings_with_content(doc: QTextDocument) -> int:
    """Move a heading to the next page when what it introduces starts there; returns the
    number of headings moved."""
    page_h = doc.pageSize().height()
    layout = doc.documentLayout()
    moved = 0
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() in (2, 3) and table_of(doc, block) is None:
            top = layout.blockBoundingRect(block).top()
            bottom = bottom_of_what_follows(doc, block)
            if bottom is not None and int(top // page_h) != int((bottom - 0.5) // page_h):
                fmt = QTextBlockFormat()
                fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).mergeBlockFormat(fmt)
                _relayout(doc, block.position())
                moved += 1
        block = block.next()
    return moved


def page_geometry(layout: QPageLayout) -> tuple[float, float]:
    """(text width, body height) in layout pixels for a page layout (footer excluded)."""
    rect = layout.paintRect(QPageLayout.Unit.Millimeter)
    to_px = LAYOUT_DPI / 25.4
    return rect.width() * to_px, (rect.height() - FOOTER_MM) * to_px


def paginate(doc: QTextDocument, width: float, height: float) -> int:
    """Lay the document out on pages of width × height layout pixels; returns the pages."""
    _fit_images(doc, width)
    doc.setPageSize(QSizeF(width, height))
    doc.documentLayout().documentSize()  # the whole layout, once, before looking at pages
    keep_headings_with_content(doc)
    return doc.pageCount()


def footer_text(doc: QTextDocument, page: int, pages: int) -> str:
    title = doc.metaInformation(QTextDocument.MetaInformation.DocumentTitle)
    return f"{title}    第 {page} 页 / 共 {pages} 页"


def print_document(doc: QTextDocument, device: QPagedPaintDevice) -> None:
    """Paginate the document for the device's page and paint every page with its footer."""
    width, height = page_geometry(device.pageLayout())
    pages = paginate(doc, width, height)
    scale = device.logicalDpiX() / LAYOUT_DPI
    painter = QPainter(device)
    if not painter.isActive():
        raise HallError("无法开始打印,请检查打印机或输出文件。")
    try:
        footer_font = report_font()
        footer_font.setPixelSize(10)  # layout pixels (7.5 pt at 96 dpi); the painter scales
        for page in range(pages):
            if page:
                device.newPage()
            painter.save()
            painter.scale(scale, scale)
            painter.translate(0, -page * height)
            doc.drawContents(painter, QRectF(0, page * height, width, height))
            painter.restore()
            painter.save()
            painter.scale(scale, scale)
            painter.setFont(footer_font)
            painter.setPen(QColor("#555555"))
            painter.drawText(QRectF(0, height, width, FOOTER_MM * LAYOUT_DPI / 25.4),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                             footer_text(doc, page + 1, pages))
            painter.restore()
    finally:
        painter.end()


def a4_layout() -> QPageLayout:
    left, top, right, bottom = PAGE_MARGINS_MM
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       QMarginsF(left, top, right, bottom), QPageLayout.Unit.Millimeter)


def write_pdf(source: Report | DailyMetrics, path: Path | str) -> Path:
    """Write the report as an A4 PDF; HallError with a Chinese message if it cannot."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb"):
            pass
    except OSError as exc:
        raise HallError(f"无法写入PDF文件 {target}:{exc.strerror or exc}") from exc
    doc = build_document(source)
    writer = QPdfWriter(str(target))
    writer.setPageLayout(a4_layout())
    writer.setResolution(300)
    writer.setTitle(doc.metaInformation(QTextDocument.MetaInformation.DocumentTitle))
    writer.setCreator("hall-app")
    print_document(doc, writer)
    del writer  # flushes and closes the file
    if not target.exists() or target.stat().st_size == 0:
        raise HallError(f"PDF文件 {target} 生成失败,请检查磁盘空间或权限。")
    return target
