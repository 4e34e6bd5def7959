"""Accounts: the account workflow (账户状态), the refusals identity use cases name, and the
signed-in account's own details and preferences."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Any

from webauthn.helpers import bytes_to_base64url

from ..audit import service as audit
from ..core import transitions
from ..core.crypto import IdCipher
from ..core.errors import Forbidden, ValidationFailed
from ..core.i18n import LOCALES
from ..core.principal import Principal
from ..core.transitions import Workflow
from ..residents import register
from ..residents.models import Person, PersonStatus
from . import sessions
from .models import Account, AccountStatus, Passkey, RecoveryCode


class Refusal(StrEnum):
    """The public `reason` of an identity request that was refused (docs/api.md)."""

    ALREADY_ENROLLED = "already_enrolled"  # this person already has a passkey
    CREDENTIAL_EXISTS = "credential_exists"  # this passkey is registered already
    UNKNOWN_CREDENTIAL = "unknown_credential"  # signing in with a passkey not registered here
    LAST_PASSKEY = "last_passkey"  # removing the account's only passkey
    ALREADY_ACTIVE = "already_active"  # activating an account that is no longer invited
    ALREADY_DISABLED = "already_disabled"  # disabling an account that is disabled
    ALREADY_DECIDED = "already_decided"  # approving a staff account or change decided before
    FOUR_EYES = "four_eyes"  # the second officer is not independent of the first (403)
    EXCLUSIVE_ROLES = "exclusive_roles"  # officer and auditor on one account (422)
    SECOND_OFFICER = "second_officer"  # an officer or auditor account needs a second officer
    OWN_ACCOUNT = "own_account"  # proposing or deciding a change to one's own account (403)
    NOT_STAFF = "not_staff"  # a staff change to an account that is not a staff account
    CHANGE_PENDING = "change_pending"  # another change to this account awaits a decision
    BOOTSTRAP_CLOSED = "bootstrap_closed"  # the console creates officers only while < 2 exist
    NOT_RESIDENT = "not_resident"  # the register says the person moved out or died (403)


# proposed → invited when a second, independent officer approves a staff account (and is shown
# its code for the hand-over), proposed → disabled when it is rejected; invited → active when the
# first passkey is registered; any → disabled when the account is offboarded (`offboarding`).
# A disabled account never signs in again.
ACCOUNT_WORKFLOW = Workflow[AccountStatus](
    name="account",
    moves={
        AccountStatus.PROPOSED: frozenset({AccountStatus.INVITED, AccountStatus.DISABLED}),
        AccountStatus.INVITED: frozenset({AccountStatus.ACTIVE, AccountStatus.DISABLED}),
        AccountStatus.ACTIVE: frozenset({AccountStatus.DISABLED}),
    },
    conflict_reason=Refusal.ALREADY_ACTIVE,
    reasons={
        AccountStatus.INVITED: Refusal.ALREADY_DECIDED,
        AccountStatus.ACTIVE: Refusal.ALREADY_ACTIVE,
        AccountStatus.DISABLED: Refusal.ALREADY_DISABLED,
    },
)


async def refuse_unless_resident(person_id: int | None) -> None:
    """A person the register holds as moved out or deceased neither enrols nor signs in
    (docs/register-feed.md); staff accounts have no person and are not concerned."""
    if person_id is None:
        return
    if not await Person.filter(id=person_id, status=PersonStatus.ACTIVE).exists():
        raise Forbidden(
            "the population register no longer lists this person as a resident of the city",
            reason=Refusal.NOT_RESIDENT,
        )


def new_user_handle() -> str:
    """A random WebAuthn user.id: it names the account to authenticators, nothing else."""
    return bytes_to_base64url(os.urandom(32))


def principal_for(account: Account) -> Principal:
    """The account as the actor of what it does itself (enrolling, signing in)."""
    return Principal.build(
        account_id=account.id,
        kind=account.kind,
        display_name=account.display_name,
        roles=sessions.roles_of(account),
        person_id=account.person_id,  # type: ignore[attr-defined]
        organisation=account.organisation,
    )


async def activate(*, account_id: int, via: str) -> Account:
    """invited → active, with its audit entry, once: a second activation is a conflict."""

    async def record(item: Account, source: AccountStatus) -> None:
        await audit.record(
            action="account.activated",
            actor=principal_for(item),
            subject_person_id=item.person_id,  # type: ignore[attr-defined]
            details={"account_id": item.id, "from": source.value, "via": via},
        )

    return await transitions.apply(
        ACCOUNT_WORKFLOW, Account, item_id=account_id, to=AccountStatus.ACTIVE, record=record
    )


async def describe_me(*, principal: Principal, cipher: IdCipher) -> dict[str, Any]:
    account = await Account.get(id=principal.account_id)
    person = await Person.get_or_none(id=account.person_id) if account.person_id else None  # type: ignore[attr-defined]
    return {
        "id": account.id,
        "kind": account.kind,
        "display_name": account.display_name,
        "organisation": account.organisation,
        "roles": sorted(principal.roles),
        "locale": account.locale,
        "elder_mode": account.elder_mode,
        "csrf_token": principal.csrf_token,
        "person": None
        if person is None
        else {
            "name": person.name,
            "id_number_masked": register.shown_id(person),
            "district_code": person.district_code,
            "birth_year": person.birth_year,
        },
        "passkeys": await Passkey.filter(account=account).count(),
        "recovery_codes_left": await RecoveryCode.filter(account=account, used_at=None).count(),
    }


async def update_preferences(
    *, principal: Principal, locale: str | None, elder_mode: bool | None
) -> Account:
    account = await Account.get(id=principal.account_id)
    if locale is not None:
        if locale not in LOCALES:
            raise ValidationFailed(
                "unsupported language",
                errors=[
                    {"field": "locale", "message": f"one of {', '.join(LOCALES)}", "type": "enum"}
                ],
            )
        account.locale = locale
    if elder_mode is not None:
        account.elder_mode = elder_mode
    await account.save(update_fields=["locale", "elder_mode"])
    return account
