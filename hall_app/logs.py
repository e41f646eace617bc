"""Logging to a rotating file in the user's log directory (never the PIN, never a password)."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from hall_app.config import APP_AUTHOR, APP_NAME

_configured = False
_handler: logging.Handler | None = None


def log_dir() -> Path:
    return Path(os.environ.get("HALL_LOG_DIR") or platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Attach the rotating file handler once; returns the log file (None if not writable)."""
    global _configured, _handler
    root = logging.getLogger()
    if _configured:
        return None
    _configured = True
    root.setLevel(level)
    try:
        directory = log_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "hall-app.log"
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
