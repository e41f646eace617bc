"""Driver and SQLAlchemy errors turned into the core's own errors, each telling the truth.

Only this module (and the services through `ServiceContext`) knows what a database error
looks like; windows see `HallError` subclasses and nothing else:

* the server or file cannot be reached, the connection broke, the pool timed out
  → `DatabaseUnavailable` (retrying later may work; windows retry);
* SQLite busy or locked, a PostgreSQL statement timeout → `DatabaseUnavailable` with
  「数据库繁忙」;
* the disk is full (SQLite `SQLITE_FULL`, PostgreSQL `53100 disk_full`) → `StorageFull`
  「磁盘空间不足」, logged as an error;
* a constraint refused the write → `DataConflict` (a bug unless the service expected it:
  never shown as a lost connection, never retried);
* text the database cannot store (NUL, lone surrogates) that slipped past
  `hall_app.text.clean_text` → `ValidationError`;
* anything else the database refused (no such table, not a database, a damaged file)
  → `DatabaseError`, logged with its cause.

Messages never contain the URL or its password.
"""

from __future__ import annotations

import logging
import sqlite3

from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from hall_app.errors import (
    DatabaseError,
    DatabaseUnavailable,
    DataConflict,
    HallError,
    ProgramOutdated,
    StorageFull,
    ValidationError,
)

log = logging.getLogger(__name__)

BUSY_MESSAGE = "数据库繁忙,请稍后重试。"
BAD_TEXT_MESSAGE = "输入内容中含有无法保存的字符(如空字符),请删除后重新输入。"
NOT_A_DATABASE = "数据库文件已损坏或不是本系统的数据库,请联系管理员。"

# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_NOMEM, _SQLITE_IOERR = 5, 6, 7, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_PROTOCOL = 11, 13, 14, 15
_SQLITE_NOTADB = 26
# PostgreSQL SQLSTATEs that mean "the server is busy", not "the server is gone".
_PG_BUSY = {"57014", "55P03", "40P01", "40001"}  # canceled/timeout, lock n/a, deadlock, serialization


def _sqlite_code(orig: BaseException) -> int | None:
    code = getattr(orig, "sqlite_errorcode", None)
    return int(code) & 0xFF if isinstance(code, int) else None


def _sqlstate(orig: BaseException) -> str | None:
    state = getattr(orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def _is_bad_text(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, UnicodeEncodeError):
        return True
    text = str(orig)
    return _sqlstate(orig) in ("22021", "22P05") or "NUL (0x00)" in text \
        or "surrogates not allowed" in text


def translate(exc: BaseException, *, where: str = "") -> HallError:
    """The core's error for the database error `exc` (see the module docstring). Logs it."""
    if isinstance(exc, HallError):
        return exc
    name = type(getattr(exc, "orig", None) or exc).__name__
    if _is_bad_text(exc):
        return ValidationError(BAD_TEXT_MESSAGE, detail=name)
    if isinstance(exc, IntegrityError):
        log.error("constraint refused a write%s: %s", f" ({where})" if where else "",
                  getattr(exc, "orig", exc))
        return DataConflict(detail=name)
    orig = getattr(exc, "orig", None) or exc
    code = _sqlite_code(orig)
    state = _sqlstate(orig)
    if code == _SQLITE_FULL or state == "53100" or (state or "").startswith("53") and \
            "space" in str(orig):
        log.error("disk full: the database could not write%s (%s)",
                  f" ({where})" if where else "", name)
        return StorageFull(detail=name)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or state in _PG_BUSY:
        return DatabaseUnavailable(BUSY_MESSAGE, detail="locked")
    if code in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
        log.error("not a hall database or damaged%s: %s", f" ({where})" if where else "", orig)
        return DatabaseError(NOT_A_DATABASE, detail=name)
    if code in (_SQLITE_IOERR, _SQLITE_CANTOPEN, _SQLITE_PROTOCOL, _SQLITE_NOMEM):
        return DatabaseUnavailable(detail=name)
    if isinstance(exc, PoolTimeout):
        return DatabaseUnavailable(detail=name)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return DatabaseUnavailable(detail=name)
    if code is None and isinstance(exc, OperationalError | InterfaceError):
        # PostgreSQL: connection refused, server closed the connection, admin shutdown…
        return DatabaseUnavailable(detail=name)
    if isinstance(exc, sqlite3.OperationalError) and code is None:
        return DatabaseUnavailable(detail=name)
    log.error("database refused a statement%s", f" ({where})" if where else "",
              exc_info=(type(exc), exc, exc.__traceback__))
    return DatabaseError(detail=name)


def hall_error_from(exc: BaseException) -> HallError | None:
    """`translate(exc)` for a database error; None for anything else (a plain bug)."""
    if isinstance(exc, HallError):
        return exc
    from db.migrate import NewerSchema

    if isinstance(exc, NewerSchema):
        return ProgramOutdated(exc.revisions)
    if isinstance(exc, SQLAlchemyError | sqlite3.Error):
        return translate(exc)
    if isinstance(exc, UnicodeEncodeError) and _is_bad_text(exc):
        return ValidationError(BAD_TEXT_MESSAGE, detail=type(exc).__name__)
    return None


def check_sqlite_location(url: str) -> None:
    """Refuse, in Chinese, an SQLite URL whose path is a folder or a file that is not an
    SQLite database (before SQLite says only "unable to open" or "not a database")."""
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # the settings loader reports a malformed URL itself
    if parsed.get_backend_name() != "sqlite" or not parsed.database \
            or parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    if path.is_dir():
        raise DatabaseError(f"数据库路径 {path} 是一个文件夹,不是数据库文件。"
                            "请检查设置中的 database.url。", detail="is a directory")
    if path.is_file() and path.stat().st_size > 0:
        try:
            with path.open("rb") as f:
                head = f.read(16)
        except OSError as exc:
            raise DatabaseError(f"无法读取数据库文件 {path}:{exc.strerror or exc}",
                                detail=type(exc).__name__) from exc
        if head != b"SQLite format 3\x00":
            raise DatabaseError(f"{path} 不是本系统的数据库文件(可能已损坏或选错了文件)。",
                                detail="not an SQLite file")
