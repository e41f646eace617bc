"""The area manager's district: the window (halls side by side) and the district report.

window           `hall-app district`: halls side by side, data age, drill-down, alerts
model            the sortable table model of the halls
report_document  the district report as an A4 document and PDF (`hall-app district report`)
charts           the report's trend chart
"""
