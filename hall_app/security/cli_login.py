"""Reading a PIN on the command line: from the terminal without echo, or one line from
stdin when it is not a terminal (scripts: `echo 123456 | hall-app config import …`).
The PIN is never an argument (it would show in the process list and shell history)."""

from __future__ import annotations

import getpass
import sys

from hall_app.errors import ValidationError


def read_pin(prompt: str = "密码:") -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            pin = getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt):
            pin = ""
    else:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        pin = line.strip()
    if not pin:
        raise ValidationError("未输入密码。", field="pin")
    return pin
