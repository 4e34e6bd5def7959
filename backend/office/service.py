"""The console's own steps around other packages' use cases: an enrolment code at the counter
(only after the ID card was checked in person) and a department token made from the console.
The figures are in `figures.py`, the look-up in `people.py`, list work in `list_review.py`.
Domain code: no Starlette."""

from __future__ import annotations

from dataclasses import dataclass

from ..apitokens import service as tokens
from ..apitokens.models import ApiToken
from ..auth import enrolment
from ..auth.models import EnrolmentCode
from ..core.crypto import IdCipher
from ..core.errors import ValidationFailed
from ..core.principal import Principal
from ..credit.catalog import department_codes
from ..residents.models import Person

DEFAULT_CODE_PURPOSE = "in-person identity check"


@dataclass(frozen=True)
class IssuedCode:
    code: str
    row: EnrolmentCode
    person: Person


async def issue_enrolment_code(
    *,
    officer: Principal,
    cipher: IdCipher,
    name: str,
    id_number: str,
    purpose: str,
    id_card_checked: bool,
    counter: str = "",
) -> IssuedCode:
    """A resident's one-time enrolment code, issued only after the officer has checked the
    ID card in person (the code stands in for that check when the resident enrols)."""
    if not id_card_checked:
        raise ValidationFailed("check the ID card in person first")
    code, row, person = await enrolment.issue_resident_code(
        officer=officer,
        cipher=cipher,
        name=name,
        id_number=id_number,
        purpose=purpose or DEFAULT_CODE_PURPOSE,
        id_card_checked=id_card_checked,
        counter=counter,
    )
    return IssuedCode(code, row, person)


async def create_department_token(
    *, officer: Principal, department: str, label: str
) -> tuple[ApiToken, str]:
    """A department token from the console: a catalog department and a label are required
    (the label is how officers tell the tokens apart)."""
    return await tokens.create_department_token(
        officer=officer,
        department=department,
        label=label,
        departments=department_codes(),
        label_required=True,
    )
