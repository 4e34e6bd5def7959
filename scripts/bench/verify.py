"""verifyPass under load, side by side with a bare Starlette JSON endpoint, both on one
uvicorn process each with the same settings, driven by wrk (32 connections) from another
process on loopback. Also: pass issuance per second, QR version and payload length.

    .venv/bin/python scripts/bench/verify.py [--seconds 10] [--connections 32]

Needs Debian's `wrk` (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "passes"))

import httpx
from _server import start
from device import Phone
from webauthn.helpers import bytes_to_base64url

from backend.apitokens.service import create_token
from backend.cli import migrate, with_orm
from backend.core.keys import KeyRing
from backend.core.settings import load_settings
from backend.credit.service import rescore_city
from backend.demo.city import seed_people
from backend.partners.models import Offer, Partner
from backend.passes import service as passes
from backend.passes.models import DeviceKey

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "{auth}"
wrk.body = '{body}'
"""


async def prepare() -> dict[str, str]:
    """A resident with a phone pass, an approved library with a live offer and an API key."""
    settings = load_settings()
    await migrate(settings)

    async def work() -> dict[str, str]:
        await seed_people(settings, 2000, 5, progress=False, records=True)
        await rescore_city()
        partner = await Partner.create(
            name="黄石市图书馆",
            domain="library",
            contact_name="x",
            contact_phone="0714",
            status="approved",
            record_department="library",
        )
        today = dt.date.today()
        await Offer.create(
            partner_id=partner.id,
            title_zh="免押金借阅",
            title_en="Deposit-free borrowing",
            domain="library",
            kind="deposit_waived",
            amount_cents=10000,
            min_tier="fair",
            valid_from=today,
            valid_until=today + dt.timedelta(days=30),
            status="live",
        )
        _, key = await create_token(
            officer=None,
            kind="partner",
            organisation=str(partner.id),
            label="bench",
            scopes=["passes.verify", "redemptions.create"],
        )
        phone = Phone()
        point = passes.compressed_device_key(phone.jwk())
        device = await DeviceKey.create(account_id=1, public_key=bytes_to_base64url(point))
        _, cert = await passes._issue(
            keyring=KeyRing(settings.keys_dir),
            person_id=7,
            device=device,
            device_point=point,
            paper=False,
        )
        phone.certificate = cert
        ring = KeyRing(settings.keys_dir)
        started = time.perf_counter()
        for person_id in range(1, 501):  # issuance: state look-up, row, Ed25519 signature
            await passes._issue(
                keyring=ring, person_id=person_id, device=device, device_point=point, paper=False
            )
        issued_per_s = 500 / (time.perf_counter() - started)
        return {
            "key": key,
            "text": phone.present(at=time.time() + 15),
            "issued_per_s": str(round(issued_per_s)),
        }

    result: dict[str, str] = await with_orm(settings, work)
    return result


def wrk(url: str, auth: str, body: str, seconds: int, connections: int) -> dict[str, float]:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(LUA.format(auth=auth, body=body.replace("'", "\\'")))
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(label: str) -> float:
        m = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)  # type: ignore[union-attr]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": round(rps),
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--postgres",
        default="",
        help="e.g. postgres://postgres@127.0.0.1:5432/xinyi_bench (an empty database)",
    )
    parser.add_argument("--workers", type=int, default=1, help="app processes (PostgreSQL only)")
    args = parser.parse_args()
    if args.workers > 1 and not args.postgres:
        sys.exit("several app processes need PostgreSQL (SQLite is for one process)")
    if not shutil.which("wrk"):
        sys.exit("install Debian's wrk first: apt-get install wrk")
    data = Path(tempfile.mkdtemp(prefix="xinyi-verify-"))
    os.environ["DATA_DIR"] = str(data)
    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
    else:
        os.environ.pop("DATABASE_URL", None)
    prepared = asyncio.run(prepare())
    body = json.dumps({"text": prepared["text"]})
    # The per-key rate limit is lifted so the benchmark measures the verification itself.
    app_proc, app_url = start(
        {
            "DATA_DIR": str(data),
            "BACKGROUND_TASKS": "false",
            "API_KEY_RATE": "1e9",
            "API_KEY_BURST": "1000000000",
        },
        workers=args.workers,
    )
    bare_proc, bare_url = start({}, app="bare_app:app", factory=False, workers=args.workers)
    try:
        check = httpx.post(
            f"{app_url}/api/v1/passes/verify",
            content=body,
            headers={
                "Authorization": f"Bearer {prepared['key']}",
                "Content-Type": "application/json",
            },
        )
        assert check.json()["valid"], check.text
        auth = f"Bearer {prepared['key']}"
        app = wrk(f"{app_url}/api/v1/passes/verify", auth, body, args.seconds, args.connections)
        bare = wrk(f"{bare_url}/verify", auth, body, args.seconds, args.connections)
    finally:
        for proc in (app_proc, bare_proc):
            proc.terminate()
            proc.wait()
    print(
        json.dumps(
            {
                "connections": args.connections,
                "database": "PostgreSQL" if args.postgres else "SQLite",
                "workers": args.workers,
                "verifyPass": app,
                "bare_starlette": bare,
                "throughput_ratio": round(app["rps"] / bare["rps"], 3),
                "pass_text_chars": len(prepared["text"]),
                "pass_issuance_per_s_in_process": int(prepared["issued_per_s"]),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
