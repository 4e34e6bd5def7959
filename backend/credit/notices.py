"""两书同达: every negative record reaches its person with its repair notice — what happened,
its effect on the score, when it stops counting, and from when and how it can be repaired
for free. Sent in the same transaction as the records, so a stored record always has its
notice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..notices.models import NoticeKind
from ..notices.service import Outgoing, notify_many
from .catalog import Catalog

COLUMNS = ("person_id", "department", "external_id", "type_code", "points", "decision_date",
           "repairable_from", "expires_on")  # fmt: skip


def record_notice(row: dict[str, Any], catalog: Catalog) -> Outgoing:
    record_type = catalog.types.get(str(row["type_code"]))
    repairable = bool(record_type and record_type.repairable and int(row["points"]) < 0)
    department = str(row["department"])
    return Outgoing(
        person_id=int(row["person_id"]),
        kind=NoticeKind.RECORD_NEW,
        key=f"record:{department}:{row['external_id']}",
        params={
            "type": row["type_code"],
            "name": record_type.name if record_type else {},
            "department": catalog.departments.get(
                department, {"zh-CN": department, "en": department}
            ),
            "points": int(row["points"]),
            "decision_date": str(row["decision_date"]),
            "expires_on": str(row["expires_on"]),
            "repairable": repairable,
            "repairable_from": str(row["repairable_from"]) if repairable else None,
        },
        link="#/records",
    )


async def send_record_notices(rows: Sequence[dict[str, Any]], catalog: Catalog) -> None:
    """The notices of the negative records among `rows` (positive ones need no notice)."""
    await notify_many([record_notice(r, catalog) for r in rows if int(r["points"]) < 0])
