"""Staff accounts: an officer (or the bootstrap command) invites a staff member, who enrols a
passkey with the one-time code; the first passkey activates the account (`accounts`)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import clock
from ..core.crypto import new_code, secret_hash
from ..core.errors import ValidationFailed
from ..core.permissions import STAFF_ROLES, Role
from ..core.principal import Principal
from .accounts import new_user_handle
from .enrolment import CODE_TTL
from .models import Account, AccountKind, AccountStatus, EnrolmentCode


def _roles_error(title: str) -> ValidationFailed:
    return ValidationFailed(
        title,
        errors=[
            {"field": "roles", "message": f"roles are {', '.join(STAFF_ROLES)}", "type": "enum"}
        ],
    )


async def create_staff_account(
    *, officer: Principal | None, display_name: str, roles: list[str], organisation: str
) -> tuple[Account, str]:
    """An invited staff account (with roles) and the one-time code its holder enrols a passkey
    with. `officer` is None only for the bootstrap command."""
    try:
        chosen = sorted({Role(r) for r in roles})
    except ValueError:
        raise _roles_error("unknown role") from None
    if not display_name.strip():
        raise ValidationFailed(
            "give the person's name",
            errors=[{"field": "display_name", "message": "required", "type": "missing"}],
        )
    if not chosen or any(r not in STAFF_ROLES for r in chosen):
        raise _roles_error("choose at least one staff role")
    code = new_code()
    async with in_transaction():
        account = await Account.create(
            kind=AccountKind.STAFF.value,
            status=AccountStatus.INVITED,
            display_name=display_name.strip(),
            organisation=organisation.strip(),
            roles=",".join(chosen),
            user_handle=new_user_handle(),
            created_by_id=officer.account_id if officer else None,
        )
        await EnrolmentCode.create(
            code_hash=secret_hash(code),
            account=account,
            issued_by_id=officer.account_id if officer else None,
            purpose="staff enrolment",
            expires_at=clock.now() + CODE_TTL,
        )
        await audit.record(
            action="staff.created",
            actor=officer,
            actor_label="bootstrap" if officer is None else "",
            details={"account_id": account.id, "roles": ",".join(chosen)},
        )
    return account, code


async def list_staff() -> list[Account]:
    return await Account.filter(kind=AccountKind.STAFF.value).order_by("id")
