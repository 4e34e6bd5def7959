"""exportMyData (PIPL Art. 45): everything the city holds about a person as one JSON archive,
streamed section by section so a long history never sits in memory at once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model

from ..audit import service as audit
from ..audit.models import AuditEntry
from ..auth.accounts import describe_me
from ..auth.models import Passkey
from ..commitments.models import CommitmentSignature, DeferredAcceptance
from ..consent.models import ConsentDecision
from ..core import clock
from ..core.crypto import IdCipher
from ..core.principal import Principal
from ..credit.models import CreditRecord, ListEntry, Score, ScoreHistory
from ..family.models import HelperGrant
from ..jointcases.models import JointCase
from ..notices.models import Notice
from ..objections.models import Objection
from ..partners.models import Redemption
from ..passes.models import DeviceKey, PassCertificate
from ..repairs.models import RepairRequest
from .confirm import person_of
from .models import CreditReport, RightsCase

FORMAT = "xinyi-export/1"
BATCH = 500
# Columns that are secrets or keys, not information about the person: never exported.
HIDDEN = frozenset({"token_hash", "code_hash", "public_key", "id_hash", "id_encrypted"})


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return str(value)


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=_plain).encode()


async def _rows(model: type[Model], where: Q) -> AsyncIterator[dict[str, Any]]:
    """Every row of `model` matching `where`, in id order, a batch at a time."""
    last = 0
    while True:
        batch = await model.filter(where, id__gt=last).order_by("id").limit(BATCH).values()
        for row in batch:
            yield {k: v for k, v in row.items() if k not in HIDDEN}
        if len(batch) < BATCH:
            return
        last = int(batch[-1]["id"])


def _sections(person_id: int, account_id: int) -> list[tuple[str, type[Model], Q]]:
    return [
        ("records", CreditRecord, Q(person_id=person_id)),
        ("score_history", ScoreHistory, Q(person_id=person_id)),
        ("lists", ListEntry, Q(person_id=person_id)),
        ("objections", Objection, Q(person_id=person_id)),
        ("repairs", RepairRequest, Q(person_id=person_id)),
        ("commitments", CommitmentSignature, Q(person_id=person_id)),
        ("deferred_acceptances", DeferredAcceptance, Q(person_id=person_id)),
        ("passes", PassCertificate, Q(person_id=person_id)),
        ("devices", DeviceKey, Q(account_id=account_id)),
        ("passkeys", Passkey, Q(account_id=account_id)),
        ("benefits", Redemption, Q(person_id=person_id)),
        ("joint_cases", JointCase, Q(person_id=person_id)),
        ("notifications", Notice, Q(person_id=person_id)),
        ("consent", ConsentDecision, Q(person_id=person_id)),
        ("credit_reports", CreditReport, Q(person_id=person_id)),
        ("rights_cases", RightsCase, Q(person_id=person_id)),
        ("helpers", HelperGrant, Q(person_id=person_id)),
        ("helping", HelperGrant, Q(helper_person_id=person_id)),
        ("access_log", AuditEntry, audit.about_person(person_id)),
    ]


async def archive(*, principal: Principal, cipher: IdCipher) -> AsyncIterator[bytes]:
    """The archive, as chunks of one JSON object. Logged before the first byte leaves."""
    person_id = person_of(principal)
    await audit.record(
        action="rights.exported", actor=principal, subject_person_id=person_id,
        purpose="download my data (PIPL Art. 45)",
    )  # fmt: skip
    me = await describe_me(principal=principal, cipher=cipher)
    me.pop("csrf_token", None)
    score = await Score.filter(person_id=person_id).values()
    return _stream(person_id, principal.account_id, me, score[0] if score else None)


async def _stream(
    person_id: int, account_id: int, me: dict[str, Any], score: dict[str, Any] | None
) -> AsyncIterator[bytes]:
    head = {"format": FORMAT, "generated_at": clock.now().isoformat(), "account": me,
            "score": score}  # fmt: skip
    yield _dump(head)[:-1]  # the object stays open: the sections follow
    for name, model, where in _sections(person_id, account_id):
        yield b',"' + name.encode() + b'":['
        first = True
        async for row in _rows(model, where):
            yield (b"" if first else b",") + _dump(row)
            first = False
        yield b"]"
    yield b"}"
