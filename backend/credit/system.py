"""Records the system itself creates through the catalog (a partner's redemption outcome),
under the same catalog rules as department submissions."""

from __future__ import annotations

from ..core import clock
from ..core.errors import Conflict
from .catalog import add_months, load_catalog
from .models import CreditRecord
from .notices import COLUMNS, send_record_notices
from .service import rescore_person
from .states import Refusal


def redemption_external_id(redemption_id: int) -> str:
    """The external id of the record a redemption's outcome made (one per redemption)."""
    return f"R-{redemption_id}"


async def add_record(
    *,
    person_id: int,
    type_code: str,
    department: str,
    external_id: str,
    summary: str = "",
    rescore: bool = True,
) -> CreditRecord:
    """Create one record dated today (idempotent on department + external id) and re-score."""
    existing = await CreditRecord.get_or_none(department=department, external_id=external_id)
    if existing is not None:
        if existing.type_code != type_code:
            raise Conflict(
                f"{department}/{external_id} already holds a {existing.type_code} record",
                reason=Refusal.RECORD_EXISTS,
            )
        return existing
    catalog = load_catalog()
    record_type = catalog.types[type_code]
    decided = clock.today()
    now = clock.now()
    record = await CreditRecord.create(
        person_id=person_id,
        department=department,
        external_id=external_id,
        type_code=type_code,
        dimension=record_type.dimension,
        points=record_type.points,
        severity=record_type.severity,
        decision_date=decided,
        repairable_from=add_months(decided, record_type.min_months),
        expires_on=add_months(decided, record_type.max_months),
        summary=summary,
        catalog_version=catalog.version,
        created_at=now,
        updated_at=now,
    )
    await send_record_notices([{name: getattr(record, name) for name in COLUMNS}], catalog)
    if rescore:
        await rescore_person(person_id=person_id, cause="record")
    return record
