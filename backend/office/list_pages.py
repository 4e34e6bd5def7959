"""The console's list pages (四眼原则): a proposal from the person page, the review queue, and
the decision, lifting and lifting-approval forms. HTTP only: parse the form, call one use
case, render; a refused step shows the queue again with its named reason."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.clock import today
from ..core.errors import XinyiError
from ..core.forms import date, decision, path_id, redirect, text
from ..core.permissions import Permission
from ..core.routing import page, principal_of, requires
from ..credit import lists
from . import list_review, present
from .pages import office_page

PROPOSAL_FIELDS = ("list", "reason", "legal_basis", "decision_doc_no", "start", "end", "purpose")
LIST_OUTCOMES = ("proposed", "approved", "rejected", "lift_proposed", "lifted")


async def propose_page(request: Request) -> Response:
    form = await request.form()
    values = {k: text(form, k, 500) for k in PROPOSAL_FIELDS}
    proposal = await list_review.propose_entry(
        officer=principal_of(request),
        person_id=path_id(request, "person_id"),
        kind=values["list"],
        reason=values["reason"],
        legal_basis=values["legal_basis"][:300],
        decision_doc_no=values["decision_doc_no"][:64],
        start=date(form, "start"),
        end=date(form, "end"),
        purpose=values["purpose"][:200],
    )
    if proposal.entry is not None:
        return redirect(f"/office/lists?done=proposed&entry={proposal.entry.id}")
    assert proposal.refused is not None
    return office_page(
        request,
        "office/propose.html",
        {
            "person": proposal.person,
            "form": values,
            "errors": present.field_problems(proposal.refused),
            "today": today(),
            "kinds": lists.KINDS,
            "purpose": values["purpose"],
        },
        status=proposal.refused.status,
    )


async def _lists(request: Request, error: XinyiError | None = None) -> Response:
    review = await list_review.review_lists(officer=principal_of(request))
    done = request.query_params.get("done", "")
    entry = request.query_params.get("entry", "")
    message = present.list_error(error) if error is not None else None
    if message == "office.lists.error.four_eyes":
        # The real reason: the officer's own proposal, or accounts made through one another.
        refused = request.path_params.get("entry_id")
        items = [*review.proposals, *review.lifts]
        if not any(i.mine for i in items if i.entry.id == refused):
            message = "office.lists.error.not_independent"
    return office_page(
        request,
        "office/lists.html",
        {
            "review": review,
            "done": done if done in LIST_OUTCOMES else "",
            "entry": entry if entry.isdigit() else "",
            "message": message,
            "limit": list_review.REVIEW_LIMIT,
        },
        status=error.status if error else 200,
    )


async def lists_page(request: Request) -> Response:
    return await _lists(request)


async def decide_page(request: Request) -> Response:
    try:
        approve = decision(await request.form())
        await lists.decide(
            officer=principal_of(request), entry_id=path_id(request, "entry_id"), approve=approve
        )
    except XinyiError as exc:
        return await _lists(request, exc)
    return redirect("/office/lists?done=" + ("approved" if approve else "rejected"))


async def lift_page(request: Request) -> Response:
    form = await request.form()
    try:
        await lists.propose_lift(
            officer=principal_of(request),
            entry_id=path_id(request, "entry_id"),
            reason=text(form, "reason", 500),
        )
    except XinyiError as exc:
        return await _lists(request, exc)
    return redirect("/office/lists?done=lift_proposed")


async def approve_lift_page(request: Request) -> Response:
    try:
        await lists.approve_lift(
            officer=principal_of(request), entry_id=path_id(request, "entry_id")
        )
    except XinyiError as exc:
        return await _lists(request, exc)
    return redirect("/office/lists?done=lifted")


LISTS = requires(Permission.LISTS_MANAGE)
routes = [
    page(
        "/office/people/{person_id:int}/list-entries",
        propose_page,
        name="office_propose",
        methods=("POST",),
        access=LISTS,
    ),
    page("/office/lists", lists_page, name="office_lists", access=LISTS),
    page(
        "/office/lists/{entry_id:int}/decision",
        decide_page,
        name="office_list_decision",
        methods=("POST",),
        access=LISTS,
    ),
    page(
        "/office/lists/{entry_id:int}/lift",
        lift_page,
        name="office_list_lift",
        methods=("POST",),
        access=LISTS,
    ),
    page(
        "/office/lists/{entry_id:int}/lift/approve",
        approve_lift_page,
        name="office_list_lift_approve",
        methods=("POST",),
        access=LISTS,
    ),
]
