"""The register's ID-number key in this process, and what it opens.

`app.wire()` installs the cipher once per process (the app and the command line alike), as it
sets the clock's zone: the ID number of a row is read only here, so a masked form shown on a
page is always computed from the decrypted number, never stored. Nothing derived from the
number is kept in clear beyond the birth year and the district (see `models.Person`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.crypto import IdCipher, UnboundCiphertext
from . import idnumber
from .models import Person

_installed: list[IdCipher] = []


class RegisterKeysMissing(RuntimeError):
    """The process was not wired with the register's keys (app.wire does it)."""


def use_cipher(cipher: IdCipher) -> None:
    _installed[:] = [cipher]


def cipher() -> IdCipher:
    if not _installed:
        raise RegisterKeysMissing("app.wire(settings) installs the register's keys")
    return _installed[0]


def id_number_of(person: Person, *, keys: IdCipher | None = None) -> str:
    """The person's ID number. Raises crypto.UnboundCiphertext if the row's ciphertext was
    moved from another row or changed."""
    return (keys or cipher()).decrypt(person.id_encrypted, bound_to=person.id_hash)


def holds(person: Person, number: str, *, keys: IdCipher | None = None) -> bool:
    """Whether the row found by the number's lookup hash really holds that number: its
    ciphertext decrypts for the row and says the same (a row whose ciphertext was moved or
    edited matches nobody)."""
    try:
        return id_number_of(person, keys=keys) == number
    except UnboundCiphertext:
        return False


def shown_id(person: Person) -> str:
    """The masked ID number shown to staff and to the resident (idnumber.mask)."""
    return idnumber.mask(id_number_of(person))


@dataclass(frozen=True)
class NewPerson:
    """The columns of a new register row for one ID number: what is stored and nothing else."""

    id_hash: str
    id_encrypted: bytes
    name: str
    birth_year: int
    district_code: str

    def columns(self) -> dict[str, Any]:
        return {
            "id_hash": self.id_hash,
            "id_encrypted": self.id_encrypted,
            "name": self.name,
            "birth_year": self.birth_year,
            "district_code": self.district_code,
        }


def new_person(
    keys: IdCipher, number: str, *, name: str, district_code: str | None = None
) -> NewPerson:
    """A register row for a valid ID number. The district defaults to the number's own area;
    a person who moved is registered in their present district."""
    parsed = idnumber.parse(number)
    row, blob = keys.seal(parsed.value)
    return NewPerson(
        id_hash=row,
        id_encrypted=blob,
        name=name,
        birth_year=parsed.birth_date.year,
        district_code=district_code or parsed.area_code,
    )


async def create_person(
    keys: IdCipher, number: str, *, name: str, district_code: str | None = None
) -> Person:
    return await Person.create(
        **new_person(keys, number, name=name, district_code=district_code).columns()
    )
