"""Operator commands: `python -m backend.cli migrate | bootstrap-officer | verify-audit |
seed-demo | ensure-keys`. The scripts in `scripts/` call these."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate as migrate_api
from tqdm import tqdm

from .app import wire
from .audit import checkpoints as audit_checkpoints
from .audit.chain import trail
from .audit.service import verify_chain
from .auth.staff import bootstrap_officer as staff_bootstrap
from .cases import sweep as case_sweep
from .core.errors import Conflict
from .core.keys import create_key, ensure_keys
from .core.private import prepare_storage
from .core.settings import Settings, load_settings
from .credit.expiry import sweep
from .credit.service import rescore_city
from .db import tortoise_config
from .demo.city import seed_demo
from .population import script as register_feed
from .population.feed import Format


async def migrate(settings: Settings) -> None:
    prepare_storage(settings)  # DATA_DIR 0700 and the database 0600 before SQLite creates it
    await migrate_api(config=tortoise_config(settings))
    await Tortoise.close_connections()


async def with_orm(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    wire(settings)
    await Tortoise.init(config=tortoise_config(settings))
    try:
        return await work()
    finally:
        await Tortoise.close_connections()


async def bootstrap_officer(settings: Settings, name: str, organisation: str) -> str:
    async def work() -> str:
        _, code = await staff_bootstrap(display_name=name, organisation=organisation)
        return code

    code: str = await with_orm(settings, work)
    return code


async def verify_audit(settings: Settings, pins: list[Path]) -> int:
    """Links, MACs, the head and every signed checkpoint (and the auditor's pinned ones)."""
    pinned = [
        c for path in pins for c in audit_checkpoints.read_lines(path.read_text().splitlines(), str(path))
    ]  # fmt: skip
    report = await with_orm(settings, lambda: verify_chain(pins=pinned))
    if report.ok:
        print(
            f"audit chain OK: {report.entries} entries verified (links, MACs), "
            f"{report.checkpoints} signed checkpoints agree"
        )
        return 0
    where = f"entry {report.first_broken_id}" if report.first_broken_id else "the end of the chain"
    print(
        f"audit chain BROKEN at {where} [{report.problem.value}]: {report.reason} "
        f"({report.entries} entries verified before it)"
    )
    return 1


async def rotate_audit_key(settings: Settings) -> str:
    wire(settings)
    return trail().keys.rotate()


async def rescore(as_of: dt.date | None, resume: bool, batch: int) -> dict[str, Any]:
    bar = tqdm(unit="ids", unit_scale=True, desc="rescore")

    def progress(done: int, top: int) -> None:
        bar.total = top
        bar.n = done
        bar.refresh()

    started = time.perf_counter()
    result = await rescore_city(as_of=as_of, resume=resume, batch=batch, progress=progress)
    await sweep(until=as_of)
    bar.close()
    return {
        "run": result.run_id,
        "people_scored": result.people,
        "scores_changed": result.changed,
        "resumed_from_person_id": result.resumed_from,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xinyi")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    boot = sub.add_parser(
        "bootstrap-officer",
        help="create the first or second officer (refused once two exist); print a one-time code",
    )
    boot.add_argument("--name", default="信用办管理员")
    boot.add_argument("--organisation", default="市信用办")
    verify = sub.add_parser(
        "verify-audit", help="check the audit chain's links, MACs, head and signed checkpoints"
    )
    verify.add_argument(
        "--pin", type=Path, action="append", default=[],
        help="a file of checkpoints an auditor pinned (JSON lines); repeatable",
    )  # fmt: skip
    sub.add_parser(
        "rotate-audit-key", help="add a new active audit HMAC key (older ones keep verifying)"
    )
    keys = sub.add_parser("ensure-keys", help="create a signing key if none exists")
    keys.add_argument("--rotate", action="store_true", help="add a new active key")
    seed = sub.add_parser("seed-demo", help="seed a deterministic demo city")
    seed.add_argument("--residents", type=int, default=20000)
    seed.add_argument("--seed", type=int, default=2018)
    seed.add_argument("--if-empty", action="store_true", help="do nothing if people exist")
    seed.add_argument("--skip-scores", action="store_true", help="do not run the city rescoring")
    sub.add_parser(
        "sweep-deadlines",
        help="flag overdue repair requests; suspend objections answered too late (run by the "
        "app every 10 minutes; safe beside it)",
    )
    rescore_cmd = sub.add_parser("rescore", help="re-score the whole city (resumable)")
    rescore_cmd.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    rescore_cmd.add_argument("--restart", action="store_true", help="ignore an unfinished run")
    rescore_cmd.add_argument(
        "--batch", type=int, default=100_000, help="person ids per transaction"
    )
    feed = sub.add_parser(
        "import-register",
        help="import the population database's export (CSV or NDJSON; idempotent)",
    )
    feed.add_argument("path", help="the export file, or - for stdin")
    feed.add_argument("--format", choices=[f.value for f in Format], default=None,
                      help="default: from the file name (.csv, .ndjson), else ndjson")  # fmt: skip
    feed.add_argument("--rejects", type=Path, default=None, help="write rejected lines here")
    feed.add_argument("--quiet", action="store_true", help="no progress bar")
    token = sub.add_parser(
        "register-token", help="create the population database's API token (importRegisterChanges)"
    )
    token.add_argument("--label", default="人口信息库")
    args = parser.parse_args(argv)
    settings = load_settings()
    settings.check()  # an unknown XINYI_ENV or weak production settings stop every command

    if args.command == "migrate":
        asyncio.run(migrate(settings))
        print(f"migrations applied to {settings.resolved_database_url.split('@')[-1]}")
    elif args.command == "bootstrap-officer":
        try:
            code = asyncio.run(bootstrap_officer(settings, args.name, args.organisation))
        except Conflict as exc:  # two officers exist: the console is closed
            raise SystemExit(f"refused: {exc.detail}") from None
        print(f"officer account created. One-time enrolment code (24 h): {code}")
        print("Open /office/login, enter the code and register a passkey.")
    elif args.command == "verify-audit":
        return asyncio.run(verify_audit(settings, args.pin))
    elif args.command == "rotate-audit-key":
        kid = asyncio.run(rotate_audit_key(settings))
        print(f"new active audit key {kid}; older keys stay to verify the entries they signed")
    elif args.command == "ensure-keys":
        if args.rotate:
            key = create_key(settings.keys_dir)
            print(f"new active signing key {key.kid}; older keys stay published until removed")
        else:
            print("signing keys: " + ", ".join(k.kid for k in ensure_keys(settings.keys_dir)))
    elif args.command == "sweep-deadlines":
        swept = asyncio.run(with_orm(settings, case_sweep.sweep))
        print(json.dumps({"repairs_overdue": swept.repairs_overdue,
                          "objections_suspended": swept.objections_suspended}))  # fmt: skip
    elif args.command == "rescore":
        result = asyncio.run(
            with_orm(settings, lambda: rescore(args.as_of, not args.restart, args.batch))
        )
        print(json.dumps(result))
    elif args.command == "import-register":
        fmt = Format(args.format) if args.format else None
        result = asyncio.run(
            with_orm(settings, lambda: register_feed.import_file(
                settings, args.path, fmt=fmt, rejects=args.rejects, progress=not args.quiet))
        )  # fmt: skip
        print(json.dumps(result, ensure_ascii=False))
    elif args.command == "register-token":
        secret = asyncio.run(with_orm(settings, lambda: register_feed.register_token(args.label)))
        print(f"register token (shown once; give it to the population database): {secret}")
    elif args.command == "seed-demo":
        result = asyncio.run(
            with_orm(
                settings,
                lambda: seed_demo(
                    settings, args.residents, args.seed, args.if_empty, not args.skip_scores
                ),
            )
        )
        if result is None:
            print("demo city already seeded; nothing to do")
        else:
            print(json.dumps(result["summary"], ensure_ascii=False))
            print(f"demo credentials written to {Path(result['credentials_path'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
