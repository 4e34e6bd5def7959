"""The city this deployment serves: names, districts and key occupational groups (config)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class District:
    code: str
    name: dict[str, str]
    share: float


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
    )
