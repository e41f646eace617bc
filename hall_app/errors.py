"""Typed errors raised by the core. Every error carries a message in Chinese for the user."""

from __future__ import annotations


class HallError(Exception):
    """Base class: `message` is the Chinese text shown to the user."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class IllegalTransition(HallError):
    """A ticket, counter or complaint was asked to move to a state it cannot reach from here."""


class CounterOccupied(IllegalTransition):
    """Signing in at a counter another staff member's live session holds; `holder` is
    「name(工号 no)」. A duty manager may take it over (CounterService.take_over)."""

    def __init__(self, message: str, *, holder: str) -> None:
        super().__init__(message)
        self.holder = holder


class PermissionDenied(HallError):
    """The acting staff member's role may not do this."""


SESSION_EXPIRED_MESSAGE = "登录已失效,请重新登录。"


class SessionExpired(PermissionDenied):
    """The acting session is no longer valid (ended, staff disabled or demoted, PIN reset,
    counter taken over, day closed) or there never was one. Windows recognise this type:
    they show 登录已失效,请重新登录 and the login dialog. `detail` says why (for the log)."""

    def __init__(self, message: str = SESSION_EXPIRED_MESSAGE, *,
                 detail: str | None = None) -> None:
        super().__init__(message, detail=detail)


class PinChangeRequired(PermissionDenied):
    """The session may do nothing but change the PIN (reset, default or too short)."""


class NotFound(HallError):
    """The referenced ticket, counter, staff member... does not exist."""


class ValidationError(HallError):
    """Bad user input. `field` names the input the message belongs beside."""

    def __init__(self, message: str, *, field: str | None = None, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.field = field


class ConfigError(HallError):
    """A settings or script file is malformed; the message names the file and the key."""


class ProgramOutdated(HallError):
    """A newer release of the program already upgraded the hall's database (another
    workstation was updated first). Nothing was changed; this one must be updated."""

    def __init__(self, revisions: list[str]) -> None:
        super().__init__(f"数据库已由较新版本的营业厅程序升级(数据库版本 {'、'.join(revisions)}),"
                         "本机程序版本较旧,不能使用。请先把本机升级到最新版本,再启动。")
        self.revisions = revisions


class DatabaseUnavailable(HallError):
    """The database cannot be reached. Nothing was written; the action may be retried."""

    def __init__(self, message: str = "数据库连接中断,正在重试…", *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)


class QueueEmpty(HallError):
    """Call-next found no waiting customer for this counter."""


class StaleState(IllegalTransition):
    """What the action was based on changed before it could be written; nothing was written.

    Raised by the guarded transitions when the row is no longer in the state that was read
    (another workstation acted first). Refreshing and trying again is the remedy.
    """


class DayClosed(HallError):
    """The business day is already closed (or outside opening hours): no new tickets."""


class StorageFull(HallError):
    """The disk holding the database is full. Nothing was written."""

    def __init__(self, message: str = "磁盘空间不足,数据未能保存。请清理磁盘空间或联系管理员。", *,
                 detail: str | None = None) -> None:
        super().__init__(message, detail=detail)


class DatabaseError(HallError):
    """The database refused a statement for a reason that retrying will not fix (a bug or
    damaged data). Logged with its cause; the action was not written."""

    def __init__(self, message: str = "数据库拒绝了这次操作,未做任何修改。已记录日志,请联系管理员。", *,
                 detail: str | None = None) -> None:
        super().__init__(message, detail=detail)


class DataConflict(DatabaseError):
    """A database constraint refused the write (unique key, foreign key, check). Services
    that expect one (two workstations acknowledging the same alert) catch this and say
    what happened; anywhere else it is a bug, reported without retrying."""
