"""Working days over the real national calendar in backend/data/calendar (2026: the State
Council General Office's notice, as transcribed by chinesecalendar), with the city's changes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest

from backend.core.city import CalendarDay, CityCalendar, load_city
from backend.core.settings import ROOT
from backend.core.workdays import (
    NATIONAL_DIR,
    WorkCalendar,
    city_calendar,
    national_years,
    parse_year,
)

D = dt.date
CALENDAR = WorkCalendar(years=national_years())

# (start, n, due, why). 2026: days off Jan 1–3, Feb 15–23, Apr 4–6, May 1–5, Jun 19–21,
# Sep 25–27, Oct 1–7; make-up workdays Sun Jan 4, Sat Feb 14, Sat Feb 28, Sat May 9,
# Sun Sep 20, Sat Oct 10.
DUE = [
    # An ordinary week.
    (D(2026, 3, 13), 3, D(2026, 3, 18), "Friday + 3: the following Wednesday"),
    (D(2026, 3, 16), 5, D(2026, 3, 23), "Monday + 5: the next Monday"),
    (D(2026, 3, 14), 1, D(2026, 3, 16), "an ordinary Saturday start: Monday"),
    # Spring Festival: Sun Feb 15 – Mon Feb 23 off, Sat Feb 14 and Sat Feb 28 worked.
    (D(2026, 2, 13), 1, D(2026, 2, 14), "Friday + 1: the make-up Saturday"),
    (D(2026, 2, 13), 2, D(2026, 2, 24), "then the whole holiday is skipped"),
    (D(2026, 2, 13), 3, D(2026, 2, 25), "Friday + 3 across the holiday"),
    (D(2026, 2, 12), 3, D(2026, 2, 24), "Thu + 3: Fri 13, Sat 14, Tue 24"),
    (D(2026, 2, 25), 3, D(2026, 2, 28), "Wed + 3 ends on the make-up Saturday"),
    (D(2026, 2, 10), 10, D(2026, 3, 2), "10 working days across both make-up Saturdays"),
    # Labour Day: Fri May 1 – Tue May 5 off, Sat May 9 worked.
    (D(2026, 4, 30), 1, D(2026, 5, 6), "Thu Apr 30 + 1: Wed May 6"),
    (D(2026, 4, 30), 3, D(2026, 5, 8), "Thu Apr 30 + 3: Fri May 8"),
    (D(2026, 4, 30), 4, D(2026, 5, 9), "Thu Apr 30 + 4: the make-up Saturday"),
    (D(2026, 5, 8), 1, D(2026, 5, 9), "Friday + 1: the make-up Saturday"),
    # Mid-Autumn (Fri Sep 25 – Sun 27) and National Day (Thu Oct 1 – Wed 7), Sun Sep 20 and
    # Sat Oct 10 worked.
    (D(2026, 9, 18), 1, D(2026, 9, 20), "Friday + 1: the make-up Sunday"),
    (D(2026, 9, 24), 1, D(2026, 9, 28), "Thu + 1 skips Mid-Autumn Friday"),
    (D(2026, 9, 29), 3, D(2026, 10, 9), "Tue + 3: Wed 30, Thu Oct 8, Fri Oct 9"),
    (D(2026, 9, 29), 4, D(2026, 10, 10), "Tue + 4: the make-up Saturday"),
    (D(2026, 9, 24), 10, D(2026, 10, 15), "10 working days across both holidays"),
    # A start on a holiday: it does not count, nor do the holidays after it.
    (D(2026, 2, 16), 1, D(2026, 2, 24), "Spring Festival Monday + 1"),
    (D(2026, 10, 1), 3, D(2026, 10, 10), "National Day + 3: Thu 8, Fri 9, Sat 10"),
    (D(2026, 5, 1), 1, D(2026, 5, 6), "Labour Day + 1"),
    # A start on a make-up workday: it does not count either.
    (D(2026, 2, 14), 1, D(2026, 2, 24), "make-up Saturday + 1"),
    (D(2026, 5, 9), 1, D(2026, 5, 11), "make-up Saturday + 1: Monday"),
    (D(2026, 9, 20), 5, D(2026, 9, 28), "make-up Sunday + 5: Mid-Autumn Friday skipped"),
    # New Year: 2025's last working day, then Sun Jan 4 2026 is worked.
    (D(2025, 12, 31), 1, D(2026, 1, 4), "Dec 31 + 1: the make-up Sunday"),
    (D(2025, 12, 31), 2, D(2026, 1, 5), "then Monday"),
    # n = 0 is the start itself, whatever kind of day it is.
    (D(2026, 3, 13), 0, D(2026, 3, 13), "n=0 on a working day"),
    (D(2026, 2, 16), 0, D(2026, 2, 16), "n=0 on a holiday"),
]


@pytest.mark.parametrize(("start", "n", "due", "why"), DUE, ids=[row[3] for row in DUE])
def test_add_working_days_over_2026(start: dt.date, n: int, due: dt.date, why: str) -> None:
    assert CALENDAR.add_working_days(start, n) == due
    assert CALENDAR.working_days_between(start, due) == n
    assert CALENDAR.working_days_between(due, start) == -n


DAYS = [
    (D(2026, 2, 14), True, "Spring Festival make-up Saturday"),
    (D(2026, 2, 20), False, "Spring Festival Friday"),
    (D(2026, 2, 23), False, "Spring Festival's last day, a Monday"),
    (D(2026, 2, 28), True, "the second make-up Saturday"),
    (D(2026, 5, 5), False, "Labour Day Tuesday"),
    (D(2026, 5, 9), True, "Labour Day make-up Saturday"),
    (D(2026, 9, 20), True, "National Day make-up Sunday"),
    (D(2026, 9, 25), False, "Mid-Autumn Friday"),
    (D(2026, 10, 7), False, "National Day Wednesday"),
    (D(2026, 10, 10), True, "National Day make-up Saturday"),
    (D(2026, 10, 11), False, "an ordinary Sunday"),
    (D(2026, 3, 18), True, "an ordinary Wednesday"),
]


@pytest.mark.parametrize(("day", "working", "why"), DAYS, ids=[row[2] for row in DAYS])
def test_is_working_day_in_2026(day: dt.date, working: bool, why: str) -> None:
    assert CALENDAR.is_working_day(day) is working


def every_day(year: int) -> list[dt.date]:
    first = D(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((D(year + 1, 1, 1) - first).days)]


# A file written by hand from the notice, for a year the package does not have yet, is left out.
PACKAGE_YEARS = sorted({d.year for d in chinese_calendar.holidays} & set(CALENDAR.years))


@pytest.mark.parametrize("year", PACKAGE_YEARS)
def test_every_data_file_agrees_with_the_package(year: int) -> None:
    """Each day of each year in backend/data/calendar, and the year's total, as chinesecalendar
    says (a file edited by hand, or a package update not yet written out, fails here)."""
    days = every_day(year)
    assert [CALENDAR.is_working_day(d) for d in days] == [
        chinese_calendar.is_workday(d) for d in days
    ]
    assert CALENDAR.working_days_between(D(year - 1, 12, 31), D(year, 12, 31)) == sum(
        chinese_calendar.is_workday(d) for d in days
    )


def test_the_data_covers_2020_to_2026_without_a_gap() -> None:
    assert set(range(2020, 2027)) <= set(CALENDAR.years)
    assert CALENDAR.years == tuple(range(CALENDAR.years[0], CALENDAR.years[-1] + 1))
    assert CALENDAR.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_a_year_not_covered_counts_monday_to_friday_and_says_so() -> None:
    assert CALENDAR.covers(2026)
    assert not CALENDAR.covers(2031)
    assert CALENDAR.fallback_years(D(2030, 12, 30), D(2031, 1, 5)) == (2030, 2031)
    assert CALENDAR.fallback_years(D(2026, 2, 1), D(2026, 3, 1)) == ()
    # 2031: National Day (Wed Oct 1) counts as a working day for want of data.
    assert CALENDAR.is_working_day(D(2031, 10, 1))
    assert not CALENDAR.is_working_day(D(2031, 10, 4))
    assert CALENDAR.add_working_days(D(2031, 9, 30), 3) == D(2031, 10, 3)
    assert CALENDAR.add_working_days(D(2031, 10, 3), 3) == D(2031, 10, 8)
    assert CALENDAR.working_days_between(D(2030, 12, 31), D(2031, 12, 31)) == 261
    # Across the edge of the data: 2026's last day, then Fri Jan 1 2027 as a plain Friday.
    only_2026 = WorkCalendar(years=[parse_year(year_data())])
    assert only_2026.fallback_years(D(2026, 12, 30), D(2027, 1, 5)) == (2027,)
    assert only_2026.add_working_days(D(2026, 12, 30), 2) == D(2027, 1, 1)
    assert only_2026.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)


def test_no_data_at_all_is_monday_to_friday() -> None:
    plain = WorkCalendar()
    assert plain.years == ()
    assert plain.add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 18)
    assert plain.working_days_between(D(2026, 1, 4), D(2026, 1, 31)) == 20


LOCAL = CityCalendar(
    extra_holidays=(CalendarDay(D(2026, 3, 13), "a local holiday"),),
    extra_workdays=(
        CalendarDay(D(2026, 3, 21), "an extra Saturday worked"),
        CalendarDay(D(2026, 10, 7), "worked although the nation is off"),
    ),
)
CITY = WorkCalendar(years=national_years(), city=LOCAL)

OVERRIDES = [
    (D(2026, 3, 12), 1, D(2026, 3, 16), D(2026, 3, 13), "the local holiday is skipped"),
    (D(2026, 3, 12), 3, D(2026, 3, 18), D(2026, 3, 17), "Thu + 3 a day later"),
    (D(2026, 3, 20), 1, D(2026, 3, 21), D(2026, 3, 23), "the extra Saturday counts"),
    (D(2026, 9, 30), 1, D(2026, 10, 7), D(2026, 10, 8), "the city works National Day's last day"),
    (D(2026, 10, 1), 2, D(2026, 10, 8), D(2026, 10, 9), "Oct 7 counts, Oct 8 follows"),
]


@pytest.mark.parametrize(
    ("start", "n", "city_due", "national_due", "why"), OVERRIDES, ids=[r[4] for r in OVERRIDES]
)
def test_city_overrides(
    start: dt.date, n: int, city_due: dt.date, national_due: dt.date, why: str
) -> None:
    assert CITY.add_working_days(start, n) == city_due
    assert CALENDAR.add_working_days(start, n) == national_due
    assert CITY.working_days_between(start, city_due) == n


def test_city_overrides_win_over_the_national_calendar() -> None:
    assert not CITY.is_working_day(D(2026, 3, 13))
    assert CITY.is_working_day(D(2026, 3, 21))
    assert CITY.is_working_day(D(2026, 10, 7))
    assert not CALENDAR.is_working_day(D(2026, 10, 7))
    # March: one day lost (Fri 13), one gained (Sat 21); October: one gained (Wed 7).
    assert CALENDAR.working_days_between(D(2026, 2, 28), D(2026, 3, 31)) == 22
    assert CITY.working_days_between(D(2026, 2, 28), D(2026, 3, 31)) == 22
    assert CITY.working_days_between(D(2026, 2, 28), D(2026, 3, 20)) == 14
    assert CALENDAR.working_days_between(D(2026, 2, 28), D(2026, 3, 20)) == 15
    assert CITY.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 249
    # In a year without data the city's changes still apply.
    beyond = WorkCalendar(
        years=national_years(),
        city=CityCalendar(extra_holidays=(CalendarDay(D(2031, 3, 14), "local"),)),
    )
    assert beyond.add_working_days(D(2031, 3, 13), 1) == D(2031, 3, 17)


def city_file(tmp_path: Path, calendar: dict[str, Any] | None) -> Path:
    data = json.loads((ROOT / "backend" / "data" / "city.json").read_text("utf-8"))
    data.pop("calendar", None)
    if calendar is not None:
        data["calendar"] = calendar
    path = tmp_path / "city.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def test_the_city_file_sets_the_city_calendar(tmp_path: Path) -> None:
    path = city_file(
        tmp_path,
        {
            "extra_holidays": [{"date": "2026-03-13", "reason": "a local holiday"}],
            "extra_workdays": [{"date": "2026-03-21", "reason": "an extra Saturday"}],
        },
    )
    city = load_city(path)
    assert city.calendar == CityCalendar(
        extra_holidays=(CalendarDay(D(2026, 3, 13), "a local holiday"),),
        extra_workdays=(CalendarDay(D(2026, 3, 21), "an extra Saturday"),),
    )
    calendar = city_calendar(city)
    assert calendar is city_calendar(city)  # built once
    assert calendar.add_working_days(D(2026, 3, 12), 3) == D(2026, 3, 18)
    assert calendar.add_working_days(D(2026, 3, 20), 1) == D(2026, 3, 21)


def test_the_deployed_city_and_a_city_without_the_key_use_the_national_calendar(
    tmp_path: Path,
) -> None:
    deployed = load_city(ROOT / "backend" / "data" / "city.json")
    assert deployed.calendar == CityCalendar()
    assert load_city(city_file(tmp_path, None)).calendar == CityCalendar()
    assert city_calendar(deployed).add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)


def test_a_day_both_extra_holiday_and_extra_workday_is_refused(tmp_path: Path) -> None:
    day = {"date": "2026-03-13", "reason": "?"}
    with pytest.raises(ValueError, match="2026-03-13"):
        load_city(city_file(tmp_path, {"extra_holidays": [day], "extra_workdays": [day]}))


def year_data(**change: Any) -> dict[str, Any]:
    data = json.loads((NATIONAL_DIR / "2026.json").read_text("utf-8"))
    data.update(change)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"days_off": {"2027-01-01": "new_years_day"}}, "outside the year"),
        ({"make_up_workdays": {"2026-03-16": "spring_festival"}}, "on a weekday"),
        (
            {"days_off": {"2026-02-14": "x"}, "make_up_workdays": {"2026-02-14": "x"}},
            "both a day off and a workday",
        ),
    ],
)
def test_a_bad_calendar_file_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_year(year_data(**change))


def test_a_file_named_for_another_year_is_refused(tmp_path: Path) -> None:
    (tmp_path / "2025.json").write_text(json.dumps(year_data()), "utf-8")
    with pytest.raises(ValueError, match=r"2025\.json holds the calendar of 2026"):
        national_years(tmp_path)


def test_a_year_given_twice_is_refused() -> None:
    year = parse_year(year_data())
    with pytest.raises(ValueError, match="given twice"):
        WorkCalendar(years=[year, year])


def test_datetimes_and_negative_counts_are_refused() -> None:
    with pytest.raises(TypeError):
        CALENDAR.is_working_day(dt.datetime(2026, 2, 16, 9, 0))
    with pytest.raises(TypeError):
        CALENDAR.add_working_days(dt.datetime(2026, 2, 16, 9, 0), 1)
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(D(2026, 2, 16), -1)


def test_counting_a_span_matches_counting_day_by_day() -> None:
    """The arithmetic count (weeks plus the days set apart) against a plain walk, from every
    start in a stretch around the Spring Festival and National Day, for spans up to 40 days."""
    for calendar in (CALENDAR, CITY):
        for first in (D(2026, 2, 1), D(2026, 9, 10), D(2025, 12, 20)):
            for offset in range(30):
                start = first + dt.timedelta(days=offset)
                walked = 0
                for length in range(41):
                    end = start + dt.timedelta(days=length)
                    if length and calendar.is_working_day(end):
                        walked += 1
                    assert calendar.working_days_between(start, end) == walked
