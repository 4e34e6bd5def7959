"""The audit trail against whoever holds the database: entries authenticated with a key that is
not in it (HMAC, key id per entry), the head signed every minute and kept outside it
(DATA_DIR/audit-checkpoints), and a verification that names edits, deletions, truncation and
re-chaining — the attacks below are the ones a database holder can run."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from backend.app import periodic_jobs
from backend.audit import checkpoints
from backend.audit import service as audit
from backend.audit.chain import trail
from backend.audit.keys import entry_mac, head_mac
from backend.audit.models import AuditEntry, AuditHead
from backend.core import clock
from backend.core.permissions import Role
from backend.core.principal import Principal
from tests.conftest import IS_PG
from tests.factories import make_staff

ROOT = Path(__file__).resolve().parents[2]
Problem = audit.ChainProblem
OFFICER = Principal.build(
    account_id=7, kind="staff", display_name="陈信用", roles=[Role.OFFICER], organisation="市信用办"
)


async def append(n: int, start: int = 0) -> list[AuditEntry]:
    return [
        await audit.record(
            action="test.event", actor=OFFICER, subject_person_id=100 + i, details={"n": i}
        )
        for i in range(start, start + n)
    ]


def unpadded(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fields_of(row: AuditEntry, prev_hash: str) -> dict[str, object]:
    return {
        "prev_hash": prev_hash, "at": row.at, "actor_account_id": row.actor_account_id,
        "actor_label": row.actor_label, "organisation": row.organisation, "action": row.action,
        "subject_person_id": row.subject_person_id, "purpose": row.purpose,
        "details": row.details,
    }  # fmt: skip


async def rechain(*, with_key: bool = False) -> None:
    """What a database holder does after an edit or a deletion: recompute every link and hash
    from the start and set the head to match. Without the audit key the MACs stay as they were;
    `with_key` plays an insider who also stole the key folder."""
    prev = audit.GENESIS
    rows = await AuditEntry.all().order_by("id")
    kid, key = trail().keys.active()
    for row in rows:
        digest = audit.entry_hash(**fields_of(row, prev))  # type: ignore[arg-type]
        changes: dict[str, object] = {"prev_hash": prev, "hash": digest}
        if with_key:
            changes |= {"key_id": kid, "mac": entry_mac(key, digest)}
        await AuditEntry.filter(id=row.id).update(**changes)
        prev = digest
    head_changes: dict[str, object] = {"count": len(rows), "last_hash": prev}
    if with_key:
        head_changes |= {"key_id": kid, "mac": head_mac(key, len(rows), prev)}
    await AuditHead.filter(id=audit.HEAD_ID).update(**head_changes)


async def test_each_entry_and_the_head_are_authenticated_with_a_key_outside_the_database(
    app, settings
) -> None:
    rows = await append(3)
    kid, key = trail().keys.active()
    folder = settings.keys_dir / "audit"
    assert (folder / f"{kid}.key").exists() and (folder / "active").read_text() == kid
    assert stat.S_IMODE((folder / f"{kid}.key").stat().st_mode) == 0o600
    for row in rows:
        assert row.key_id == kid and row.mac == entry_mac(key, row.hash)
    head = await AuditHead.get(id=audit.HEAD_ID)
    assert head.mac == head_mac(key, 3, rows[-1].hash)
    if not IS_PG:  # the key is nowhere in the database file
        raw = Path(settings.resolved_database_url.removeprefix("sqlite://")).read_bytes()
        assert key not in raw and base64.urlsafe_b64encode(key) not in raw
        assert key.hex().encode() not in raw


async def test_an_edit_is_reported_at_the_entry(app) -> None:
    rows = await append(5)
    await AuditEntry.filter(id=rows[2].id).update(purpose="例行检查")
    report = await audit.verify_chain()
    assert (report.ok, report.first_broken_id, report.problem) == (
        False,
        rows[2].id,
        Problem.EDITED,
    )


async def test_an_edit_re_chained_without_the_key_is_reported_as_rewritten(app) -> None:
    rows = await append(6)
    await AuditEntry.filter(id=rows[3].id).update(purpose="例行检查")
    await rechain()
    report = await audit.verify_chain()
    assert (report.ok, report.first_broken_id, report.problem) == (
        False,
        rows[3].id,
        Problem.REWRITTEN,
    )
    assert report.entries == 3


async def test_a_deletion_is_reported_with_or_without_re_chaining(app) -> None:
    rows = await append(6)
    await AuditEntry.filter(id=rows[2].id).delete()
    report = await audit.verify_chain()
    assert (report.first_broken_id, report.problem) == (rows[3].id, Problem.DELETED)
    await rechain()
    report = await audit.verify_chain()
    assert (report.first_broken_id, report.problem) == (rows[3].id, Problem.REWRITTEN)


async def test_a_copied_entry_is_reported_without_a_unique_index_on_hashes(app) -> None:
    """The chain, not an index, makes each hash unique (migration 0017): a copy of an entry,
    hash and MAC included, added where the next entry would go, breaks the chain there."""
    rows = await append(4)
    copy = await AuditEntry.get(id=rows[1].id)
    fields = {f: getattr(copy, f) for f in AuditEntry._meta.db_fields if f != "id"}
    forged = await AuditEntry.create(**fields)
    report = await audit.verify_chain()
    assert (report.ok, report.first_broken_id) == (False, forged.id)
    assert report.problem == Problem.DELETED  # its link skips back: read as a gap before it


async def test_truncation_is_reported_by_the_head_and_by_the_checkpoint(app) -> None:
    rows = await append(4)
    old_head = await AuditHead.get(id=audit.HEAD_ID)  # a copy the attacker kept
    await append(3, start=4)
    signed = await checkpoints.write_checkpoint()
    assert signed.count == 7

    # Cut the last three and set the head by hand: its MAC gives it away.
    await AuditEntry.filter(id__gt=rows[-1].id).delete()
    await AuditHead.filter(id=audit.HEAD_ID).update(count=4, last_hash=rows[-1].hash)
    report = await audit.verify_chain()
    assert report.problem == Problem.TRUNCATED  # behind the signed checkpoint
    assert "7" in report.reason and report.entries == 4

    # Even with the old head row put back (its MAC was genuine), the checkpoint is ahead.
    await AuditHead.filter(id=audit.HEAD_ID).update(
        count=old_head.count, last_hash=old_head.last_hash, mac=old_head.mac
    )
    report = await audit.verify_chain()
    assert (report.ok, report.problem, report.first_broken_id) == (False, Problem.TRUNCATED, None)
    # And the job refuses to sign the shorter head.
    with pytest.raises(checkpoints.CheckpointRefused):
        await checkpoints.write_checkpoint()


async def test_a_hand_set_head_is_reported_without_any_checkpoint(app) -> None:
    rows = await append(5)
    await AuditEntry.filter(id=rows[-1].id).delete()
    await AuditHead.filter(id=audit.HEAD_ID).update(count=4, last_hash=rows[-2].hash)
    report = await audit.verify_chain()
    assert report.problem == Problem.HEAD_FORGED
    with pytest.raises(checkpoints.CheckpointRefused):
        await checkpoints.write_checkpoint()


async def test_an_insider_with_the_audit_key_is_caught_by_the_checkpoint(app) -> None:
    rows = await append(5)
    await checkpoints.write_checkpoint()
    await append(2, start=5)
    await AuditEntry.filter(id=rows[1].id).update(purpose="改过的事由")
    await rechain(with_key=True)  # links, hashes and MACs all recomputed with the real key
    report = await audit.verify_chain()
    assert (report.problem, report.first_broken_id) == (Problem.CHECKPOINT_MISMATCH, rows[4].id)


async def test_a_forged_checkpoint_line_is_reported(app) -> None:
    await append(3)
    signed = await checkpoints.write_checkpoint()
    folder = trail().checkpoint_dir
    path = folder / f"{signed.at[:10]}.jsonl"
    line = json.loads(path.read_text())
    line["count"] = 2
    with path.open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    report = await audit.verify_chain()
    assert report.problem == Problem.CHECKPOINT_FORGED


async def test_a_checkpoint_is_written_every_minute_as_an_owner_only_json_line(app) -> None:
    (job,) = [j for j in periodic_jobs() if j.name == "audit-checkpoint"]
    assert job.every_seconds <= 60
    await append(2)
    await job.run()
    await append(1, start=2)
    await job.run()
    folder = trail().checkpoint_dir
    (path,) = folder.glob("*.jsonl")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = [json.loads(raw) for raw in path.read_text().splitlines()]
    assert [line["count"] for line in lines] == [2, 3]
    head = await AuditHead.get(id=audit.HEAD_ID)
    assert lines[-1]["hash"] == head.last_hash
    report = await audit.verify_chain()
    assert report.ok and report.checkpoints == 2


async def test_rotated_keys_keep_verifying_old_entries(app, settings) -> None:
    first = await append(2)
    old_kid = trail().keys.active()[0]
    new_kid = trail().keys.rotate()
    second = await append(2, start=2)
    assert {r.key_id for r in first} == {old_kid} and {r.key_id for r in second} == {new_kid}
    assert (await audit.verify_chain()).ok
    (settings.keys_dir / "audit" / f"{old_kid}.key").unlink()  # a key removed too early
    trail().keys.known()
    report = await audit.verify_chain()
    assert (report.problem, report.first_broken_id) == (Problem.UNKNOWN_KEY, first[0].id)


async def test_entries_from_before_the_keys_are_sealed_once_then_required(app) -> None:
    rows = await append(3)
    await AuditEntry.all().update(key_id="", mac="")  # as migration 0006 leaves old entries
    await AuditHead.all().update(key_id="", mac="")
    assert (await audit.verify_chain()).problem == Problem.UNAUTHENTICATED
    await checkpoints.write_checkpoint()  # the first checkpoint seals them
    assert (await audit.verify_chain()).ok
    await AuditEntry.filter(id=rows[1].id).update(key_id="", mac="")  # stripping a MAC later
    await checkpoints.write_checkpoint()
    report = await audit.verify_chain()
    assert (report.problem, report.first_broken_id) == (Problem.UNAUTHENTICATED, rows[1].id)


async def test_an_auditor_pins_a_checkpoint_and_catches_a_rewrite_of_the_server_files(
    client, authenticator, app
) -> None:
    await make_staff(client, authenticator, ["auditor"], name="周审计")
    await append(4)
    empty = (await client.get("/api/v1/audit/checkpoint")).json()
    assert empty["checkpoint"] is None
    await checkpoints.write_checkpoint()
    response = await client.get("/api/v1/audit/checkpoint")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    pinned, jwk = body["checkpoint"], body["key"]
    # The auditor checks the signature on their own, with the published key.
    public = Ed25519PublicKey.from_public_bytes(unpadded(jwk["x"]))
    public.verify(unpadded(pinned["sig"]), checkpoints.parse(pinned).message())
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert jwk["kid"] in {k["kid"] for k in jwks["keys"]}
    page = await client.get("/office/audit")
    assert page.status_code == 200 and json.dumps(
        pinned, sort_keys=True, separators=(",", ":")
    ) in (page.text.replace("&#34;", '"').replace("&quot;", '"'))

    # Someone with every server key rewrites history and removes the checkpoint files.
    first = await AuditEntry.all().order_by("id").first()
    assert first is not None
    await AuditEntry.filter(id=first.id).update(purpose="改写")
    await rechain(with_key=True)
    for path in trail().checkpoint_dir.glob("*.jsonl"):
        path.unlink()
    assert (await audit.verify_chain()).ok  # the server alone can no longer tell
    report = await audit.verify_chain(pins=[checkpoints.parse(pinned)])
    assert report.problem == Problem.CHECKPOINT_MISMATCH
    verified = (await client.get("/api/v1/audit/verify")).json()
    assert verified["ok"] is True and verified["problem"] is None


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


async def test_the_cli_names_the_problem_and_takes_pinned_checkpoints(
    app, settings, tmp_path
) -> None:
    rows = await append(4)
    signed = await checkpoints.write_checkpoint()
    pin = tmp_path / "pinned.jsonl"
    pin.write_text(json.dumps(signed.line()) + "\n")
    ok = await asyncio.to_thread(run_cli, settings, "verify-audit", "--pin", str(pin))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "4 entries" in ok.stdout and "2 signed checkpoints agree" in ok.stdout

    await AuditEntry.filter(id=rows[1].id).update(purpose="篡改")
    await rechain()
    broken = await asyncio.to_thread(run_cli, settings, "verify-audit")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"entry {rows[1].id} [rewritten]" in broken.stdout

    rotated = await asyncio.to_thread(run_cli, settings, "rotate-audit-key")
    assert rotated.returncode == 0 and "new active audit key" in rotated.stdout


async def test_an_idle_head_is_signed_again_hourly_only(app) -> None:
    await append(2)
    first = await checkpoints.write_checkpoint()
    assert await checkpoints.write_checkpoint() == first  # nothing appended: nothing written
    try:
        clock.shift(dt.timedelta(minutes=61))
        again = await checkpoints.write_checkpoint()
    finally:
        clock.reset()
    assert again != first and (again.count, again.hash) == (first.count, first.hash)
    lines = list(trail().checkpoint_dir.glob("*.jsonl"))
    assert sum(len(p.read_text().splitlines()) for p in lines) == 2
    assert (await audit.verify_chain()).checkpoints == 2
