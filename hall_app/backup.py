"""Backups of the hall database, taken at every day close and on demand; restoring one.

* SQLite: the online backup API (`sqlite3.Connection.backup`) copies the live database —
  other workstations may keep writing — into `<backups>/hall-YYYYmmdd-HHMMSS.db` (the
  folder `[backup] folder`, default `backups/` beside the database file). The newest
  `[backup] keep` files (default 30) are kept, older ones deleted. Files are 0600.
* PostgreSQL: `pg_dump --format=custom` (`hall-app db backup`). The password goes to
  pg_dump through PGPASSWORD, never on its command line. A real server should also have
  base backups with WAL archiving (docs/installer.md): a nightly dump loses the day.
* `restore(...)` puts a backup back: SQLite through the backup API into the database
  file, PostgreSQL through `pg_restore --clean --single-transaction`. It refuses to
  overwrite a database that holds a hall unless the caller confirms (`hall-app db
  restore FILE` asks, or `--yes`).

No Qt. Errors are HallError with a Chinese message; paths and URLs without passwords.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from db.engine import Database
from db.private_files import private_dir
from hall_app.config import Settings, user_data_dir
from hall_app.errors import ConfigError, HallError

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
BACKUP_PREFIX = "hall-"


@dataclass(frozen=True)
class LiveHall:
    """What a restore would overwrite."""

    halls: tuple[str, ...]
    tickets: int
    other_connections: int = 0

    def describe(self) -> str:
        text = f"营业厅 {'、'.join(self.halls) or '(无)'},号票 {self.tickets} 张"
        if self.other_connections:
            text += f",另有 {self.other_connections} 个连接正在使用该数据库"
        return text


def sqlite_file(database: Database) -> Path | None:
    """The SQLite database file, or None on PostgreSQL / an in-memory database."""
    if not database.is_sqlite:
        return None
    name = make_url(database.url).database
    return Path(name) if name and name != ":memory:" else None


def backup_folder(database: Database, settings: Settings) -> Path:
    if settings.backup.folder:
        return Path(settings.backup.folder).expanduser()
    path = sqlite_file(database)
    return (path.parent if path is not None else user_data_dir()) / "backups"


def _stamp(now: datetime) -> str:
    return now.astimezone().strftime("%Y%m%d-%H%M%S")


def _unique(folder: Path, stem: str, suffix: str) -> Path:
    path = folder / f"{stem}{suffix}"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}{suffix}"
        n += 1
    return path


def _private_folder(folder: Path) -> None:
    try:
        private_dir(folder)
    except OSError as exc:
        raise HallError(f"无法创建备份文件夹 {folder}:{exc.strerror or exc}") from exc


def backup_sqlite(database: Database, out: Path) -> Path:
    """Copy the live SQLite database to `out` with the online backup API (0600)."""
    src_path = sqlite_file(database)
    if src_path is None or not src_path.is_file():
        raise HallError(f"找不到数据库文件:{src_path}")
    part = out.with_name(f".{out.name}.part")
    try:
        src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
        try:
            dst = sqlite3.connect(part)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        os.chmod(part, 0o600)
        os.replace(part, out)
    except sqlite3.Error as exc:
        part.unlink(missing_ok=True)
        if "full" in str(exc):
            raise HallError(f"磁盘空间不足,备份未完成:{out.parent}") from exc
        raise HallError(f"备份失败:{exc}") from exc
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise HallError(f"备份失败,无法写入 {out}:{exc.strerror or exc}") from exc
    return out


def prune(folder: Path, keep: int, suffix: str) -> list[Path]:
    """Delete all but the newest `keep` backups (by name: the names sort by time)."""
    files = sorted(p for p in folder.glob(f"{BACKUP_PREFIX}*{suffix}") if p.is_file())
    doomed = files[:-keep] if keep > 0 else files
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def _pg_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                      key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return str(versions[-1]) if versions else None


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore and the environment with the password."""
    u = make_url(url)
    args = []
    if u.host:
        args += ["--host", u.host]
    if u.port:
        args += ["--port", str(u.port)]
    if u.username:
        args += ["--username", u.username]
    args += ["--dbname", u.database or "postgres", "--no-password"]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    return args, env


def _run_pg(tool: str, args: list[str], env: dict[str, str], what: str) -> None:
    binary = _pg_tool(tool)
    if binary is None:
        raise HallError(f"找不到 {tool},请安装 PostgreSQL 客户端工具后再{what}。")
    try:
        done = subprocess.run([binary, *args], env=env, capture_output=True, text=True,
                              timeout=3600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HallError(f"{what}失败:无法运行 {tool}({type(exc).__name__})。") from exc
    if done.returncode != 0:
        log.error("%s failed (%s): %s", tool, done.returncode, done.stderr.strip()[-2000:])
        raise HallError(f"{what}失败:{tool} 报告错误,详情已写入日志。")


def backup_postgres(database: Database, out: Path) -> Path:
    """pg_dump of the hall database (custom format, 0600) to `out`."""
    conn_args, env = _pg_args(database.url)
    part = out.with_name(f".{out.name}.part")
    try:
        _run_pg("pg_dump", [*conn_args, "--format=custom", "--no-owner", "--file", str(part)],
                env, "备份")
        os.chmod(part, 0o600)
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return out


def backup_database(database: Database, settings: Settings, now: datetime,
                    out: Path | None = None) -> Path:
    """Back the database up now. `out`: a file or folder (default: the backups folder,
    pruned to `[backup] keep` files)."""
    suffix = ".db" if database.is_sqlite else ".dump"
    folder = backup_folder(database, settings)
    prune_after = out is None
    if out is not None and (out.is_dir() or str(out).endswith(os.sep)):
        folder, out = out, None
    if out is None:
        _private_folder(folder)
        out = _unique(folder, f"{BACKUP_PREFIX}{_stamp(now)}", suffix)
    path = backup_sqlite(database, out) if database.is_sqlite else backup_postgres(database, out)
    if prune_after:
        prune(folder, settings.backup.keep, suffix)
    log.info("backup written: %s", path)
    return path


def backup_after_close(database: Database, settings: Settings, now: datetime) -> Path | None:
    """The day-close backup. On PostgreSQL without pg_dump on this workstation: logged,
    skipped (the server's own backups cover it, docs/installer.md)."""
    if database.is_postgres and _pg_tool("pg_dump") is None:
        log.warning("day-close backup skipped: pg_dump is not installed on this workstation")
        return None
    return backup_database(database, settings, now)


# -- restore ------------------------------------------------------------------------------
def backup_kind(path: Path) -> str:
    """'sqlite' or 'pg_dump' by the file's first bytes; ConfigError otherwise."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise ConfigError(f"无法读取备份文件 {path}:{exc.strerror or exc}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "pg_dump"
    raise ConfigError(f"{path} 不是本系统的备份文件(既不是 SQLite 数据库,也不是 pg_dump 备份)。")


def live_hall(database: Database) -> LiveHall | None:
    """What the database holds now, or None if it has no hall data (safe to overwrite)."""
    from sqlalchemy import func, inspect, select, text

    from db.models import Hall, Ticket

    with database.engine.connect() as conn:
        if "hall" not in inspect(conn).get_table_names():
            return None
        halls = tuple(conn.execute(select(Hall.code).order_by(Hall.code)).scalars())
        tickets = int(conn.execute(select(func.count(Ticket.id))).scalar() or 0)
        others = 0
        if database.is_postgres:
            others = int(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalar() or 0)
    if not halls and not tickets:
        return None
    return LiveHall(halls, tickets, others)


def restore(database: Database, path: Path, *, confirm: Callable[[LiveHall], bool]) -> str:
    """Replace the database's content with the backup at `path`.

    `confirm(live)` is asked when the database holds a hall; False cancels (HallError,
    nothing changed). Returns 'sqlite' or 'pg_dump'.
    """
    if not path.is_file():
        raise ConfigError(f"找不到备份文件:{path}")
    kind = backup_kind(path)
    if kind == "sqlite" and not database.is_sqlite:
        raise ConfigError("这是 SQLite 备份,不能恢复到 PostgreSQL 数据库。")
    if kind == "pg_dump" and not database.is_postgres:
        raise ConfigError("这是 PostgreSQL 备份(pg_dump),不能恢复到 SQLite 数据库。")
    live = live_hall(database)
    if live is not None and not confirm(live):
        raise HallError(f"已取消恢复:目标数据库中有正在使用的数据({live.describe()}),未做任何修改。")
    database.dispose()  # no pooled connection of ours holds the old content
    if kind == "sqlite":
        _restore_sqlite(database, path)
    else:
        conn_args, env = _pg_args(database.url)
        _run_pg("pg_restore", [*conn_args, "--clean", "--if-exists", "--no-owner",
                               "--single-transaction", str(path)], env, "恢复")
    log.info("restored %s backup %s", kind, path.name)
    return kind


def _restore_sqlite(database: Database, path: Path) -> None:
    target = sqlite_file(database)
    if target is None:
        raise ConfigError("只能恢复到数据库文件。")
    try:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"hall", "ticket", "ticket_event"} <= tables:
                raise ConfigError(f"{path} 不是营业厅数据库的备份(缺少号票表)。")
            target.parent.mkdir(parents=True, exist_ok=True)
            dst = sqlite3.connect(target, timeout=30)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise HallError(f"恢复失败:{exc}") from exc
