"""Sending notices and reading one's inbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..core import bulk, clock
from .models import Notice, NoticeKind

PAGE = 50


async def notify(
    *,
    person_id: int,
    kind: NoticeKind,
    key: str,
    params: Mapping[str, Any] | None = None,
    link: str = "",
) -> bool:
    """Put a notice in a person's inbox once: a second call with the same `key` does nothing
    and answers False. Safe inside a caller's transaction (a savepoint holds the insert)."""
    try:
        async with in_transaction():
            await Notice.create(
                person_id=person_id,
                kind=kind.value,
                key=key[:96],
                params=dict(params or {}),
                link=link[:200],
                created_at=clock.now(),
            )
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class Inbox:
    items: list[Notice]
    unread: int
    next_before: int | None


async def inbox(*, person_id: int, before: int | None = None, limit: int = PAGE) -> Inbox:
    """Newest first, a page at a time (`before` = the last id of the previous page)."""
    query = Notice.filter(person_id=person_id)
    if before is not None:
        query = query.filter(id__lt=before)
    items = await query.order_by("-id").limit(limit + 1)
    unread = await Notice.filter(person_id=person_id, read_at=None).count()
    more = len(items) > limit
    items = items[:limit]
    return Inbox(items, unread, items[-1].id if more and items else None)


async def mark_read(*, person_id: int, ids: Sequence[int] | None) -> int:
    """Mark these notices (or all, when `ids` is None) of this person as read; another
    person's ids are simply not touched."""
    query = Notice.filter(person_id=person_id, read_at=None)
    if ids is not None:
        query = query.filter(id__in=list(ids))
    return await query.update(read_at=clock.now())


@dataclass(frozen=True)
class Outgoing:
    person_id: int
    kind: NoticeKind
    key: str
    params: Mapping[str, Any]
    link: str = ""


async def notify_many(items: Sequence[Outgoing]) -> None:
    """Many notices at once (a department's batch of records): one insert per thousand,
    a key already sent is skipped. Joins the caller's transaction."""
    if not items:
        return
    now = clock.now()
    await Notice.bulk_create(
        [
            Notice(person_id=i.person_id, kind=i.kind.value, key=i.key[:96],
                   params=dict(i.params), link=i.link[:200], created_at=now)
            for i in items
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )  # fmt: skip


PREPARED_COLUMNS = ("person_id", "kind", "key", "params", "link", "created_at")


async def notify_prepared(rows: Sequence[tuple[int, str, str, str, str, Any]]) -> None:
    """The bulk path for hot callers that build their rows themselves: (person id, kind, key,
    params as JSON text, link, created at as `bulk.bind_date` gives it). A key already sent is
    skipped. Joins the caller's transaction."""
    await bulk.insert_new_rows("notice", PREPARED_COLUMNS, rows, unique="key")
