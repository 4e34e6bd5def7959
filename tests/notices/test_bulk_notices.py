"""The bulk path of a department's batch (`notify_prepared`): each key lands once, whether none,
some or all of a batch's keys were sent before, and the params read back as the inbox shows
them."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from backend.core import bulk, clock
from backend.notices.models import Notice, NoticeKind
from backend.notices.service import notify_prepared


def _row(person_id: int, key: str) -> tuple[int, str, str, str, str, Any]:
    params = '{"type":"X","points":-10,"decision_date":"2026-01-02","repairable_from":null}'
    return (person_id, NoticeKind.RECORD_NEW.value, key, params, "#/records",
            bulk.bind_date(clock.now()))  # fmt: skip


async def test_each_key_lands_once_in_a_batch_with_keys_already_sent(app: Any) -> None:
    async with in_transaction():
        await notify_prepared([_row(1, "a"), _row(2, "b")])  # none sent before: plain COPY
    async with in_transaction():
        await notify_prepared([_row(1, "a"), _row(3, "c")])  # one sent before
        await notify_prepared([_row(2, "b")])  # all sent before
    rows = await Notice.all().order_by("key")
    assert [(n.person_id, n.key) for n in rows] == [(1, "a"), (2, "b"), (3, "c")]
    assert rows[2].params == {
        "type": "X", "points": -10, "decision_date": "2026-01-02", "repairable_from": None,
    }  # fmt: skip
    assert rows[0].read_at is None and rows[0].link == "#/records"
