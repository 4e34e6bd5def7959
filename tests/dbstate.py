"""Row counts of every table, to prove that a refused request stored nothing."""

from __future__ import annotations

from tortoise.models import Model

from backend.audit.models import AuditEntry, AuditHead
from backend.auth.models import (
    Account,
    Challenge,
    EnrolmentCode,
    Passkey,
    RecoveryCode,
    Throttle,
    WebSession,
)
from backend.residents.models import Person, PersonOccupation

MODELS: tuple[type[Model], ...] = (
    Account,
    Passkey,
    Challenge,
    WebSession,
    EnrolmentCode,
    RecoveryCode,
    Throttle,
    AuditEntry,
    AuditHead,
    Person,
    PersonOccupation,
)


async def row_counts(*, without: tuple[type[Model], ...] = ()) -> dict[str, int]:
    return {m.__name__: await m.all().count() for m in MODELS if m not in without}
