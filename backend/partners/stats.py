"""Partner figures for the credit office's joint incentive cases (联合奖惩案例): counter
verifications from the audit trail, redemptions and deposits waived."""

from __future__ import annotations

from ..core import bulk


async def pass_verifications_by_partner() -> dict[int, tuple[int, int]]:
    """Per partner: pass verifications ("pass.verified" audit entries) and how many of them
    applied a list restriction (details.restriction_applied) — {partner id: (all, restricted)}."""
    if bulk.dialect() == "postgres":
        partner = """("details"->>'partner')"""
        restricted = """("details"->>'restriction_applied') = 'true'"""
    else:
        partner = """json_extract("details", '$.partner')"""
        restricted = """json_extract("details", '$.restriction_applied') = 1"""
    rows = await bulk.fetch(
        f'SELECT {partner} AS "k", COUNT(*) AS "n", '
        f'SUM(CASE WHEN {restricted} THEN 1 ELSE 0 END) AS "r" '
        f'FROM "audit_entry" WHERE "action" = ? GROUP BY {partner}',
        ["pass.verified"],
    )
    return {
        int(r["k"]): (int(r["n"]), int(r["r"] or 0))
        for r in rows
        if r["k"] is not None and str(r["k"]).isdigit()
    }
