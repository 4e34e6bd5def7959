"""Who viewed my data in words: every audit action and every purpose the code writes has a
name in both catalogs, close repeats are one entry for the resident (the trail keeps each),
and each entry says who, what, why and when in the city's time."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from backend.audit import present
from backend.audit import service as audit
from backend.audit.models import AuditEntry
from backend.core import clock
from backend.core.i18n import catalog
from backend.core.permissions import Role
from backend.core.principal import Principal
from backend.partners.states import RedemptionOutcome
from tests.factories import enrol, make_person

BACKEND = Path(__file__).resolve().parents[2] / "backend"
LOG = "/api/v1/me/access-log"
ACTION = re.compile(r'"([a-z_]+\.[a-z_]+)"')
# `purpose=` keywords that are not audit purposes: a WebAuthn challenge's and a commitment
# signature's purpose (what the passkey signs for), not why someone looked at a person.
NOT_AUDIT = {"sign", "standalone", "repair"}


def _sources() -> list[tuple[Path, str]]:
    return [(p, p.read_text("utf-8")) for p in sorted(BACKEND.rglob("*.py"))]


def actions_in_code() -> set[str]:
    """Every action literal on an `action=` or `case_step(` line, and the redemption outcomes
    written as f"redemption.{outcome}"."""
    found: set[str] = set()
    for path, text in _sources():
        if path.parent.name == "audit":
            continue  # the registry itself and the trail's own code
        for line in text.splitlines():
            if "action=" in line or "case_step(" in line:
                found.update(ACTION.findall(line))
            if 'action=f"redemption.' in line:
                found.update(f"redemption.{o.value}" for o in RedemptionOutcome)
    return found


def _constants(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets if isinstance(target, ast.Name)
    }  # fmt: skip


def _text(node: ast.expr, constants: dict[str, str]) -> list[str]:
    """The fixed strings a `purpose=` expression can be: literals, module constants, the
    default of `x or DEFAULT`, and f-strings with each value as `{case}`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.BoolOp):
        return [s for value in node.values for s in _text(value, constants)]
    if isinstance(node, ast.JoinedStr):
        return [
            "".join(str(v.value) if isinstance(v, ast.Constant) else "{case}" for v in node.values)
        ]
    return []  # someone's own words (a reason, an officer's detail): shown as written


def purposes_in_code() -> set[str]:
    found: set[str] = set()
    for path, text in _sources():
        if path.parent.name == "audit":
            continue
        tree = ast.parse(text)
        constants = _constants(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "purpose":
                        found.update(_text(keyword.value, constants))
    return found - NOT_AUDIT


def actor_labels_in_code() -> set[str]:
    found: set[str] = set()
    for path, text in _sources():
        if path.parent.name == "audit":
            continue
        tree = ast.parse(text)
        constants = _constants(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "actor_label":
                        value = keyword.value
                        if isinstance(value, ast.JoinedStr):
                            continue  # a name made for the entry: shown as written
                        if isinstance(value, ast.IfExp):
                            found.update(
                                _text(value.body, constants) + _text(value.orelse, constants)
                            )
                        else:
                            found.update(_text(value, constants))
    return found - {""}


def test_every_system_actor_the_code_writes_is_registered() -> None:
    assert "deadline sweep" in actor_labels_in_code()
    missing = actor_labels_in_code() - set(present.SYSTEM_ACTORS)
    assert not missing, f"add to backend/audit/present.SYSTEM_ACTORS: {sorted(missing)}"


def test_the_scan_finds_what_the_issue_named() -> None:
    # The scan itself could miss everything; pin a few it must see.
    assert {"lists.reviewed", "pass.verified", "redemption.defaulted"} <= actions_in_code()
    assert {"benefit check", "benefit use", "list review", "repair case {case}"} <= (
        purposes_in_code()
    )


def test_every_action_the_code_writes_is_registered() -> None:
    missing = actions_in_code() - set(present.ACTIONS)
    assert not missing, f"add to backend/audit/present.ACTIONS: {sorted(missing)}"


def test_every_purpose_the_code_writes_is_registered() -> None:
    missing = purposes_in_code() - set(present.FIXED_PURPOSES)
    assert not missing, f"add to backend/audit/present.FIXED_PURPOSES: {sorted(missing)}"


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_action_purpose_and_actor_is_named(locale: str) -> None:
    names = catalog(locale)
    keys = [
        "access.action.other",
        *(f"access.action.{a}" for a in present.ACTIONS),
        *(f"access.what.{w.value}" for w in present.What),
        *(f"access.purpose.{p}" for p in present.FIXED_PURPOSES.values()),
        *(f"access.by.{s}" for s in present.SYSTEM_ACTORS.values()),
        *(f"role.{r.value}" for r in Role),
    ]
    missing = [k for k in keys if not names.get(k)]
    assert not missing, f"{locale} lacks {missing}"
    # A case number is a value of the message, in both languages.
    assert "{case}" in names["access.purpose.repair_case"]


@pytest.mark.parametrize(
    ("raw", "key", "values", "text"),
    [
        ("benefit check", "access.purpose.benefit_check", {}, ""),
        ("list review", "access.purpose.list_review", {}, ""),
        ("repair case R-2026-000012", "access.purpose.repair_case", {"case": "R-2026-000012"}, ""),
        ("处理异议申请", "office.purpose.objection", {}, ""),
        ("处理异议申请：本人来电", "office.purpose.objection", {}, "本人来电"),
        ("法院要求核对", "", {}, "法院要求核对"),
        ("", "", {}, ""),
    ],
)
def test_purposes_become_catalog_keys(
    raw: str, key: str, values: dict[str, str], text: str
) -> None:
    assert present.purpose_of(raw) == present.Purpose(key=key, values=values, text=text)


def _officer(n: int) -> Principal:
    return Principal.build(
        account_id=900 + n, kind="staff", display_name=f"审核员{n}",
        roles=[Role.OFFICER], organisation="市信用办",
    )  # fmt: skip


@pytest.fixture
async def me(client, authenticator, app):
    who = await make_person(app.state.ctx.cipher, name="马丽", male=False)
    await enrol(client, authenticator, who)
    return who.person.id


async def test_three_officers_opening_a_review_page_twice_are_three_entries(client, me) -> None:
    for n in range(3):
        for _ in range(2):
            await audit.record_looks(
                actor=_officer(n), person_ids=[me], purpose="list review", action="lists.reviewed"
            )
    assert (
        await AuditEntry.filter(subject_person_id=me, action="lists.reviewed").count() == 6
    )  # the trail keeps all
    items = (await client.get(LOG)).json()["items"]
    assert [(i["actor"]["name"], i["count"]) for i in items] == [
        ("审核员2", 2), ("审核员1", 2), ("审核员0", 2),
    ]  # fmt: skip
    first = items[0]
    assert first["action_key"] == "access.action.lists.reviewed"
    assert first["what"] == "lists"
    assert first["purpose_key"] == "access.purpose.list_review"
    assert first["actor"] == {
        "name": "审核员2", "roles": ["officer"], "organisation": "市信用办", "system": "",
    }  # fmt: skip
    assert first["at_local"].endswith("+08:00")


async def test_looks_further_apart_than_the_window_stay_apart(client, me) -> None:
    await audit.record(action="person.viewed", actor=_officer(1), subject_person_id=me,
                       purpose="处理异议")  # fmt: skip
    clock.shift(present.GROUP_WINDOW + dt.timedelta(minutes=1))
    try:
        await audit.record(action="person.viewed", actor=_officer(1), subject_person_id=me,
                           purpose="处理异议")  # fmt: skip
        await audit.record(action="person.viewed", actor=_officer(1), subject_person_id=me,
                           purpose="核对记录")  # fmt: skip
    finally:
        clock.reset()
    items = (await client.get(LOG)).json()["items"]
    assert [(i["purpose"], i["count"]) for i in items] == [
        ("核对记录", 1), ("处理异议", 1), ("处理异议", 1),
    ]  # fmt: skip


async def test_an_unknown_action_is_named_generically_never_raw(client, me) -> None:
    await audit.record(action="something.new", actor=_officer(1), subject_person_id=me)
    item = (await client.get(LOG)).json()["items"][0]
    assert item["action_key"] == "access.action.other"
    assert item["what"] == "none"


def test_system_actors_are_named() -> None:
    assert present.actor_of("deadline sweep", "") == present.Actor(system="deadline_sweep")
    assert present.actor_of("陈 (officer, auditor)", "市信用办") == present.Actor(
        name="陈", roles=("officer", "auditor"), organisation="市信用办"
    )
