"""The hash-chained audit trail (审计日志): linked, verifiable, tamper-evident."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import subprocess
import sys
from pathlib import Path

from backend.audit import service as audit
from backend.audit.models import AuditEntry, AuditHead
from backend.core.permissions import Role
from backend.core.principal import Principal
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, make_staff

ROOT = Path(__file__).resolve().parents[2]
OFFICER = Principal.build(
    account_id=7, kind="staff", display_name="陈信用", roles=[Role.OFFICER], organisation="市信用办"
)


async def append(n: int, start: int = 0) -> list[AuditEntry]:
    return [
        await audit.record(
            action="test.event",
            actor=OFFICER,
            subject_person_id=100 + i,
            purpose=f"用途 {i}",
            details={"n": i, "text": "审计"},
        )
        for i in range(start, start + n)
    ]


async def chain() -> list[AuditEntry]:
    return await AuditEntry.all().order_by("id")


async def test_entries_are_chained(app) -> None:
    written = await append(5)
    rows = await chain()
    assert [r.id for r in rows] == [w.id for w in written]
    assert rows[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    assert len({r.hash for r in rows}) == 5
    head = await AuditHead.get(id=audit.HEAD_ID)
    assert head.last_hash == rows[-1].hash and head.count == 5
    assert rows[0].actor_label == "陈信用 (officer)" and rows[0].organisation == "市信用办"


async def test_hash_covers_every_field(app) -> None:
    (entry,) = await append(1)
    base = {
        "prev_hash": entry.prev_hash, "at": entry.at, "actor_account_id": entry.actor_account_id,
        "actor_label": entry.actor_label, "organisation": entry.organisation,
        "action": entry.action, "subject_person_id": entry.subject_person_id,
        "purpose": entry.purpose, "details": entry.details,
    }  # fmt: skip
    assert audit.entry_hash(**base) == entry.hash
    changes = {
        "prev_hash": "1" * 64, "at": entry.at + dt.timedelta(microseconds=1),
        "actor_account_id": 8, "actor_label": "x", "organisation": "y", "action": "z",
        "subject_person_id": None, "purpose": "", "details": {"n": 1},
    }  # fmt: skip
    for field, value in changes.items():
        assert audit.entry_hash(**{**base, field: value}) != entry.hash, field


async def test_a_fresh_chain_verifies(app) -> None:
    assert await audit.verify_chain() == audit.ChainReport(True, 0)
    await append(7)
    report = await audit.verify_chain()
    assert report.ok and report.entries == 7 and report.first_broken_id is None


async def test_verification_reads_in_batches(app) -> None:
    await append(7)
    assert (await audit.verify_chain(batch=2)).entries == 7


async def test_tampering_with_a_purpose_is_reported_at_that_entry(app) -> None:
    rows = await append(6)
    victim = rows[3]
    await AuditEntry.filter(id=victim.id).update(purpose="例行检查")
    report = await audit.verify_chain()
    assert not report.ok
    assert report.first_broken_id == victim.id
    assert report.entries == 3
    assert "hash" in report.reason


async def test_tampering_with_the_hash_too_breaks_the_next_link(app) -> None:
    rows = await append(4)
    victim = rows[1]
    fields = {
        "prev_hash": victim.prev_hash, "at": victim.at, "actor_account_id": victim.actor_account_id,
        "actor_label": victim.actor_label, "organisation": victim.organisation,
        "action": victim.action, "subject_person_id": victim.subject_person_id,
        "purpose": "改过的事由", "details": victim.details,
    }  # fmt: skip
    await AuditEntry.filter(id=victim.id).update(
        purpose="改过的事由", hash=audit.entry_hash(**fields)
    )
    # Content and hash agree again, but the MAC (under a key not in the database) does not.
    report = await audit.verify_chain()
    assert not report.ok and report.first_broken_id == victim.id
    assert report.problem == audit.ChainProblem.REWRITTEN


async def test_deleting_an_entry_in_the_middle_is_detected(app) -> None:
    rows = await append(5)
    await AuditEntry.filter(id=rows[2].id).delete()
    report = await audit.verify_chain()
    assert not report.ok and report.first_broken_id == rows[3].id


async def test_deleting_the_last_entry_is_detected(app) -> None:
    rows = await append(5)
    await AuditEntry.filter(id=rows[-1].id).delete()
    report = await audit.verify_chain()
    assert not report.ok
    assert report.first_broken_id is None
    assert report.entries == 4
    assert "end of the chain" in report.reason


async def test_concurrent_appends_keep_one_linear_chain(app) -> None:
    await append(2)
    written = await asyncio.gather(
        *(
            audit.record(action="test.concurrent", actor_label=f"worker {i}", details={"i": i})
            for i in range(20)
        )
    )
    assert len({w.id for w in written}) == 20
    rows = await chain()
    assert len(rows) == 22
    prev = audit.GENESIS
    for row in rows:
        assert row.prev_hash == prev, row.id
        prev = row.hash
    report = await audit.verify_chain()
    assert report.ok and report.entries == 22
    assert sorted(r.details["i"] for r in rows if r.action == "test.concurrent") == list(range(20))


def run_cli(settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATA_DIR": str(settings.data_dir),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


async def test_cli_verify_audit_exit_codes(app, settings) -> None:
    rows = await append(4)
    ok = await asyncio.to_thread(run_cli, settings, "verify-audit")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK" in ok.stdout and "4 entries" in ok.stdout

    await AuditEntry.filter(id=rows[1].id).update(purpose="篡改")
    broken = await asyncio.to_thread(run_cli, settings, "verify-audit")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"entry {rows[1].id}" in broken.stdout and "BROKEN" in broken.stdout


async def test_auditor_api_reads_and_verifies_the_chain(
    client, other_client, authenticator, app
) -> None:
    await make_staff(client, authenticator, ["auditor"], name="周审计")
    await make_staff(other_client, SoftAuthenticator(origin=ORIGIN), ["officer"], name="陈信用")
    await append(3)

    verify = await client.get("/api/v1/audit/verify")
    assert verify.status_code == 200
    body = verify.json()
    assert body["ok"] is True and body["first_broken_id"] is None
    total = await AuditEntry.all().count()
    assert body["entries"] == total

    entries = await client.get("/api/v1/audit/entries", params={"limit": 2})
    assert entries.status_code == 200
    page = entries.json()
    assert len(page["items"]) == 2
    # the newest entry before this reading (which is itself on the trail, after the page)
    newest = await AuditEntry.exclude(action="audit.read").order_by("-id").first()
    assert page["items"][0]["id"] == newest.id and page["items"][0]["hash"] == newest.hash
    assert page["next_before"] == page["items"][-1]["id"]
    rest = (
        await client.get("/api/v1/audit/entries", params={"before": page["next_before"]})
    ).json()
    assert [i["id"] for i in rest["items"]] == sorted(
        (r.id for r in await AuditEntry.filter(id__lt=page["next_before"])), reverse=True
    )
    filtered = (await client.get("/api/v1/audit/entries", params={"action": "test.event"})).json()
    assert len(filtered["items"]) == 3 and {i["action"] for i in filtered["items"]} == {
        "test.event"
    }

    await AuditEntry.filter(id=newest.id).update(purpose="篡改")
    broken = (await client.get("/api/v1/audit/verify")).json()
    assert broken["ok"] is False and broken["first_broken_id"] == newest.id

    for path in ("/api/v1/audit/verify", "/api/v1/audit/entries"):
        refused = await other_client.get(path)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert (
        await other_client.post("/api/v1/logout", headers=csrf(other_client))
    ).status_code == 204


async def test_bad_paging_parameters_are_422(client, authenticator, app) -> None:
    await make_staff(client, authenticator, ["auditor"])
    for query in ("limit=0", "limit=501", "limit=abc", "before=-1", "before=x"):
        response = await client.get(f"/api/v1/audit/entries?{query}")
        assert response.status_code == 422, query
        assert response.json()["errors"][0]["field"] == query.split("=")[0]
