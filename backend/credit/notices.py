"""两书同达: every negative record reaches its person with its repair notice — what happened,
its effect on the score, when it stops counting, and from when and how it can be repaired
for free. Sent in the same transaction as the records, so a stored record always has its
notice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..core import bulk, clock
from ..notices.models import NoticeKind
from ..notices.service import Outgoing, notify_many, notify_prepared
from .catalog import Catalog

LINK = "#/records"
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
        link=LINK,
    )


async def send_record_notices(rows: Sequence[dict[str, Any]], catalog: Catalog) -> None:
    """The notices of the negative records among `rows` (positive ones need no notice)."""
    await notify_many([record_notice(r, catalog) for r in rows if int(r["points"]) < 0])


async def send_batch_notices(rows: Sequence[Sequence[Any]], catalog: Catalog) -> None:
    """`send_record_notices` for a department's batch, rows as ingest stores them
    (`ingest.RECORD_COLUMNS`, dates bound as `bulk.bind_date` gives them). The params are
    `record_notice`'s, written as JSON text here: a batch has a handful of (type,
    department) pairs, so everything but the dates is serialised once per pair."""
    now = bulk.bind_date(clock.now())
    heads: dict[tuple[str, str], tuple[str, bool]] = {}
    out = []
    for row in rows:
        person_id, department, external_id, type_code, _dim, points, _sev, decided = row[:8]
        if points >= 0:
            continue
        head = heads.get((type_code, department))
        if head is None:
            record_type = catalog.types.get(type_code)
            repairable = bool(record_type and record_type.repairable)
            fixed = {
                "type": type_code,
                "name": record_type.name if record_type else {},
                "department": catalog.departments.get(
                    department, {"zh-CN": department, "en": department}
                ),
                "points": int(points),
                "repairable": repairable,
            }
            head = heads[(type_code, department)] = (
                json.dumps(fixed, ensure_ascii=False, separators=(",", ":"))[:-1],
                repairable,
            )
        text, repairable = head
        dates = f',"decision_date":"{decided}","expires_on":"{row[9]}","repairable_from":' + (
            f'"{row[8]}"}}' if repairable else "null}"
        )
        key = f"record:{department}:{external_id}"[:96]
        out.append((person_id, NoticeKind.RECORD_NEW.value, key, text + dates, LINK, now))
    await notify_prepared(out)
