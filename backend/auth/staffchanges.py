"""Changes to staff accounts (人员变更), under four eyes where they touch the office's powers.

- New roles for an account (elevating it to officer or auditor, or any other change) are
  *proposed* by one officer and take effect when a second, independent officer approves
  (`foureyes`). Officer and auditor stay mutually exclusive.
- Disabling (offboarding) an officer or auditor is proposed and approved the same way, so no
  officer can remove the others and be alone; any other staff account is disabled at once.

Nobody proposes or decides a change to their own account. One open change per account.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import clock, transitions
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.forms import required_reason
from ..core.principal import Principal
from ..core.transitions import Workflow
from . import foureyes, offboarding, sessions
from .accounts import Refusal
from .models import (
    Account,
    AccountKind,
    AccountStatus,
    StaffChange,
    StaffChangeKind,
    StaffChangeStatus,
)
from .staff import PRIVILEGED, checked_roles

STAFF_CHANGE = Workflow[StaffChangeStatus](
    name="staff change",
    moves={
        StaffChangeStatus.PROPOSED: frozenset(
            {StaffChangeStatus.APPROVED, StaffChangeStatus.REJECTED}
        )
    },
    conflict_reason=Refusal.ALREADY_DECIDED,
)


class Outcome(StrEnum):
    """What asking to disable a staff account did."""

    DISABLED = "disabled"  # at once (not an officer or auditor)
    PROPOSED = "proposed"  # an officer or auditor: a second officer must approve


@dataclass(frozen=True)
class DisableStep:
    outcome: Outcome
    account: Account
    change: StaffChange | None = None


async def _target(officer: Principal, account_id: int) -> Account:
    account = await Account.get_or_none(id=account_id)
    if account is None:
        raise NotFound("no such staff account")
    if account.kind != AccountKind.STAFF.value:
        raise Conflict("this is not a staff account", reason=Refusal.NOT_STAFF)
    if account.id == officer.account_id:
        raise Forbidden(
            "ask another officer to change your own account", reason=Refusal.OWN_ACCOUNT
        )
    if account.status == AccountStatus.DISABLED:
        raise Conflict("this account is disabled", reason=Refusal.ALREADY_DISABLED)
    return account


async def _propose(
    *, officer: Principal, account: Account, kind: StaffChangeKind, roles: str, reason: str
) -> StaffChange:
    async with in_transaction():
        # The account row is locked while open changes are counted: two proposals at once
        # store one, the other is `change_pending`.
        await Account.select_for_update().filter(id=account.id).first()
        if await StaffChange.filter(
            account_id=account.id, status=StaffChangeStatus.PROPOSED
        ).exists():
            raise Conflict("another change to this account awaits a decision",
                           reason=Refusal.CHANGE_PENDING)  # fmt: skip
        try:
            change = await StaffChange.create(
                account_id=account.id, kind=kind, roles=roles, reason=reason,
                proposed_by_id=officer.account_id,
            )  # fmt: skip
        except IntegrityError:  # pragma: no cover - the lock above serialises proposals
            raise Conflict("another change is pending", reason=Refusal.CHANGE_PENDING) from None
        await audit.record(
            action="staff.change_proposed",
            actor=officer,
            purpose=reason,
            details={"change": change.id, "account_id": account.id, "kind": kind.value,
                     "roles": roles, "from_roles": account.roles},
        )  # fmt: skip
    return change


async def propose_roles(
    *, officer: Principal, account_id: int, roles: list[str], reason: str
) -> StaffChange:
    """New roles for a staff account; they take effect when a second officer approves."""
    chosen = ",".join(checked_roles(roles))
    text = required_reason(reason)
    account = await _target(officer, account_id)
    if chosen == account.roles:
        raise ValidationFailed(
            "these are the account's roles already",
            errors=[{"field": "roles", "message": "no change", "type": "value"}],
        )
    return await _propose(
        officer=officer, account=account, kind=StaffChangeKind.ROLES, roles=chosen, reason=text
    )


async def disable_staff(*, officer: Principal, account_id: int, reason: str) -> DisableStep:
    """Offboard a staff account: at once, or (an officer or auditor) as a four-eyes proposal."""
    text = required_reason(reason)
    account = await _target(officer, account_id)
    if PRIVILEGED & sessions.roles_of(account):
        change = await _propose(
            officer=officer, account=account, kind=StaffChangeKind.DISABLE, roles="", reason=text
        )
        return DisableStep(Outcome.PROPOSED, account, change)
    done = await offboarding.disable_account(actor=officer, account_id=account.id, reason=text)
    return DisableStep(Outcome.DISABLED, done.account)


async def decide_change(*, officer: Principal, change_id: int, approve: bool) -> StaffChange:
    """Approve or reject a staff change. Approving needs an officer independent of the proposer
    (and not the account changed); rejecting may be the proposer withdrawing it."""
    change = await StaffChange.get_or_none(id=change_id)
    if change is None:
        raise NotFound("no such staff change")
    if change.status != StaffChangeStatus.PROPOSED:
        raise Conflict("this change was already decided", reason=Refusal.ALREADY_DECIDED)
    if change.account_id == officer.account_id:
        raise Forbidden("another officer decides on your account", reason=Refusal.OWN_ACCOUNT)
    if approve:
        await foureyes.require_independent(
            change.proposed_by_id,
            officer.account_id,
            "a second, independent officer must approve this change",
        )

    async def record(item: StaffChange, _from: StaffChangeStatus) -> None:
        await audit.record(
            action="staff.change_approved" if approve else "staff.change_rejected",
            actor=officer,
            details={"change": item.id, "account_id": item.account_id, "kind": item.kind,
                     "roles": item.roles, "proposed_by": item.proposed_by_id},
        )  # fmt: skip
        if not approve:
            return
        if item.kind == StaffChangeKind.ROLES:
            target = await Account.get(id=item.account_id)
            if target.status == AccountStatus.DISABLED:
                raise Conflict("this account is disabled", reason=Refusal.ALREADY_DISABLED)
            await Account.filter(id=item.account_id).update(roles=item.roles)
        else:
            await offboarding.disable_account(
                actor=officer, account_id=item.account_id, reason=item.reason
            )

    return await transitions.apply(
        STAFF_CHANGE,
        StaffChange,
        item_id=change.id,
        to=StaffChangeStatus.APPROVED if approve else StaffChangeStatus.REJECTED,
        changes={"decided_by_id": officer.account_id, "decided_at": clock.now()},
        record=record,
    )


async def open_changes() -> list[StaffChange]:
    return await StaffChange.filter(status=StaffChangeStatus.PROPOSED).order_by("id")
