"""Registering a passkey: the ceremony every enrolment path and "add a passkey" share.

Finishing stores the passkey, uses up the one-time or recovery code the ceremony was started
with, creates a resident's account or activates an invited staff account, all in one
transaction with their audit entries: a refused step stores nothing.
"""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import clock
from ..core.context import RelyingParty
from ..core.errors import CeremonyFailed, CodeInvalid, Conflict
from ..core.permissions import Role
from ..core.principal import Principal
from ..residents import register
from ..residents.models import Person
from . import accounts, ceremonies, recovery
from .accounts import Refusal
from .models import (
    Account,
    AccountKind,
    AccountStatus,
    EnrolmentCode,
    Passkey,
    RecoveryCode,
)


async def options_for_account(
    rp: RelyingParty, account: Account, intent: dict[str, Any]
) -> dict[str, Any]:
    """Registration options for another passkey on an existing account (its own excluded)."""
    existing = await Passkey.filter(account=account).values_list("credential_id", flat=True)
    return await ceremonies.registration_options(
        rp,
        user_handle=account.user_handle,
        user_name=await _user_name(account),
        display_name=account.display_name,
        intent={**intent, "account_id": account.id},
        exclude=list(existing),  # type: ignore[arg-type]
    )


async def options_for_person(
    rp: RelyingParty, person: Person, intent: dict[str, Any]
) -> dict[str, Any]:
    """Registration options that, once finished, create the person's account."""
    return await ceremonies.registration_options(
        rp,
        user_handle=accounts.new_user_handle(),
        user_name=register.shown_id(person),
        display_name=person.name,
        intent={**intent, "person_id": person.id},
    )


async def _user_name(account: Account) -> str:
    if account.person_id:  # type: ignore[attr-defined]
        person = await Person.get(id=account.person_id)  # type: ignore[attr-defined]
        return register.shown_id(person)
    return f"staff-{account.id}"


async def register_credential(
    *,
    rp: RelyingParty,
    credential: dict[str, Any],
    device_label: str,
    principal: Principal | None,
    adding: bool = False,
    keep_passkeys: list[int] | None = None,
) -> Account:
    """Verify a registration response and store the passkey (creating the account when the
    ceremony enrols a person). Adding a passkey to a signed-in account keeps its session; one
    added through a counter or recovery code ends the others (`recovery`)."""
    challenge = await ceremonies.consume_challenge(credential, "register")
    intent = challenge.intent
    if intent.get("via") == "add" and (principal is None or principal.account_id != intent["by"]):
        raise CeremonyFailed("this ceremony belongs to another session")
    if adding and intent.get("via") != "add":  # nothing is stored for a mismatched ceremony
        raise CeremonyFailed("start adding a passkey from your own account")
    new = ceremonies.verify_registration(rp, credential, challenge)
    async with in_transaction():
        if "enrolment_code_id" in intent:
            await _claim_code(EnrolmentCode, int(intent["enrolment_code_id"]))
        if "recovery_code_id" in intent:
            await _claim_code(RecoveryCode, int(intent["recovery_code_id"]))
        account = await _account_for_intent(intent)
        if account.status == AccountStatus.DISABLED:
            raise CeremonyFailed("this account is disabled")
        try:
            await Passkey.create(
                account=account,
                credential_id=new.credential_id,
                public_key=new.public_key,
                sign_count=new.sign_count,
                aaguid=new.aaguid,
                backed_up=new.backed_up,
                transports=new.transports,
                nickname=device_label[:64],
            )
        except IntegrityError:
            raise Conflict(
                "this passkey is already registered", reason=Refusal.CREDENTIAL_EXISTS
            ) from None
        await audit.record(
            action="passkey.registered",
            actor=accounts.principal_for(account),
            subject_person_id=account.person_id,  # type: ignore[attr-defined]
            details={"via": str(intent.get("via")), "credential": new.credential_id[:16]},
        )
        # Through a counter or recovery code: other sessions end, old passkeys not kept go,
        # the resident is told and their access log names who enabled it (`recovery`).
        await recovery.secure_after_recovery(
            account=account, intent=intent, credential_id=new.credential_id, keep=keep_passkeys
        )
        if account.status == AccountStatus.INVITED:  # its first passkey
            account = await accounts.activate(account_id=account.id, via=str(intent.get("via")))
    return account


async def _claim_code(model: type[EnrolmentCode] | type[RecoveryCode], code_id: int) -> None:
    """Use a code up, once: a conditional update, so two ceremonies cannot both use it."""
    query = model.filter(id=code_id, used_at=None)
    if model is EnrolmentCode:  # it may have expired while the ceremony ran
        query = query.filter(expires_at__gt=clock.now())
    taken = await query.update(used_at=clock.now())
    if taken != 1:
        raise CodeInvalid("this code was already used or has expired")


async def _account_for_intent(intent: dict[str, Any]) -> Account:
    if "account_id" in intent:
        return await Account.get(id=int(intent["account_id"]))
    person = await Person.get(id=int(intent["person_id"]))
    existing = await Account.get_or_none(person=person)
    if existing is not None:
        if await Passkey.filter(account=existing).exists() and intent.get("via") == "real-name":
            raise Conflict("this person already enrolled", reason=Refusal.ALREADY_ENROLLED)
        return existing
    try:
        return await Account.create(
            kind=AccountKind.RESIDENT.value,
            status=AccountStatus.ACTIVE,  # created with its first passkey
            person=person,
            display_name=person.name,
            roles=Role.RESIDENT.value,
            user_handle=intent["user_handle"],
        )
    except IntegrityError:
        raise Conflict("this person already enrolled", reason=Refusal.ALREADY_ENROLLED) from None
