"""verifyPass under load against two baselines in the same run, in interleaved rounds:

- the app's `POST /api/v1/passes/verify` (one uvicorn process, or --workers on PostgreSQL),
  for a library with two live offers (`OFFERS`: one with a per-person limit), as a real
  partner has them: every answer weighs both;
- the floor (`bare_app:/floor`): the same parse, the same two signature checks, one
  hash-chained append, nothing else;
- bare Starlette (`bare_app:/verify`): parse the JSON body, answer JSON.

Each round drives each target with wrk (--connections, 2 threads) for --seconds, the order
rotating from round to round; every round the passes are presented afresh (a presentation
is valid for about a minute), so nothing measured is stale. Every answer wrk counts is
checked: a verifyPass or floor answer that is not `"valid":true`, or any non-2xx, fails
the benchmark. Figures: median and range over the rounds, the load average at each round.

    .venv/bin/python scripts/bench/verify.py [--residents 20000] [--passes 1000] \
        [--rounds 3] [--seconds 10] [--connections 32] [--quick]

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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "passes"))

import httpx
from _server import HERE as BENCH_DIR
from _server import cpu_seconds, start, stop
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

# The library's live offers, as the demo city's: each answer weighs both (tier, lists, the
# per-person limit read from the person's redemptions).
OFFERS: tuple[dict[str, Any], ...] = (
    {"title_zh": "免押金借阅", "title_en": "Deposit-free borrowing", "kind": "deposit_waived",
     "amount_cents": 10000, "min_tier": "good", "grace_days": 30, "per_person_limit": 1,
     "per_person_period": "open"},
    {"title_zh": "珍本优先借阅", "title_en": "Priority for rare books", "kind": "priority",
     "min_tier": "very_good", "excluded_lists": "black"},
)  # fmt: skip
MAX_ROUND_SECONDS = 40  # a presentation made at a round's start stays valid through it

# Bodies cycle per thread; the response callback counts answers that are not valid.
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "{auth}"
local bodies = {{ {bodies} }}
local threads = {{}}
i = 0
invalid = 0  -- globals: done() reads them from each thread with thread:get
answered = 0
function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end
function init(args)
  i = offset
end
function request()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])
end
function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or not string.find(body, '"valid":%s*true') then
    invalid = invalid + 1
  end
end
function done(summary, latency, requests)
  local bad, total = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("invalid")
    total = total + t:get("answered")
  end
  io.write(string.format("ANSWERS %d INVALID %d\\n", total, bad))
end
"""


async def prepare(residents: int, count: int) -> tuple[str, list[Phone], float]:
    """A city, `count` residents each with their own phone pass, a partner API key."""
    settings = load_settings()
    await migrate(settings)

    async def work() -> tuple[str, list[Phone], float]:
        await seed_people(settings, residents, 5, progress=False, records=True)
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
        for offer in OFFERS:
            await Offer.create(
                partner_id=partner.id,
                domain="library",
                status="live",
                valid_from=today,
                valid_until=today + dt.timedelta(days=365),
                **offer,
            )
        _, key = await create_token(
            officer=None,
            kind="partner",
            organisation=str(partner.id),
            label="bench",
            scopes=["passes.verify"],
        )
        ring = KeyRing(settings.keys_dir)
        phones: list[Phone] = []
        started = time.perf_counter()
        step = max(1, residents // count)
        for n in range(count):  # issuance: state look-up, row, Ed25519 signature
            phone = Phone()
            point = passes.compressed_device_key(phone.jwk())
            device = await DeviceKey.create(account_id=1, public_key=bytes_to_base64url(point))
            _, phone.certificate = await passes._issue(
                keyring=ring, person_id=1 + n * step, device=device, device_point=point, paper=False
            )
            phones.append(phone)
        issued_per_s = count / (time.perf_counter() - started)
        return key, phones, issued_per_s

    result: tuple[str, list[Phone], float] = await with_orm(settings, work)
    return result


def lua_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def wrk(url: str, auth: str, bodies: list[str], seconds: int, connections: int) -> dict[str, float]:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(LUA.format(auth=auth, bodies=", ".join(lua_string(b) for b in bodies)))
    try:
        run = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        script.unlink()
    if run.returncode:
        raise RuntimeError(f"wrk failed ({run.returncode}): {run.stdout}\n{run.stderr}")
    out = run.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(label: str) -> float:
        m = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)  # type: ignore[union-attr]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    answers = re.search(r"ANSWERS (\d+) INVALID (\d+)", out)
    if answers is None:
        raise RuntimeError(f"wrk gave no answer count:\n{out}")
    return {
        "rps": round(rps),
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "answers": int(answers.group(1)),
        "invalid": int(answers.group(2)),
    }


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=20_000, help="city size")
    parser.add_argument("--passes", type=int, default=1000, help="distinct passes presented")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="per target and round")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="CI: a small city, short rounds")
    parser.add_argument(
        "--postgres",
        default="",
        help="e.g. postgres://postgres@127.0.0.1:5432/xinyi_bench (an empty database)",
    )
    parser.add_argument("--workers", type=int, default=1, help="app processes (PostgreSQL only)")
    args = parser.parse_args()
    if args.quick:
        # as many passes as residents: a desk may check one person 20 times a day
        # (auth.quota "same-person"), so each pass must stay under that in all rounds
        args.residents, args.passes, args.seconds, args.connections = 300, 300, 1, 8
    if args.rounds < 3 and not args.quick:
        sys.exit("at least 3 rounds")
    if args.seconds > MAX_ROUND_SECONDS:
        sys.exit(f"at most {MAX_ROUND_SECONDS} s per round: presentations go stale after ~60 s")
    if args.passes > args.residents:
        sys.exit("at most one pass per resident")
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
    began = time.perf_counter()
    key, phones, issued_per_s = asyncio.run(prepare(args.residents, args.passes))
    print(f"prepared in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    auth = f"Bearer {key}"
    app_proc = bare_proc = None
    rounds: list[dict[str, object]] = []
    try:
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
        bare_proc, bare_url = start(
            {"DATA_DIR": str(data)}, app="bare_app:app", factory=False, app_dir=BENCH_DIR
        )
        targets = {
            "verifyPass": f"{app_url}/api/v1/passes/verify",
            "floor": f"{bare_url}/floor",
            "bare_starlette": f"{bare_url}/verify",
        }
        names = list(targets)
        for r in range(args.rounds):
            order = names[r % 3 :] + names[: r % 3]
            result: dict[str, object] = {"order": order, "load_average": os.getloadavg()[0]}
            for name in order:
                at = time.time()
                bodies = [json.dumps({"text": p.present(at=at + 15)}) for p in phones]
                first = httpx.post(
                    targets[name],
                    content=bodies[0],
                    headers={"Authorization": auth, "Content-Type": "application/json"},
                    timeout=30,
                )
                if first.status_code != 200 or first.json().get("valid") is not True:
                    raise RuntimeError(f"{name}: the first answer is not valid: {first.text}")
                weighed = len(first.json().get("eligible_offers", [])) + len(
                    first.json().get("ineligible_offers", [])
                )
                if name == "verifyPass" and weighed != len(OFFERS):
                    raise RuntimeError(f"{name}: not every offer was weighed: {first.text}")
                server = app_proc if name == "verifyPass" else bare_proc
                assert server is not None
                cpu_before = cpu_seconds(server)
                figures = wrk(targets[name], auth, bodies, args.seconds, args.connections)
                figures["cpu_ms_per_answer"] = round(
                    1000 * (cpu_seconds(server) - cpu_before) / max(1, figures["answers"]), 4
                )
                if figures["invalid"] or not figures["answers"]:
                    raise RuntimeError(f"{name}, round {r + 1}: answers not valid: {figures}")
                result[name] = figures
            rounds.append(result)
    finally:
        stop(app_proc)
        stop(bare_proc)

    def per_round(name: str, field: str) -> list[float]:
        return [float(rr[name][field]) for rr in rounds]  # type: ignore[index]

    summary: dict[str, object] = {
        "database": "PostgreSQL" if args.postgres else "SQLite",
        "workers": args.workers,
        "residents": args.residents,
        "distinct_passes": args.passes,
        "live_offers": len(OFFERS),
        "connections": args.connections,
        "seconds_per_round": args.seconds,
        "rounds": args.rounds,
        "load_average": spread([float(rr["load_average"]) for rr in rounds]),  # type: ignore[arg-type]
    }
    for name in names:
        fields = ("rps", "p50_ms", "p99_ms", "cpu_ms_per_answer")
        summary[name] = {f: spread(per_round(name, f)) for f in fields}
        summary[name]["answers_checked"] = sum(per_round(name, "answers"))  # type: ignore[index]
    for base in ("floor", "bare_starlette"):
        ratios = [
            a / b
            for a, b in zip(per_round("verifyPass", "rps"), per_round(base, "rps"), strict=True)
        ]
        summary[f"ratio_verifyPass_to_{base}"] = spread(ratios)
    # The same comparison in CPU time per answer (the floor's over the app's, so that, like
    # the rate ratio, 1 means "as cheap as the floor"): less moved by other load.
    cpu_ratios = [
        b / a
        for a, b in zip(
            per_round("verifyPass", "cpu_ms_per_answer"),
            per_round("floor", "cpu_ms_per_answer"),
            strict=True,
        )
        if a > 0
    ]
    summary["cpu_ratio_floor_to_verifyPass"] = spread(cpu_ratios) if cpu_ratios else None
    summary["pass_text_chars"] = len(phones[0].present())
    summary["pass_issuance_per_s_in_process"] = round(issued_per_s)
    summary["per_round"] = rounds
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
