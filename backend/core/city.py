"""The city this deployment serves: names, districts, key occupational groups and its changes
to the national working-day calendar (config)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class District:
    code: str
    name: dict[str, str]
    share: float


@dataclass(frozen=True)
class CalendarDay:
    """A day the city's calendar sets apart from the national one, and why (for the operator)."""

    date: dt.date
    reason: str


@dataclass(frozen=True)
class CityCalendar:
    """The city's changes to the national working-day calendar (core/workdays.py): extra days
    off (a local holiday) and extra working days. They win over the national calendar."""

    extra_holidays: tuple[CalendarDay, ...] = ()
    extra_workdays: tuple[CalendarDay, ...] = ()

    def __post_init__(self) -> None:
        both = {d.date for d in self.extra_holidays} & {d.date for d in self.extra_workdays}
        if both:
            days = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"city calendar: {days} both an extra holiday and an extra workday")


@dataclass(frozen=True)
class City:
    code: str
    name: dict[str, str]
    programme: dict[str, str]
    score_name: dict[str, str]
    credit_office: dict[str, str]
    population: int
    districts: tuple[District, ...]
    occupation_groups: tuple[tuple[str, dict[str, str]], ...]
    calendar: CityCalendar = CityCalendar()
    # The credit office's service hall (help page): address, phone, hours, per locale.
    service_hall: Mapping[str, Any] = field(default_factory=dict)

    def district(self, code: str) -> District | None:
        return next((d for d in self.districts if d.code == code), None)

    def occupation_codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.occupation_groups)


@lru_cache(maxsize=8)
def load_city(path: Path) -> City:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return City(
        code=data["code"],
        name=data["name"],
        programme=data["programme"],
        score_name=data["score_name"],
        credit_office=data["credit_office"],
        population=int(data["population"]),
        districts=tuple(
            District(d["code"], d["name"], float(d["share"])) for d in data["districts"]
        ),
        occupation_groups=tuple((g["code"], g["name"]) for g in data["occupation_groups"]),
        calendar=_calendar(data.get("calendar", {})),
        service_hall=data.get("service_hall", {}),
    )


def _calendar(data: Mapping[str, Any]) -> CityCalendar:
    def days(key: str) -> tuple[CalendarDay, ...]:
        return tuple(
            CalendarDay(dt.date.fromisoformat(d["date"]), str(d["reason"]))
            for d in data.get(key, [])
        )

    return CityCalendar(
        extra_holidays=days("extra_holidays"), extra_workdays=days("extra_workdays")
    )
