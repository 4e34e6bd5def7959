"""The baselines of the verifyPass benchmark, served by the same uvicorn settings as the app:

- `/verify`: bare Starlette: parse the JSON body, answer JSON.
- `/floor`: the physical floor of a verification in this design: the same parse of the pass
  text, the same checks and two signature checks (the server's Ed25519 over the certificate,
  the device's P-256 over the presentation) with the app's keys, and one hash-chained append
  (SHA-256 over the previous hash and the entry, one INSERT and commit through aiosqlite into
  DATA_DIR/floor.sqlite3, with the app's checkpoint policy: `backend.core.wal`'s thread
  copies the log back, not the commit); no database reads, no framework of the app.

The keys come from DATA_DIR/keys, so start it with the DATA_DIR of the app it is compared with.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import AsyncIterator

import aiosqlite
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.core.keys import KeyRing
from backend.core.settings import load_settings
from backend.core.wal import Checkpointer
from backend.passes.service import eligibility_keys
from backend.passes.verify import NeverRevoked, verify_text

SETTINGS = load_settings()
RING = KeyRing(SETTINGS.keys_dir)
KEYS = RING.public_keys()
STATE: dict[str, object] = {}


async def echo(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    return JSONResponse({"valid": True, "length": len(body.get("text", ""))})


async def floor(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    now = int(time.time())
    verdict = verify_text(
        str(body["text"]),
        keys=KEYS,
        eligibility_keys=eligibility_keys(RING, now=now),
        status=NeverRevoked(),
        now=now,
    )
    db = STATE["db"]
    assert isinstance(db, aiosqlite.Connection)
    entry = json.dumps(
        {"at": now, "reason": verdict.reason, "pass": (verdict.pass_id or b"").hex()},
        separators=(",", ":"),
    )
    prev = str(STATE["head"])
    head = hashlib.sha256((prev + entry).encode()).hexdigest()
    STATE["head"] = head  # set before the await: the chain stays linear under concurrency
    await db.execute("INSERT INTO entry (prev, hash, body) VALUES (?, ?, ?)", (prev, head, entry))
    await db.commit()
    return JSONResponse({"valid": verdict.valid, "reason": verdict.reason})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    path = SETTINGS.data_dir / "floor.sqlite3"
    async with aiosqlite.connect(path) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA wal_autocheckpoint=0")
        await db.execute(
            "CREATE TABLE IF NOT EXISTS entry (id INTEGER PRIMARY KEY, prev TEXT NOT NULL,"
            " hash TEXT NOT NULL, body TEXT NOT NULL)"
        )
        await db.commit()
        STATE["db"], STATE["head"] = db, "0" * 64
        checkpointer = Checkpointer(str(path))
        checkpointer.start()
        try:
            yield
        finally:
            checkpointer.stop()


app = Starlette(
    routes=[
        Route("/verify", echo, methods=["POST"]),
        Route("/floor", floor, methods=["POST"]),
        Route("/healthz", health),
    ],
    lifespan=lifespan,
)
