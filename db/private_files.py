"""Private files: 0600 files in 0700 folders on POSIX (the database, logs, exports).

They hold customer data (complaints: name, phone, address) or PIN hashes, so nobody but
the workstation's user may read them. On Windows the user's profile folders already
keep them private and the mode bits mean nothing, so these helpers do nothing there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

POSIX = os.name == "posix"
FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) if missing; make the folder itself 0700 — unless it is
    a folder everyone shares (see `shared_folder`), which is never touched."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if POSIX and not shared_folder(path):
        tighten(path, DIR_MODE)
    return path


def shared_folder(path: Path) -> bool:
    """A folder other users and programs rely on: sticky (/tmp, /var/tmp), the file
    system's root or the user's home. A database put straight into one keeps its own
    0600 mode, but the folder's mode is not ours to change: made 0700, /tmp locked every
    other user and service out (a PostgreSQL server lost its socket and data folder)."""
    try:
        st = os.stat(path)
        resolved = Path(path).resolve()
    except OSError:
        return True
    if st.st_mode & stat.S_ISVTX:
        return True
    return resolved == Path(resolved.anchor) or resolved == Path.home().resolve()


def tighten(path: Path, mode: int) -> None:
    """Remove group/other access from `path` if we own it (never widens anything)."""
    if not POSIX:
        return
    try:
        st = os.stat(path)
    except OSError:
        return
    if st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(path, stat.S_IMODE(st.st_mode) & mode)


def private_file(path: Path) -> Path:
    """Make sure `path` exists as a 0600 file in a 0700 folder (creating it empty)."""
    path = Path(path)
    private_dir(path.parent)
    if POSIX:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        os.close(fd)
        tighten(path, FILE_MODE)
    else:
        path.touch(exist_ok=True)
    return path


def write_private_text(path: Path, content: str) -> None:
    """Write `content` to `path` (UTF-8), created 0600 before any byte is written.

    The parent folder is created 0700 if missing, but an existing folder the user chose
    (e.g. the desktop) is left as it is.
    """
    path = Path(path)
    if not path.parent.exists():
        private_dir(path.parent)
    if POSIX:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        tighten(path, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
    else:
        path.write_text(content, encoding="utf-8")
