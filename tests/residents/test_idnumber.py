"""National ID numbers (GB 11643-1999): validation, check digit, masking — table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.core import clock
from backend.residents import idnumber
from backend.residents.idnumber import IdProblem

TODAY = dt.date(2025, 6, 1)


def _reference_check_char(first17: str) -> str:
    """An independent ISO 7064 MOD 11-2 computation: sum(a_i * 2^(17-i)) mod 11."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31), "F"),  # the standard's own example
        ("42020219850615011X", dt.date(1985, 6, 15), "M"),
        (idnumber.make("420281", dt.date(1990, 1, 1), 41), dt.date(1990, 1, 1), "M"),
        (idnumber.make("420222", dt.date(2000, 2, 29), 2), dt.date(2000, 2, 29), "F"),  # leap day
        (idnumber.make("810000", dt.date(1900, 1, 1), 7), dt.date(1900, 1, 1), "M"),  # Hong Kong
        (idnumber.make("820000", dt.date(1999, 12, 20), 4), dt.date(1999, 12, 20), "F"),  # Macao
        (idnumber.make("420202", TODAY, 8), TODAY, "F"),  # born today
    ],
)
def test_valid_numbers_parse(number: str, birth: dt.date, sex: str) -> None:
    assert idnumber.problem_with(number, today=TODAY) is None
    parsed = idnumber.parse(number, today=TODAY)
    assert parsed.value == number
    assert parsed.area_code == number[:6]
    assert parsed.birth_date == birth
    assert parsed.sex == sex


@pytest.mark.parametrize(
    "first17",
    ["11010519491231002", "42020219850615011", "44052418800101001", "35012119780412253"],
)
def test_check_char_matches_an_independent_computation(first17: str) -> None:
    assert idnumber.check_char(first17) == _reference_check_char(first17)


def test_exactly_one_check_character_is_accepted() -> None:
    first17 = "42020219850615011"
    accepted = [c for c in "0123456789X" if idnumber.problem_with(first17 + c, today=TODAY) is None]
    assert accepted == ["X"]


def _with_check(first17: str) -> str:
    return first17 + _reference_check_char(first17)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("110105194912310021", IdProblem.CHECK_DIGIT),  # X expected, 1 given
        ("420202198506150110", IdProblem.CHECK_DIGIT),
        (_with_check("42020219850230001"), IdProblem.BIRTH_DATE),  # 30 February
        (_with_check("42020219851301001"), IdProblem.BIRTH_DATE),  # month 13
        (_with_check("42020219850600001"), IdProblem.BIRTH_DATE),  # day 0
        (_with_check("42020220250602001"), IdProblem.BIRTH_DATE),  # the day after TODAY
        (_with_check("42020221000101001"), IdProblem.BIRTH_DATE),  # far future
        (_with_check("42020218991231001"), IdProblem.BIRTH_DATE),  # before 1900
        (_with_check("44052418800101001"), IdProblem.BIRTH_DATE),  # the 1880 example
        (_with_check("99020219850615001"), IdProblem.AREA),  # no province 99
        (_with_check("10020219850615001"), IdProblem.AREA),  # no province 10
        (_with_check("42000019850615001"), IdProblem.AREA),  # prefecture 00
        (_with_check("11000019850615001"), IdProblem.AREA),  # prefecture 00 in Beijing
        (_with_check("83000019850615001"), IdProblem.AREA),  # not a GB/T 2260 province
        ("4202021985061500", IdProblem.LENGTH),  # 16
        ("42020219850615011", IdProblem.LENGTH),  # 17
        ("42020219850615011X0", IdProblem.LENGTH),  # 19
        ("", IdProblem.LENGTH),
        ("4202021985061501X1", IdProblem.LENGTH),  # X not at the end
        ("42020219850615011Y", IdProblem.LENGTH),
        ("4202021985061٥011X", IdProblem.LENGTH),  # an Arabic-Indic digit is not a digit here
        ("420202-98506150110", IdProblem.LENGTH),
    ],
)
def test_invalid_numbers_name_their_problem(raw: str, problem: IdProblem) -> None:
    assert idnumber.problem_with(raw, today=TODAY) == problem
    with pytest.raises(ValueError, match=f"^{problem.value}$"):
        idnumber.parse(raw, today=TODAY)


def test_future_birth_date_is_judged_against_the_city_today_by_default() -> None:
    today = clock.today()
    tomorrow = today + dt.timedelta(days=1)
    number = idnumber.make("420202", tomorrow, 1)
    assert idnumber.problem_with(number) == IdProblem.BIRTH_DATE
    assert idnumber.problem_with(idnumber.make("420202", today, 1)) is None


def test_the_city_clock_decides_what_today_is() -> None:
    born = clock.today() + dt.timedelta(days=2)
    number = idnumber.make("420202", born, 1)
    assert idnumber.problem_with(number) == IdProblem.BIRTH_DATE
    clock.shift(dt.timedelta(days=2))
    try:
        assert idnumber.problem_with(number) is None
    finally:
        clock.reset()


@pytest.mark.parametrize(
    "raw", ["11010519491231002x", " 11010519491231002x ", "110105 19491231 002x"]
)
def test_lowercase_x_and_spaces_are_normalised(raw: str) -> None:
    parsed = idnumber.parse(raw, today=TODAY)
    assert parsed.value == "11010519491231002X"


@pytest.mark.parametrize(
    "raw",
    [
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "11010519491231002Ｘ",
    ],
)
def test_full_width_input_is_normalised_to_ascii(raw: str) -> None:
    # What a Chinese input method in full-width mode types.
    assert idnumber.parse(raw, today=TODAY).value == "11010519491231002X"


def test_make_builds_valid_numbers_with_the_sex_digit() -> None:
    for seq in range(0, 40):
        number = idnumber.make("420204", dt.date(1970, 3, 9), seq)
        parsed = idnumber.parse(number, today=TODAY)
        assert parsed.sex == ("M" if seq % 2 else "F")
        assert number[-1] == _reference_check_char(number[:17])


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("11010519491231002X", "1101051949*******X"),
        ("11010519491231002x", "1101051949*******X"),
        ("420202198506150110", "4202021985*******0"),
    ],
)
def test_mask_shows_the_area_the_birth_year_and_the_check_character_only(
    raw: str, masked: str
) -> None:
    assert idnumber.mask(raw) == masked
    assert len(idnumber.mask(raw)) == 18


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张伟明", "张*明"),
        ("李四", "李*"),
        ("王", "王"),
        ("", ""),
        ("张三丰丰", "张**丰"),
        ("欧阳锋", "欧阳*"),  # compound surname, one-character given name: hidden
        ("欧阳小锋", "欧阳*锋"),
        ("欧阳春晓锋", "欧阳**锋"),
        ("司马相如", "司马*如"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert idnumber.mask_name(name) == masked
    assert len(idnumber.mask_name(name)) == len(name)
