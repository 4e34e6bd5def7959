"""Staff accounts (工作人员账户), under four eyes.

An officer *proposes* a staff account from the console; a second officer, independent of the
first (`foureyes`), *approves* it and is shown its one-time code once, to hand it over in person
to the new member of staff after checking their ID card. The proposer never sees a code, so no
officer can enrol an account they created. The first passkey activates the account.

Officer and auditor are mutually exclusive roles: whoever keeps the audit trail is not whoever
it watches.

`create_staff_account` (a code at once) is left for the server console (the bootstrap command,
the demo seed) and for partner administrators adding their own operators, whose roles are a
subset of their own; it refuses officer and auditor roles from anyone but the console.
"""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import clock, transitions
from ..core.crypto import new_code, secret_hash
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.permissions import STAFF_ROLES, Role
from ..core.principal import Principal
from . import foureyes
from .accounts import ACCOUNT_WORKFLOW, Refusal, new_user_handle
from .models import Account, AccountKind, AccountStatus, EnrolmentCode

STAFF_CODE_TTL = dt.timedelta(hours=24)
PRIVILEGED = frozenset({Role.OFFICER, Role.AUDITOR})  # their accounts need four eyes
EXCLUSIVE = frozenset({Role.OFFICER, Role.AUDITOR})  # never both on one account
BOOTSTRAP_LIMIT = 2  # the console creates officers only while fewer than this exist


def _roles_error(title: str, reason: str = "") -> ValidationFailed:
    errors = [{"field": "roles", "message": f"roles are {', '.join(STAFF_ROLES)}", "type": "enum"}]
    if reason:
        return ValidationFailed(title, errors=errors, reason=reason)
    return ValidationFailed(title, errors=errors)


def checked_roles(roles: list[str]) -> list[Role]:
    """Known staff roles, at least one, never officer together with auditor."""
    try:
        chosen = sorted({Role(r) for r in roles})
    except ValueError:
        raise _roles_error("unknown role") from None
    if not chosen or any(r not in STAFF_ROLES for r in chosen):
        raise _roles_error("choose at least one staff role")
    if set(chosen) >= EXCLUSIVE:
        raise _roles_error(
            "officer and auditor are mutually exclusive roles", Refusal.EXCLUSIVE_ROLES
        )
    return chosen


def _checked_name(display_name: str) -> str:
    if not display_name.strip():
        raise ValidationFailed(
            "give the person's name",
            errors=[{"field": "display_name", "message": "required", "type": "missing"}],
        )
    return display_name.strip()


async def _new_code(account: Account, issued_by: int | None) -> str:
    code = new_code()
    await EnrolmentCode.create(
        code_hash=secret_hash(code),
        account=account,
        issued_by_id=issued_by,
        purpose="staff enrolment",
        expires_at=clock.now() + STAFF_CODE_TTL,
    )
    return code


async def create_staff_account(
    *, officer: Principal | None, display_name: str, roles: list[str], organisation: str
) -> tuple[Account, str]:
    """An invited staff account and its one-time code at once. `officer` is None only for the
    server console; an officer or auditor account from anyone else must be proposed."""
    chosen = checked_roles(roles)
    name = _checked_name(display_name)
    if officer is not None and PRIVILEGED & set(chosen):
        raise Forbidden(
            "an officer or auditor account needs a second officer: propose it",
            reason=Refusal.SECOND_OFFICER,
        )
    async with in_transaction():
        account = await Account.create(
            kind=AccountKind.STAFF.value,
            status=AccountStatus.INVITED,
            display_name=name,
            organisation=organisation.strip(),
            roles=",".join(chosen),
            user_handle=new_user_handle(),
            created_by_id=officer.account_id if officer else None,
        )
        code = await _new_code(account, officer.account_id if officer else None)
        await audit.record(
            action="staff.created",
            actor=officer,
            actor_label="bootstrap" if officer is None else "",
            details={"account_id": account.id, "roles": ",".join(chosen)},
        )
    return account, code


async def bootstrap_officer(*, display_name: str, organisation: str) -> tuple[Account, str]:
    """The server console's officer (`scripts/bootstrap_officer`): the first, and a second one
    so a city with one officer can reach four eyes. With two or more officers not disabled the
    console is closed and officers are proposed and approved in the console like everyone."""
    officers = await Account.filter(
        kind=AccountKind.STAFF.value, status__not=AccountStatus.DISABLED
    ).values_list("roles", flat=True)
    if sum(Role.OFFICER.value in str(r).split(",") for r in officers) >= BOOTSTRAP_LIMIT:
        raise Conflict(
            "this city already has two officers: propose new officers in the console",
            reason=Refusal.BOOTSTRAP_CLOSED,
        )
    return await create_staff_account(
        officer=None, display_name=display_name, roles=[Role.OFFICER.value],
        organisation=organisation,
    )  # fmt: skip


async def propose_staff_account(
    *, officer: Principal, display_name: str, roles: list[str], organisation: str
) -> Account:
    """A staff account waiting for a second officer: no code exists until it is approved."""
    chosen = checked_roles(roles)
    name = _checked_name(display_name)
    async with in_transaction():
        account = await Account.create(
            kind=AccountKind.STAFF.value,
            status=AccountStatus.PROPOSED,
            display_name=name,
            organisation=organisation.strip(),
            roles=",".join(chosen),
            user_handle=new_user_handle(),
            created_by_id=officer.account_id,
        )
        await audit.record(
            action="staff.proposed",
            actor=officer,
            details={"account_id": account.id, "roles": ",".join(chosen)},
        )
    return account


async def _staff(account_id: int) -> Account:
    account = await Account.get_or_none(id=account_id, kind=AccountKind.STAFF.value)
    if account is None:
        raise NotFound("no such staff account")
    return account


async def approve_staff_account(*, officer: Principal, account_id: int) -> tuple[Account, str]:
    """proposed → invited by a second, independent officer, who is shown the code once for the
    hand-over (and so becomes the account's code holder for four eyes)."""
    account = await _staff(account_id)
    if account.status != AccountStatus.PROPOSED:
        raise Conflict("this staff account was already decided", reason=Refusal.ALREADY_DECIDED)
    await foureyes.require_independent(
        account.created_by_id,
        officer.account_id,
        "a second, independent officer must approve a staff account you proposed",
    )
    codes: list[str] = []

    async def record(item: Account, _from: AccountStatus) -> None:
        codes.append(await _new_code(item, officer.account_id))
        await audit.record(
            action="staff.approved",
            actor=officer,
            details={"account_id": item.id, "roles": item.roles, "proposed_by": item.created_by_id},
        )

    account = await transitions.apply(
        ACCOUNT_WORKFLOW, Account, item_id=account.id, to=AccountStatus.INVITED,
        changes={"approved_by_id": officer.account_id}, record=record,
        where={"kind": AccountKind.STAFF.value},
    )  # fmt: skip
    return account, codes[0]


async def reject_staff_account(*, officer: Principal, account_id: int) -> Account:
    """proposed → disabled: a proposal withdrawn (by its proposer) or refused (by another)."""
    account = await _staff(account_id)

    async def record(item: Account, _from: AccountStatus) -> None:
        await audit.record(action="staff.rejected", actor=officer, details={"account_id": item.id})

    if account.status != AccountStatus.PROPOSED:
        raise Conflict("this staff account was already decided", reason=Refusal.ALREADY_DECIDED)
    # Only from proposed: an approval that lands first makes this a 404, not a disabling.
    return await transitions.apply(
        ACCOUNT_WORKFLOW, Account, item_id=account.id, to=AccountStatus.DISABLED,
        changes={"disabled_at": clock.now()}, record=record,
        where={"kind": AccountKind.STAFF.value, "status__in": [AccountStatus.PROPOSED.value]},
    )  # fmt: skip


async def hand_over_new_code(*, officer: Principal, account_id: int) -> str:
    """A fresh code for an invited staff account whose code expired or was lost, from an officer
    independent of its proposer (who becomes its code holder); earlier codes stop working."""
    account = await _staff(account_id)
    if account.status != AccountStatus.INVITED:
        raise Conflict("only an invited account gets a new code", reason=Refusal.ALREADY_ACTIVE)
    if account.created_by_id is not None:
        await foureyes.require_independent(
            account.created_by_id,
            officer.account_id,
            "a second, independent officer must hand over the code",
        )
    async with in_transaction():
        changed = await Account.filter(id=account.id, status=AccountStatus.INVITED).update(
            approved_by_id=officer.account_id
        )
        if changed != 1:
            raise Conflict("the account is no longer invited", reason=Refusal.ALREADY_ACTIVE)
        await EnrolmentCode.filter(account_id=account.id, used_at=None).update(
            expires_at=clock.now()
        )
        code = await _new_code(account, officer.account_id)
        await audit.record(
            action="staff.code_handed_over", actor=officer, details={"account_id": account.id}
        )
    return code


async def list_staff() -> list[Account]:
    return await Account.filter(kind=AccountKind.STAFF.value).order_by("id")
