"""What a clerk sees for the ID-card check: the full surname, the number of characters and
the birth year — one function for the paper pass, the counter verdict and counter filing."""

from __future__ import annotations

import pytest

from backend.residents.display import IdCheck, clerk_name, id_check
from backend.residents.models import Person


@pytest.mark.parametrize(
    ("name", "year", "zh", "en"),
    [
        ("余晓", 1990, "余*（2 个字，1990 年生）", "余* (2 characters, born 1990)"),
        ("张伟明", 1985, "张*明（3 个字，1985 年生）", "张*明 (3 characters, born 1985)"),
        ("欧阳锋", 1962, "欧阳*（3 个字，1962 年生）", "欧阳* (3 characters, born 1962)"),
        ("欧阳春晓锋", 2001, "欧阳**锋（5 个字，2001 年生）", "欧阳**锋 (5 characters, born 2001)"),
        ("余晓", 0, "余*（2 个字）", "余* (2 characters)"),  # birth year not known
    ],
)
def test_the_id_check_shows_surname_characters_and_birth_year(name, year, zh, en) -> None:
    check = id_check(Person(name=name, birth_year=year))
    assert check == IdCheck(clerk_name(name), len(name), year)
    assert check.text("zh-CN") == zh and check.text("en") == en
    given = name[2:] if name.startswith("欧阳") else name[1:]
    assert given not in check.text("zh-CN") and given not in check.text("en")  # stays hidden


def test_two_people_with_the_same_masked_name_are_told_apart_by_count_and_year() -> None:
    a = id_check(Person(name="余晓", birth_year=1990)).text("zh-CN")
    b = id_check(Person(name="余晓燕", birth_year=1990)).text("zh-CN")
    c = id_check(Person(name="余晓", birth_year=1991)).text("zh-CN")
    assert len({a, b, c}) == 3
