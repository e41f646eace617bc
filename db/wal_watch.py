"""Wake when another connection writes the SQLite database: inotify on its folder.

Every commit in WAL mode appends to `<db>-wal` (and a checkpoint writes `<db>`), so
a watch on the database's folder for writes to those two names tells a change feed
to look at `PRAGMA data_version` now instead of at its next poll. Linux only, through
the C library's inotify calls (no dependency); where that is not available `open()`
returns None and the feed keeps polling. The watcher never decides that something
changed — data_version does; a wake-up for a write that changed nothing costs one
PRAGMA.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import select
import struct

log = logging.getLogger(__name__)

_IN_MODIFY = 0x00000002
_IN_CLOSE_WRITE = 0x00000008
_IN_MOVED_TO = 0x00000080
_IN_CREATE = 0x00000100
_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000
_MASK = _IN_MODIFY | _IN_CLOSE_WRITE | _IN_MOVED_TO | _IN_CREATE
_EVENT_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len (struct inotify_event)


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        lib = ctypes.CDLL(name or "libc.so.6", use_errno=True)
        lib.inotify_init1  # noqa: B018 - raises AttributeError where there is none
        lib.inotify_add_watch  # noqa: B018
    except (OSError, AttributeError):
        return None
    return lib


class WalWatcher:
    """An inotify descriptor watching one database's folder."""

    def __init__(self, fd: int, names: frozenset[str]) -> None:
        self._fd = fd
        self._names = names

    @classmethod
    def open(cls, database_path: str) -> WalWatcher | None:
        """A watcher for `database_path`, or None (not Linux, no such folder, no watches left)."""
        lib = _libc()
        if lib is None or not database_path:
            return None
        folder = os.path.dirname(os.path.abspath(database_path))
        base = os.path.basename(database_path)
        fd = lib.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
        if fd < 0:
            log.info("inotify unavailable (errno %d): the change feed polls", ctypes.get_errno())
            return None
        if lib.inotify_add_watch(fd, os.fsencode(folder), _MASK) < 0:
            log.info("cannot watch the database folder (errno %d): the change feed polls",
                     ctypes.get_errno())
            os.close(fd)
            return None
        return cls(fd, frozenset({base, f"{base}-wal"}))

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` s; True if the database or its WAL was written meanwhile."""
        if self._fd < 0:
            return False
        try:
            ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
        except (OSError, ValueError):
            return False
        return bool(ready) and self._drain()

    def _drain(self) -> bool:
        written = False
        while True:
            try:
                data = os.read(self._fd, 64 * 1024)
            except BlockingIOError:
                return written
            except OSError:
                return written
            if not data:
                return written
            offset = 0
            while offset + _EVENT_HEADER.size <= len(data):
                _wd, _mask, _cookie, length = _EVENT_HEADER.unpack_from(data, offset)
                start = offset + _EVENT_HEADER.size
                name = data[start:start + length].rstrip(b"\0").decode("utf-8", "replace")
                written = written or name in self._names
                offset = start + length

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
