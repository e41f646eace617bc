"""The duty manager's overview: window.py and its widgets (counter grid, alerts, queues, charts,
dialogs).
"""
