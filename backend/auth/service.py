"""Identity use cases: real-name enrolment, passkeys, sign-in, codes, preferences.

No Starlette here: routes parse HTTP and call exactly one of these functions.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction
from webauthn.helpers import bytes_to_base64url

from ..audit import service as audit
from ..core.context import RelyingParty
from ..core.crypto import IdCipher, new_code, normalise_code, secret_hash
from ..core.errors import (
    CeremonyFailed,
    CodeInvalid,
    Conflict,
    IdentityNotMatched,
    InvalidIdNumber,
    NotFound,
    TooManyRequests,
    ValidationFailed,
)
from ..core.i18n import LOCALES
from ..core.permissions import STAFF_ROLES, Role
from ..core.principal import Principal
from ..residents import idnumber
from ..residents.models import Person
from . import ceremonies, sessions, throttle
from .models import Account, EnrolmentCode, Passkey, RecoveryCode

CODE_TTL = dt.timedelta(hours=24)
RECOVERY_CODE_COUNT = 10


@dataclass(frozen=True)
class SignedIn:
    account: Account
    session: sessions.IssuedSession


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalise_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def _new_user_handle() -> str:
    return bytes_to_base64url(os.urandom(32))


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
    verdict = await throttle.attempt(keys, _now())
    if not verdict.allowed:
        raise TooManyRequests(
            "too many failed attempts: wait and try again",
            headers={"Retry-After": str(verdict.retry_after)},
            retry_after=verdict.retry_after,
        )


async def match_person(*, cipher: IdCipher, name: str, id_number: str, client_key: str) -> Person:
    """Real-name match (实名核验) against the register, slowed then locked on repeated failure.
    The error never says whether the name or the ID number was wrong."""
    parsed = checked_id_number(id_number)
    id_hash = cipher.lookup_hash(parsed.value)
    keys = [f"match:client:{client_key}"[:100], f"match:id:{id_hash[:32]}"]
    await _throttled(keys)
    person = await Person.get_or_none(id_hash=id_hash)
    if person is None or normalise_name(person.name) != normalise_name(name):
        raise IdentityNotMatched("the name and ID number do not match the population register")
    await throttle.succeeded(undo=keys[:1], clear=keys[1:])
    return person


async def _registration_for_account(
    rp: RelyingParty, account: Account, intent: dict[str, Any]
) -> dict[str, Any]:
    existing = await Passkey.filter(account=account).values_list("credential_id", flat=True)
    return await ceremonies.registration_options(
        rp,
        user_handle=account.user_handle,
        user_name=await _user_name(account),
        display_name=account.display_name,
        intent={**intent, "account_id": account.id},
        exclude=list(existing),  # type: ignore[arg-type]
    )


async def _user_name(account: Account) -> str:
    if account.person_id:  # type: ignore[attr-defined]
        person = await Person.get(id=account.person_id)  # type: ignore[attr-defined]
        return person.id_masked
    return f"staff-{account.id}"


async def start_enrolment(
    *,
    rp: RelyingParty,
    cipher: IdCipher,
    name: str,
    id_number: str,
    client_key: str,
) -> dict[str, Any]:
    """Step 1 of 实名注册: match name + ID, then offer a passkey registration."""
    person = await match_person(
        cipher=cipher, name=name, id_number=id_number, client_key=client_key
    )
    account = await Account.get_or_none(person=person)
    if account is not None and await Passkey.filter(account=account).exists():
        raise Conflict(
            "this person already has a passkey: sign in, use a recovery code, "
            "or ask a service counter for a one-time code",
            reason="already-enrolled",
        )
    if account is not None:
        return await _registration_for_account(rp, account, {"via": "real-name"})
    handle = _new_user_handle()
    return await ceremonies.registration_options(
        rp,
        user_handle=handle,
        user_name=person.id_masked,
        display_name=person.name,
        intent={"via": "real-name", "person_id": person.id},
    )


async def start_enrolment_with_code(
    *, rp: RelyingParty, code: str, client_key: str
) -> dict[str, Any]:
    """A one-time code from a counter (residents) or from an officer (new staff)."""
    keys = [f"code:client:{client_key}"[:100]]
    await _throttled(keys)
    row = await EnrolmentCode.get_or_none(code_hash=secret_hash(normalise_code(code)))
    if row is None or row.used_at is not None or row.expires_at <= _now():
        raise CodeInvalid("this code is unknown, used or expired")
    await throttle.succeeded(undo=keys, clear=[])
    intent = {"via": "enrolment-code", "enrolment_code_id": row.id}
    if row.account_id:  # type: ignore[attr-defined]
        account = await Account.get(id=row.account_id)  # type: ignore[attr-defined]
        return await _registration_for_account(rp, account, intent)
    person = await Person.get(id=row.person_id)  # type: ignore[attr-defined]
    existing = await Account.get_or_none(person=person)
    if existing is not None:
        return await _registration_for_account(rp, existing, intent)
    return await ceremonies.registration_options(
        rp,
        user_handle=_new_user_handle(),
        user_name=person.id_masked,
        display_name=person.name,
        intent={**intent, "person_id": person.id},
    )


async def start_recovery(
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
    return await _registration_for_account(
        rp, account, {"via": "recovery-code", "recovery_code_id": row.id}
    )


async def start_adding_passkey(*, rp: RelyingParty, principal: Principal) -> dict[str, Any]:
    account = await Account.get(id=principal.account_id)
    return await _registration_for_account(rp, account, {"via": "add", "by": principal.account_id})


async def _consume_code(model: type[EnrolmentCode] | type[RecoveryCode], code_id: int) -> None:
    query = model.filter(id=code_id, used_at=None)
    if model is EnrolmentCode:  # it may have expired while the ceremony ran
        query = query.filter(expires_at__gt=_now())
    taken = await query.update(used_at=_now())
    if taken != 1:
        raise CodeInvalid("this code was already used or has expired")


async def finish_registration(
    *,
    rp: RelyingParty,
    credential: dict[str, Any],
    secret_key: str,
    session_hours: int,
    device_label: str,
    principal: Principal | None = None,
) -> SignedIn:
    """Step 2: verify the new passkey, create the account if needed, sign in."""
    account = await register_credential(
        rp=rp, credential=credential, device_label=device_label, principal=principal
    )
    issued = await sessions.open_session(
        account=account, secret_key=secret_key, hours=session_hours, device_label=device_label
    )
    return SignedIn(account, issued)


async def register_credential(
    *,
    rp: RelyingParty,
    credential: dict[str, Any],
    device_label: str,
    principal: Principal | None,
    adding: bool = False,
) -> Account:
    """Verify a registration response and store the passkey (creating the account when the
    ceremony enrols a person). Adding a passkey to a signed-in account keeps its session."""
    challenge = await ceremonies.consume_challenge(credential, "register")
    intent = challenge.intent
    if intent.get("via") == "add" and (principal is None or principal.account_id != intent["by"]):
        raise CeremonyFailed("this ceremony belongs to another session")
    if adding and intent.get("via") != "add":  # nothing is stored for a mismatched ceremony
        raise CeremonyFailed("start adding a passkey from your own account")
    new = ceremonies.verify_registration(rp, credential, challenge)
    async with in_transaction():
        if "enrolment_code_id" in intent:
            await _consume_code(EnrolmentCode, int(intent["enrolment_code_id"]))
        if "recovery_code_id" in intent:
            await _consume_code(RecoveryCode, int(intent["recovery_code_id"]))
        account = await _account_for_intent(intent)
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
                "this passkey is already registered", reason="credential-exists"
            ) from None
        actor = _principal_for(account)
        await audit.record(
            action="passkey.registered",
            actor=actor,
            subject_person_id=account.person_id,  # type: ignore[attr-defined]
            details={"via": str(intent.get("via")), "credential": new.credential_id[:16]},
        )
    return account


async def _account_for_intent(intent: dict[str, Any]) -> Account:
    if "account_id" in intent:
        return await Account.get(id=int(intent["account_id"]))
    person = await Person.get(id=int(intent["person_id"]))
    existing = await Account.get_or_none(person=person)
    if existing is not None:
        if await Passkey.filter(account=existing).exists() and intent.get("via") == "real-name":
            raise Conflict("this person already enrolled", reason="already-enrolled")
        return existing
    try:
        return await Account.create(
            kind="resident",
            person=person,
            display_name=person.name,
            roles=Role.RESIDENT.value,
            user_handle=intent["user_handle"],
        )
    except IntegrityError:
        raise Conflict("this person already enrolled", reason="already-enrolled") from None


def _principal_for(account: Account) -> Principal:
    return Principal.build(
        account_id=account.id,
        kind=account.kind,
        display_name=account.display_name,
        roles=sessions.roles_of(account),
        person_id=account.person_id,  # type: ignore[attr-defined]
        organisation=account.organisation,
    )


async def start_login(*, rp: RelyingParty) -> dict[str, Any]:
    return await ceremonies.authentication_options(rp)


async def finish_login(
    *,
    rp: RelyingParty,
    credential: dict[str, Any],
    secret_key: str,
    session_hours: int,
    device_label: str,
) -> SignedIn:
    challenge = await ceremonies.consume_challenge(credential, "login")
    raw_id = credential.get("rawId") or credential.get("id")
    if not isinstance(raw_id, str):
        raise CeremonyFailed("the credential has no id")
    passkey = await Passkey.get_or_none(credential_id=raw_id).prefetch_related("account")
    if passkey is None:
        raise CeremonyFailed("this passkey is not registered here", reason="unknown-credential")
    account: Account = passkey.account
    handle = credential.get("response", {}).get("userHandle")
    if handle and handle != account.user_handle:
        raise CeremonyFailed("the passkey's user handle does not match its account")
    if account.disabled_at is not None:
        raise CeremonyFailed("this account is disabled")
    new_count = ceremonies.verify_assertion(rp, credential, challenge, passkey)
    passkey.sign_count = new_count
    passkey.last_used_at = _now()
    await passkey.save(update_fields=["sign_count", "last_used_at"])
    await audit.record(
        action="auth.login",
        actor=_principal_for(account),
        subject_person_id=account.person_id,  # type: ignore[attr-defined]
        details={"credential": passkey.credential_id[:16]},
    )
    issued = await sessions.open_session(
        account=account, secret_key=secret_key, hours=session_hours, device_label=device_label
    )
    return SignedIn(account, issued)


async def logout(*, principal: Principal) -> None:
    if principal.session_id:
        await sessions.revoke(principal.session_id)
    await audit.record(action="auth.logout", actor=principal, subject_person_id=principal.person_id)


async def logout_everywhere(*, principal: Principal) -> int:
    count = await sessions.revoke_all(principal.account_id)
    await audit.record(
        action="auth.logout_everywhere",
        actor=principal,
        subject_person_id=principal.person_id,
        details={"sessions": count},
    )
    return count


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
            "id_number_masked": person.id_masked,
            "district_code": person.district_code,
            "birth_year": person.birth_date.year,
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


async def list_passkeys(*, principal: Principal) -> list[Passkey]:
    return await Passkey.filter(account_id=principal.account_id).order_by("id")


async def remove_passkey(*, principal: Principal, passkey_id: int) -> None:
    passkey = await Passkey.get_or_none(id=passkey_id, account_id=principal.account_id)
    if passkey is None:
        raise NotFound("no such passkey on your account")
    if await Passkey.filter(account_id=principal.account_id).count() <= 1:
        raise Conflict(
            "you cannot remove your only passkey: add another one first", reason="last-passkey"
        )
    await passkey.delete()
    await audit.record(
        action="passkey.removed",
        actor=principal,
        subject_person_id=principal.person_id,
        details={"credential": passkey.credential_id[:16]},
    )


async def rename_passkey(*, principal: Principal, passkey_id: int, nickname: str) -> Passkey:
    passkey = await Passkey.get_or_none(id=passkey_id, account_id=principal.account_id)
    if passkey is None:
        raise NotFound("no such passkey on your account")
    passkey.nickname = nickname.strip()[:64]
    await passkey.save(update_fields=["nickname"])
    return passkey


async def new_recovery_codes(*, principal: Principal) -> list[str]:
    """Replace the account's recovery codes; they are shown once and stored hashed."""
    codes = [new_code() for _ in range(RECOVERY_CODE_COUNT)]
    async with in_transaction():
        await RecoveryCode.filter(account_id=principal.account_id).delete()
        await RecoveryCode.bulk_create(
            [RecoveryCode(account_id=principal.account_id, code_hash=secret_hash(c)) for c in codes]
        )
        await audit.record(
            action="recovery_codes.generated",
            actor=principal,
            subject_person_id=principal.person_id,
        )
    return codes


async def issue_resident_code(
    *, officer: Principal, cipher: IdCipher, name: str, id_number: str, purpose: str
) -> tuple[str, EnrolmentCode, Person]:
    """After an in-person ID-card check, a one-time code to register a new passkey."""
    parsed = checked_id_number(id_number)
    person = await Person.get_or_none(id_hash=cipher.lookup_hash(parsed.value))
    if person is None or normalise_name(person.name) != normalise_name(name):
        raise IdentityNotMatched("the name and ID number do not match the population register")
    code = new_code()
    async with in_transaction():
        row = await EnrolmentCode.create(
            code_hash=secret_hash(code),
            person=person,
            issued_by_id=officer.account_id,
            purpose=purpose,
            expires_at=_now() + CODE_TTL,
        )
        await audit.record(
            action="enrolment_code.issued",
            actor=officer,
            subject_person_id=person.id,
            purpose=purpose or "in-person identity check",
            details={"code_id": row.id},
        )
    return code, row, person


async def create_staff_account(
    *, officer: Principal | None, display_name: str, roles: list[str], organisation: str
) -> tuple[Account, str]:
    """A staff account (with roles) and the one-time code its holder enrols a passkey with."""
    try:
        chosen = sorted({Role(r) for r in roles})
    except ValueError:
        raise ValidationFailed(
            "unknown role",
            errors=[
                {"field": "roles", "message": f"roles are {', '.join(STAFF_ROLES)}", "type": "enum"}
            ],
        ) from None
    if not display_name.strip():
        raise ValidationFailed(
            "give the person's name",
            errors=[{"field": "display_name", "message": "required", "type": "missing"}],
        )
    if not chosen or any(r not in STAFF_ROLES for r in chosen):
        raise ValidationFailed(
            "choose at least one staff role",
            errors=[
                {"field": "roles", "message": f"roles are {', '.join(STAFF_ROLES)}", "type": "enum"}
            ],
        )
    code = new_code()
    async with in_transaction():
        account = await Account.create(
            kind="staff",
            display_name=display_name.strip(),
            organisation=organisation.strip(),
            roles=",".join(chosen),
            user_handle=_new_user_handle(),
            created_by_id=officer.account_id if officer else None,
        )
        await EnrolmentCode.create(
            code_hash=secret_hash(code),
            account=account,
            issued_by_id=officer.account_id if officer else None,
            purpose="staff enrolment",
            expires_at=_now() + CODE_TTL,
        )
        await audit.record(
            action="staff.created",
            actor=officer,
            actor_label="bootstrap" if officer is None else "",
            details={"account_id": account.id, "roles": ",".join(chosen)},
        )
    return account, code


async def list_staff() -> list[Account]:
    return await Account.filter(kind="staff").order_by("id")
