"""`hall-app day close [--date D] --staff N` and `hall-app day status [--date D]`.

Close: the duty manager or administrator closes a business day now (the day closes by
itself at closing time + grace anyway; this is for a day that must end early, or for
checking at once after a night when no workstation ran). Status: whether the day is
open or closed, by whom, and what the close settled. One Chinese line per fact.
"""

from __future__ import annotations

import argparse

from hall_app.config import Settings
from hall_app.services.days import DayStatus


def status_lines(status: DayStatus) -> list[str]:
    lines = [f"营业日 {status.day.isoformat()}:{status.summary()}"]
    if status.hours is not None:
        changed = "(今日营业时间已由管理员调整)" if status.hours_changed else ""
        lines.append(f"  营业时间 {status.hours.label()}{changed},"
                     f"自动闭厅时间 {status.due_at:%Y-%m-%d %H:%M}")
    if status.closed:
        where = f",工作站 {status.workstation}" if status.workstation else ""
        lines.append(f"  闭厅:{status.closed_at:%Y-%m-%d %H:%M},{status.closed_by}{where}")
        lines.append(f"  取号 {status.issued} 人,办结 {status.served} 人,闭厅未办 "
                     f"{status.abandoned} 人(其中已叫号未到 {status.abandoned_called} 人),"
                     f"闭厅时仍在办理并按闭厅时间结束 {status.finished_at_close} 人")
    elif status.state == "open":
        lines.append(f"  取号 {status.issued} 人,办结 {status.served} 人,"
                     f"仍在等候 {status.waiting} 人,正在办理 {status.in_service} 人")
    else:
        lines.append("  当日还没有取号。")
    return lines


def main(args: argparse.Namespace, settings: Settings) -> int:
    from hall_app.cli_login import login_from_terminal
    from hall_app.services import HallServices

    services = HallServices.open(settings)
    try:
        services.set_role("cli")
        if args.day_command == "status":
            for line in status_lines(services.days.status(args.date)):
                print(line)
            return 0
        actor = login_from_terminal(services, args.staff)
        try:
            result = services.days.close(actor, args.date)
        finally:
            services.auth.logout(actor)  # the command's session ends with it
        print(f"已闭厅:{result.day.isoformat()},闭厅未办 {result.abandoned} 人"
              f"(其中已叫号未到 {result.abandoned_called} 人),"
              f"按闭厅时间结束办理 {result.finished_at_close} 人,"
              f"签退窗口 {result.counters_closed} 个。")
        return 0
    finally:
        services.close()
