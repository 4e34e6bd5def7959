"""Who viewed my data (谁查看了我的数据), in the resident's words: the registry of audit actions
and of the purposes the code writes, and the grouping of repeated looks.

The audit trail keeps every entry as it was written (English codes, the officer's own words);
this module only says how a resident sees them. Every action and every fixed purpose has a
catalog name (`access.action.<action>`, `access.what.<what>`, `access.purpose.<purpose>`);
tests/audit/test_access_present.py finds every action and purpose the code writes and checks
that each one is registered here and named in both catalogs."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..core import clock
from ..core.i18n import DEFAULT_LOCALE, catalog
from .models import AuditEntry

# Looks by the same person, at the same page, for the same reason, this close together are one
# entry in the resident's view (an officer reloading a review page is one look, not six).
GROUP_WINDOW = dt.timedelta(minutes=15)


class What(StrEnum):
    """What an entry shows or changes of the resident's data (names: `access.what.<what>`)."""

    PROFILE = "profile"  # identity, score, records and lists, as the office's look-up shows
    LISTS = "lists"  # the list entry and the person it names (a list review)
    PASS = "pass"  # the pass: valid or not, the tier and lists it carries for one offer
    BENEFIT = "benefit"  # a benefit used, its deposit waived and its outcome
    RECORD = "record"  # one credit record
    LIST_ENTRY = "list_entry"  # one list entry
    CASE = "case"  # a repair or objection case: statement, evidence, timeline
    EVIDENCE = "evidence"  # one evidence file of a case
    IDENTITY = "identity"  # name and ID number, checked against the ID card
    REPORT = "report"  # a credit report the resident shared, as its reader checks it
    ACCOUNT = "account"  # the resident's own account: passkeys, sessions, codes
    NONE = "none"  # nothing of the resident's (staff, partners, tokens)


# Every audit action the code writes, with what it shows of the resident. A new action must be
# added here and named in the catalogs (the test fails otherwise).
ACTIONS: dict[str, What] = {
    "account.activated": What.ACCOUNT,
    "account.closed": What.ACCOUNT,
    "account.disabled": What.NONE,
    "api_token.created": What.NONE,
    "api_token.revoked": What.NONE,
    "auth.login": What.ACCOUNT,
    "auth.logout": What.ACCOUNT,
    "auth.logout_everywhere": What.ACCOUNT,
    "campaign.create": What.NONE,
    "campaign.update": What.NONE,
    "commitment.signed": What.ACCOUNT,
    # 容缺受理 (commitments.deferrals): the counter saw the pass and its red-list hint
    "deferral.opened": What.CASE,
    "deferral.signed": What.ACCOUNT,
    "deferral.fulfilled": What.CASE,
    "deferral.breached": What.RECORD,  # the breached-commitment record it creates
    "deferral.lapsed": What.CASE,
    "consent.given": What.ACCOUNT,
    "consent.withdrawn": What.ACCOUNT,
    "enrolment_code.issued": What.IDENTITY,
    "evidence.viewed": What.EVIDENCE,
    "helper.accepted": What.ACCOUNT,
    "helper.acted": What.ACCOUNT,
    "helper.acted_for": What.ACCOUNT,
    "helper.ended": What.ACCOUNT,
    "helper.invited": What.ACCOUNT,
    "joint_case.reported": What.LISTS,  # a department reports a list measure it applied
    "joint_cases.exported": What.NONE,  # the export names no one person (masked rows)
    "honour.approved": What.PROFILE,  # the roll entry: name, district, title, citation
    "honour.consent_declined": What.ACCOUNT,
    "honour.consent_given": What.ACCOUNT,
    "honour.consent_withdrawn": What.ACCOUNT,
    "honour.nominate": What.IDENTITY,  # found by ID number for the nomination
    "honour.rejected": What.PROFILE,
    "list.entry_approved": What.LIST_ENTRY,
    "list.entry_lifted": What.LIST_ENTRY,
    "list.entry_proposed": What.LIST_ENTRY,
    "list.entry_rejected": What.LIST_ENTRY,
    "list.lift_proposed": What.LIST_ENTRY,
    "list.rules_applied": What.LIST_ENTRY,
    "lists.reviewed": What.LISTS,
    "memberships.rejected": What.PROFILE,  # key-group memberships (keygroups)
    "memberships.submitted": What.PROFILE,
    "objection.overdue": What.CASE,
    "objection.rejected": What.CASE,
    "misuse.answered": What.CASE,
    "misuse.requested": What.CASE,
    "objection.review_rejected": What.CASE,
    "objection.review_requested": What.CASE,
    "objection.review_upheld": What.CASE,
    "objection.submitted": What.CASE,
    "objection.upheld": What.CASE,
    "objection.withdrawn": What.CASE,
    "offer.approved": What.NONE,
    "offer.rejected": What.NONE,
    "offer.submitted": What.NONE,
    "offer.withdrawn": What.NONE,
    "partner.applied": What.NONE,
    "partner.approved": What.NONE,
    "partner.rejected": What.NONE,
    "pass.device_removed": What.ACCOUNT,
    "pass.offline_bundle": What.NONE,
    "pass.paper_issued": What.PASS,
    "pass.verified": What.PASS,
    "partner.disabled": What.NONE,
    "api_token.revoked_all": What.NONE,
    "person.lookup_missed": What.NONE,
    "audit.read": What.NONE,
    "pass.verification_flood": What.PASS,
    "passkey.registered": What.ACCOUNT,
    "passkey.added_via_counter_code": What.ACCOUNT,
    "passkey.added_via_recovery_code": What.ACCOUNT,
    "passkey.removed": What.ACCOUNT,
    "person.viewed": What.PROFILE,
    "person.identified": What.IDENTITY,
    "record.corrected": What.RECORD,
    "record.correction_rejected": What.RECORD,
    "record.expired": What.RECORD,
    "record.repaired": What.RECORD,
    "record.resumed": What.RECORD,
    "record.suspended": What.RECORD,
    "record.withdrawn": What.RECORD,
    "records.rejected": What.RECORD,
    "records.submitted": What.RECORD,
    "recovery_codes.generated": What.ACCOUNT,
    "redemption.created": What.BENEFIT,
    "redemption.defaulted": What.BENEFIT,
    "redemption.fulfilled": What.BENEFIT,
    "redemption.open": What.BENEFIT,
    "redemption.reminded": What.BENEFIT,
    "report.checked": What.REPORT,
    "report.created": What.REPORT,
    "report.revoked": What.REPORT,
    "rights.exported": What.PROFILE,
    "review.answered": What.CASE,
    "review.requested": What.CASE,
    "repair.accepted": What.CASE,
    "repair.approved": What.CASE,
    "repair.evidence_added": What.CASE,
    "repair.overdue": What.CASE,
    "repair.rejected": What.CASE,
    "repair.resubmitted": What.CASE,
    "repair.returned": What.CASE,
    "repair.submitted": What.CASE,
    "repair.withdrawn": What.CASE,
    "register.budget_exhausted": What.NONE,
    "staff.approved": What.NONE,
    "staff.change_approved": What.NONE,
    "staff.change_proposed": What.NONE,
    "staff.change_rejected": What.NONE,
    "staff.code_handed_over": What.NONE,
    "staff.created": What.NONE,
    "staff.proposed": What.NONE,
    "staff.rejected": What.NONE,
    "register.imported": What.NONE,  # one import run: counts, no one person
}

# The purposes the code writes in its own words (`purpose="benefit check"`): the audit trail
# keeps the English, the resident reads `access.purpose.<code>`. `{case}` stands for a case
# number written into the purpose.
FIXED_PURPOSES: dict[str, str] = {
    "benefit check": "benefit_check",
    "benefit use": "benefit_use",
    "list review": "list_review",
    "list proposal": "list_proposal",
    "download my data (PIPL Art. 45)": "data_export",
    "someone checked a report you shared": "shared_report_checked",
    "family help set up at the counter (ID card checked)": "family_help_counter",
    "offline verification": "offline_verification",
    "objection upheld": "objection_upheld",
    "staff enrolment": "staff_enrolment",
    "in-person identity check": "in_person_identity_check",
    "counter filing: ID card checked in person": "counter_filing",
    "repair case {case}": "repair_case",
    "objection case {case}": "objection_case",
    "passkey added through a counter code": "passkey_counter_code",
    "passkey added through a recovery code": "passkey_recovery_code",
    "verification refused: too many checks of this pass today": "verification_flood",
    "deferral": "deferral",
}

# Who acts when no person does (`actor_label=` without a principal): `access.by.<code>`.
SYSTEM_ACTORS: dict[str, str] = {
    "system": "system",
    "deadline sweep": "deadline_sweep",
    "rules": "rules",
    "objection": "objection",
    "public": "public",
    "bootstrap": "bootstrap",
    "report check (public page)": "report_check",
    "recovery code": "recovery_code",
    "counter code": "counter_code",
    "scripts/import_register": "register_import",
}

_CASE_PURPOSES = [
    (re.compile("^" + re.escape(text).replace(re.escape("{case}"), r"(?P<case>\S+)") + "$"), code)
    for text, code in FIXED_PURPOSES.items()
    if "{case}" in text
]
_LABEL = re.compile(r"^(?P<name>.*) \((?P<roles>[a-z_]+(?:, [a-z_]+)*)\)$")
STANDARD_PURPOSE_PREFIX = "office.purpose."  # an officer's look-up: the standard purposes
_SEPARATORS = ("：", ": ")


@dataclass(frozen=True)
class Purpose:
    """Why, as the resident reads it: a catalog key (with its values) and/or someone's own
    words (an officer's detail, a department's reason), shown as they wrote them."""

    key: str = ""
    values: dict[str, str] = field(default_factory=dict)
    text: str = ""


def purpose_of(raw: str) -> Purpose:
    raw = raw.strip()
    if not raw:
        return Purpose()
    if raw in FIXED_PURPOSES and "{case}" not in raw:
        return Purpose(key=f"access.purpose.{FIXED_PURPOSES[raw]}")
    for pattern, code in _CASE_PURPOSES:
        if found := pattern.match(raw):
            return Purpose(key=f"access.purpose.{code}", values={"case": found["case"]})
    # An officer's look-up stores the standard purpose's name in the city's language, then any
    # detail ("处理异议：…"): show the name in the reader's language and the detail as written.
    for key, name in _standard_purposes().items():
        if raw == name:
            return Purpose(key=key)
        for separator in _SEPARATORS:
            if raw.startswith(name + separator):
                return Purpose(key=key, text=raw[len(name) + len(separator) :].strip())
    return Purpose(text=raw)


@functools.cache
def _standard_purposes() -> dict[str, str]:
    """The standard look-up purposes by key (the catalogs are fixed for a process's life)."""
    names = catalog(DEFAULT_LOCALE)
    return {k: v for k, v in names.items() if k.startswith(STANDARD_PURPOSE_PREFIX) and v}


@dataclass(frozen=True)
class Actor:
    """Who: a person with their roles and organisation, or the system acting on a rule."""

    name: str = ""
    roles: tuple[str, ...] = ()
    organisation: str = ""
    system: str = ""  # a code of SYSTEM_ACTORS


def actor_of(label: str, organisation: str) -> Actor:
    label = label.strip()
    if label in SYSTEM_ACTORS or not label:
        return Actor(system=SYSTEM_ACTORS.get(label, "system"), organisation=organisation)
    if found := _LABEL.match(label):
        return Actor(
            name=found["name"], roles=tuple(found["roles"].split(", ")), organisation=organisation
        )
    return Actor(name=label, organisation=organisation)


@dataclass
class Look:
    """One entry of the resident's view: one audit entry, or several close repeats of it."""

    first: AuditEntry
    last: AuditEntry
    count: int = 1
    ids: list[int] = field(default_factory=list)


def _key(row: AuditEntry) -> tuple[Any, ...]:
    return (row.actor_account_id, row.actor_label, row.organisation, row.action, row.purpose)


def group(rows: list[AuditEntry], window: dt.timedelta = GROUP_WINDOW) -> list[Look]:
    """Rows newest first → looks newest first. A row joins the look of the same actor, action
    and purpose if it is within `window` of that look's latest row (a look spans at most the
    window); otherwise it starts a new look. Nothing is dropped: each look counts its rows and
    keeps their ids. The system's entries are never merged."""
    looks: list[Look] = []
    open_looks: dict[tuple[Any, ...], Look] = {}
    for row in rows:
        key = _key(row)
        look = open_looks.get(key)
        if (
            look is not None
            and row.actor_account_id is not None
            and (look.last.at - row.at <= window)
        ):
            look.first = row
            look.count += 1
            look.ids.append(row.id)
            continue
        look = Look(first=row, last=row, ids=[row.id])
        open_looks[key] = look
        looks.append(look)
    return looks


def _local(at: dt.datetime) -> str:
    return at.astimezone(clock.zone()).isoformat()


def resident_item(look: Look) -> dict[str, object]:
    """The JSON of one look for the PWA: codes and keys it names from its catalog."""
    row = look.last
    actor = actor_of(row.actor_label, row.organisation)
    purpose = purpose_of(row.purpose)
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "at_local": _local(row.at),
        "first_at": look.first.at.isoformat(),
        "count": look.count,
        "who": row.actor_label,
        "organisation": row.organisation,
        "actor": {
            "name": actor.name,
            "roles": list(actor.roles),
            "organisation": actor.organisation,
            "system": actor.system,
        },
        "action": row.action,
        "action_key": f"access.action.{row.action}"
        if row.action in ACTIONS
        else "access.action.other",
        "what": ACTIONS.get(row.action, What.NONE).value,
        "purpose": row.purpose,
        "purpose_key": purpose.key,
        "purpose_values": purpose.values,
        "purpose_text": purpose.text,
    }
