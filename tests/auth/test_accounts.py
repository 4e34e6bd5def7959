"""The account workflow (invited → active → disabled) and the signed-in account's own details."""

from __future__ import annotations

import asyncio

import pytest

from backend.audit.models import AuditEntry
from backend.auth import accounts
from backend.auth.accounts import ACCOUNT_WORKFLOW, Refusal
from backend.auth.models import Account, AccountStatus, Passkey, RecoveryCode
from backend.auth.staff import create_staff_account
from backend.core.errors import Conflict
from tests.auth.helpers import browser
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.dbstate import row_counts
from tests.factories import csrf, enrol, login, make_person

START = "/api/v1/enrolment/start"
FINISH = "/api/v1/enrolment/finish"

INVITED, ACTIVE, DISABLED = AccountStatus.INVITED, AccountStatus.ACTIVE, AccountStatus.DISABLED
MOVES = [
    (INVITED, ACTIVE, True),
    (INVITED, DISABLED, True),
    (ACTIVE, DISABLED, True),
    (ACTIVE, INVITED, False),
    (ACTIVE, ACTIVE, False),
    (DISABLED, ACTIVE, False),
    (DISABLED, INVITED, False),
    (DISABLED, DISABLED, False),
]


def test_the_transition_table_names_only_its_states() -> None:
    ACCOUNT_WORKFLOW.check()
    assert set(ACCOUNT_WORKFLOW.moves) | {DISABLED} == set(AccountStatus)


@pytest.mark.parametrize(("source", "target", "allowed"), MOVES)
def test_account_moves(source, target, allowed) -> None:
    assert ACCOUNT_WORKFLOW.allowed(source, target) is allowed


def test_refusals_are_snake_case() -> None:
    assert all(r.value == r.value.lower() and "-" not in r.value for r in Refusal)


async def _invited_staff() -> tuple[Account, str]:
    return await create_staff_account(
        officer=None, display_name="新同事", roles=["auditor"], organisation="黄石市信用办"
    )


async def test_a_staff_account_is_invited_until_its_first_passkey_activates_it(
    client, authenticator, app
) -> None:
    account, code = await _invited_staff()
    assert (await Account.get(id=account.id)).status == INVITED
    start = await client.post(START, json={"enrolment_code": code})
    finish = await client.post(FINISH, json=authenticator.create(start.json()))
    assert finish.status_code == 200, finish.text
    assert (await Account.get(id=account.id)).status == ACTIVE
    activated = await AuditEntry.get(action="account.activated")
    assert activated.actor_account_id == account.id
    assert activated.details == {
        "account_id": account.id,
        "from": "invited",
        "via": "enrolment-code",
    }

    # Another passkey on the active account changes no state.
    added = await client.post("/api/v1/me/passkeys/start", headers=csrf(client))
    tablet = SoftAuthenticator(origin=ORIGIN)
    done = await client.post(
        "/api/v1/me/passkeys/finish", json=tablet.create(added.json()), headers=csrf(client)
    )
    assert done.status_code == 200, done.text
    assert await AuditEntry.filter(action="account.activated").count() == 1


async def test_a_resident_account_is_created_active(client, authenticator, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    signed = await enrol(client, authenticator, who)
    assert (await Account.get(id=signed["account_id"])).status == ACTIVE
    assert not await AuditEntry.filter(action="account.activated").exists()


async def test_two_activations_at_once_give_one_change_and_one_audit_entry(app) -> None:
    account, _ = await _invited_staff()
    results = await asyncio.gather(
        *(accounts.activate(account_id=account.id, via="test") for _ in range(2)),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == 1, results
    assert refused[0].extra["reason"] == Refusal.ALREADY_ACTIVE
    assert [r.status for r in results if isinstance(r, Account)] == [ACTIVE]
    assert (await Account.get(id=account.id)).status == ACTIVE
    assert await AuditEntry.filter(action="account.activated").count() == 1


async def test_two_enrolments_with_one_staff_code_at_once_activate_once(app) -> None:
    account, code = await _invited_staff()
    first, second = browser(app, "10.7.0.1"), browser(app, "10.7.0.2")
    async with first, second:
        starts = [await http.post(START, json={"enrolment_code": code}) for http in (first, second)]
        finishes = await asyncio.gather(
            *(
                http.post(FINISH, json=SoftAuthenticator(origin=ORIGIN).create(start.json()))
                for http, start in zip((first, second), starts, strict=True)
            )
        )
    assert sorted(f.status_code for f in finishes) == [200, 400]
    assert await Passkey.filter(account_id=account.id).count() == 1
    assert await AuditEntry.filter(action="account.activated").count() == 1
    assert (await Account.get(id=account.id)).status == ACTIVE


async def test_a_disabled_account_cannot_sign_in(client, authenticator, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    signed = await enrol(client, authenticator, who)
    await Account.filter(id=signed["account_id"]).update(status=DISABLED)
    refused = await login(client, authenticator)
    assert refused.status_code == 400 and refused.json()["code"] == "webauthn_failed"
    assert "disabled" in refused.json()["detail"]


async def test_a_disabled_account_registers_no_passkey(client, authenticator, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    signed = await enrol(client, authenticator, who)
    codes = (await client.post("/api/v1/me/recovery-codes", headers=csrf(client))).json()["codes"]
    await Account.filter(id=signed["account_id"]).update(status=DISABLED)
    async with browser(app, "10.7.0.3") as phone:
        start = await phone.post(
            START, json={"id_number": who.id_number, "recovery_code": codes[0]}
        )
        assert start.status_code == 200, start.text
        before = await row_counts()
        finish = await phone.post(
            FINISH, json=SoftAuthenticator(origin=ORIGIN).create(start.json())
        )
    assert finish.status_code == 400 and finish.json()["code"] == "webauthn_failed"
    assert await row_counts() == before
    assert await RecoveryCode.filter(account_id=signed["account_id"], used_at=None).count() == 10


async def test_an_unsupported_locale_is_422(client, authenticator, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    resident = (await enrol(client, authenticator, who))["account_id"]
    refused = await client.patch(
        "/api/v1/me/preferences", json={"locale": "fr"}, headers=csrf(client)
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "locale"
    assert (await Account.get(id=resident)).locale is None
