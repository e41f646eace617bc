"""Staffing advice: how many counters to open each hour, from the hall's own history.

history (database → plain data) → forecast + behaviour → plan (Erlang A first guess,
simulation decides and validates) → lunch rota; service.py wires it to a hall, table.py
prints it, cli.py is `hall-app staffing plan`. No Qt.
"""
