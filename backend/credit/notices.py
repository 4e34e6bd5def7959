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
        key=notice_key(department, str(row["external_id"])),
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


def batch_params(
    type_code: str,
    department: str,
    points: int,
    dates: tuple[Any, Any, Any],
    catalog: Catalog,
) -> str | None:
    """`record_notice`'s params as the JSON text a department's batch stores, or None for a
    record that needs no notice (not negative). `dates` are the decision date, repairable-from
    and expires-on dates as ingest binds them (`bulk.bind_date`). A batch has a few hundred
    (type, decision date) pairs: ingest asks once per pair, not once per record."""
    if points >= 0:
        return None
    decided, repairable_from, expires_on = dates
    record_type = catalog.types.get(type_code)
    repairable = bool(record_type and record_type.repairable)
    params = {
        "type": type_code,
        "name": record_type.name if record_type else {},
        "department": catalog.departments.get(department, {"zh-CN": department, "en": department}),
        "points": int(points),
        "repairable": repairable,
        "decision_date": str(decided),
        "expires_on": str(expires_on),
        "repairable_from": str(repairable_from) if repairable else None,
    }
    return json.dumps(params, ensure_ascii=False, separators=(",", ":"))


def notice_key(department: str, external_id: str) -> str:
    """One notice per record, ever: a repeat of the batch sends nothing twice."""
    return f"record:{department}:{external_id}"[:96]


async def send_batch_notices(notices: Sequence[tuple[int, str, str]]) -> None:
    """`send_record_notices` for a department's batch: (person id, `notice_key`,
    `batch_params`) for each negative record, in the order the records are stored."""
    now = bulk.bind_date(clock.now())
    kind = NoticeKind.RECORD_NEW.value
    await notify_prepared([(person, kind, key, text, LINK, now) for person, key, text in notices])
