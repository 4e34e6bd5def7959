"""Helpers for the residents' rights tests: a fresh passkey confirmation, a resident with
records, a look at their data by an officer."""

from __future__ import annotations

from typing import Any

from backend.audit import service as audit
from backend.audit.models import AuditEntry
from backend.core.permissions import Role
from backend.core.principal import Principal
from tests.due_process import Resident, negative_record


async def confirmation(r: Resident, step: str) -> dict[str, Any]:
    """The passkey assertion over a fresh confirmation challenge for `step`."""
    started = await r.client.post("/api/v1/me/confirmations", json={"step": step},
                                  headers=r.headers())  # fmt: skip
    assert started.status_code == 200, started.text
    credential: dict[str, Any] = r.auth.get(started.json()["publicKey"])
    return credential


async def with_records(r: Resident) -> int:
    """A general penalty four months old (a negative record with its legal basis)."""
    record = await negative_record(r.person_id)
    return int(record.id)


OFFICER = Principal.build(account_id=0, kind="staff", display_name="王科员",
                          roles={Role.OFFICER}, organisation="黄石市信用办")  # fmt: skip


async def officer_look(person_id: int, purpose: str = "窗口咨询") -> AuditEntry:
    """An officer's look at the person's data, as the office look-up records it."""
    return await audit.record(action="person.viewed", actor=OFFICER, subject_person_id=person_id,
                              purpose=purpose)  # fmt: skip
