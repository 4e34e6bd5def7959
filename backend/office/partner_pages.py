"""The credit office's partner page (/office/partners): applications to join, offers waiting
for approval, and the joint incentive cases (联合奖惩案例). HTTP only: the decisions are the
partner workflows' (`partners.joining`, `partners.offers`), the figures `partners.stats`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..core import clock
from ..core.errors import Conflict, ValidationFailed
from ..core.forms import decision, path_id, redirect
from ..core.permissions import Permission
from ..core.routing import page, principal_of, requires
from ..core.templating import render
from ..partners import joining, offboarding, offers, present

OFFICE_DONE = ("partner_rejected", "offer_approved", "offer_rejected", "disabled")


async def _office(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    queue = await joining.approval_queue()
    done = request.query_params.get("done", "")
    data = {
        "fmt": present,
        "Permission": Permission,
        "today": clock.today(),
        "current": "partners",
        "applications": queue.applications,
        "pending": queue.pending,
        "cases": queue.cases,
        "partners_approved": await offboarding.approved_partners(),
        "done": done if done in OFFICE_DONE else "",
        "approved": None,
        "error": None,
    }
    return render(request, "partners/office.html", {**data, **context}, status=status)


async def office_page(request: Request) -> Response:
    return await _office(request, {})


async def decide_partner_page(request: Request) -> Response:
    try:
        approve = decision(await request.form())
        partner, code = await joining.decide_partner(
            officer=principal_of(request),
            partner_id=path_id(request, "partner_id"),
            approve=approve,
        )
    except (ValidationFailed, Conflict) as exc:
        return await _office(request, {"error": exc.extra.get("reason") or "decision"}, exc.status)
    if not approve:
        return redirect("/office/partners?done=partner_rejected")
    return await _office(request, {"approved": {"partner": partner, "code": code}})


async def decide_offer_page(request: Request) -> Response:
    try:
        approve = decision(await request.form())
        await offers.decide_offer(
            officer=principal_of(request), offer_id=path_id(request, "offer_id"), approve=approve
        )
    except (ValidationFailed, Conflict) as exc:
        return await _office(request, {"error": exc.extra.get("reason") or "decision"}, exc.status)
    return redirect(f"/office/partners?done=offer_{'approved' if approve else 'rejected'}")


S = Permission
routes = [
    page("/office/partners", office_page, name="office_partners",
         access=requires(S.PARTNERS_APPROVE)),
    page("/office/partners/{partner_id:int}/decision", decide_partner_page,
         name="office_partner_decision", methods=("POST",), access=requires(S.PARTNERS_APPROVE)),
    page("/office/partners/offers/{offer_id:int}/decision", decide_offer_page,
         name="office_offer_decision", methods=("POST",), access=requires(S.PARTNERS_APPROVE)),
]  # fmt: skip
