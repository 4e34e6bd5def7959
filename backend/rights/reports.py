"""Signed credit reports (个人信用报告): made by the resident, checked by anyone they give it to.

The content is gathered once and frozen: its canonical JSON is hashed (SHA-256) and the hash
signed with the deployment's active Ed25519 key. The PDF is drawn from that content alone, and
its SHA-256 is kept too. A check recomputes the content hash, verifies the signature, refuses a
revoked or expired report and — when the file is handed in — any file that is not byte for
byte the one issued. Every check is a look in the resident's access log."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from ..audit import service as audit
from ..auth.accounts import describe_me
from ..consent.service import withdrawn
from ..core import clock
from ..core.crypto import CODE_ALPHABET, IdCipher
from ..core.errors import NotFound, invalid
from ..core.i18n import LOCALES
from ..core.keys import KeyRing
from ..core.principal import Principal
from ..credit import records as credit
from ..credit.catalog import load_model
from ..objections.models import Objection
from ..repairs.models import RepairRequest
from . import report_pdf
from .confirm import person_of
from .models import CreditReport

CODE_LENGTH = 10  # of core.crypto.CODE_ALPHABET (no 0/O, 1/I/L): ~50 bits, checks throttled
LOOKS_SHOWN = 50
SCORE_FIELDS = ("score", "tier", "model_version", "dimensions", "as_of")
MAX_PDF_BYTES = 5 * 1024 * 1024


class Outcome(StrEnum):
    """What a check found (the public `outcome`, docs/residents-rights.md)."""

    GENUINE = "genuine"  # signed, current, and (if given) the very file issued
    ALTERED = "altered"  # the file handed in is not the one issued (one byte is enough)
    REVOKED = "revoked"  # the resident withdrew it
    EXPIRED = "expired"  # past its validity
    UNKNOWN = "unknown"  # no report has this code
    BAD_SIGNATURE = "bad_signature"  # the stored content no longer matches its signature


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())[:CODE_LENGTH]


def check_url(origin: str, code: str) -> str:
    return f"{origin.rstrip('/')}/reports/{code}"


async def _statements(person_id: int) -> list[dict[str, Any]]:
    """本人声明: what the resident said in their objections and repair requests."""
    out: list[dict[str, Any]] = []
    for o in await Objection.filter(person_id=person_id).order_by("id"):
        out.append({"kind": "objection", "case_no": o.case_no, "record_id": o.record_id,
                    "status": o.status, "at": o.submitted_at.isoformat(), "text": o.reason})  # fmt: skip
    for r in await RepairRequest.filter(person_id=person_id).order_by("id"):
        out.append({"kind": "repair", "case_no": r.case_no, "record_id": r.record_id,
                    "status": r.status, "at": r.submitted_at.isoformat(), "text": r.statement})  # fmt: skip
    return out


async def _looks(person_id: int, account_id: int) -> list[dict[str, Any]]:
    rows = await audit.access_log(person_id=person_id, account_id=account_id, limit=LOOKS_SHOWN)
    return [{"at": r.at.isoformat(), "who": r.actor_label, "organisation": r.organisation,
             "action": r.action, "purpose": r.purpose} for r in rows]  # fmt: skip


async def gather(
    *, principal: Principal, cipher: IdCipher, locale: str, code: str, now: dt.datetime,
    days: int, issuer: str,
) -> dict[str, Any]:  # fmt: skip
    """The frozen content of one report (what is signed)."""
    person_id = person_of(principal)
    me = await describe_me(principal=principal, cipher=cipher)
    model = load_model()
    absent = "consent_withdrawn" if await withdrawn(person_id) else "no_records"
    score = None if absent == "consent_withdrawn" else await credit.my_score(person_id=person_id)
    if score is not None and not score.get("has_score"):
        score = None
    lists = await credit.my_lists(person_id=person_id)
    for entry in lists:
        entry["list_name"] = model.list_name(entry["list"], locale)
    return {
        "version": 1,
        "code": code,
        "locale": locale,
        "issuer": issuer,
        "issued_at": now.isoformat(),
        "expires_at": (now + dt.timedelta(days=days)).isoformat(),
        "person": {"name": me["person"]["name"], "id_number_masked": me["person"]["id_number_masked"]},
        "score": None if score is None else {k: score[k] for k in SCORE_FIELDS},
        "score_absent": None if score is not None else absent,
        "records": await credit.my_records(person_id=person_id, for_others=True),
        "lists": lists,
        "statements": await _statements(person_id),
        "looks": await _looks(person_id, principal.account_id),
    }  # fmt: skip


@dataclass(frozen=True)
class Made:
    report: CreditReport
    pdf: bytes


def _pdf(report: CreditReport, origin: str) -> bytes:
    return report_pdf.render(
        report.content, check_url=check_url(origin, report.code),
        content_sha256=report.content_sha256, kid=report.kid,
    )  # fmt: skip


async def create(
    *, principal: Principal, cipher: IdCipher, keyring: KeyRing, origin: str, locale: str,
    days: int, issuer: str,
) -> Made:  # fmt: skip
    """createCreditReport: gather, sign, draw; keep the content, the hashes and the signature."""
    if locale not in LOCALES:
        raise invalid("locale", "zh-CN or en", "enum")
    person_id = person_of(principal)
    now = clock.now().replace(microsecond=0)
    code = new_code()
    content = await gather(principal=principal, cipher=cipher, locale=locale, code=code,
                           now=now, days=days, issuer=issuer)  # fmt: skip
    digest = content_hash(content)
    key = keyring.active
    report = CreditReport(
        person_id=person_id, code=code, locale=locale, content=content, content_sha256=digest,
        signature=bytes_to_base64url(key.private.sign(bytes.fromhex(digest))), kid=key.kid,
        pdf_sha256="", created_at=now, expires_at=now + dt.timedelta(days=days),
    )  # fmt: skip
    pdf = _pdf(report, origin)
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    await report.save()
    details = {"code": code, "locale": locale, "expires_at": report.expires_at.isoformat()}
    await audit.record(
        action="report.created", actor=principal, subject_person_id=person_id, details=details
    )
    return Made(report, pdf)


def state_of(report: CreditReport, now: dt.datetime) -> str:
    if report.revoked_at is not None:
        return "revoked"
    return "expired" if report.expires_at <= now else "current"


def describe(report: CreditReport, now: dt.datetime) -> dict[str, Any]:
    return {
        "code": report.code,
        "locale": report.locale,
        "created_at": report.created_at.isoformat(),
        "expires_at": report.expires_at.isoformat(),
        "revoked_at": report.revoked_at.isoformat() if report.revoked_at else None,
        "state": state_of(report, now),
        "checks": report.checks,
        "content_sha256": report.content_sha256,
        "pdf_sha256": report.pdf_sha256,
    }


async def mine(*, principal: Principal) -> list[CreditReport]:
    """listMyCreditReports, newest first."""
    return await CreditReport.filter(person_id=person_of(principal)).order_by("-id")


async def _my_report(principal: Principal, code: str) -> CreditReport:
    report = await CreditReport.get_or_none(
        code=normalise_code(code), person_id=person_of(principal)
    )
    if report is None:
        raise NotFound("no such report of yours")
    return report


async def my_pdf(*, principal: Principal, code: str, origin: str) -> tuple[CreditReport, bytes]:
    """The same file again (drawn from the frozen content: the same bytes)."""
    report = await _my_report(principal, code)
    return report, _pdf(report, origin)


async def revoke(*, principal: Principal, code: str) -> CreditReport:
    """revokeCreditReport: from now on every check says revoked. Once (a second is a no-op)."""
    report = await _my_report(principal, code)
    now = clock.now()
    taken = await CreditReport.filter(id=report.id, revoked_at=None).update(revoked_at=now)
    if taken:
        report.revoked_at = now
        await audit.record(action="report.revoked", actor=principal,
                           subject_person_id=report.person_id, details={"code": report.code})  # fmt: skip
    return report


@dataclass(frozen=True)
class Check:
    outcome: Outcome
    report: CreditReport | None
    file_checked: bool


def signature_holds(report: CreditReport, keyring: KeyRing) -> bool:
    key = keyring.public_keys().get(report.kid)
    if key is None or content_hash(report.content) != report.content_sha256:
        return False
    try:
        key.verify(base64url_to_bytes(report.signature), bytes.fromhex(report.content_sha256))
    except (InvalidSignature, ValueError):
        return False
    return True


async def verify(*, code: str, pdf: bytes | None, keyring: KeyRing) -> Check:
    """verifyCreditReport (public): the outcome, and a look in the resident's access log."""
    report = await CreditReport.get_or_none(code=normalise_code(code))
    if report is None:
        return Check(Outcome.UNKNOWN, None, pdf is not None)
    now = clock.now()
    if not signature_holds(report, keyring):
        outcome = Outcome.BAD_SIGNATURE
    elif report.revoked_at is not None:
        outcome = Outcome.REVOKED
    elif report.expires_at <= now:
        outcome = Outcome.EXPIRED
    elif pdf is not None and hashlib.sha256(pdf).hexdigest() != report.pdf_sha256:
        outcome = Outcome.ALTERED
    else:
        outcome = Outcome.GENUINE
    await CreditReport.filter(id=report.id).update(checks=report.checks + 1)
    await audit.record(
        action="report.checked", actor_label="report check (public page)",
        subject_person_id=report.person_id, purpose="someone checked a report you shared",
        details={"code": report.code, "outcome": outcome.value, "file": pdf is not None},
    )  # fmt: skip
    return Check(outcome, report, pdf is not None)


def public_view(check: Check) -> dict[str, Any]:
    """What a check shows: the outcome and, for a genuine report, what it says in brief."""
    out: dict[str, Any] = {"outcome": check.outcome.value, "file_checked": check.file_checked}
    report = check.report
    if report is None:
        return out
    out |= {"code": report.code, "issued_at": report.created_at.isoformat(),
            "expires_at": report.expires_at.isoformat()}  # fmt: skip
    if check.outcome is Outcome.GENUINE:
        content = report.content
        score = content.get("score")
        out |= {
            "name": content["person"]["name"],
            "id_number_masked": content["person"]["id_number_masked"],
            "score": score["score"] if score else None,
            "tier": score["tier"] if score else None,
            "records": len(content["records"]),
            "lists": [e["list"] for e in content["lists"]],
            "content_sha256": report.content_sha256,
            "pdf_sha256": report.pdf_sha256,
        }
    return out
