"""The record catalog and the score model, loaded from versioned data files
(`backend/data/catalog/`). Data, not code: a city edits the files and publishes a version."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.errors import Forbidden
from ..core.principal import Principal
from ..core.settings import ROOT

CATALOG_DIR = ROOT / "backend" / "data" / "catalog"
CATALOG_FILE = CATALOG_DIR / "records-2026.1.json"
MODEL_FILE = CATALOG_DIR / "model-v1.json"
SEVERITIES = ("minor", "general", "serious")


@dataclass(frozen=True)
class RecordType:
    code: str
    name: dict[str, str]
    dimension: str
    points: int
    severity: str
    min_months: int
    max_months: int
    repairable: bool
    departments: frozenset[str]
    legal_basis: dict[str, str]

    def public(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "dimension": self.dimension,
            "points": self.points,
            "severity": self.severity,
            "min_disclosure_months": self.min_months,
            "max_disclosure_months": self.max_months,
            "repairable": self.repairable,
            "departments": sorted(self.departments),
            "legal_basis": self.legal_basis,
        }


@dataclass(frozen=True)
class Dimension:
    code: str
    name: dict[str, str]
    min: int
    max: int


@dataclass(frozen=True)
class Tier:
    code: str
    name: dict[str, str]
    min: int


@dataclass(frozen=True)
class ListRule:
    code: str
    list: str  # red | gray | black
    types: frozenset[str]
    min_count: int
    legal_basis: dict[str, str]


@dataclass(frozen=True)
class ListKindInfo:
    """A list (红名单, 重点关注名单, 黑名单): its code, name and what it means for a person."""

    code: str
    name: dict[str, str]
    meaning: dict[str, str]


@dataclass(frozen=True)
class ScoreModel:
    version: str
    published: dt.date
    effective_from: dt.date
    base: int
    min: int
    max: int
    dimensions: tuple[Dimension, ...]
    tiers: tuple[Tier, ...]  # highest first
    list_rules: tuple[ListRule, ...]
    # The one vocabulary of tiers and lists: names here, served by getScoringRules.
    no_tier: Tier = Tier("none", {}, 0)  # named in the model file (`no_tier`)
    lists: tuple[ListKindInfo, ...] = ()

    def tier_name(self, code: str | None, locale: str) -> str:
        """A tier's name ("none" or unknown: the no-score name) in a locale."""
        tier = next((t for t in self.tiers if t.code == code), self.no_tier)
        return tier.name.get(locale) or tier.name.get("zh-CN") or tier.code

    def tier_rank(self, code: str | None) -> int:
        """Higher is better: the lowest tier is 1, no score is 0."""
        codes = [t.code for t in reversed(self.tiers)]
        return codes.index(code) + 1 if code in codes else 0

    def tier_codes(self) -> tuple[str, ...]:
        """Every tier code, highest first, then "none"."""
        return (*(t.code for t in self.tiers), self.no_tier.code)

    def list_name(self, kind: str, locale: str) -> str:
        found = next((k for k in self.lists if k.code == kind), None)
        return (found.name.get(locale) or found.name["zh-CN"]) if found else kind

    def tier_for(self, score: int) -> Tier:
        return next(t for t in self.tiers if score >= t.min)

    def tier(self, code: str) -> Tier:
        return next(t for t in self.tiers if t.code == code)


@dataclass(frozen=True)
class Catalog:
    version: str
    published: dt.date
    departments: dict[str, dict[str, str]]
    types: dict[str, RecordType]
    reminder_days: int = 7  # 催告: days to settle or object before a default may be reported

    def department_of(self, organisation: str) -> str | None:
        """The department code a staff member's or token's organisation names: its code, or
        its name in either language (a city prefix such as 黄石 may stand before it)."""
        if organisation in self.departments:
            return organisation
        for code, names in self.departments.items():
            for name in names.values():
                if organisation == name or (name.startswith("市") and organisation.endswith(name)):
                    return code
        return None

    def allowed(self, department: str, type_code: str) -> bool:
        record_type = self.types.get(type_code)
        return record_type is not None and department in record_type.departments


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months; the 31st becomes the month's last day when needed."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError("unreachable")


@lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_FILE) -> Catalog:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    types = {}
    for t in data["record_types"]:
        if t["severity"] not in SEVERITIES or t["min_months"] > t["max_months"]:
            raise ValueError(f"bad record type {t['code']}")
        types[t["code"]] = RecordType(
            code=t["code"],
            name=t["name"],
            dimension=t["dimension"],
            points=int(t["points"]),
            severity=t["severity"],
            min_months=int(t["min_months"]),
            max_months=int(t["max_months"]),
            repairable=bool(t["repairable"]),
            departments=frozenset(t["departments"]),
            legal_basis=t["legal_basis"],
        )
    return Catalog(
        version=data["catalog_version"],
        published=dt.date.fromisoformat(data["published"]),
        departments={d["code"]: d["name"] for d in data["departments"]},
        types=types,
        reminder_days=int(data.get("reminder", {}).get("days", 7)),
    )


def department_codes() -> Collection[str]:
    """The departments of the catalog: the only organisations that submit records."""
    return load_catalog().departments.keys()


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> ScoreModel:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    tiers = tuple(
        sorted(
            (Tier(t["code"], t["name"], int(t["min"])) for t in data["tiers"]), key=lambda t: -t.min
        )
    )
    return ScoreModel(
        version=data["version"],
        published=dt.date.fromisoformat(data["published"]),
        effective_from=dt.date.fromisoformat(data["effective_from"]),
        base=int(data["base"]),
        min=int(data["min"]),
        max=int(data["max"]),
        dimensions=tuple(
            Dimension(d["code"], d["name"], int(d["min"]), int(d["max"]))
            for d in data["dimensions"]
        ),
        tiers=tiers,
        no_tier=Tier(data["no_tier"]["code"], data["no_tier"]["name"], 0),
        lists=tuple(ListKindInfo(k["code"], k["name"], k["meaning"]) for k in data["lists"]),
        list_rules=tuple(
            ListRule(
                r["code"], r["list"], frozenset(r["types"]), int(r["min_count"]), r["legal_basis"]
            )
            for r in data["list_rules"]
        ),
    )


def department_for(principal: Principal) -> str:
    """The catalog department a department system's token or a department submitter acts for;
    403 for an account that names none (a case is only ever its own department's)."""
    code = load_catalog().department_of(principal.organisation)
    if code is None:
        raise Forbidden("your account names no department of the catalog", reason="no_department")
    return code
