"""Four eyes that one officer cannot fake (`auth.foureyes`): not through accounts they created
or approved, directly or along chains of any length, not through sibling accounts whose codes
passed through the same hands; for list entries, lifting, staff accounts and staff roles.

Chains made "the old way" (the creator got the code) are set up directly in the database: such
rows exist in every city that ran the landed code, and the rule must see through them."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.audit.models import AuditEntry
from backend.auth import foureyes, staff, staffchanges
from backend.auth.accounts import principal_for
from backend.auth.models import Account, StaffChange
from backend.core.errors import Conflict, Forbidden, ValidationFailed
from backend.core.principal import Principal
from backend.credit import lists
from backend.credit.models import ListEntry
from tests.factories import make_person


async def officer(name: str, *, created_by: Account | None = None, holder: Account | None = None,
                  roles: str = "officer") -> Account:  # fmt: skip
    """An active staff account; `created_by` made it, `holder` approved it (held its code)."""
    account, _ = await staff.create_staff_account(
        officer=None, display_name=name, roles=["counter_operator"], organisation="市信用办"
    )
    await Account.filter(id=account.id).update(
        roles=roles,
        status="active",
        created_by_id=created_by.id if created_by else None,
        approved_by_id=holder.id if holder else None,
    )
    return await Account.get(id=account.id)


def who(account: Account) -> Principal:
    return principal_for(account)


async def propose(by: Account, person_id: int) -> ListEntry:
    return await lists.propose(
        officer=who(by), person_id=person_id, kind="black", reason="拒不履行",
        legal_basis="最高法〔2017〕7号", decision_doc_no="（2026）鄂0202执1号",
        start=dt.date(2026, 1, 1), end=None,
    )  # fmt: skip


async def refused_decision(entry: ListEntry, by: Account) -> None:
    with pytest.raises(Forbidden) as caught:
        await lists.decide(officer=who(by), entry_id=entry.id, approve=True)
    assert caught.value.extra["reason"] == "four_eyes"
    assert (await ListEntry.get(id=entry.id)).status == "proposed"


@pytest.fixture
async def person_id(app) -> int:
    return (await make_person(app.state.ctx.cipher, name="钱多多")).person.id


@pytest.mark.parametrize("length", [1, 2, 3])
async def test_a_chain_of_created_accounts_never_approves_its_root(app, person_id, length) -> None:
    """A creates B, B creates C, … (each creator got the code): A proposes, the last approves;
    and the other way round. Refused at every length."""
    a = await officer("甲")
    chain = [a]
    for n in range(length):
        chain.append(await officer(f"链{n}", created_by=chain[-1]))
    last = chain[-1]
    await refused_decision(await propose(a, person_id), last)
    await refused_decision(await propose(last, person_id), a)
    for x in chain:  # nobody on the chain is independent of anyone else on it
        for y in chain:
            assert not await foureyes.independent(x.id, y.id)


async def test_the_example_of_the_review_is_refused(app, person_id) -> None:
    """Officer A creates B, B creates C, A enrols both, A proposes a black-list entry and C
    approves it: refused, and nothing changes."""
    a = await officer("甲")
    b = await officer("乙", created_by=a)
    c = await officer("丙", created_by=b)
    entry = await propose(a, person_id)
    await refused_decision(entry, c)
    assert not await AuditEntry.filter(action="list.entry_approved").exists()


async def test_siblings_whose_codes_went_through_the_same_hands_are_one_person(
    app, person_id
) -> None:
    a = await officer("甲")
    b = await officer("乙", created_by=a)
    c = await officer("丙", created_by=a)
    await refused_decision(await propose(b, person_id), c)
    x = await officer("戊")  # approved two accounts proposed by others: held both codes
    d = await officer("丁", created_by=a, holder=x)
    e = await officer("己", created_by=b, holder=x)
    await refused_decision(await propose(d, person_id), e)


async def test_independent_officers_decide(app, person_id) -> None:
    a, x = await officer("甲"), await officer("戊")  # both from the server console
    entry = await propose(a, person_id)
    decided = await lists.decide(officer=who(x), entry_id=entry.id, approve=True)
    assert decided.status == "active"
    # A's proposal approved by X (X holds its code) and Y's approved by A: B and Y are two
    # people (neither made the other, no one held both codes).
    b = await officer("乙", created_by=a, holder=x)
    y = await officer("庚", created_by=x, holder=a)
    assert await foureyes.independent(b.id, y.id)
    assert not await foureyes.independent(a.id, b.id)  # its proposer
    assert not await foureyes.independent(x.id, b.id)  # its code holder


async def test_lifting_needs_an_officer_outside_the_chain(app, person_id) -> None:
    a, x = await officer("甲"), await officer("戊")
    b = await officer("乙", created_by=a)
    c = await officer("丙", created_by=b)
    entry = await propose(a, person_id)
    await lists.decide(officer=who(x), entry_id=entry.id, approve=True)
    await lists.propose_lift(officer=who(a), entry_id=entry.id, reason="已履行")
    with pytest.raises(Forbidden) as caught:
        await lists.approve_lift(officer=who(c), entry_id=entry.id)
    assert caught.value.extra["reason"] == "four_eyes"
    lifted = await lists.approve_lift(officer=who(x), entry_id=entry.id)
    assert lifted.status == "lifted"


async def test_a_staff_account_is_approved_only_outside_the_proposers_chain(app) -> None:
    a, x = await officer("甲"), await officer("戊")
    b = await officer("乙", created_by=a)
    proposed = await staff.propose_staff_account(
        officer=who(a), display_name="新官", roles=["officer"], organisation="市信用办"
    )
    for not_independent in (a, b):
        with pytest.raises(Forbidden) as caught:
            await staff.approve_staff_account(officer=who(not_independent), account_id=proposed.id)
        assert caught.value.extra["reason"] == "four_eyes"
    account, code = await staff.approve_staff_account(officer=who(x), account_id=proposed.id)
    assert account.status == "invited" and account.approved_by_id == x.id and len(code) >= 16
    # Its proposer and its code holder are not independent of it once it is enrolled.
    assert not await foureyes.independent(a.id, account.id)
    assert not await foureyes.independent(x.id, account.id)


async def test_officer_and_auditor_are_mutually_exclusive(app) -> None:
    a = await officer("甲")
    for make in (
        staff.propose_staff_account(
            officer=who(a), display_name="两全", roles=["officer", "auditor"], organisation=""
        ),
        staff.create_staff_account(
            officer=None, display_name="两全", roles=["auditor", "officer"], organisation=""
        ),
    ):
        with pytest.raises(ValidationFailed) as caught:
            await make
        assert caught.value.extra["reason"] == "exclusive_roles"
    auditor = await officer("审", roles="auditor")
    with pytest.raises(ValidationFailed) as caught:
        await staffchanges.propose_roles(
            officer=who(a), account_id=auditor.id, roles=["auditor", "officer"], reason="兼任"
        )
    assert caught.value.extra["reason"] == "exclusive_roles"


async def test_no_officer_or_auditor_account_from_one_officer_alone(app) -> None:
    a = await officer("甲")
    for role in ("officer", "auditor"):
        with pytest.raises(Forbidden) as caught:
            await staff.create_staff_account(
                officer=who(a), display_name="捷径", roles=[role], organisation=""
            )
        assert caught.value.extra["reason"] == "second_officer"
    assert not await Account.filter(display_name="捷径").exists()


async def test_elevating_an_account_to_officer_takes_two_independent_officers(app) -> None:
    a, x = await officer("甲"), await officer("戊")
    b = await officer("乙", created_by=a)
    clerk = await officer("柜员", created_by=a, roles="counter_operator")
    with pytest.raises(Forbidden):  # nobody changes their own account
        await staffchanges.propose_roles(
            officer=who(clerk), account_id=clerk.id, roles=["officer"], reason="自荐"
        )
    change = await staffchanges.propose_roles(
        officer=who(a), account_id=clerk.id, roles=["officer"], reason="调任信用办"
    )
    assert (await Account.get(id=clerk.id)).roles == "counter_operator"  # not yet
    with pytest.raises(Conflict) as pending:
        await staffchanges.propose_roles(
            officer=who(x), account_id=clerk.id, roles=["auditor"], reason="另一提议"
        )
    assert pending.value.extra["reason"] == "change_pending"
    for not_independent in (a, b):
        with pytest.raises(Forbidden) as caught:
            await staffchanges.decide_change(
                officer=who(not_independent), change_id=change.id, approve=True
            )
        assert caught.value.extra["reason"] == "four_eyes"
    assert (await Account.get(id=clerk.id)).roles == "counter_operator"
    await staffchanges.decide_change(officer=who(x), change_id=change.id, approve=True)
    assert (await Account.get(id=clerk.id)).roles == "officer"
    assert (await StaffChange.get(id=change.id)).decided_by_id == x.id
    with pytest.raises(Conflict):
        await staffchanges.decide_change(officer=who(x), change_id=change.id, approve=False)
    approved = await AuditEntry.get(action="staff.change_approved")
    assert approved.actor_account_id == x.id and approved.details["roles"] == "officer"


async def test_the_console_bootstraps_a_second_officer_but_not_a_third(app) -> None:
    first, _ = await staff.bootstrap_officer(display_name="一", organisation="市信用办")
    second, _ = await staff.bootstrap_officer(display_name="二", organisation="市信用办")
    assert first.roles == second.roles == "officer"
    assert await foureyes.independent(first.id, second.id)
    with pytest.raises(Conflict) as caught:
        await staff.bootstrap_officer(display_name="三", organisation="市信用办")
    assert caught.value.extra["reason"] == "bootstrap_closed"
    await Account.filter(id=first.id).update(status="disabled")  # one left: open again
    third, _ = await staff.bootstrap_officer(display_name="三", organisation="市信用办")
    assert third.status == "invited"


def test_the_pure_rule() -> None:
    links = {
        1: (None, None),
        2: (1, None),
        3: (2, None),
        4: (None, 9),
        5: (None, 9),
        9: (None, None),
    }
    assert not foureyes.independent_in(1, 1, links)
    assert not foureyes.independent_in(1, 3, links)  # lineage, two steps
    assert not foureyes.independent_in(4, 5, links)  # one code holder for both
    assert not foureyes.independent_in(9, 4, links)  # 9 approved 4
    assert foureyes.independent_in(1, 9, links)
    assert foureyes.independent_in(3, 4, links)
