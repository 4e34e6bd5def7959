"""After a passkey is added through a counter code or a recovery code (找回账户).

Whoever holds such a code can add a passkey without the old ones, so it is the way an account
is taken over. Three things make that seen and undone:

- the resident is told on every device: a notice in their inbox (the PWA shows it, with its
  unread badge, wherever they are signed in — there is no other push channel);
- their access log ("who viewed my data") shows the step by whoever enabled it: "passkey added
  through a counter code by officer X at counter Y" (the officer as the actor, the counter as
  the organisation), or "through a recovery code";
- every other session of the account is ended and its other passkeys are removed, except the
  ones the resident ticked to keep on the recovery page (`keep_passkeys`; default: none kept),
  so the thief of a lost phone loses its passkey and sessions the moment the owner recovers.
"""

from __future__ import annotations

from typing import Any

from ..audit import service as audit
from ..core import clock
from ..core.principal import Principal
from ..notices.models import NoticeKind
from ..notices.service import notify
from . import sessions
from .models import Account, EnrolmentCode, Passkey, WebSession

VIA_COUNTER = "enrolment-code"
VIA_RECOVERY = "recovery-code"
RECOVERY_WAYS = frozenset({VIA_COUNTER, VIA_RECOVERY})
MAX_KEPT = 20


async def existing_passkeys(account: Account) -> list[dict[str, Any]]:
    """What the recovery page lists to ask which old passkeys to keep (none by default)."""
    rows = await Passkey.filter(account_id=account.id).order_by("id")
    return [
        {
            "id": p.id,
            "nickname": p.nickname,
            "created_at": p.created_at.isoformat(),
            "last_used_at": p.last_used_at.isoformat() if p.last_used_at else None,
        }
        for p in rows
    ]


async def _enabler(intent: dict[str, Any]) -> tuple[Principal | None, str, str]:
    """Who made the step possible: the officer and counter of a counter code, or nobody."""
    if intent.get("via") != VIA_COUNTER or "enrolment_code_id" not in intent:
        return None, "recovery code", ""
    code = await EnrolmentCode.get_or_none(id=int(intent["enrolment_code_id"]))
    officer = (
        await Account.get_or_none(id=code.issued_by_id) if code and code.issued_by_id else None
    )
    counter = (code.counter if code else "") or (officer.organisation if officer else "")
    if officer is None:
        return None, "counter code", counter
    actor = Principal.build(
        account_id=officer.id,
        kind=officer.kind,
        display_name=officer.display_name,
        roles=sessions.roles_of(officer),
        organisation=counter,
    )
    return actor, "", counter


async def secure_after_recovery(
    *, account: Account, intent: dict[str, Any], credential_id: str, keep: list[int] | None
) -> dict[str, int]:
    """Inside the registration's transaction: end other sessions, remove the old passkeys not
    kept, write the access-log entry and notify the resident. Answers what was undone."""
    if intent.get("via") not in RECOVERY_WAYS:
        return {}
    kept = {int(k) for k in (keep or [])[:MAX_KEPT]}
    moment = clock.now()
    ended = await WebSession.filter(account_id=account.id, revoked_at=None).update(
        revoked_at=moment
    )
    removed = (
        await Passkey.filter(account_id=account.id)
        .exclude(credential_id=credential_id)
        .exclude(id__in=sorted(kept) or [0])
        .delete()
    )
    actor, label, counter = await _enabler(intent)
    via = str(intent["via"])
    undone = {"sessions_ended": ended, "passkeys_removed": removed}
    person_id = account.person_id  # type: ignore[attr-defined]
    await audit.record(
        action="passkey.added_via_counter_code"
        if via == VIA_COUNTER
        else "passkey.added_via_recovery_code",
        actor=actor,
        actor_label=label,
        subject_person_id=person_id,
        purpose="passkey added through a counter code"
        if via == VIA_COUNTER
        else "passkey added through a recovery code",
        details={"account_id": account.id, "counter": counter, **undone},
    )
    if person_id is not None:
        await notify(
            person_id=person_id,
            kind=NoticeKind.ACCOUNT_SECURITY,
            key=f"passkey-added:{account.id}:{credential_id[:32]}",
            params={"via": via, "counter": counter, "at": moment.isoformat(timespec="seconds"),
                    **undone},
            link="#/account",
        )  # fmt: skip
    return undone
