"""Helper grants (亲情账号): invite, accept, list, end — and the acting-for principal.

A helper never takes over the resident's session. Each request names the person it acts for
(`/api/v1/people/{person_id}/…`), and `acting_for` checks an active grant for this helper and
that person on every request, so ending a grant stops the very next request. The principal it
returns is the helper's own account acting for the resident: every audit entry a use case
writes names the helper (so the resident's access log shows "by your helper X"), and the
helper's own log gets a matching entry."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..auth.enrolment import match_person, person_in_front_of
from ..auth.models import Account, Passkey
from ..core import clock, transitions
from ..core.crypto import IdCipher
from ..core.errors import Conflict, Forbidden, NotFound, invalid
from ..core.principal import Principal
from ..core.transitions import Workflow, step
from ..residents.idnumber import mask_name
from ..residents.models import Person
from .models import GrantStatus, HelperGrant

G = GrantStatus
GRANT_WORKFLOW = Workflow[GrantStatus](
    name="helper grant",
    moves={G.INVITED: frozenset({G.ACTIVE, G.ENDED}), G.ACTIVE: frozenset({G.ENDED})},
    conflict_reason="already_decided",
    reasons={G.ACTIVE: "not_invited", G.ENDED: "already_ended"},
)


def _person(principal: Principal) -> int:
    if principal.person_id is None:
        raise NotFound("only residents in the population register have helpers")
    return principal.person_id


async def _enrolled_account(person: Person) -> Account:
    """The helper must be enrolled: an account with a passkey (they sign in to help)."""
    account = await Account.get_or_none(person_id=person.id)
    if account is None or not await Passkey.filter(account_id=account.id).exists():
        raise Conflict("this person has not enrolled in the app yet: they enrol first, then "
                       "you invite them", reason="helper_not_enrolled")  # fmt: skip
    return account


async def _create(
    *, person_id: int, helper: Person, actor: Principal, via: str, relation: str
) -> HelperGrant:
    if helper.id == person_id:
        raise Conflict("you cannot be your own helper", reason="self_helper")
    account = await _enrolled_account(helper)
    try:
        async with in_transaction():
            grant = await HelperGrant.create(
                person_id=person_id, helper_person_id=helper.id, helper_account_id=account.id,
                relation=relation, status=G.INVITED.value,
                open_pair=f"{person_id}:{helper.id}", invited_via=via,
                invited_by_id=actor.account_id, created_at=clock.now(),
                history=step([], G.INVITED, by=via),
            )  # fmt: skip
            for subject in (person_id, helper.id):
                await audit.record(action="helper.invited", actor=actor, subject_person_id=subject,
                                   details={"grant": grant.id, "via": via})  # fmt: skip
    except IntegrityError:
        raise Conflict("this family member is already invited or helping you",
                       reason="already_open") from None  # fmt: skip
    return grant


async def invite(
    *, principal: Principal, cipher: IdCipher, name: str, id_number: str, relation: str,
    client_key: str,
) -> HelperGrant:  # fmt: skip
    """inviteHelper: the family member by name and ID number (matched, throttled)."""
    person_id = _person(principal)
    helper = await match_person(cipher=cipher, name=name, id_number=id_number,
                                client_key=client_key)  # fmt: skip
    return await _create(person_id=person_id, helper=helper, actor=principal, via="app",
                         relation=relation)  # fmt: skip


async def invite_at_counter(
    *, officer: Principal, cipher: IdCipher, resident_name: str, resident_id_number: str,
    helper_name: str, helper_id_number: str, relation: str,
) -> HelperGrant:  # fmt: skip
    """At a counter, after the officer checked the resident's ID card in person (for someone
    without a phone): the invitation is made for them; the helper accepts in the app."""
    resident = await person_in_front_of(cipher=cipher, name=resident_name,
                                        id_number=resident_id_number)  # fmt: skip
    helper = await person_in_front_of(cipher=cipher, name=helper_name, id_number=helper_id_number)
    await audit.record(action="person.identified", actor=officer, subject_person_id=resident.id,
                       purpose="family help set up at the counter (ID card checked)")  # fmt: skip
    return await _create(person_id=resident.id, helper=helper, actor=officer, via="counter",
                         relation=relation)  # fmt: skip


async def accept(*, principal: Principal, grant_id: int) -> HelperGrant:
    """acceptHelperInvitation: only the invited helper, only once."""
    grant = await HelperGrant.get_or_none(id=grant_id, helper_account_id=principal.account_id)
    if grant is None:
        raise NotFound("no such invitation for you")

    async def record(item: HelperGrant, _from: GrantStatus) -> None:
        for subject in (item.person_id, item.helper_person_id):
            await audit.record(action="helper.accepted", actor=principal,
                               subject_person_id=subject, details={"grant": item.id})  # fmt: skip

    return await transitions.apply(
        GRANT_WORKFLOW, HelperGrant, item_id=grant.id, to=G.ACTIVE, record=record,
        changes={"accepted_at": clock.now(), "history": step(grant.history, G.ACTIVE, by="helper")},
    )  # fmt: skip


async def end(*, principal: Principal, grant_id: int) -> HelperGrant:
    """endHelper: either side, at once (the next request acting on it is refused)."""
    grant = await HelperGrant.get_or_none(id=grant_id)
    side = None
    if grant is not None and grant.person_id == principal.person_id:
        side = "resident"
    elif grant is not None and grant.helper_account_id == principal.account_id:
        side = "helper"
    if grant is None or side is None:
        raise NotFound("no such helper grant of yours")

    async def record(item: HelperGrant, _from: GrantStatus) -> None:
        for subject in (item.person_id, item.helper_person_id):
            await audit.record(action="helper.ended", actor=principal, subject_person_id=subject,
                               details={"grant": item.id, "by": side})  # fmt: skip

    return await transitions.apply(
        GRANT_WORKFLOW, HelperGrant, item_id=grant.id, to=G.ENDED, record=record,
        changes={"ended_at": clock.now(), "ended_by": side, "open_pair": None,
                 "history": step(grant.history, G.ENDED, by=side)},
    )  # fmt: skip


async def end_all(*, person_id: int, by: str) -> int:
    """Every open grant of a person, either side (closing the account)."""
    rows = await HelperGrant.filter(
        Q(person_id=person_id) | Q(helper_person_id=person_id), open_pair__not_isnull=True
    )

    async def record(_item: HelperGrant, _from: GrantStatus) -> None:
        """The closing's own audit entry counts the grants it ended."""

    for grant in rows:
        await transitions.apply(
            GRANT_WORKFLOW, HelperGrant, item_id=grant.id, to=G.ENDED, record=record,
            changes={"ended_at": clock.now(), "ended_by": by, "open_pair": None,
                     "history": step(grant.history, G.ENDED, by=by)},
        )  # fmt: skip
    return len(rows)


async def _names(ids: set[int]) -> dict[int, str]:
    rows = await Person.filter(id__in=sorted(ids)).values_list("id", "name")
    return {int(i): str(n) for i, n in rows}


def _shape(grant: HelperGrant, names: dict[int, str], *, side: str) -> dict[str, Any]:
    other = grant.helper_person_id if side == "resident" else grant.person_id
    return {
        "id": grant.id, "side": side, "status": grant.status, "relation": grant.relation,
        "name": mask_name(names.get(other, "")), "person_id": grant.person_id,
        "invited_via": grant.invited_via, "created_at": grant.created_at.isoformat(),
        "accepted_at": grant.accepted_at.isoformat() if grant.accepted_at else None,
        "ended_at": grant.ended_at.isoformat() if grant.ended_at else None,
        "ended_by": grant.ended_by,
    }  # fmt: skip


async def listing(*, principal: Principal) -> dict[str, list[dict[str, Any]]]:
    """listMyHelpers: who helps me, and whom I help (open grants and the last ended ones)."""
    person_id = _person(principal)
    helpers = await HelperGrant.filter(person_id=person_id).order_by("-id").limit(50)
    helping = (
        await HelperGrant.filter(helper_account_id=principal.account_id).order_by("-id").limit(50)
    )
    names = await _names({g.helper_person_id for g in helpers} | {g.person_id for g in helping})
    return {"helpers": [_shape(g, names, side="resident") for g in helpers],
            "helping": [_shape(g, names, side="helper") for g in helping]}  # fmt: skip


@dataclass(frozen=True)
class Acting:
    """The helper's account acting for the resident under one active grant."""

    grant: HelperGrant
    principal: Principal  # person_id = the resident; account = the helper's
    helper: Principal


async def acting_for(*, principal: Principal, person_id: int) -> Acting:
    """The acting-for principal, or 403 `no_helper_grant` (nothing is read or stored)."""
    grant = await HelperGrant.get_or_none(
        helper_account_id=principal.account_id, person_id=person_id, status=G.ACTIVE.value
    )
    if grant is None or principal.person_id is None:
        raise Forbidden("you are not (or no longer) this person's helper", reason="no_helper_grant")
    acting = replace(principal, person_id=person_id,
                     display_name=f"{principal.display_name}（亲情账号代办 · family helper）")  # fmt: skip
    return Acting(grant, acting, principal)


async def log_action(acting: Acting, what: str, **details: Any) -> None:
    """One entry in each person's access log: the resident's names the helper; the helper's
    names whom they acted for (an entry not by their own account, so their log shows it)."""
    grant = acting.grant
    names = await _names({grant.person_id})
    await audit.record(action="helper.acted", actor=acting.principal,
                       subject_person_id=grant.person_id,
                       details={"grant": grant.id, "what": what, **details})  # fmt: skip
    await audit.record(
        action="helper.acted_for",
        actor_label=f"亲情账号代办 · family help: {mask_name(names.get(grant.person_id, ''))}",
        subject_person_id=grant.helper_person_id,
        details={"grant": grant.id, "what": what, "for_person": grant.person_id, **details},
    )  # fmt: skip


def check_relation(relation: str) -> str:
    if relation not in RELATIONS:
        raise invalid("relation", "one of " + ", ".join(RELATIONS), "enum")
    return relation


RELATIONS = ("child", "parent", "spouse", "sibling", "grandchild", "family")
