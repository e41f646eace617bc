"""The clerk's counter window and its panels.

window      CounterWindow puts the panels together; main() logs in, then opens it
situation   CounterView → hall_app.scripts.Situation, live clocks (no Qt widgets)
login       LoginDialog (staff number + PIN + counter) and ChangePinDialog
current     the current-customer panel (big ticket code, waits, state)
queue       queue table model and panel (live waits, long-wait colour, counts)
actions     the action bar (buttons + F1–F6 shortcuts, legality)
script      five-step flow, situational prompts, coaching cards / forbidden phrases
cash        唱收唱交 cash helper
dialogs     transfer, pause, escalate dialogs
"""
