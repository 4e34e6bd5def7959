"""SQLite's WAL checkpoints on a thread of their own.

By default the connection that commits copies the write-ahead log back into the database file
whenever the log passes 1,000 pages, inside its COMMIT: a department's batch of 100,000
records spent most of its 0.9–1.1 s commit on that copy (0.2–0.3 s without it), and every
writer queued behind it on the one ORM connection (the audit group commit of verifications
among them) waited with it.
While the app runs, its writer leaves that to this thread (`wal_autocheckpoint=0`), which runs
a PASSIVE checkpoint — it never waits for, nor blocks, a reader or a writer — every
`INTERVAL` seconds on its own connection; sqlite3 lets go of the GIL while it copies, so the
copy runs beside the requests on the other core. When the app stops, the writer takes the
checkpoints back, so a connection that outlives the thread never lets the log grow unchecked.
PostgreSQL and in-memory databases need none of this.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass

from tortoise import connections

from .bulk import dialect

log = logging.getLogger("xinyi.wal")

INTERVAL = 0.5  # seconds between checkpoints: the log holds at most about this much writing
AUTOCHECKPOINT = 1000  # SQLite's default, restored when the thread stops


@dataclass
class Checkpointer:
    """The thread and what it has done (for the health of operations and for tests)."""

    filename: str
    interval: float = INTERVAL
    runs: int = 0
    frames_backfilled: int = 0  # pages copied into the database file, summed over runs
    failures: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self.filename, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout = 0")  # PASSIVE: take what can be taken now
            last = 0
            while not self._stop.wait(self.interval):
                try:
                    _, _, backfilled = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as exc:  # the next run tries again
                    self.failures += 1
                    log.warning("WAL checkpoint failed: %s", exc)
                    continue
                self.runs += 1
                # The log restarts from its beginning once it is all copied: count anew.
                self.frames_backfilled += backfilled - last if backfilled >= last else backfilled
                last = backfilled
        finally:
            conn.close()


@contextlib.asynccontextmanager
async def checkpoints_beside_writer() -> AsyncIterator[Checkpointer | None]:
    """While the app runs on a SQLite file: its writer's checkpoints on a thread of their own
    (the Checkpointer), or None where there is nothing to do."""
    conn = connections.get("default")
    filename = getattr(conn, "filename", ":memory:")
    if dialect() != "sqlite" or ":memory:" in filename:
        yield None
        return
    checkpointer = Checkpointer(filename)
    checkpointer.start()
    await conn.execute_script("PRAGMA wal_autocheckpoint = 0")
    try:
        yield checkpointer
    finally:
        await conn.execute_script(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT}")
        checkpointer.stop()
