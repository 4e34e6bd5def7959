"""Enrolment (实名注册): a person proves who they are and registers a passkey, by a real-name
match against the register, a one-time code from a counter or an officer, or a recovery code.

Every way in is throttled: slowed then locked on repeated failure, so the register cannot
be enumerated.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import clock
from ..core.context import RelyingParty
from ..core.crypto import IdCipher, new_code, normalise_code, secret_hash
from ..core.errors import (
    CodeInvalid,
    Conflict,
    IdentityNotMatched,
    InvalidIdNumber,
    TooManyRequests,
    ValidationFailed,
)
from ..core.principal import Principal
from ..residents import idnumber, register
from ..residents.models import Person
from . import quota, recovery, registration, sessions, throttle
from .accounts import Refusal, refuse_unless_resident
from .models import Account, EnrolmentCode, Passkey, RecoveryCode

CODE_TTL = dt.timedelta(hours=24)


def normalise_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def checked_id_number(raw: str) -> idnumber.IdNumber:
    try:
        return idnumber.parse(raw)
    except ValueError as exc:
        raise InvalidIdNumber(
            "the ID number is not valid",
            errors=[
                {"field": "id_number", "message": f"invalid ID number ({exc})", "type": str(exc)}
            ],
        ) from None


async def _throttled(keys: list[str]) -> None:
    verdict = await throttle.attempt(keys, clock.now())
    if not verdict.allowed:
        raise TooManyRequests(
            "too many failed attempts: wait and try again",
            headers={"Retry-After": str(verdict.retry_after)},
            retry_after=verdict.retry_after,
        )


async def person_in_front_of(*, cipher: IdCipher, name: str, id_number: str) -> Person:
    """The person an officer has in front of them, by the name and number on the ID card they
    checked (not throttled: a signed-in officer, like the office look-up). The error never
    says which of the two was wrong."""
    parsed = checked_id_number(id_number)
    person = await Person.get_or_none(id_hash=cipher.lookup_hash(parsed.value))
    if not _matches(person, parsed.value, name, cipher):
        raise IdentityNotMatched("the name and ID number do not match the population register")
    assert person is not None
    return person


def _matches(person: Person | None, number: str, name: str, cipher: IdCipher) -> bool:
    """The row found by the number's keyed hash holds that number (its ciphertext, bound to
    the row, decrypts to it) and the name."""
    return (
        person is not None
        and normalise_name(person.name) == normalise_name(name)
        and register.holds(person, number, keys=cipher)
    )


async def match_person(*, cipher: IdCipher, name: str, id_number: str, client_key: str) -> Person:
    """Real-name match (实名核验) against the register, slowed then locked on repeated failure.
    The error never says whether the name or the ID number was wrong."""
    parsed = checked_id_number(id_number)
    id_hash = cipher.lookup_hash(parsed.value)
    keys = [f"match:client:{client_key}"[:100], f"match:id:{id_hash[:32]}"]
    await _throttled(keys)
    person = await Person.get_or_none(id_hash=id_hash)
    if not _matches(person, parsed.value, name, cipher):
        raise IdentityNotMatched("the name and ID number do not match the population register")
    assert person is not None
    await throttle.succeeded(undo=keys[:1], clear=keys[1:])
    await refuse_unless_resident(person.id)
    return person


async def start_enrolment(
    *,
    rp: RelyingParty,
    cipher: IdCipher,
    client_key: str,
    name: str | None,
    id_number: str | None,
    enrolment_code: str | None,
    recovery_code: str | None,
) -> dict[str, Any]:
    """Step 1: registration options by whichever proof the request brings (a one-time code
    first, then a recovery code with its ID number, then a real-name match)."""
    if enrolment_code:
        return await _start_with_code(rp=rp, code=enrolment_code, client_key=client_key)
    if recovery_code and id_number:
        return await _start_with_recovery_code(
            rp=rp,
            cipher=cipher,
            id_number=id_number,
            recovery_code=recovery_code,
            client_key=client_key,
        )
    if name and id_number:
        return await _start_with_real_name(
            rp=rp, cipher=cipher, name=name, id_number=id_number, client_key=client_key
        )
    raise ValidationFailed(
        "give name and id_number, or enrolment_code, or id_number and recovery_code",
        errors=[{"field": "(body)", "message": "missing identity fields", "type": "missing"}],
    )


async def _start_with_real_name(
    *, rp: RelyingParty, cipher: IdCipher, name: str, id_number: str, client_key: str
) -> dict[str, Any]:
    """Match name + ID, then offer a passkey registration."""
    person = await match_person(
        cipher=cipher, name=name, id_number=id_number, client_key=client_key
    )
    account = await Account.get_or_none(person=person)
    if account is not None and await Passkey.filter(account=account).exists():
        raise Conflict(
            "this person already has a passkey: sign in, use a recovery code, "
            "or ask a service counter for a one-time code",
            reason=Refusal.ALREADY_ENROLLED,
        )
    if account is not None:
        return await registration.options_for_account(rp, account, {"via": "real-name"})
    return await registration.options_for_person(rp, person, {"via": "real-name"})


async def _start_with_code(*, rp: RelyingParty, code: str, client_key: str) -> dict[str, Any]:
    """A one-time code from a counter (residents) or from an officer (new staff)."""
    keys = [f"code:client:{client_key}"[:100]]
    await _throttled(keys)
    row = await EnrolmentCode.get_or_none(code_hash=secret_hash(normalise_code(code)))
    if row is None or row.used_at is not None or row.expires_at <= clock.now():
        raise CodeInvalid("this code is unknown, used or expired")
    await throttle.succeeded(undo=keys, clear=[])
    intent = {"via": recovery.VIA_COUNTER, "enrolment_code_id": row.id}
    if row.account_id:  # type: ignore[attr-defined]
        account = await Account.get(id=row.account_id)  # type: ignore[attr-defined]
        return await registration.options_for_account(rp, account, intent)
    person = await Person.get(id=row.person_id)  # type: ignore[attr-defined]
    existing = await Account.get_or_none(person=person)
    if existing is not None:
        return await _recovery_options(rp, existing, intent)
    return await registration.options_for_person(rp, person, intent)


async def _recovery_options(
    rp: RelyingParty, account: Account, intent: dict[str, Any]
) -> dict[str, Any]:
    """Options to add a passkey to an existing account by a code, with its passkeys listed so
    the page can ask which to keep (`existing_passkeys`; finishing removes the others)."""
    options = await registration.options_for_account(rp, account, intent)
    return {**options, "existing_passkeys": await recovery.existing_passkeys(account)}


async def _start_with_recovery_code(
    *, rp: RelyingParty, cipher: IdCipher, id_number: str, recovery_code: str, client_key: str
) -> dict[str, Any]:
    parsed = checked_id_number(id_number)
    keys = [
        f"recovery:client:{client_key}"[:100],
        f"recovery:id:{cipher.lookup_hash(parsed.value)[:32]}",
    ]
    await _throttled(keys)
    person = await Person.get_or_none(id_hash=cipher.lookup_hash(parsed.value))
    account = await Account.get_or_none(person=person) if person else None
    row = None
    if account is not None:
        row = await RecoveryCode.get_or_none(
            account=account, code_hash=secret_hash(normalise_code(recovery_code)), used_at=None
        )
    if account is None or row is None:
        raise CodeInvalid("this recovery code is unknown or used")
    await throttle.succeeded(undo=keys[:1], clear=keys[1:])
    return await _recovery_options(
        rp, account, {"via": recovery.VIA_RECOVERY, "recovery_code_id": row.id}
    )


async def finish_enrolment(
    *,
    rp: RelyingParty,
    credential: dict[str, Any],
    secret_key: str,
    session_hours: int,
    device_label: str,
    principal: Principal | None = None,
    keep_passkeys: list[int] | None = None,
) -> sessions.SignedIn:
    """Step 2: verify the new passkey, create or activate the account if needed, sign in.
    Through a counter or recovery code, only the old passkeys in `keep_passkeys` stay."""
    account = await registration.register_credential(
        rp=rp,
        credential=credential,
        device_label=device_label,
        principal=principal,
        keep_passkeys=keep_passkeys,
    )
    await refuse_unless_resident(account.person_id)  # type: ignore[attr-defined]
    return await sessions.sign_in(
        account=account, secret_key=secret_key, hours=session_hours, device_label=device_label
    )


async def issue_resident_code(
    *,
    officer: Principal,
    cipher: IdCipher,
    name: str,
    id_number: str,
    purpose: str,
    id_card_checked: bool,
    counter: str = "",
) -> tuple[str, EnrolmentCode, Person]:
    """After an in-person ID-card check, a one-time code to register a new passkey. The code
    keeps when the officer confirmed the check and at which counter (default: the officer's
    organisation), so the resident's access log can name both when the code is used."""
    if not id_card_checked:
        raise ValidationFailed(
            "check the ID card in person before issuing a code",
            errors=[{"field": "id_card_checked", "message": "must be true", "type": "value"}],
        )
    await quota.take(quota.LOOKUPS, f"account:{officer.account_id}")  # as the office look-up
    try:
        person = await person_in_front_of(cipher=cipher, name=name, id_number=id_number)
    except IdentityNotMatched:  # recorded without the number, like a look-up finding nobody
        await audit.record(
            action="person.lookup_missed",
            actor=officer,
            purpose=purpose or "in-person identity check",
            details={"found": False, "use": "enrolment_code"},
        )
        raise
    code = new_code()
    where = " ".join(counter.split())[:120] or officer.organisation[:120]
    async with in_transaction():
        row = await EnrolmentCode.create(
            code_hash=secret_hash(code),
            person=person,
            issued_by_id=officer.account_id,
            purpose=purpose,
            id_card_checked_at=clock.now(),
            counter=where,
            expires_at=clock.now() + CODE_TTL,
        )
        await audit.record(
            action="enrolment_code.issued",
            actor=officer,
            subject_person_id=person.id,
            purpose=purpose or "in-person identity check",
            details={"code_id": row.id, "id_card_checked": True, "counter": where},
        )
    return code, row, person
