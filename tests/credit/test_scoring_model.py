"""Model v1 as pure functions: base, dimension caps, total clamp, tiers, counting periods,
reasons, suggestions, rule-derived lists and calendar months — no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from backend.credit.catalog import add_months, load_catalog, load_model
from backend.credit.scoring import RecordFacts, counts, derive_lists, evaluate, score_from_sums

MODEL = load_model()
CATALOG = load_catalog()
AS_OF = dt.date(2026, 6, 15)
_ids = itertools.count(1)


def rec(
    code: str,
    decided: dt.date = dt.date(2026, 6, 1),
    *,
    status: str = "active",
    suspended: bool = False,
    record_id: int | None = None,
) -> RecordFacts:
    """A record as the ingest path makes it: catalog facts and periods from the decision date."""
    t = CATALOG.types[code]
    return RecordFacts(
        id=record_id if record_id is not None else next(_ids),
        type_code=code,
        dimension=t.dimension,
        points=t.points,
        decision_date=decided,
        expires_on=add_months(decided, t.max_months),
        repairable_from=add_months(decided, t.min_months),
        status=status,
        suspended=suspended,
    )


def score_of(records: list[RecordFacts], as_of: dt.date = AS_OF) -> tuple[int, str, dict[str, int]]:
    result = evaluate(records, MODEL, CATALOG, as_of)
    return result.score, result.tier.code, result.breakdown


# --- the model file itself --------------------------------------------------------------


def test_model_v1_parameters() -> None:
    assert (MODEL.version, MODEL.base, MODEL.min, MODEL.max) == ("v1", 600, 350, 950)
    caps = {d.code: (d.min, d.max) for d in MODEL.dimensions}
    assert caps == {
        "identity": (0, 50),
        "law": (-250, 0),
        "public_service": (-100, 100),
        "pro_social": (0, 150),
        "occupational": (-150, 50),
    }
    assert [(t.code, t.min) for t in MODEL.tiers] == [
        ("excellent", 750),
        ("very_good", 700),
        ("good", 600),
        ("fair", 550),
        ("improve", 0),
    ]
    assert MODEL.published < MODEL.effective_from  # published before it takes effect


# --- sums, caps and clamps --------------------------------------------------------------


def test_no_records_is_the_base_score() -> None:
    result = evaluate([], MODEL, CATALOG, AS_OF)
    assert (result.score, result.tier.code, result.counted) == (600, "good", 0)
    assert result.breakdown == dict.fromkeys(
        ("identity", "law", "public_service", "pro_social", "occupational"), 0
    )
    assert result.lowering == () and result.raising == ()


@pytest.mark.parametrize(
    ("codes", "dimension", "raw", "capped", "score"),
    [
        # law: floor −250 (three serious penalties are −300)
        (["LAW_PENALTY_SERIOUS"] * 3, "law", -300, -250, 350),
        (["LAW_PENALTY_SERIOUS"] * 2, "law", -200, -200, 400),
        (["LAW_COURT_DEFAULTER", "LAW_PENALTY_GENERAL"], "law", -240, -240, 360),
        (["LAW_COURT_DEFAULTER", "LAW_TAX_ARREARS"], "law", -260, -250, 350),
        # pro-social: ceiling +150
        (["PRO_BLOOD_DONATION"] * 20, "pro_social", 200, 150, 750),
        (["PRO_HONOUR_MORAL_MODEL", "PRO_HONOUR_INTEGRITY_STAR"], "pro_social", 130, 130, 730),
        (
            ["PRO_HONOUR_MORAL_MODEL", "PRO_GOOD_SAMARITAN", "PRO_HONOUR_INTEGRITY_STAR"],
            "pro_social",
            190,
            150,
            750,
        ),
        # identity: 0 … +50
        (["IDN_REALNAME_VERIFIED", "IDN_INFO_COMPLETE"], "identity", 35, 35, 635),
        (
            ["IDN_REALNAME_VERIFIED", "IDN_INFO_COMPLETE", "IDN_COMMITMENT_SIGNED"],
            "identity",
            50,
            50,
            650,
        ),
        (["IDN_REALNAME_VERIFIED"] * 2 + ["IDN_INFO_COMPLETE"], "identity", 55, 50, 650),
        # occupational: −150 … +50
        (["OCC_TEACHER_ETHICS"] * 2, "occupational", -160, -150, 450),
        (["OCC_LAWYER_SANCTION", "OCC_TOUR_GUIDE_VIOLATION"], "occupational", -100, -100, 500),
        (["OCC_GOOD_PRACTICE_AWARD"] * 3, "occupational", 60, 50, 650),
        (["OCC_GOOD_PRACTICE_AWARD", "OCC_TAXI_COMPLAINT"], "occupational", 10, 10, 610),
        # public service: −100 … +100
        (["PUB_UTILITY_ON_TIME"] * 21, "public_service", 105, 100, 700),
        (["PUB_UTILITY_ON_TIME"] * 19, "public_service", 95, 95, 695),
        (["PUB_HOSPITAL_PAYLATER_DEFAULT"] * 4, "public_service", -120, -100, 500),
        (["PUB_RENT_ARREARS"] * 4, "public_service", -100, -100, 500),
    ],
)
def test_dimension_caps(
    codes: list[str], dimension: str, raw: int, capped: int, score: int
) -> None:
    result = evaluate([rec(c) for c in codes], MODEL, CATALOG, AS_OF)
    dim = next(d for d in result.dimensions if d.code == dimension)
    assert (dim.raw, dim.points) == (raw, capped)
    assert result.breakdown[dimension] == capped
    assert result.score == score
    assert result.counted == len(codes)


@pytest.mark.parametrize(
    ("sums", "breakdown"),
    [
        ({"identity": -20}, {"identity": 0}),  # a floor of 0 even if something negative arrives
        ({"law": 30}, {"law": 0}),  # law-abiding never adds
        ({"pro_social": -5}, {"pro_social": 0}),
        ({"public_service": 101, "occupational": 51}, {"public_service": 100, "occupational": 50}),
        (
            {"public_service": -101, "occupational": -151},
            {"public_service": -100, "occupational": -150},
        ),
        ({"unknown_dimension": 500}, {}),  # not part of the model: ignored
    ],
)
def test_score_from_sums_clamps_each_dimension_both_ways(
    sums: dict[str, int], breakdown: dict[str, int]
) -> None:
    total, _, dims = score_from_sums(sums, MODEL)
    points = {d.code: d.points for d in dims}
    assert {k: points[k] for k in breakdown} == breakdown
    assert total == 600 + sum(points.values())


def test_total_is_clamped_to_the_model_range() -> None:
    # v1's caps reach exactly 950 at the top; at the bottom the sum (200) is clamped to 350.
    best = {"identity": 50, "law": 0, "public_service": 100, "pro_social": 150, "occupational": 50}
    worst = {
        "identity": 0,
        "law": -250,
        "public_service": -100,
        "pro_social": 0,
        "occupational": -150,
    }
    assert score_from_sums(best, MODEL)[0] == 950
    assert score_from_sums(worst, MODEL)[0] == 350
    assert score_from_sums({"law": -250, "public_service": -100}, MODEL)[0] == 350  # 250 → 350
    assert score_from_sums({"law": -250, "public_service": -1}, MODEL)[0] == 350  # 349 → 350
    assert score_from_sums({"law": -250}, MODEL)[0] == 350  # exactly 350
    # The upper clamp, with a model whose base leaves room above 950.
    generous = dataclasses.replace(MODEL, base=700)
    assert score_from_sums(best, generous)[0] == 950
    assert score_from_sums({"pro_social": 149}, generous)[0] == 849
    # And through evaluate: every dimension at its worst.
    worst_records = (
        [rec("LAW_PENALTY_SERIOUS")] * 3
        + [rec("PUB_HOSPITAL_PAYLATER_DEFAULT")] * 4
        + [rec("OCC_TEACHER_ETHICS")] * 2
    )
    assert score_of(worst_records)[:2] == (350, "improve")


@pytest.mark.parametrize(
    ("sums", "score", "tier"),
    [
        ({"pro_social": 149}, 749, "very_good"),
        ({"pro_social": 150}, 750, "excellent"),
        ({"pro_social": 150, "identity": 50}, 800, "excellent"),
        ({"pro_social": 99}, 699, "good"),
        ({"pro_social": 100}, 700, "very_good"),
        ({"law": -1}, 599, "fair"),
        ({}, 600, "good"),
        ({"law": -51}, 549, "improve"),
        ({"law": -50}, 550, "fair"),
        ({"law": -250}, 350, "improve"),
    ],
)
def test_tier_boundaries(sums: dict[str, int], score: int, tier: str) -> None:
    total, chosen, _ = score_from_sums(sums, MODEL)
    assert (total, chosen.code) == (score, tier)
    assert MODEL.tier_for(score).code == tier


# --- when a record counts -----------------------------------------------------------------


DECIDED = dt.date(2025, 11, 30)
MINOR = rec("LAW_PENALTY_MINOR", DECIDED)  # 3 months: expires 2026-02-28 (month end)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (DECIDED - dt.timedelta(days=1), False),  # the day before the decision
        (DECIDED, True),  # on the decision date
        (dt.date(2026, 2, 27), True),  # the day before expires_on
        (dt.date(2026, 2, 28), False),  # on expires_on
        (dt.date(2026, 3, 1), False),
    ],
)
def test_counting_period_boundaries(as_of: dt.date, expected: bool) -> None:
    assert MINOR.expires_on == dt.date(2026, 2, 28)
    assert counts(MINOR, as_of) is expected
    assert score_of([MINOR], as_of)[0] == (590 if expected else 600)


@pytest.mark.parametrize(
    ("status", "suspended", "expected"),
    [
        ("active", False, True),
        ("withdrawn", False, False),
        ("repaired", False, False),
        ("active", True, False),  # objection unanswered: effect suspended
        ("withdrawn", True, False),
    ],
)
def test_status_and_suspension(status: str, suspended: bool, expected: bool) -> None:
    r = rec("LAW_COURT_DEFAULTER", dt.date(2026, 1, 10), status=status, suspended=suspended)
    assert counts(r, AS_OF) is expected
    result = evaluate([r], MODEL, CATALOG, AS_OF)
    assert result.score == (400 if expected else 600)
    assert result.counted == int(expected)
    assert bool(derive_lists([r], MODEL, AS_OF)) is expected


def test_future_dated_records_do_not_count() -> None:
    future = rec("PRO_BLOOD_DONATION", AS_OF + dt.timedelta(days=1))
    today = rec("PRO_BLOOD_DONATION", AS_OF)
    assert score_of([future])[0] == 600
    assert score_of([future, today])[0] == 610
    assert evaluate([future], MODEL, CATALOG, AS_OF).raising == ()


def test_each_record_counts_for_exactly_its_maximum_period() -> None:
    for t in CATALOG.types.values():
        r = rec(t.code, dt.date(2025, 1, 31))
        assert r.expires_on == add_months(dt.date(2025, 1, 31), t.max_months)
        assert counts(r, r.expires_on - dt.timedelta(days=1)) is (t.max_months > 0), t.code
        assert not counts(r, r.expires_on), t.code


# --- reasons ------------------------------------------------------------------------------


def test_lowering_and_raising_reasons_are_ordered_and_limited_to_three() -> None:
    records = [
        rec("LAW_PENALTY_MINOR", record_id=1),  # −10
        rec("LAW_COURT_DEFAULTER", record_id=2),  # −200
        rec("PUB_UTILITY_ARREARS", record_id=3),  # −15
        rec("OCC_TAXI_COMPLAINT", record_id=4),  # −10 (tie with 1: lower id first)
        rec("LAW_TAX_ARREARS", record_id=5),  # −60
        rec("PRO_BLOOD_DONATION", record_id=6),  # +10
        rec("PRO_HONOUR_MORAL_MODEL", record_id=7),  # +80
        rec("PRO_VOLUNTEER_10H", record_id=8),  # +5
        rec("IDN_INFO_COMPLETE", record_id=9),  # +15
        rec("PRO_BLOOD_DONATION", record_id=10),  # +10 (tie with 6)
        rec("LAW_PENALTY_SERIOUS", record_id=11, status="withdrawn"),  # does not count
        rec("PRO_HONOUR_INTEGRITY_STAR", record_id=12, suspended=True),  # does not count
    ]
    result = evaluate(records, MODEL, CATALOG, AS_OF)
    assert [r.id for r in result.lowering] == [2, 5, 3]
    assert [r.id for r in result.raising] == [7, 9, 6]
    assert result.counted == 10
    top_one = evaluate(records, MODEL, CATALOG, AS_OF, top=1)
    assert [r.id for r in top_one.lowering] == [2] and [r.id for r in top_one.raising] == [7]
    everything = evaluate(records, MODEL, CATALOG, AS_OF, top=10)
    assert [r.id for r in everything.lowering] == [2, 5, 3, 1, 4]
    assert [r.id for r in everything.raising] == [7, 9, 6, 10, 8]


# --- suggestions --------------------------------------------------------------------------


def _suggestions(records: list[RecordFacts], as_of: dt.date = AS_OF) -> list[tuple]:
    return [
        (s.kind, s.type_code, s.record_id, s.available_from, s.points)
        for s in evaluate(records, MODEL, CATALOG, as_of).suggestions
    ]


def test_repair_now_versus_later_by_repairable_from() -> None:
    old = rec(
        "LAW_PENALTY_GENERAL", dt.date(2026, 1, 10), record_id=1
    )  # repairable from 2026-04-10
    new = rec("LAW_PENALTY_SERIOUS", dt.date(2026, 5, 1), record_id=2)  # repairable from 2027-05-01
    minor = rec("LAW_PENALTY_MINOR", dt.date(2026, 6, 1), record_id=3)  # min 0: repairable at once
    repairs = [s for s in _suggestions([old, new, minor]) if s[0] != "earn"]
    assert repairs == [
        ("repair_later", "LAW_PENALTY_SERIOUS", 2, dt.date(2027, 5, 1), 100),  # biggest first
        ("repair", "LAW_PENALTY_GENERAL", 1, dt.date(2026, 4, 10), 40),
        ("repair", "LAW_PENALTY_MINOR", 3, dt.date(2026, 6, 1), 10),
    ]
    # On the day it becomes repairable, "later" turns into "now"; the day before it does not.
    kinds = {s[2]: s[0] for s in _suggestions([new], dt.date(2027, 5, 1)) if s[0] != "earn"}
    assert kinds == {2: "repair"}
    kinds = {s[2]: s[0] for s in _suggestions([new], dt.date(2027, 4, 30)) if s[0] != "earn"}
    assert kinds == {2: "repair_later"}


def test_repair_is_suggested_only_for_repairable_types() -> None:
    r = rec("LAW_PENALTY_GENERAL", dt.date(2026, 1, 10), record_id=1)
    types = dict(CATALOG.types)
    types["LAW_PENALTY_GENERAL"] = dataclasses.replace(
        types["LAW_PENALTY_GENERAL"], repairable=False
    )
    strict = dataclasses.replace(CATALOG, types=types)
    kinds = [s.kind for s in evaluate([r], MODEL, strict, AS_OF).suggestions]
    assert "repair" not in kinds and "repair_later" not in kinds
    assert "repair" in [s.kind for s in evaluate([r], MODEL, CATALOG, AS_OF).suggestions]


def test_repair_suggestion_shows_what_the_score_would_actually_gain() -> None:
    # Law at −400 is clamped to −250: repairing one −200 record lifts it to −200 (+50, not +200).
    a = rec("LAW_COURT_DEFAULTER", dt.date(2026, 1, 10), record_id=1)
    b = rec("LAW_COURT_DEFAULTER", dt.date(2026, 2, 10), record_id=2)
    result = evaluate([a, b], MODEL, CATALOG, AS_OF)
    assert result.score == 350
    assert [(s.record_id, s.points) for s in result.suggestions if s.kind.startswith("repair")] == [
        (1, 50),
        (2, 50),
    ]
    without_a = evaluate([b], MODEL, CATALOG, AS_OF)
    assert without_a.score - result.score == 50


def test_earn_suggestions_with_no_records_prefer_minor_then_points() -> None:
    earn = [s for s in _suggestions([]) if s[0] == "earn"]
    # minor types first, by points (capped by the room left), then code.
    assert earn == [
        ("earn", "PRO_BLOOD_DONATION", None, None, 10),
        ("earn", "PRO_CHARITY_DONATION", None, None, 5),
        ("earn", "PRO_VOLUNTEER_10H", None, None, 5),
    ]


def test_earn_suggestions_only_in_dimensions_with_room() -> None:
    full_pro_social = [rec("PRO_BLOOD_DONATION")] * 15  # 150: full
    earn = [s for s in _suggestions(full_pro_social) if s[0] == "earn"]
    assert earn and all(CATALOG.types[s[1]].dimension != "pro_social" for s in earn)
    assert earn[0][1] == "PUB_UTILITY_ON_TIME"  # the best minor type left (+5)

    # pro_social with 5 points of room: a +10 donation would only add 5.
    almost = [rec("PRO_BLOOD_DONATION")] * 14 + [rec("PRO_VOLUNTEER_10H")]  # 145
    earn = {s[1]: s[4] for s in _suggestions(almost) if s[0] == "earn"}
    assert earn["PRO_BLOOD_DONATION"] == 5
    assert all(
        points <= 5
        for code, points in earn.items()
        if CATALOG.types[code].dimension == "pro_social"
    )

    # Every dimension that can rise is full: nothing to earn.
    maxed = (
        [rec("PRO_BLOOD_DONATION")] * 15
        + [rec("PUB_UTILITY_ON_TIME")] * 20
        + [rec("IDN_REALNAME_VERIFIED"), rec("IDN_INFO_COMPLETE"), rec("IDN_COMMITMENT_SIGNED")]
        + [rec("OCC_GOOD_PRACTICE_AWARD")] * 3
    )
    result = evaluate(maxed, MODEL, CATALOG, AS_OF)
    assert result.score == 950
    assert [s for s in result.suggestions if s.kind == "earn"] == []


def test_earn_suggestions_skip_a_dimension_clamped_at_its_floor() -> None:
    # Public service at −150 (shown as −100): a +5 record would leave it at −100 — no gain.
    arrears = [rec("PUB_HOSPITAL_PAYLATER_DEFAULT")] * 5
    identity_full = [
        rec("IDN_REALNAME_VERIFIED"),
        rec("IDN_INFO_COMPLETE"),
        rec("IDN_COMMITMENT_SIGNED"),
    ]
    pro_full = [rec("PRO_BLOOD_DONATION")] * 15
    occ_full = [rec("OCC_GOOD_PRACTICE_AWARD")] * 3
    full = identity_full + pro_full + occ_full
    result = evaluate(arrears + full, MODEL, CATALOG, AS_OF)
    assert result.breakdown["public_service"] == -100
    assert [s for s in result.suggestions if s.kind == "earn"] == []
    # At −103 only a +5 record gets above the floor, and by 2 points.
    near = [rec("PUB_HOSPITAL_PAYLATER_DEFAULT")] * 3 + [
        rec("PUB_UTILITY_ARREARS"),
        rec("PUB_LIBRARY_ON_TIME"),
    ]
    result = evaluate(near + full, MODEL, CATALOG, AS_OF)
    assert [d.raw for d in result.dimensions if d.code == "public_service"] == [-103]
    assert [(s.type_code, s.points) for s in result.suggestions if s.kind == "earn"] == [
        ("PUB_UTILITY_ON_TIME", 2)
    ]
    after = evaluate([*near, *full, rec("PUB_UTILITY_ON_TIME")], MODEL, CATALOG, AS_OF)
    assert after.score - result.score == 2


def test_every_earn_suggestion_raises_the_score_by_its_points() -> None:
    scenarios = [
        [],
        [rec("PRO_BLOOD_DONATION")] * 14,
        [rec("PUB_UTILITY_ON_TIME")] * 19 + [rec("PRO_BLOOD_DONATION")] * 15,
        [rec("LAW_COURT_DEFAULTER"), rec("PUB_RENT_ARREARS")],
        [rec("OCC_TEACHER_ETHICS")] * 3,
    ]
    for records in scenarios:
        before = evaluate(records, MODEL, CATALOG, AS_OF)
        for s in (s for s in before.suggestions if s.kind == "earn"):
            after = evaluate([*records, rec(s.type_code)], MODEL, CATALOG, AS_OF)
            assert after.score - before.score == s.points > 0, (s, len(records))


# --- rule-derived lists -------------------------------------------------------------------


def test_a_court_defaulter_record_derives_a_black_list_entry() -> None:
    r = rec("LAW_COURT_DEFAULTER", dt.date(2026, 1, 31), record_id=7)
    [entry] = derive_lists([r], MODEL, AS_OF)
    assert (entry.rule_code, entry.list) == ("court_defaulter", "black")
    assert (entry.start, entry.end, entry.record_ids) == (
        dt.date(2026, 1, 31),
        dt.date(2029, 1, 31),
        (7,),
    )
    assert derive_lists([r], MODEL, dt.date(2026, 1, 30)) == []  # before the decision
    assert derive_lists([r], MODEL, dt.date(2029, 1, 31)) == []  # its period is over


@pytest.mark.parametrize(
    ("code", "rule", "kind"),
    [
        ("LAW_TAX_EVASION_MAJOR", "major_tax_violation", "black"),
        ("LAW_WAGE_ARREARS_SERIOUS", "wage_arrears", "black"),
        ("LAW_PENALTY_SERIOUS", "serious_penalty", "gray"),
        ("PRO_HONOUR_MORAL_MODEL", "honour", "red"),
        ("PRO_HONOUR_INTEGRITY_STAR", "honour", "red"),
        ("PRO_GOOD_SAMARITAN", "honour", "red"),
    ],
)
def test_single_record_rules(code: str, rule: str, kind: str) -> None:
    r = rec(code, dt.date(2026, 2, 1))
    [entry] = derive_lists([r], MODEL, AS_OF)
    assert (entry.rule_code, entry.list, entry.start, entry.end) == (
        rule,
        kind,
        r.decision_date,
        r.expires_on,
    )


@pytest.mark.parametrize(
    "code", ["LAW_PENALTY_GENERAL", "LAW_TAX_ARREARS", "PRO_BLOOD_DONATION", "PRO_VOLUNTEER_10H"]
)
def test_records_without_a_rule_derive_nothing(code: str) -> None:
    assert derive_lists([rec(code)], MODEL, AS_OF) == []


def _volunteering(n: int) -> list[RecordFacts]:
    # One every ten days, the oldest first; PRO_VOLUNTEER_10H counts 24 months.
    return [
        rec("PRO_VOLUNTEER_10H", dt.date(2026, 1, 1) + dt.timedelta(days=10 * i), record_id=100 + i)
        for i in range(n)
    ]


def test_sustained_volunteering_needs_ten_records() -> None:
    assert derive_lists(_volunteering(9), MODEL, AS_OF) == []
    ten = _volunteering(10)
    [entry] = derive_lists(ten, MODEL, AS_OF)
    assert (entry.rule_code, entry.list) == ("sustained_volunteering", "red")
    assert entry.start == ten[9].decision_date  # the day the tenth record arrived
    assert entry.end == ten[0].expires_on  # the first expiry leaves nine
    assert entry.record_ids == tuple(r.id for r in ten)
    # Nine of ten counting (one withdrawn): no entry.
    ten[3] = dataclasses.replace(ten[3], status="withdrawn")
    assert derive_lists(ten, MODEL, AS_OF) == []


def test_sustained_volunteering_end_with_more_than_ten_records() -> None:
    twelve = _volunteering(12)
    [entry] = derive_lists(list(reversed(twelve)), MODEL, AS_OF)  # input order does not matter
    assert entry.start == twelve[9].decision_date
    assert entry.end == twelve[2].expires_on  # after three expiries only nine remain
    # The day before that, ten still count; on it, nine.
    assert derive_lists(twelve, MODEL, entry.end - dt.timedelta(days=1))
    assert derive_lists(twelve, MODEL, entry.end) == []


# --- calendar months ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 1, 30), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 28), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 5, 31), 3, dt.date(2026, 8, 31)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
        (dt.date(2028, 2, 29), 48, dt.date(2032, 2, 29)),
        (dt.date(2026, 1, 31), 36, dt.date(2029, 1, 31)),
        (dt.date(2026, 7, 15), 0, dt.date(2026, 7, 15)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 15), -1, dt.date(2025, 12, 15)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


# --- the catalog --------------------------------------------------------------------------

DIMENSIONS = {d.code for d in MODEL.dimensions}
# Where the catalog follows a law with its own periods instead of NDRC Order No. 36's defaults
# (Order 36: "法律、法规另有规定的，从其规定"). Each exception must still deviate, and only here.
PERIOD_EXCEPTIONS = {
    # 《公职人员政务处分法》第八条: sanction periods of 6, 12, 18 and 24 months.
    "OCC_CIVIL_SERVANT_SANCTION": (6, 24),
}


def test_catalog_size_and_coverage() -> None:
    assert CATALOG.version == "2026.1"
    assert len(CATALOG.types) >= 25
    assert {t.dimension for t in CATALOG.types.values()} == DIMENSIONS
    for dimension in DIMENSIONS:
        assert sum(t.dimension == dimension for t in CATALOG.types.values()) >= 3, dimension


@pytest.mark.parametrize("code", sorted(CATALOG.types))
def test_every_record_type_is_complete(code: str) -> None:
    t = CATALOG.types[code]
    assert t.code == code and code.isupper() and " " not in code
    for field in (t.name, t.legal_basis):
        assert set(field) == {"zh-CN", "en"}, code
        assert all(isinstance(v, str) and v.strip() for v in field.values()), code
    assert t.dimension in DIMENSIONS
    assert t.points != 0
    assert t.severity in ("minor", "general", "serious")
    assert 0 <= t.min_months <= t.max_months <= 36
    assert t.max_months > 0
    assert t.departments and t.departments <= set(CATALOG.departments), t.departments - set(
        CATALOG.departments
    )
    dim = next(d for d in MODEL.dimensions if d.code == t.dimension)
    assert dim.min <= t.points <= dim.max  # one record never exceeds its dimension's cap
    if t.points < 0:
        assert t.repairable, "negative records can be repaired (信用修复)"
    else:
        assert not t.repairable


def test_every_department_has_names_in_both_languages() -> None:
    for code, name in CATALOG.departments.items():
        assert set(name) == {"zh-CN", "en"} and all(v.strip() for v in name.values()), code


def test_negative_records_follow_the_order_36_periods() -> None:
    """Minor: at most 3 months; general: 3 months to 1 year; serious: 1 to 3 years."""
    bounds = {"minor": (0, 3), "general": (3, 12), "serious": (12, 36)}
    deviating = {}
    for t in CATALOG.types.values():
        if t.points >= 0:
            continue
        low, high = bounds[t.severity]
        if not (t.min_months >= low and t.max_months <= high):
            deviating[t.code] = (t.min_months, t.max_months)
    assert deviating == PERIOD_EXCEPTIONS
    assert all(m[1] <= 36 for m in deviating.values())
    # Severity follows the weight: every serious record weighs more than every minor one.
    negative = [t for t in CATALOG.types.values() if t.points < 0]
    worst_minor = min(t.points for t in negative if t.severity == "minor")
    mildest_serious = max(t.points for t in negative if t.severity == "serious")
    assert mildest_serious < worst_minor


def test_list_rules_refer_to_catalog_types() -> None:
    for rule in MODEL.list_rules:
        assert rule.types <= set(CATALOG.types), rule.code
        assert rule.list in ("red", "gray", "black") and rule.min_count >= 1
        assert set(rule.legal_basis) == {"zh-CN", "en"}
        positive = {CATALOG.types[c].points > 0 for c in rule.types}
        assert positive == ({True} if rule.list == "red" else {False}), rule.code


def test_suggestions_respect_the_total_floor() -> None:
    """Held at 350 by the total's floor, small positive records move nothing: no such
    'earn' advice; the repairs stay (they lift list effects too), with what they really move."""
    day = dt.date(2026, 6, 1)

    def rec(i: int, code: str, dimension: str, points: int) -> RecordFacts:
        return RecordFacts(
            i, code, dimension, points, day, dt.date(2028, 1, 1), dt.date(2026, 1, 1)
        )

    records = [
        rec(1, "LAW_COURT_DEFAULTER", "law", -200),
        rec(2, "LAW_TAX_EVASION_MAJOR", "law", -150),
        rec(3, "PUB_HOSPITAL_PAYLATER_DEFAULT", "public_service", -30),
        rec(4, "PUB_RENT_ARREARS", "public_service", -25),
        rec(5, "PUB_UTILITY_ARREARS", "public_service", -15),
        rec(6, "PUB_TRANSIT_DEPOSIT_DEFAULT", "public_service", -15),
        rec(7, "PUB_LIBRARY_OVERDUE", "public_service", -10),
        rec(8, "PUB_HOSPITAL_PAYLATER_DEFAULT", "public_service", -30),
        rec(9, "OCC_TEACHER_ETHICS", "occupational", -80),
        rec(10, "OCC_PHYSICIAN_MALPRACTICE", "occupational", -80),
    ]
    result = evaluate(records, load_model(), load_catalog(), dt.date(2026, 7, 1))
    assert result.score == 350  # 600 − 250 − 100 − 150 = 100, held at the floor
    assert [s for s in result.suggestions if s.kind == "earn"] == []
    repairs = [s for s in result.suggestions if s.kind == "repair"]
    assert repairs and all(s.points == 0 for s in repairs)  # one repair alone cannot lift 350
