"""Issuing, revoking and checking passes; the signed status list."""

from __future__ import annotations

import datetime as dt
import os
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from tortoise.expressions import Q
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from ..audit import service as audit
from ..consent.service import ensure_consent
from ..core import bulk, clock
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.keys import KeyRing
from ..core.principal import Principal
from ..core.ttlcache import TTLCache
from ..credit.standing import standing, standing_columns, standing_from
from ..residents import display
from ..residents.models import Person
from .format import (
    FLAG_BLACK,
    FLAG_GRAY,
    FLAG_PAPER,
    FLAG_RED,
    NO_DEVICE,
    STATUS_LIST_SIZE,
    TIERS,
    Certificate,
    clip_name,
    seal,
    to_text,
)
from .models import DeviceKey, PassCertificate
from .present import local_date
from .sealing import Sealer, day_of
from .verify import NeverRevoked, Verdict, verify_text

CERT_LIFETIME = dt.timedelta(hours=24)
# Paper: shorter than version 1's 30 days (a lost sheet works for a week at most), and few.
PAPER_LIFETIME = dt.timedelta(days=7)
PAPER_PASS_LIMIT = 2
# A certificate's index is its id modulo 2^27 through a keyed permutation (sealing.py): at
# 10 M certificates a day an index comes round again after ~13 days, longer than any
# certificate lives (paper passes: 7 days). The list compresses to a few tens of kilobytes.
STATUS_LIST_TTL = 300


def compressed_device_key(jwk: dict[str, Any]) -> bytes:
    """A WebCrypto P-256 public JWK → 33-byte compressed point (validated on the curve)."""
    try:
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
            raise ValueError("expected a public EC P-256 JWK")
        x, y = base64url_to_bytes(str(jwk["x"])), base64url_to_bytes(str(jwk["y"]))
        if len(x) != 32 or len(y) != 32:
            raise ValueError("coordinates must be 32 bytes")
        key = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()
    except (KeyError, ValueError, TypeError) as exc:
        raise ValidationFailed(
            "the device key is not a valid P-256 public key",
            errors=[{"field": "device_key", "message": str(exc), "type": "value"}],
        ) from None
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


async def pass_state(person_id: int) -> tuple[str, frozenset[str]]:
    """What the certificate carries: the tier (or "none") and the lists the person is on."""
    return await standing(person_id)


def flags_for(lists: frozenset[str], *, paper: bool = False) -> int:
    flags = FLAG_PAPER if paper else 0
    flags |= FLAG_RED if "red" in lists else 0
    flags |= FLAG_GRAY if "gray" in lists else 0
    flags |= FLAG_BLACK if "black" in lists else 0
    return flags


def sealer_of(keyring: KeyRing) -> Sealer:
    """The eligibility-key secret beside the signing keys (read once per key folder)."""
    found = _SEALERS.get(keyring.keys_dir)
    if found is None:
        found = _SEALERS[keyring.keys_dir] = Sealer.of(keyring.keys_dir)
    return found


_SEALERS: dict[Path, Sealer] = {}


async def _issue(
    *,
    keyring: KeyRing,
    person_id: int,
    device: DeviceKey | None,
    device_point: bytes,
    paper: bool,
    holder: tuple[int, str] = (0, ""),
) -> tuple[PassCertificate, bytes]:
    tier, lists = await pass_state(person_id)
    key = keyring.active
    sealer = sealer_of(keyring)
    issued = clock.now_seconds()
    expires = issued + (PAPER_LIFETIME if paper else CERT_LIFETIME)
    pass_id = os.urandom(12)
    row = await PassCertificate.create(
        pass_id=pass_id.hex(),
        person_id=person_id,
        device_key_id=device.id if device else None,
        kind="paper" if paper else "phone",
        status_index=0,
        tier=tier,
        flags=flags_for(lists, paper=paper),
        kid=key.kid,
        issued_at=issued,
        expires_at=expires,
    )
    row.status_index = sealer.status_index(row.id)
    await row.save(update_fields=["status_index"])
    issued_s = int(issued.timestamp())
    cert = Certificate(
        kid=base64url_to_bytes(key.kid),
        ekid=day_of(issued_s),
        pass_id=pass_id,
        issued_at=issued_s,
        expires_at=int(expires.timestamp()),
        tier=tier,
        flags=row.flags,
        status_index=row.status_index,
        device_key=device_point,
        birth_year=holder[0],
        holder_name=clip_name(holder[1]),
    )
    signed = seal(cert, sealer.key_for(cert.ekid))
    return row, signed + key.private.sign(signed)


@dataclass(frozen=True)
class IssuedPass:
    certificate: bytes
    row: PassCertificate
    device: DeviceKey | None


def _device_refused(message: str) -> ValidationFailed:
    return ValidationFailed(
        "this device key cannot be used: create a new one",
        errors=[{"field": "device_key", "message": message, "type": "value"}],
    )


async def issue_pass(
    *,
    principal: Principal,
    keyring: KeyRing,
    device_jwk: dict[str, Any],
    label: str,
    presentation_jwk: dict[str, Any] | None = None,
) -> IssuedPass:
    """issuePass: a day-long certificate for this phone. `device_jwk` names the phone (its
    registered device key, listed among the resident's devices); `presentation_jwk`, a fresh
    key the phone makes at every renewal, is what the certificate binds, so two certificates
    of one phone share no key (docs/pass-format.md, "Linking"). Without it the device key
    itself is bound."""
    if principal.person_id is None:
        raise NotFound("only residents in the population register have a pass")
    await ensure_consent(principal.person_id)
    point = compressed_device_key(device_jwk)
    bound = point if presentation_jwk is None else compressed_device_key(presentation_jwk)
    device, _ = await DeviceKey.get_or_create(
        public_key=bytes_to_base64url(point),
        defaults={"account_id": principal.account_id, "label": label[:120]},
    )
    if device.account_id != principal.account_id or device.removed_at is not None:
        raise _device_refused("removed or belongs to another account")
    if device.kind != "phone":
        raise _device_refused("not a phone")
    device.last_issued_at = clock.now_seconds()
    await device.save(update_fields=["last_issued_at"])
    row, cert = await _issue(
        keyring=keyring,
        person_id=principal.person_id,
        device=device,
        device_point=bound,
        paper=False,
    )
    return IssuedPass(cert, row, device)


async def issue_paper_pass(*, principal: Principal, keyring: KeyRing) -> IssuedPass:
    """A printable pass (纸质通行证): 7 days, at most PAPER_PASS_LIMIT unexpired at once, each
    listed among the resident's devices and removable there. It carries the clerk-facing
    name and the birth year under the signature, for the ID-card check offline too."""
    if principal.person_id is None:
        raise NotFound("only residents in the population register have a pass")
    await ensure_consent(principal.person_id)
    now = clock.now_seconds()
    active = await DeviceKey.filter(
        account_id=principal.account_id, kind="paper", removed_at=None, expires_at__gt=now
    ).count()
    if active >= PAPER_PASS_LIMIT:
        raise Conflict(
            f"at most {PAPER_PASS_LIMIT} paper passes can be valid at once: remove one "
            "under “My devices” first",
            reason="paper_pass_limit",
        )
    check = display.id_check(await Person.get(id=principal.person_id))
    pass_id_hint = os.urandom(9).hex()
    device = await DeviceKey.create(
        account_id=principal.account_id,
        public_key=f"paper:{pass_id_hint}",
        label="",
        kind="paper",
        expires_at=now + PAPER_LIFETIME,
        last_issued_at=now,
    )
    row, cert = await _issue(
        keyring=keyring,
        person_id=principal.person_id,
        device=device,
        device_point=NO_DEVICE,
        paper=True,
        holder=(check.birth_year, check.masked_name),
    )
    device.expires_at = row.expires_at
    # The devices list shows the label as it is: both languages and the last day it works.
    device.label = f"纸质通行证 · Paper pass · {local_date(row.expires_at)}"
    await device.save(update_fields=["expires_at", "label"])
    await audit.record(
        action="pass.paper_issued",
        actor=principal,
        subject_person_id=principal.person_id,
        details={"device": device.id},
    )
    return IssuedPass(cert, row, device)


def certificate_text(cert: bytes) -> str:
    return to_text(cert)


@dataclass(frozen=True)
class PaperPass:
    """A paper pass ready to print: its row, its text (what the QR holds) and what the
    counter compares with the ID card — also sealed in the certificate."""

    row: PassCertificate
    text: str
    masked_name: str
    birth_year: int
    id_check: display.IdCheck


async def print_paper_pass(*, principal: Principal, keyring: KeyRing) -> PaperPass:
    issued = await issue_paper_pass(principal=principal, keyring=keyring)
    check = display.id_check(await Person.get(id=issued.row.person_id))
    return PaperPass(
        issued.row, to_text(issued.certificate), check.masked_name, check.birth_year, check
    )


async def revoke_people(person_ids: Iterable[int], reason: str) -> int:
    """Revoke the unexpired passes of these people (their tier or lists changed); phones
    renew silently, paper passes must be printed again."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    now = clock.now_seconds()
    # Most people have no pass in their pocket: look only at those who do (one indexed range).
    holders = {
        int(row["person_id"])
        for row in await PassCertificate.filter(
            person_id__gte=ids[0], person_id__lte=ids[-1], revoked_at=None, expires_at__gt=now
        ).values("person_id")
    }
    ids = [i for i in ids if i in holders]
    total = 0
    for start in range(0, len(ids), 5000):
        total += await PassCertificate.filter(
            person_id__in=ids[start : start + 5000], revoked_at=None, expires_at__gt=now
        ).update(revoked_at=now, revoke_reason=reason)
    if total:
        STATUS_LISTS.forget()
    return total


async def list_devices(*, principal: Principal) -> list[DeviceKey]:
    """Phones holding a pass key, and paper passes not yet expired (each removable)."""
    return (
        await DeviceKey.filter(account_id=principal.account_id, removed_at=None)
        .filter(Q(kind="phone") | Q(expires_at__gt=clock.now_seconds()))
        .order_by("id")
    )


async def remove_device(*, principal: Principal, device_id: int) -> None:
    device = await DeviceKey.get_or_none(
        id=device_id, account_id=principal.account_id, removed_at=None
    )
    if device is None:
        raise NotFound("no such device of yours")
    now = clock.now_seconds()
    device.removed_at = now
    await device.save(update_fields=["removed_at"])
    await PassCertificate.filter(
        device_key_id=device.id, revoked_at=None, expires_at__gt=now
    ).update(revoked_at=now, revoke_reason="device_removed")
    STATUS_LISTS.forget()
    await audit.record(
        action="pass.device_removed",
        actor=principal,
        subject_person_id=principal.person_id,
        details={"device": device.id},
    )


# Revoking in this process forgets it at once; other processes serve theirs for up to 30 s.
STATUS_LISTS: TTLCache[str] = TTLCache(30)


async def status_list(*, keyring: KeyRing) -> str:
    """A signed (EdDSA JWT) bitstring: bit i set = the certificate with status index i is
    revoked. zlib-compressed, base64url; valid 5 minutes; cached 30 seconds."""
    return await STATUS_LISTS.get(keyring.active.kid, lambda: _signed_status_list(keyring))


async def _signed_status_list(keyring: KeyRing) -> str:
    now = clock.now_seconds()
    indexes = await PassCertificate.filter(
        revoked_at__isnull=False, expires_at__gt=now
    ).values_list("status_index", flat=True)
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for index in indexes:
        bits[int(index) // 8] |= 0x80 >> (int(index) % 8)  # type: ignore[call-overload]
    key = keyring.active
    token = jwt.encode(
        {
            "iss": "xinyi",
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + STATUS_LIST_TTL,
            "size": STATUS_LIST_SIZE,
            "bits": bytes_to_base64url(zlib.compress(bytes(bits), 9)),
        },
        key.private,
        algorithm="EdDSA",
        headers={"kid": key.kid, "typ": "statuslist+jwt"},
    )
    return token


def eligibility_keys(keyring: KeyRing, *, now: int) -> dict[int, bytes]:
    """The day keys a verifier needs now: the server's for `check`, a partner's bundle."""
    sealer = sealer_of(keyring)
    today = day_of(now)
    cached = _DAY_KEYS.get(sealer.secret)
    if cached is None or cached[0] != today:
        cached = _DAY_KEYS[sealer.secret] = (today, sealer.keys_around(now))
    return cached[1]


_DAY_KEYS: dict[bytes, tuple[int, dict[int, bytes]]] = {}


@dataclass(frozen=True)
class PassRecord:
    """What an online check reads of a certificate's row: the columns it decides with."""

    id: int
    pass_id: str
    person_id: int
    kind: str
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class OnlineCheck:
    """verifyPass's reads, all from one statement: the certificate's row, the holder (what
    the ID-card check needs) and their standing (tier and lists) today."""

    verdict: Verdict
    record: PassRecord | None
    holder: display.Holder | None = None
    tier: str = "none"
    lists: frozenset[str] = frozenset()


_RECORD = '"pc"."id", "pc"."pass_id", "pc"."person_id", "pc"."kind", "pc"."revoked_at"'


def _record(row: Sequence[Any]) -> PassRecord:
    revoked = row[4]
    if revoked is not None and not isinstance(revoked, dt.datetime):  # SQLite: ISO text
        revoked = dt.datetime.fromisoformat(str(revoked))
    return PassRecord(int(row[0]), str(row[1]), int(row[2]), str(row[3]), revoked)


def _pure(text: str, keyring: KeyRing, now: int | None) -> Verdict:
    at = now if now is not None else int(clock.now().timestamp())
    return verify_text(
        text,
        keys=keyring.public_keys(),
        eligibility_keys=eligibility_keys(keyring, now=at),
        status=NeverRevoked(),
        now=at,
    )


def _online(verdict: Verdict, record: PassRecord | None) -> Verdict:
    if record is None:  # signed by us but unknown here (e.g. restored from an older backup)
        return _revoked(verdict)
    if verdict.valid and record.revoked_at is not None:
        return _revoked(verdict)
    return verdict


async def check(
    text: str, *, keyring: KeyRing, now: int | None = None
) -> tuple[Verdict, PassRecord | None]:
    """Online verification: the pure checks in their order with the server's keys, then
    revocation from the database (fresher than any status list)."""
    verdict = _pure(text, keyring, now)
    if verdict.certificate is None or verdict.pass_id is None:
        return verdict, None  # malformed, unknown key, bad signature: no look-up
    rows = await bulk.fetch_rows(
        f'SELECT {_RECORD} FROM "pass_certificate" AS "pc" WHERE "pc"."pass_id" = ?',
        [verdict.pass_id.hex()],
    )
    record = _record(rows[0]) if rows else None
    return _online(verdict, record), record


async def check_online(text: str, *, keyring: KeyRing, now: int | None = None) -> OnlineCheck:
    """`check`, and with the certificate's row the holder and their standing, in the one
    statement a counter check reads (each column from the function of the package that owns
    its table: `residents.display.holder_columns`, `credit.standing.standing_columns`)."""
    verdict = _pure(text, keyring, now)
    if verdict.certificate is None or verdict.pass_id is None:
        return OnlineCheck(verdict, None)
    person = '"pc"."person_id"'
    standing_sql, standing_params = standing_columns(person, clock.today())
    rows = await bulk.read_rows(  # committed data only: beside the writer on SQLite
        f"SELECT {_RECORD}, {display.holder_columns(person)}, {standing_sql} "
        'FROM "pass_certificate" AS "pc" WHERE "pc"."pass_id" = ?',
        [*standing_params, verdict.pass_id.hex()],
    )
    if not rows:
        return OnlineCheck(_online(verdict, None), None)
    row = rows[0]
    record = _record(row)
    if row[5] is None:  # the register no longer holds the person
        return OnlineCheck(_online(verdict, record), record)
    tier, lists = standing_from(row[7], row[8], row[9])
    holder = display.Holder(record.person_id, str(row[5]), int(row[6] or 0))
    return OnlineCheck(_online(verdict, record), record, holder, tier, lists)


def _revoked(verdict: Verdict) -> Verdict:
    return replace(verdict, valid=False, reason="revoked")


__all__ = ["TIERS", "Verdict"]
