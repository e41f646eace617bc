"""The `hall-app` command line.

    hall-app --version
    hall-app db upgrade                    Alembic to head (also done at every start)
    hall-app db seed-demo [--date D] [--seed N] [--no-traffic]
    hall-app db backup [--out PATH] | db restore FILE [--yes]
    hall-app day status [--date D] | day close [--date D] --staff N
    hall-app report (--date D | --week YYYY-Www | --month YYYY-MM) [--pdf FILE] [--csv DIR]
    hall-app config export FILE --staff NO [--with-pin-hashes]
    hall-app config import FILE --staff NO [--dry-run] [--reset-pins] [--login-hall CODE]
    hall-app audit verify                  the history's hash chains and seals
    hall-app privacy purge [--months N]    anonymise old complaints' personal data
    hall-app forecast backtest --from D1 --to D2   accuracy of the wait estimates
    hall-app staffing plan --date D [--csv FILE] [--reps N]
    hall-app counter | overview | kiosk | display | admin | demo
    hall-app rating --counter N [--bind] [--fullscreen] [--voice]   (评价器)
    hall-app district [setup … | status | rollup … | report …]   (hall_app.district.cli)

Window roles and the report are loaded lazily, so the core never imports Qt until a
window is asked for. Every error reaches the user as one Chinese line (exit code 2),
never as a traceback; details go to the log.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from hall_app import __version__
from hall_app.cli_parser import ChineseArgumentParser
from hall_app.config import Settings, load_settings
from hall_app.errors import ConfigError, DatabaseUnavailable, HallError

log = logging.getLogger("hall_app")

# role -> "module:function"; each function takes (args, settings) and returns an exit code.
ENTRY_POINTS: dict[str, str] = {
    "counter": "ui.counter.window:main",
    "overview": "ui.overview.window:main",
    "kiosk": "ui.kiosk.window:main",
    "display": "ui.display.window:main",
    "rating": "ui.rating.window:main",
    "admin": "ui.admin.window:main",
    "demo": "ui.demo.hall:main",
    "district-window": "ui.district.window:main",
    "report": "ui.report.cli:main",
    "district-report": "ui.district.report_cli:main",
    "config-export": "hall_app.config_io:export_main",
    "config-import": "hall_app.config_io:import_main",
    "audit-verify": "hall_app.security.cli:audit_verify_main",
    "privacy-purge": "hall_app.security.cli:privacy_purge_main",
    "forecast-backtest": "hall_app.forecast.cli:main",
    "staffing-plan": "hall_app.staffing.cli:plan_main",
}

ROLE_HELP = {
    "counter": "营业员窗口",
    "overview": "值班长总览",
    "kiosk": "取号机",
    "display": "叫号屏",
    "rating": "评价器(窗口外侧顾客评价屏)",
    "admin": "营业厅管理",
    "demo": "演示营业厅(内置数据库、模拟顾客)",
}


# Business days the product can reason about (a day's bounds must exist in every zone).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def _date(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期「{text}」格式应为 YYYY-MM-DD") from None
    if not FIRST_DAY <= value <= LAST_DAY:
        raise argparse.ArgumentTypeError(
            f"日期「{text}」超出范围(应在 {FIRST_DAY.isoformat()} 到 {LAST_DAY.isoformat()} 之间)")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是整数") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"「{text}」不能为负数")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是数字") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"「{text}」应大于0")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog="hall-app", description="营业厅排队叫号与服务规范系统")
    p.add_argument("--version", action="version", version=f"hall-app {__version__}")
    p.add_argument("--config", metavar="文件", help="设置文件路径(默认用户配置目录下 settings.toml)")
    p.add_argument("--hall", dest="hall_code", metavar="代码", help="营业厅代码")
    sub = p.add_subparsers(dest="command", metavar="命令", title="命令", parser_class=ChineseArgumentParser)

    db = sub.add_parser("db", help="数据库")
    dbsub = db.add_subparsers(dest="db_command", metavar="操作", title="操作", required=True,
                              parser_class=ChineseArgumentParser)
    dbup = dbsub.add_parser("upgrade", help="升级数据库结构到最新")
    dbup.add_argument("--site", type=_positive_int, metavar="站点号",
                      help="区域站点号(仅首次升级到站点键版本时生效,已有键值随之移入号段)")
    seed = dbsub.add_parser("seed-demo", help="建立演示营业厅并模拟一天的客流")
    seed.add_argument("--date", type=_date, metavar="日期", help="模拟的营业日 YYYY-MM-DD,默认今天")
    seed.add_argument("--seed", type=_positive_int, default=1, metavar="种子", help="随机种子(结果可复现)")
    seed.add_argument("--no-traffic", action="store_true", help="只建立营业厅配置,不模拟客流")
    bk = dbsub.add_parser("backup", help="备份数据库(SQLite 在线备份;PostgreSQL 用 pg_dump)")
    bk.add_argument("--out", metavar="路径", help="备份文件或文件夹(默认为数据文件夹下的备份文件夹 backups)")
    rs = dbsub.add_parser("restore", help="从备份恢复数据库(会覆盖现有数据)")
    rs.add_argument("file", metavar="文件", help="备份文件")
    rs.add_argument("--yes", action="store_true", help="不再询问,直接覆盖(用于脚本)")

    day = sub.add_parser("day", help="营业日(闭厅)")
    daysub = day.add_subparsers(dest="day_command", metavar="操作", title="操作", required=True,
                                parser_class=ChineseArgumentParser)
    dst = daysub.add_parser("status", help="营业日状态")
    dst.add_argument("--date", type=_date, metavar="日期", help="营业日 YYYY-MM-DD,默认今天")
    dcl = daysub.add_parser("close", help="立即闭厅(值班长或管理员)")
    dcl.add_argument("--date", type=_date, metavar="日期", help="营业日 YYYY-MM-DD,默认今天")
    dcl.add_argument("--staff", metavar="工号", help="工号(密码在终端输入,不回显)")

    rep = sub.add_parser("report", help="营业日报 / 周报 / 月报")
    when = rep.add_mutually_exclusive_group(required=True)
    when.add_argument("--date", type=_date, metavar="日期", help="营业日 YYYY-MM-DD(日报)")
    when.add_argument("--week", metavar="周", help="周报:年份与第几周(按国际标准周),例如 2026-W48")
    when.add_argument("--month", metavar="月份", help="月报:年份与月份,例如 2026-11")
    rep.add_argument("--pdf", metavar="文件", help="输出 PDF 文件")
    rep.add_argument("--csv", metavar="目录", help="输出 CSV 表格的目录")

    cfg = sub.add_parser("config", help="营业厅配置导入导出")
    cfgsub = cfg.add_subparsers(dest="config_command", metavar="操作", title="操作", required=True,
                                parser_class=ChineseArgumentParser)
    exp = cfgsub.add_parser("export", help="导出配置到 TOML 文件(需管理员登录)")
    exp.add_argument("file", metavar="文件", help="TOML 文件路径")
    exp.add_argument("--staff", metavar="工号",
                     help="管理员工号(密码在终端输入,不回显;或从标准输入读一行)")
    exp.add_argument("--with-pin-hashes", action="store_true",
                     help="同时导出密码摘要(默认不导出)")
    imp = cfgsub.add_parser("import", help="从 TOML 文件导入配置(需管理员登录)")
    imp.add_argument("file", metavar="文件", help="TOML 文件路径")
    imp.add_argument("--staff", metavar="工号",
                     help="管理员工号(密码在终端输入,不回显;或从标准输入读一行)")
    imp.add_argument("--login-hall", metavar="代码", help="管理员所在的营业厅代码(新建营业厅时)")
    imp.add_argument("--dry-run", action="store_true", help="只检查,不修改")
    imp.add_argument("--reset-pins", action="store_true",
                     help="按文件重置现有员工的密码(默认保留原密码)")

    aud = sub.add_parser("audit", help="审计:核对历史记录是否被篡改")
    audsub = aud.add_subparsers(dest="audit_command", metavar="操作", title="操作", required=True,
                                parser_class=ChineseArgumentParser)
    audsub.add_parser("verify", help="核对号票事件、投诉记录和审计日志的哈希链")
    priv = sub.add_parser("privacy", help="个人信息保护")
    privsub = priv.add_subparsers(dest="privacy_command", metavar="操作", title="操作",
                                  required=True,
                                  parser_class=ChineseArgumentParser)
    purge = privsub.add_parser("purge", help="匿名化超过保存期限的投诉人姓名、电话和地址")
    purge.add_argument("--months", type=_positive_int, metavar="月数",
                       help="保存期限(月),默认取设置文件中的投诉保存期限")
    purge.add_argument("--staff", metavar="工号", help="管理员工号(保存期限短于设置时需要)")

    from hall_app.forecast.cli import add_parser as add_forecast_parser

    add_forecast_parser(sub, _date)
    staffing = sub.add_parser("staffing", help="窗口排班建议")
    stsub = staffing.add_subparsers(dest="staffing_command", metavar="操作", title="操作", required=True,
                                    parser_class=ChineseArgumentParser)
    stp = stsub.add_parser("plan", help="某营业日每小时建议开放的窗口数")
    stp.add_argument("--date", type=_date, required=True, metavar="日期", help="营业日 YYYY-MM-DD")
    stp.add_argument("--csv", metavar="文件", help="同时导出 CSV 文件")
    stp.add_argument("--reps", type=_positive_int, default=200, metavar="次数", help="每个时段的验证模拟次数")

    from hall_app.district.cli import add_parser as add_district_parser

    add_district_parser(sub, ChineseArgumentParser)

    for role, help_text in ROLE_HELP.items():
        rp = sub.add_parser(role, help=help_text)
        if role in ("counter", "overview", "admin"):
            rp.add_argument("--staff", metavar="工号", help="工号(预填登录框)")
        if role == "counter":
            rp.add_argument("--counter", type=_positive_int, metavar="窗口号", help="窗口号")
        if role == "display":
            rp.add_argument("--windowed", action="store_true", help="不全屏")
        if role == "rating":
            rp.add_argument("--counter", type=_positive_int, required=True, metavar="窗口号", help="窗口号")
            rp.add_argument("--bind", action="store_true",
                            help="由值班长把本机评价器绑定到该窗口(在终端输入工号和密码)")
            rp.add_argument("--fullscreen", action="store_true", help="全屏显示")
            rp.add_argument("--voice", action="store_true", help="语音提示顾客评价")
        if role == "demo":
            rp.add_argument("--speed", type=_positive_float, default=1.0, metavar="倍数", help="模拟时间倍速")
            rp.add_argument("--counters", type=_positive_int, default=2, metavar="数量",
                            help="打开的营业员窗口数量")
            rp.add_argument("--rate", type=_positive_float, default=60.0, metavar="人数",
                            help="每小时到达顾客数")
    return p


def preload_core_for_window() -> None:
    """Import the core every window needs (the models, the service context) before Qt.

    PySide6 hooks the import system: every module imported after it is read back as
    source to look for ``from __feature__`` (≈ 30 ms of a window's start for the
    core's ~300 modules). Imported first, the core is never scanned; the window imports
    them anyway. No Qt is imported here.

    The cyclic garbage collector is off during the import: it allocates ≈ 80,000
    objects, and collections during it cost ≈ 30 ms. What the import made lives as long
    as the process, so it is frozen (never scanned again) and the collector is on again
    (a window's application then collects on its GUI thread, ui/gc_guard.py; the
    headless report commands keep the automatic one).
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        import hall_app.services.context  # noqa: F401
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _entry(name: str) -> Callable[[argparse.Namespace, Settings], int]:
    module_name, func = ENTRY_POINTS[name].split(":")
    if module_name.startswith("ui."):
        preload_core_for_window()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(module_name.split(".")[0]):
            raise HallError(f"此版本尚未包含「{name}」功能。") from exc
        raise
    return getattr(module, func)  # type: ignore[no-any-return]


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    if args.hall_code:
        from dataclasses import replace

        settings = replace(settings, hall_code=args.hall_code)
    return settings


def _db_command(args: argparse.Namespace, settings: Settings) -> int:
    from db.engine import Database, redact_url
    from db.migrate import NewerSchema, upgrade
    from hall_app.errors import ProgramOutdated

    if args.db_command in ("backup", "restore"):
        from hall_app import cli_backup

        return (cli_backup.backup_main if args.db_command == "backup"
                else cli_backup.restore_main)(args, settings)
    database = Database(settings.database_url)
    try:
        try:
            before, after = upgrade(database, site=getattr(args, "site", None))
        except NewerSchema as exc:
            raise ProgramOutdated(exc.revisions) from None
        if args.db_command == "upgrade":
            if before == after:
                print(f"数据库已是最新版本({after}):{redact_url(settings.database_url)}")
            else:
                print(f"数据库已升级:{before or '空库'} → {after}")
            wanted = getattr(args, "site", None)
            if wanted is not None:
                from hall_app.district.keys import current_site

                site = current_site(database)
                if site != wanted:
                    print(f"提示:本库是站点 {site} 号(站点键版本此前已升级);要改为站点 {wanted} "
                          f"号,请用 hall-app district setup hall --site {wanted}。")
            return 0
        from hall_app.demo.seed import seed_demo

        result = seed_demo(database, settings, args.date, args.seed,
                           traffic=not args.no_traffic)
        print(f"营业厅 {result.hall_code}:" + ("已新建配置" if result.created_hall else "配置已存在"))
        if result.skipped_existing_day:
            print("该营业日已有数据,未重复模拟。")
        elif result.day is not None:
            print(f"已模拟 {result.day.day}:取号 {result.day.issued} 张,"
                  f"闭厅未办 {result.day.abandoned} 张。")
        return 0
    finally:
        database.dispose()


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    settings = _settings(args)
    check_database_location(settings.database_url)
    try:
        return _command(args, settings)
    except DatabaseUnavailable as exc:
        raise unreachable(settings.database_url, exc) from exc


def check_database_location(url: str) -> None:
    """An SQLite path that is a folder, or a file that is not SQLite: say so in Chinese."""
    from hall_app.db_errors import check_sqlite_location

    check_sqlite_location(url)


def unreachable(url: str, exc: DatabaseUnavailable) -> HallError:
    """The command line does not retry: name the database (no password) and stop."""
    from db.engine import redact_url

    if exc.detail == "locked":
        return HallError(f"数据库繁忙(其他程序正在写入):{redact_url(url)},请稍后重试。")
    return HallError(f"无法连接数据库 {redact_url(url)},请检查数据库服务器是否运行、"
                     "网络是否正常,或联系管理员。", detail=exc.detail)


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        return _db_command(args, settings)
    if args.command == "day":
        from hall_app.cli_day import main as day_main

        return day_main(args, settings)
    if args.command == "district":
        from hall_app.district.cli import main as district_main

        return district_main(args, settings)
    if args.command == "config":
        return _entry(f"config-{args.config_command}")(args, settings)
    if args.command == "audit":
        return _entry(f"audit-{args.audit_command}")(args, settings)
    if args.command == "privacy":
        return _entry(f"privacy-{args.privacy_command}")(args, settings)
    if args.command == "forecast":
        return _entry(f"forecast-{args.forecast_command}")(args, settings)
    if args.command == "staffing":
        return _entry(f"staffing-{args.staffing_command}")(args, settings)
    return _entry(args.command)(args, settings)


def _private_data_dir() -> None:
    """The app's own data folder (the default database lives there) is 0700 on POSIX."""
    from db.private_files import DIR_MODE, tighten
    from hall_app.config import user_data_dir

    tighten(user_data_dir(), DIR_MODE)


def main(argv: Sequence[str] | None = None) -> int:
    from hall_app.logs import setup_logging

    setup_logging()
    _private_data_dir()
    try:
        return run(argv)
    except (HallError, ConfigError) as exc:
        log.warning("command failed: %s (%s)", exc.message, exc.detail or "")
        print(f"错误:{exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback
        from hall_app.db_errors import hall_error_from

        known = hall_error_from(exc)  # a database refusal or a newer database, in Chinese
        if known is not None:
            log.warning("command failed: %s (%s)", known.message, known.detail or "")
            print(f"错误:{known.message}", file=sys.stderr)
            return 2
        log.exception("unexpected failure")
        print(f"错误:程序内部出错({type(exc).__name__}),详情已写入日志。", file=sys.stderr)
        return 1


def console_main() -> Any:
    sys.exit(main())


if __name__ == "__main__":
    console_main()
