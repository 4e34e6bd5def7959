"""Synthetic credit records for the demo city: most people with credit information have a
few records, some many, a few are court defaulters or honoured. Deterministic per seed."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from ..credit.catalog import add_months, load_catalog

HAS_RECORDS = 0.70  # the seed's coverage target: a score for ≥ 70% of residents
MEAN_EXTRA = 9.0
WEIGHTS = {
    "PUB_LIBRARY_ON_TIME": 20, "PUB_UTILITY_ON_TIME": 12, "PUB_HOSPITAL_PAYLATER_SETTLED": 10,
    "PRO_VOLUNTEER_10H": 10, "PRO_BLOOD_DONATION": 4, "PRO_CHARITY_DONATION": 3,
    "LAW_PENALTY_MINOR": 5, "LAW_PENALTY_GENERAL": 2, "LAW_PENALTY_SERIOUS": 0.3,
    "LAW_TAX_ARREARS": 0.8, "LAW_SOCIAL_INSURANCE_ARREARS": 1.0, "PUB_LIBRARY_OVERDUE": 3,
    "PUB_HOSPITAL_PAYLATER_DEFAULT": 0.6, "PUB_UTILITY_ARREARS": 2, "PUB_TRANSIT_DEPOSIT_DEFAULT": 0.8,
    "PUB_RENT_ARREARS": 0.3,
}  # fmt: skip
OCCUPATION_TYPES = {
    "lawyer": "OCC_LAWYER_SANCTION", "teacher": "OCC_TEACHER_ETHICS", "physician": "OCC_PHYSICIAN_MALPRACTICE",
    "pharmacist": "OCC_PHARMACIST_VIOLATION", "taxi": "OCC_TAXI_COMPLAINT", "courier": "OCC_COURIER_LOST_PARCEL",
    "tour_guide": "OCC_TOUR_GUIDE_VIOLATION", "real_estate_agent": "OCC_AGENT_VIOLATION",
    "accountant_auditor": "OCC_ACCOUNTANT_VIOLATION", "civil_servant": "OCC_CIVIL_SERVANT_SANCTION",
}  # fmt: skip
TODAY = dt.date(2026, 11, 1)
SPAN_DAYS = 3 * 365


def _cumulative(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    codes, cum, total = [], [], 0.0
    for code, w in weights.items():
        total += w
        codes.append(code)
        cum.append(total)
    return codes, cum


def records_for_chunk(
    seed: int, chunk_no: int, people: list[tuple[int, int, str | None]]
) -> list[tuple[Any, ...]]:
    """Rows for `credit_record` (see ingest.RECORD_COLUMNS) for people (id, birth year,
    occupation). Dates follow the birth year, never the birth date: the earliest record of a
    young person would otherwise tell their birthday to anyone holding the database."""
    catalog = load_catalog()
    rng = random.Random(seed * 7_000_003 + chunk_no)
    codes, cum = _cumulative(WEIGHTS)
    total = cum[-1]
    created = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    rows: list[tuple[Any, ...]] = []
    first_department = {code: sorted(t.departments)[0] for code, t in catalog.types.items()}
    for pid, born_in, occupation in people:
        if rng.random() >= HAS_RECORDS:
            continue
        adult = dt.date(born_in + 19, 1, 1)  # 18 or over, whatever the birthday
        earliest = max(adult, TODAY - dt.timedelta(days=SPAN_DAYS))
        if earliest >= TODAY:
            earliest = TODAY - dt.timedelta(days=200)
        span = (TODAY - earliest).days
        picks = ["IDN_REALNAME_VERIFIED"]
        if rng.random() < 0.5:
            picks.append("IDN_INFO_COMPLETE")
        for _ in range(min(60, int(rng.expovariate(1 / MEAN_EXTRA)))):
            x = rng.random() * total
            picks.append(codes[next(i for i, c in enumerate(cum) if c >= x)])
        if occupation and rng.random() < 0.15:
            picks.append(OCCUPATION_TYPES.get(occupation, "OCC_GOOD_PRACTICE_AWARD"))
        if occupation and rng.random() < 0.2:
            picks.append("OCC_GOOD_PRACTICE_AWARD")
        roll = rng.random()
        if roll < 0.004:
            picks.append("LAW_COURT_DEFAULTER")
        elif roll < 0.005:
            picks.append(
                rng.choice(
                    ("PRO_HONOUR_INTEGRITY_STAR", "PRO_HONOUR_MORAL_MODEL", "PRO_GOOD_SAMARITAN")
                )
            )
        for k, code in enumerate(picks):
            t = catalog.types[code]
            decided = earliest + dt.timedelta(days=rng.randrange(span))
            doc = (
                f"黄{t.code[:3]}〔{decided.year}〕{rng.randrange(1, 9999)}号"
                if t.points < 0
                else ""
            )
            rows.append(
                (
                    pid,
                    first_department[code],
                    f"DEMO-{pid}-{k}",
                    code,
                    t.dimension,
                    t.points,
                    t.severity,
                    decided,
                    add_months(decided, t.min_months),
                    add_months(decided, t.max_months),
                    "active",
                    False,
                    "",
                    doc,
                    catalog.version,
                    1,
                    created,
                    created,
                )
            )
    return rows
