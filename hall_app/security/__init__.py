"""Security core: server-side sessions, the login clock and throttle, tamper-evident
history (seals, verification), privacy (redaction, purge). No Qt here."""
