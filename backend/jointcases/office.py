"""The credit office's view of joint cases: the counter uses rolled up first, then the counts
by list × measure × organisation × month and one page of the matching cases; an export is on
the audit trail with its filters."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..audit import service as audit
from ..core.principal import Principal
from ..credit.catalog import load_catalog
from ..partners.models import Partner
from . import rollup, service
from .models import JointCase


@dataclass(frozen=True)
class Summary:
    counts: list[service.Count]
    total: int
    items: list[JointCase]


async def summary(*, filters: service.Filters, offset: int = 0) -> Summary:
    await rollup.roll_up()
    counts = await service.counts(filters=filters)
    items, total = await service.page_of(filters=filters, offset=offset)
    return Summary(counts, total, items)


async def exported(*, officer: Principal, filters: service.Filters, form: str) -> None:
    """Audited before the first byte: who exported which cases, in which format."""
    await rollup.roll_up()
    await audit.record(
        action="joint_cases.exported",
        actor=officer,
        details={"format": form, **{k: v for k, v in asdict(filters).items() if v}},
    )


async def organisation_names(codes: set[str]) -> dict[str, dict[str, str]]:
    """Display names of departments (the catalog's) and partners (their own name)."""
    departments = load_catalog().departments
    ids = sorted(int(c.removeprefix("partner:")) for c in codes if c.startswith("partner:"))
    partners = dict(await Partner.filter(id__in=ids).values_list("id", "name")) if ids else {}
    out: dict[str, dict[str, str]] = {}
    for code in codes:
        if code.startswith("partner:"):
            name = str(partners.get(int(code.removeprefix("partner:")), code))
            out[code] = {"zh-CN": name, "en": name}
        else:
            out[code] = departments.get(code, {"zh-CN": code, "en": code})
    return out
