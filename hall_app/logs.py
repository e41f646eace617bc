"""Logging to a rotating file in the user's log directory (never the PIN, never a password,
never a customer's phone or ID number).

The files are private: 0600 in a 0700 folder on POSIX, rotated files included (the
handler opens every file itself with that mode). Every record goes through
`RedactingFormatter` (hall_app.security.redaction), traceback included.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from db.private_files import FILE_MODE, POSIX, private_dir, tighten
from hall_app.config import APP_AUTHOR, APP_NAME
from hall_app.security.redaction import RedactingFormatter

#: Directory for log files instead of the per-user log directory (tests, kiosks).
LOG_DIR_ENV = "HALL_LOG_DIR"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUP_COUNT = 5
LOG_FORMAT = "%(asctime)s %(levelname)-7s [%(threadName)s] %(name)s: %(message)s"

_configured = False
_handler: logging.Handler | None = None


def log_dir() -> Path:
    """Folder that holds the rotating log files (the CLI's and every window role's)."""
    return Path(os.environ.get(LOG_DIR_ENV) or platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler whose files (the current one and each new one after a
    rollover) are created 0600."""

    def _open(self):  # type: ignore[no-untyped-def]
        if not POSIX:
            return super()._open()
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        tighten(Path(self.baseFilename), FILE_MODE)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def rotating_handler(path: Path, level: int = logging.NOTSET) -> RotatingFileHandler:
    """About 1 MB × 5 files at `path` (0600, in a 0700 folder), in the app's log format,
    phone and ID numbers redacted."""
    private_dir(Path(path).parent)
    handler = PrivateRotatingFileHandler(path, maxBytes=LOG_MAX_BYTES,
                                         backupCount=LOG_BACKUP_COUNT, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    handler.setLevel(level)
    return handler


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Attach the rotating file handler once; returns the log file (None if not writable)."""
    global _configured, _handler
    root = logging.getLogger()
    if _configured:
        return None
    _configured = True
    root.setLevel(level)
    try:
        directory = private_dir(log_dir())
        path = directory / "hall-app.log"
        handler = rotating_handler(path)
    except OSError:
        return None
    root.addHandler(handler)
    _handler = handler
    return path


def detach_core_handler() -> None:
    """Remove the generic log file handler (a window role logs to its own file instead)."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None
