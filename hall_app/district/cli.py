"""`hall-app district …`: the district's command line (parsers and handlers, no Qt).

    hall-app district                          the area manager's window (ui.district)
    hall-app district setup hall --site S      at a hall: move keys into site S's range
                                               (then publish, see docs/district.md)

Every handler prints Chinese lines for a person and returns an exit code; errors are
`HallError`s, which `hall_app.cli.main` prints as one line.
"""

from __future__ import annotations

import argparse
from typing import Any

from hall_app.config import Settings
from hall_app.errors import HallError


def _site_number(text: str) -> int:
    from db.site_keys import MAX_SITE

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"站点号「{text}」不是整数") from None
    if not 1 <= value <= MAX_SITE:
        raise argparse.ArgumentTypeError(f"站点号应在 1 到 {MAX_SITE} 之间")
    return value


def add_parser(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add `district` and its actions to the top-level subparsers `sub`."""
    district = sub.add_parser("district", help="区域中心(多营业厅)")
    actions = district.add_subparsers(dest="district_command", metavar="ACTION",
                                      parser_class=parser_class)
    setup = actions.add_parser("setup", help="接入区域中心")
    where = setup.add_subparsers(dest="setup_target", metavar="TARGET", required=True,
                                 parser_class=parser_class)
    hall = where.add_parser("hall", help="在营业厅数据库上执行:站点号、发布")
    hall.add_argument("--site", type=_site_number, required=True, help="区域分配的站点号")
    hall.add_argument("--force", action="store_true",
                      help="即使还有其他连接也继续(键值会改变,请先关闭所有窗口)")


def main(args: argparse.Namespace, settings: Settings) -> int:
    command = getattr(args, "district_command", None)
    if command is None:
        # The area manager's window arrives with the district view; until then, say so.
        raise HallError("请指定区域命令:setup(详见 hall-app district --help)。")
    if command == "setup" and args.setup_target == "hall":
        return setup_hall(args, settings)
    raise HallError(f"未知的区域命令「{command}」。")


def setup_hall(args: argparse.Namespace, settings: Settings) -> int:
    from db.engine import Database, redact_url
    from db.migrate import upgrade
    from hall_app.district.keys import move_to_site, other_sessions

    database = Database(settings.database_url)
    try:
        upgrade(database)
        others = other_sessions(database)
        if others and not args.force:
            raise HallError(f"还有 {others} 个其他连接在使用本库;接入区域会改变所有键值,"
                            "请先关闭本厅所有窗口再执行(或加 --force)。")
        moved = move_to_site(database, args.site)
        if moved.moved:
            print(f"站点 {moved.new_site}:已将 {moved.rows_moved} 行的键值移入号段 "
                  f"{moved.key_low}–{moved.key_high}({redact_url(database.url)})。")
        else:
            print(f"本库已是站点 {moved.new_site},键值无需移动。")
        return 0
    finally:
        database.dispose()
