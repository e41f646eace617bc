"""`hall-app district …`: the district's command line (parsers and handlers, no Qt).

    hall-app district                          the area manager's window (ui.district)
    hall-app district setup hall --site S      at a hall: keys into site S's range, the
                                               replication role, publication and slot
    hall-app district setup district --hall-url URL [--name N] [--site S]
                                               at the district: registry + subscription
    hall-app district status                   replication lag and last data, per site
                                               (at a hall: its slot)
    hall-app district rollup --date D | --from D1 --to D2
                                               (re)write daily rollups at a hall (backfill)
    hall-app district report --date D [--week | --month] [--pdf F] [--csv DIR]
                                               halls ranked per figure (ui.district.report_cli)
The database is the one the settings name (HALL_DATABASE_URL); see docs/district.md.

Every handler prints Chinese lines for a person and returns an exit code; errors are
`HallError`s, which `hall_app.cli.main` prints as one line.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from typing import Any

from hall_app.config import Settings
from hall_app.errors import HallError, ValidationError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期「{text}」格式应为 YYYY-MM-DD") from None


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
    district = sub.add_parser("district", help="区域中心(多营业厅)",
                              description="不带操作时打开区域总览窗口(区域经理用)。")
    actions = district.add_subparsers(dest="district_command", metavar="ACTION",
                                      parser_class=parser_class)
    setup = actions.add_parser("setup", help="接入区域中心")
    where = setup.add_subparsers(dest="setup_target", metavar="TARGET", required=True,
                                 parser_class=parser_class)
    hall = where.add_parser("hall", help="在营业厅数据库上执行:站点号、发布")
    hall.add_argument("--site", type=_site_number, required=True, help="区域分配的站点号")
    hall.add_argument("--force", action="store_true",
                      help="即使还有其他连接也继续(键值会改变,请先关闭所有窗口)")
    hall.add_argument("--role", default="hall_district", help="复制账号名(默认 hall_district)")
    center = where.add_parser("district", help="在区域中心数据库上执行:登记站点、订阅")
    center.add_argument("--hall-url", required=True,
                        help="营业厅数据库地址(以复制账号连接),如 "
                             "postgresql://hall_district:密码@10.1.2.3:5432/hall")
    center.add_argument("--name", help="站点名称(默认用营业厅名称)")
    center.add_argument("--site", type=_site_number, help="核对营业厅的站点号")
    actions.add_parser("status", help="复制状态:各站点的延迟与最近收到数据的时间")
    roll = actions.add_parser("rollup", help="生成(或重算)营业日汇总,用于补录历史")
    roll.add_argument("--date", type=_date, help="营业日 YYYY-MM-DD")
    roll.add_argument("--from", dest="date_from", type=_date, metavar="D1", help="起始营业日")
    roll.add_argument("--to", dest="date_to", type=_date, metavar="D2", help="结束营业日(含)")
    rep = actions.add_parser("report", help="区域对比报表:各厅按指标排名、后三名、趋势")
    rep.add_argument("--date", type=_date, help="营业日 YYYY-MM-DD")
    span = rep.add_mutually_exclusive_group()
    span.add_argument("--week", action="store_true", help="该日所在的一周(周一至周日)")
    span.add_argument("--month", action="store_true", help="该日所在的月份")
    rep.add_argument("--from", dest="date_from", type=_date, metavar="D1", help="起始营业日")
    rep.add_argument("--to", dest="date_to", type=_date, metavar="D2", help="结束营业日(含)")
    rep.add_argument("--pdf", help="输出 PDF 文件")
    rep.add_argument("--csv", help="输出 CSV 表格的目录")


def main(args: argparse.Namespace, settings: Settings) -> int:
    command = getattr(args, "district_command", None)
    if command is None:
        from hall_app.cli import _entry

        return _entry("district-window")(args, settings)
    if command == "setup" and args.setup_target == "hall":
        return setup_hall(args, settings)
    if command == "setup" and args.setup_target == "district":
        return setup_district(args, settings)
    if command == "status":
        return status(args, settings)
    if command == "rollup":
        return rollup(args, settings)
    if command == "report":
        from hall_app.cli import _entry

        return _entry("district-report")(args, settings)
    raise HallError(f"未知的区域命令「{command}」。")


def setup_hall(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from db.engine import Database, redact_url
    from db.migrate import upgrade
    from hall_app.district.keys import other_sessions
    from hall_app.district.publish import setup_hall as run_setup

    database = Database(settings.database_url)
    try:
        upgrade(database)
        others = other_sessions(database)
        if others and not args.force:
            raise HallError(f"还有 {others} 个其他连接在使用本库;接入区域会改变所有键值,"
                            "请先关闭本厅所有窗口再执行(或加 --force)。")
        done = run_setup(database, args.site, role=args.role,
                         password=os.environ.get("HALL_DISTRICT_PASSWORD") or None)
        moved = done.move
        print(f"营业厅数据库:{redact_url(database.url)}")
        if moved.moved:
            print(f"站点 {moved.new_site}:已将 {moved.rows_moved} 行的键值移入号段 "
                  f"{moved.key_low}–{moved.key_high}。")
        else:
            print(f"本库已是站点 {moved.new_site},键值无需移动。")
        print(f"复制账号 {done.role}:" + ("已创建" if done.role_created else "已更新权限"))
        print(f"发布 hall_facts:{len(done.tables)} 张表" +
              ("(新建)" if done.publication_created else "(已更新)") +
              f";不发布的字段:{'、'.join(done.withheld)}")
        print(f"复制槽 {done.slot}:" + ("已创建,从现在起为区域中心保留 WAL" if done.slot_created
                                      else "已存在"))
        return 0
    finally:
        database.dispose()


def setup_district(args: argparse.Namespace, settings: Settings) -> int:
    from db.engine import Database
    from hall_app.district.subscribe import setup_district as run_setup

    database = Database(settings.database_url)
    try:
        done = run_setup(database, args.hall_url, name=args.name, site=args.site)
        if done.created:
            print(f"已登记站点 {done.site}「{done.name}」(营业厅 {'、'.join(done.halls)}),"
                  f"订阅 {done.subscription} 已建立,正在复制已有数据。")
        else:
            print(f"站点 {done.site}「{done.name}」已登记,订阅 {done.subscription} 已刷新表清单。")
        return 0
    finally:
        database.dispose()


def status(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import text

    from db.engine import Database
    from hall_app.district.status import hall_slots, site_links
    from hall_app.district.texts import format_links, format_slots

    database = Database(settings.database_url)
    try:
        if not database.is_postgres:
            print("本库为 SQLite,不参加区域复制。")
            return 0
        with database.engine.begin() as conn:
            links = site_links(conn)
            slots = hall_slots(conn)
            now = conn.execute(text("SELECT now()")).scalar_one()
        if not links and not slots:
            print("本库既没有登记站点(区域中心),也没有区域复制槽(营业厅)。")
        for line in format_links(links, now) + format_slots(slots):
            print(line)
        return 0
    finally:
        database.dispose()


def rollup_days(args: argparse.Namespace) -> list[date]:
    if args.date and (args.date_from or args.date_to):
        raise ValidationError("请只用 --date,或只用 --from/--to。", field="date")
    if args.date:
        return [args.date]
    if not (args.date_from and args.date_to):
        raise ValidationError("请给出 --date D,或 --from D1 --to D2。", field="date")
    if args.date_to < args.date_from:
        raise ValidationError("结束日期早于起始日期。", field="date")
    if (args.date_to - args.date_from).days > 3660:
        raise ValidationError("一次最多补录十年。", field="date")
    return [args.date_from + timedelta(days=i)
            for i in range((args.date_to - args.date_from).days + 1)]


def rollup(args: argparse.Namespace, settings: Settings) -> int:
    from hall_app.metrics.rollups import hall_ids, write_day_rollups
    from hall_app.services import HallServices

    days = rollup_days(args)
    services = HallServices.open(settings)
    ctx = services.ctx
    try:
        with ctx.read() as s:
            halls = hall_ids(s, args.hall_code)
        if not halls:
            raise HallError(f"找不到营业厅「{args.hall_code}」。" if args.hall_code
                            else "本库没有营业厅。")
        now = ctx.now()
        written = skipped = 0
        for hall_id, code in halls:
            for day in days:
                try:
                    with ctx.write() as s:
                        result = write_day_rollups(s, hall_id, day, now=now,
                                                   thresholds=settings.thresholds)
                except ValidationError:
                    skipped += 1  # a day that has not begun
                    continue
                written += 1
                if len(days) <= 7:
                    print(f"{code} {day}:到达 {result.arrived} 人,业务 {result.services} 项,"
                          f"窗口 {result.counters} 个,营业员 {result.clerks} 人")
        print(f"已写入 {written} 个营业日汇总" + (f",跳过尚未开始的 {skipped} 天" if skipped
                                            else "") + "。")
        return 0
    finally:
        services.close()
