"""Logging in on the command line: `--staff N`, the PIN from the terminal without echo,
or from standard input when it is not a terminal (scripts: `echo 123456 | hall-app …`).

The PIN is never an argument (it would stay in the shell history and the process list).
Shared by every command that acts as a staff member (`hall-app day close`,
`config import/export`, `privacy purge` with a shorter retention): the login is an
ordinary one (`AuthService.login`: server-side session, lockout, throttle), so the
command's actions are checked and audited like a window's.
"""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING

from hall_app.errors import ValidationError

if TYPE_CHECKING:
    from hall_app.domain.roles import Actor
    from hall_app.services import HallServices


def read_pin(prompt: str = "请输入密码(PIN):") -> str:
    """The PIN from the terminal (no echo), or the first line of a piped standard input;
    ValidationError when nothing was typed."""
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            pin = getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt):
            pin = ""
    else:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        pin = line.strip()
    if not pin:
        raise ValidationError("没有输入密码。", field="pin")
    return pin


def pin_prompt(staff_no: str) -> str:
    return f"工号 {staff_no} 的密码(PIN):"


def login_from_terminal(services: HallServices, staff_no: str | None) -> Actor:
    """Log `staff_no` in with a PIN read as above; HallError (Chinese) when refused."""
    if not staff_no:
        raise ValidationError("请用 --staff 指定工号(密码将另行询问)。", field="staff")
    return services.auth.login(staff_no, read_pin(pin_prompt(staff_no)))
