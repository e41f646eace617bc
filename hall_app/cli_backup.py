"""`hall-app db backup [--out PATH]` and `hall-app db restore FILE [--yes]`.

Backup: SQLite with the online backup API into the backups folder (or PATH), PostgreSQL
with pg_dump (custom format). Restore: refuses to overwrite a database that holds a hall
unless you confirm by typing the hall code (or pass --yes in a script); the schema is
upgraded afterwards if the backup is older than this version.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hall_app.backup import LiveHall, backup_database, restore
from hall_app.config import Settings


def _ask(live: LiveHall) -> bool:
    if sys.stdin is None or not sys.stdin.isatty():
        print(f"目标数据库中有正在使用的数据({live.describe()})。"
              "恢复会覆盖全部现有数据;在脚本中请加 --yes 确认。", file=sys.stderr)
        return False
    code = live.halls[0] if live.halls else "YES"
    print(f"目标数据库中有正在使用的数据({live.describe()})。恢复会覆盖全部现有数据,"
          "请先关闭所有工作站。", file=sys.stderr)
    try:
        answer = input(f"确认恢复请输入营业厅代码 {code}:")
    except EOFError:
        return False
    return answer.strip() == code


def backup_main(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from db.engine import Database

    database = Database(settings.database_url)
    try:
        path = backup_database(database, settings, datetime.now(UTC),
                               Path(args.out) if args.out else None)
    finally:
        database.dispose()
    print(f"已备份到:{path}")
    return 0


def restore_main(args: argparse.Namespace, settings: Settings) -> int:
    from db.engine import Database
    from db.migrate import upgrade

    database = Database(settings.database_url)
    try:
        kind = restore(database, Path(args.file),
                       confirm=(lambda _live: True) if args.yes else _ask)
        before, after = upgrade(database)
    finally:
        database.dispose()
    print(f"已从{'SQLite' if kind == 'sqlite' else 'pg_dump'}备份恢复:{args.file}"
          + (f"(数据库结构已升级 {before} → {after})" if before != after else ""))
    return 0
