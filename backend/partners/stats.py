"""Partner figures for the credit office's joint incentive cases (联合奖惩案例): counter
verifications from the audit trail, redemptions and deposits waived."""

from __future__ import annotations

from typing import Any, TypedDict

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from ..core import bulk
from .models import Partner, Redemption
from .states import PartnerStatus

FIGURES = ("redemptions", "waived", "verified", "restricted")


class JointCases(TypedDict):
    """Per partner (approved, or with any figure) and per domain, with the totals."""

    partners: list[dict[str, Any]]
    domains: list[tuple[str, dict[str, int]]]
    totals: dict[str, int]


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


async def redemptions_by_partner() -> dict[int, tuple[int, int]]:
    """Per partner: benefits used and deposits waived (fen) — {partner id: (used, waived)}."""
    used = (
        await Redemption.annotate(n=Count("id"), waived=Sum("deposit_waived_cents"))
        .group_by("partner_id")
        .values("partner_id", "n", "waived")
    )
    return {int(r["partner_id"]): (int(r["n"]), int(r["waived"] or 0)) for r in used}


async def joint_cases() -> JointCases:
    """联合奖惩案例: per partner and per domain, benefits used (redemptions, deposits waived)
    and verifications where a list restriction applied."""
    used = await redemptions_by_partner()
    checks = await pass_verifications_by_partner()
    ids = set(used) | set(checks)
    partners = await Partner.filter(
        Q(status=PartnerStatus.APPROVED) | Q(id__in=sorted(ids) or [0])
    ).order_by("domain", "name")
    rows = []
    domains: dict[str, dict[str, int]] = {}
    for p in partners:
        n, waived = used.get(p.id, (0, 0))
        verified, restricted = checks.get(p.id, (0, 0))
        row = {"redemptions": n, "waived": waived, "verified": verified, "restricted": restricted}
        rows.append({"partner": p, **row})
        total = domains.setdefault(p.domain, dict.fromkeys(row, 0))
        for k, v in row.items():
            total[k] += v
    totals = {k: sum(d[k] for d in domains.values()) for k in FIGURES}
    return {"partners": rows, "domains": sorted(domains.items()), "totals": totals}
