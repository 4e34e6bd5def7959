"""Owner-only files and folders: DATA_DIR, the key folder, the SQLite database and anything
secret written beside them (keys, demo credentials).

Files are created with their final mode (`os.open(…, 0o600)` under a 077 umask), never written
first and narrowed after: a key that was world-readable for a moment may have been read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .settings import Settings

DIR_MODE = 0o700
FILE_MODE = 0o600


@contextmanager
def owner_only() -> Iterator[None]:
    """A 077 umask for what is created inside (SQLite's -wal and -shm files included)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def private_dir(path: Path) -> Path:
    with owner_only():
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    path.chmod(DIR_MODE)  # an existing folder (mkdir keeps its mode) is narrowed too
    return path


def write_private(path: Path, data: bytes | str) -> None:
    """Write a file that only its owner may read, created so from the first byte."""
    raw = data.encode() if isinstance(data, str) else data
    private_dir(path.parent)
    with owner_only():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # an existing file keeps its mode through O_CREAT
        os.write(fd, raw)
    finally:
        os.close(fd)


def create_private(path: Path, data: bytes) -> bool:
    """Create a file only its owner may read, unless it exists (then False and nothing is
    written): a key or secret is never overwritten by a second process creating it too."""
    private_dir(path.parent)
    try:
        with owner_only():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return True


def sqlite_file(database_url: str) -> Path | None:
    """The file of a `sqlite://` URL (None for other databases and in-memory SQLite)."""
    if not database_url.startswith("sqlite://"):
        return None
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    return None if not path or path == ":memory:" else Path(path)


def prepare_storage(settings: Settings) -> None:
    """DATA_DIR and its key folder 0700; the SQLite database and its journals 0600, created
    empty with that mode before SQLite opens them (SQLite gives its -wal and -shm files the
    database file's mode)."""
    private_dir(settings.data_dir)
    private_dir(settings.keys_dir)
    database = sqlite_file(settings.resolved_database_url)
    if database is None:
        return
    with owner_only():  # a folder made here is 0700; an operator's own folder is left as it is
        database.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path.exists():
            path.chmod(FILE_MODE)
