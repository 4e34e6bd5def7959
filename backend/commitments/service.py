"""Signing a commitment with a passkey, keeping the proof, and checking it again later."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from webauthn import verify_authentication_response
from webauthn.helpers.exceptions import WebAuthnException

from ..audit import service as audit
from ..auth.signing import signing_options, verify_signature
from ..core import clock
from ..core.context import RelyingParty
from ..core.errors import CeremonyFailed, NotFound, invalid
from ..core.principal import Principal
from .models import CommitmentSignature
from .templates import LOCALES, Template, challenge_for, current, exact, published


def _person(principal: Principal) -> int:
    if principal.person_id is None:
        raise NotFound("only residents in the population register sign commitments")
    return principal.person_id


def describe(template: Template, locale: str) -> dict[str, Any]:
    return {
        "code": template.code,
        "version": template.version,
        "published": template.published,
        "purpose": template.purpose,
        "locale": locale,
        "title": template.title,
        "text": template.text[locale],
        "text_sha256": template.text_sha256(locale),
    }


def templates(locale: str) -> list[dict[str, Any]]:
    """listCommitmentTemplates: the newest version of every published text."""
    return [describe(t, locale) for t in published()]


def _locale(locale: str) -> str:
    if locale not in LOCALES:
        raise invalid("locale", "zh-CN or en", "enum")
    return locale


@dataclass(frozen=True)
class Started:
    commitment: dict[str, Any]
    options: dict[str, Any]


async def start_signing(
    *,
    principal: Principal,
    rp: RelyingParty,
    code: str,
    locale: str,
    context: dict[str, Any] | None = None,
) -> Started:
    """The exact text to show, and WebAuthn options whose challenge binds its SHA-256 (with
    a fresh nonce). `context` travels in the challenge (e.g. the record a repair is for)."""
    _person(principal)
    template = current(code)
    locale = _locale(locale)
    nonce = os.urandom(16)
    options = await signing_options(
        rp,
        account_id=principal.account_id,
        challenge=challenge_for(template, locale, nonce),
        intent={"code": template.code, "version": template.version, "locale": locale,
                "nonce": nonce.hex(), "context": context or {}},
    )  # fmt: skip
    return Started(describe(template, locale), options)


async def sign(
    *,
    principal: Principal,
    rp: RelyingParty,
    credential: dict[str, Any],
    purpose: str,
    context: dict[str, Any] | None = None,
) -> CommitmentSignature:
    """Verify the passkey assertion over the commitment shown and keep it as the proof.
    Refuses an assertion over another text, a replay, another person's passkey, and a
    signing started for something else (`context` must match what it was started for).
    Call inside the caller's transaction when the signature belongs to a case."""
    person_id = _person(principal)
    intent, challenge, passkey = await verify_signature(
        rp, credential, account_id=principal.account_id
    )
    template = exact(str(intent.get("code")), str(intent.get("version")))
    locale = str(intent.get("locale"))
    nonce = bytes.fromhex(str(intent.get("nonce", "")))
    if challenge != challenge_for(template, locale, nonce):
        raise CeremonyFailed("the signature is not over this commitment", reason="other_text")
    if template.purpose != purpose or (intent.get("context") or {}) != (context or {}):
        raise CeremonyFailed("this signing was started for something else", reason="other_text")
    row = await CommitmentSignature.create(
        person_id=person_id,
        account_id=principal.account_id,
        template_code=template.code,
        version=template.version,
        locale=locale,
        text_sha256=template.text_sha256(locale),
        nonce=nonce.hex(),
        credential_id=passkey.credential_id,
        public_key=passkey.public_key,
        assertion=credential,
        purpose=purpose,
        signed_at=clock.now(),
    )
    await audit.record(
        action="commitment.signed",
        actor=principal,
        subject_person_id=person_id,
        details={"signature": row.id, "template": template.code, "version": template.version,
                 "text_sha256": row.text_sha256},
    )  # fmt: skip
    return row


def prove(row: CommitmentSignature, rp: RelyingParty) -> bool:
    """Anyone holding the row, the published text and the relying party's origins can check
    it: recompute the challenge and verify the kept assertion with the kept public key."""
    template = exact(row.template_code, row.version)
    if template.text_sha256(row.locale) != row.text_sha256:
        return False
    try:
        verify_authentication_response(
            credential=row.assertion,
            expected_challenge=challenge_for(template, row.locale, bytes.fromhex(row.nonce)),
            expected_rp_id=rp.rp_id,
            expected_origin=list(rp.origins),
            credential_public_key=bytes(row.public_key),
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError):
        return False
    return True


def summary(row: CommitmentSignature) -> dict[str, Any]:
    template = exact(row.template_code, row.version)
    return {
        "id": row.id,
        "code": row.template_code,
        "version": row.version,
        "locale": row.locale,
        "title": template.title,
        "text": template.text[row.locale],
        "text_sha256": row.text_sha256,
        "purpose": row.purpose,
        "signed_at": row.signed_at.isoformat(),
    }


async def mine(*, principal: Principal) -> list[dict[str, Any]]:
    """listMyCommitments: every commitment I signed, with the exact text."""
    rows = await CommitmentSignature.filter(person_id=_person(principal)).order_by("-id")
    return [summary(r) for r in rows]
