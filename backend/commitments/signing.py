"""signCommitment for a standalone text (e.g. 告知承诺): keep the signature and, where the
published text names a record type, write the catalog's commitment record for the person."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from ..core.context import RelyingParty
from ..core.principal import Principal
from ..credit.service import rescore_person
from ..credit.system import add_record
from ..notices.models import NoticeKind
from ..notices.service import notify
from . import service
from .models import CommitmentSignature
from .templates import exact

COMMITMENT_DEPARTMENT = "credit_office"


async def sign_standalone(
    *, principal: Principal, rp: RelyingParty, credential: dict[str, Any]
) -> CommitmentSignature:
    async with in_transaction():
        row = await service.sign(
            principal=principal, rp=rp, credential=credential, purpose="standalone"
        )
        template = exact(row.template_code, row.version)
        if template.record_type:
            await add_record(
                person_id=row.person_id,
                type_code=template.record_type,
                department=COMMITMENT_DEPARTMENT,
                external_id=f"C-{row.id}",
                summary=template.title["zh-CN"],
                rescore=False,
            )
        await notify(
            person_id=row.person_id,
            kind=NoticeKind.COMMITMENT_SIGNED,
            key=f"commitment:{row.id}",
            params={"title": template.title, "version": template.version},
            link="#/commitments",
        )
    if template.record_type:
        await rescore_person(person_id=row.person_id, cause="record")
    return row
