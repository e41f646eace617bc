"""One table of the printed report as HTML (the first columns left-aligned, figures right)."""

from __future__ import annotations

from html import escape

from hall_app.metrics.tables import Table


def table_html(table: Table, *, first_left: int = 1) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td align="{"left" if i < first_left else "right"}">{escape(c)}</td>'
            for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(table.headers)}" align="center">无</td></tr>')
    return (f'<table class="data" border="1" cellspacing="0" cellpadding="2" width="100%">'
            f"<tr>{head}</tr>{''.join(body)}</table>")
