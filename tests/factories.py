"""Factories for test data: people in the register, enrolled residents, staff."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import httpx

from backend.auth.staff import create_staff_account
from backend.core.crypto import IdCipher
from backend.residents import idnumber, register
from backend.residents.models import Person
from tests.authenticator import SoftAuthenticator

_seq = itertools.count(1)


@dataclass
class RegisteredPerson:
    person: Person
    id_number: str
    name: str


async def make_person(
    cipher: IdCipher,
    *,
    name: str = "张伟明",
    area: str = "420202",
    birth: dt.date = dt.date(1985, 6, 15),
    male: bool = True,
) -> RegisteredPerson:
    n = next(_seq)
    number = idnumber.make(area, birth, (n * 2 + (1 if male else 0)) % 1000)
    person = await register.create_person(cipher, number, name=name)
    return RegisteredPerson(person, number, name)


def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies.get("xinyi_csrf", "")}


async def enrol(
    client: httpx.AsyncClient, auth: SoftAuthenticator, who: RegisteredPerson
) -> dict[str, Any]:
    start = await client.post(
        "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
    )
    assert start.status_code == 200, start.text
    finish = await client.post("/api/v1/enrolment/finish", json=auth.create(start.json()))
    assert finish.status_code == 200, finish.text
    return finish.json()


async def login(client: httpx.AsyncClient, auth: SoftAuthenticator) -> httpx.Response:
    options = (await client.post("/api/v1/login/start")).json()
    return await client.post("/api/v1/login/finish", json=auth.get(options))


async def make_staff(
    client: httpx.AsyncClient,
    auth: SoftAuthenticator,
    roles: list[str],
    name: str = "员工",
    organisation: str = "黄石市信用办",
) -> dict[str, Any]:
    _, code = await create_staff_account(
        officer=None, display_name=name, roles=roles, organisation=organisation
    )
    start = await client.post("/api/v1/enrolment/start", json={"enrolment_code": code})
    assert start.status_code == 200, start.text
    finish = await client.post("/api/v1/enrolment/finish", json=auth.create(start.json()))
    assert finish.status_code == 200, finish.text
    return finish.json()
