"""How a person is shown to a clerk, an officer or a partner for the ID-card check (身份证核验):
the one function every page and pass uses, so no page shows more, or less, than the check needs.

The check compares the card in front of the clerk with what the system knows: the full surname
(a compound surname whole), how many characters the name has, and the birth year. "余*" alone
told a clerk almost nothing; "余*（2 个字，1990 年生）" tells them what to look for on the card,
and still not the given name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.i18n import translate
from . import idnumber
from .models import Person


@dataclass(frozen=True)
class IdCheck:
    """What the ID-card check needs of a person, and nothing more."""

    masked_name: str  # the full surname, then one * per character (the last kept if ≥ 3)
    characters: int
    birth_year: int  # 0 when the register does not know it

    def text(self, locale: str) -> str:
        """余*（2 个字，1990 年生）/ 余* (2 characters, born 1990)."""
        key = "id_check.summary" if self.birth_year else "id_check.summary_no_year"
        return translate(
            locale, key, name=self.masked_name, characters=self.characters, year=self.birth_year
        )


def clerk_name(name: str) -> str:
    """The masked name alone (see IdCheck.masked_name)."""
    return idnumber.mask_name(name)


@dataclass(frozen=True)
class Holder:
    """What a counter check reads of a pass holder: their id and what the ID-card check needs
    (never the encrypted ID number: the check reads these columns alone, `holder_columns`)."""

    id: int
    name: str
    birth_year: int


def holder_columns(person: str) -> str:
    """The holder's name and birth year as scalar subqueries on the SQL expression `person`
    (the pass check reads them in the same statement as the certificate)."""
    return (
        f'(SELECT "name" FROM "person" WHERE "id" = {person}), '
        f'(SELECT "birth_year" FROM "person" WHERE "id" = {person})'
    )


def id_check(person: Person | Holder) -> IdCheck:
    name = person.name.strip()
    return IdCheck(clerk_name(name), len(name), int(person.birth_year or 0))
