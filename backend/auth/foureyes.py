"""Four eyes (四眼原则): the one rule that says whether two staff accounts are two people.

Every four-eyes decision asks `independent(first, second)`: a manual list entry (proposal and
decision), lifting it (proposal and approval), a staff account (proposal and approval) and a
change to one (new roles, disabling an officer or auditor). Nothing else decides it.

Who *could* act through an account is whoever held its one-time code: the officer who approved
it and was shown the code for the hand-over (`approved_by_id`), or, for accounts made before
that (or by a partner administrator for their own operators), its creator (`created_by_id`).
That holder's own account could in turn be held by whoever held *its* code, and so on. So two
accounts are independent only when

- they are not the same account,
- neither appears in the other's lineage (its creator, its approver, theirs, …: an officer is
  never the second pair of eyes for an account they created or approved, directly or through
  accounts created from it), and
- no one held both codes: the chains of code holders of the two accounts do not meet (siblings
  whose codes passed through the same hands are one person as far as four eyes can tell).

Accounts created by the server console (`scripts/bootstrap_officer`, the demo seed) have no
creator: their code went to the console, which is trusted like the keys it holds.
"""

from __future__ import annotations

from ..core.errors import Forbidden
from .models import Account, AccountKind

REASON = "four_eyes"  # 403: the second officer is not independent of the first


class NotIndependent(Forbidden):
    """A four-eyes step was attempted by an account not independent of the first officer."""


async def _links() -> dict[int, tuple[int | None, int | None]]:
    """Every staff account's (creator, approver). Staff are few (hundreds): one query."""
    rows = await Account.filter(kind=AccountKind.STAFF.value).values(
        "id", "created_by_id", "approved_by_id"
    )
    return {int(r["id"]): (r["created_by_id"], r["approved_by_id"]) for r in rows}


def _lineage(account_id: int, links: dict[int, tuple[int | None, int | None]]) -> set[int]:
    """The account's creators and approvers, transitively (not the account itself)."""
    seen: set[int] = set()
    todo = [account_id]
    while todo:
        for parent in links.get(todo.pop(), (None, None)):
            if parent is not None and parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _holders(account_id: int, links: dict[int, tuple[int | None, int | None]]) -> set[int]:
    """The account and everyone who held its code, or the code of a holder, and so on."""
    seen = {account_id}
    current: int | None = account_id
    while current is not None:
        created_by, approved_by = links.get(current, (None, None))
        holder = approved_by if approved_by is not None else created_by
        if holder is None or holder in seen:
            break
        seen.add(holder)
        current = holder
    return seen


def independent_in(
    first: int, second: int, links: dict[int, tuple[int | None, int | None]]
) -> bool:
    """The pure rule over a map of (creator, approver) per account (tests drive it directly)."""
    if first == second:
        return False
    if first in _lineage(second, links) or second in _lineage(first, links):
        return False
    return not _holders(first, links) & _holders(second, links)


async def independent(first: int | None, second: int) -> bool:
    """Whether `second` may be the second pair of eyes on what `first` did (see the module)."""
    if first is None:
        return False
    return independent_in(first, second, await _links())


async def require_independent(first: int | None, second: int, message: str) -> None:
    """Refuse (403 `four_eyes`) unless `second` is independent of `first`."""
    if not await independent(first, second):
        raise NotIndependent(message, reason=REASON)
