"""`hall-app rating --counter N --bind`: a duty manager binds this machine's pad, in the terminal.

Asks for the manager's 工号 and PIN (the PIN is not echoed), binds a new pad to counter
N (the counter's previous pad stops working) and saves the credential in a private
file on this machine. Prints one Chinese line; errors are raised as HallError.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable
from typing import Any

from hall_app.errors import HallError


def bind_main(args: Any, settings: Any, *, ask: Callable[[str], str] = input,
              ask_secret: Callable[[str], str] = getpass.getpass) -> int:
    from hall_app.services import HallServices
    from hall_app.services.ratings.pads import save_credential

    number = int(args.counter)
    services = HallServices.open(settings)
    try:
        staff_no = ask("值班长工号:").strip()
        pin = ask_secret("密码(PIN):")
        if not staff_no or not pin:
            raise HallError("请输入工号和密码。")
        actor = services.auth.login(staff_no, pin)
        counter = services.queries.counter_for_number(number)
        name = f"{number}号窗口评价器@{socket.gethostname()}"[:64]
        try:
            credential = services.pads.bind(actor, counter.id, name)
        finally:
            services.auth.logout(actor)  # the command's login ends with it
        path = save_credential(credential)
        print(f"已将本机评价器绑定到{number}号窗口(原评价器已停用),凭据保存在 {path}。")
        return 0
    finally:
        services.close()
