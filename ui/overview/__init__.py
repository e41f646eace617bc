"""Widgets of the duty manager's overview window (counter grid, alerts, queues, charts, dialogs)."""
