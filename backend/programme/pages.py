"""The console's programme pages: honour nominations and their four-eyes decision, and the
campaigns calendar (create, edit, cancel). HTTP only: read the form into the same schema the
API uses, call one use case, render; a refused form shows the page again with its reason."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.errors import ValidationFailed, XinyiError
from ..core.forms import decision, path_id, redirect, text, texts
from ..core.http import pydantic_errors
from ..core.permissions import Permission
from ..core.routing import page, principal_of, requires
from ..credit.catalog import load_catalog
from ..office.pages import office_page
from ..office.people import find_person
from . import campaigns, honours, schemas
from .models import HonourTitle

MANAGE = requires(Permission.PROGRAMME_MANAGE)
HONOUR_FIELDS = ("id_number", "title", "year", "citation_zh", "citation_en", "record_id")
CAMPAIGN_FIELDS = (
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "starts_on",
    "ends_on",
)
M = TypeVar("M", bound=BaseModel)
DONE = ("nominated", "approved", "rejected", "created", "updated")


def _validated(model: type[M], values: dict[str, Any]) -> M:
    try:
        return model.model_validate({k: v for k, v in values.items() if v not in ("", None)})
    except ValidationError as exc:
        raise ValidationFailed("the form has invalid fields", errors=pydantic_errors(exc)) from None


def _message(error: XinyiError) -> str:
    reason = str(error.extra.get("reason", "")) or error.code
    return f"programme.office.error.{reason}"


async def _honours(
    request: Request, error: XinyiError | None = None, form: dict[str, str] | None = None
) -> Response:
    officer = principal_of(request)
    review = await honours.review_honours(officer=officer)
    done = request.query_params.get("done", "")
    return office_page(
        request,
        "programme/office_honours.html",
        {
            "review": review,
            "titles": list(HonourTitle),
            "form": form or {},
            "done": done if done in DONE else "",
            "message": _message(error) if error else "",
            "problems": [str(e.get("field", "")) for e in error.errors] if error else [],
        },
        status=error.status if error else 200,
    )


async def honours_page(request: Request) -> Response:
    return await _honours(request)


async def nominate_page(request: Request) -> Response:
    form = await request.form()
    values = {k: text(form, k, 200) for k in HONOUR_FIELDS}
    try:
        # The officer types the ID number from the decision; the API takes the register id.
        person = await find_person(cipher=ctx(request).cipher, id_number=values["id_number"])
        fields = {k: v for k, v in values.items() if k != "id_number"}
        body = _validated(schemas.NominateHonour, {**fields, "person_id": person.id})
        await honours.nominate_honour(officer=principal_of(request), **body.model_dump())
    except XinyiError as error:
        return await _honours(request, error, values)
    return redirect("/office/honours?done=nominated")


async def decide_page(request: Request) -> Response:
    form = await request.form()
    try:
        approve = decision(form)
        await honours.approve_honour(
            officer=principal_of(request), entry_id=path_id(request, "entry_id"), approve=approve
        )
    except XinyiError as error:
        return await _honours(request, error)
    return redirect(f"/office/honours?done={'approved' if approve else 'rejected'}")


async def _campaigns(
    request: Request, error: XinyiError | None = None, form: dict[str, Any] | None = None
) -> Response:
    done = request.query_params.get("done", "")
    return office_page(
        request,
        "programme/office_campaigns.html",
        {
            "items": [campaigns.describe(c) for c in await campaigns.campaigns(year=None)],
            "departments": load_catalog().departments,
            "form": form or {},
            "done": done if done in DONE else "",
            "message": _message(error) if error else "",
            "problems": [str(e.get("field", "")) for e in error.errors] if error else [],
        },
        status=error.status if error else 200,
    )


async def campaigns_page(request: Request) -> Response:
    return await _campaigns(request)


async def _campaign_form(request: Request) -> tuple[dict[str, Any], schemas.CampaignBody]:
    form = await request.form()
    values: dict[str, Any] = {k: text(form, k, 1000) for k in CAMPAIGN_FIELDS}
    values["departments"] = texts(form, "departments")[:20]
    values["cancelled"] = text(form, "cancelled", 8) == "yes"
    return values, _validated(schemas.CampaignBody, values)


async def create_campaign_page(request: Request) -> Response:
    values: dict[str, Any] = {}
    try:
        values, body = await _campaign_form(request)
        await campaigns.create_campaign(officer=principal_of(request), fields=body.model_dump())
    except XinyiError as error:
        return await _campaigns(request, error, values)
    return redirect("/office/campaigns?done=created")


async def update_campaign_page(request: Request) -> Response:
    values: dict[str, Any] = {}
    try:
        values, body = await _campaign_form(request)
        await campaigns.update_campaign(
            officer=principal_of(request),
            campaign_id=path_id(request, "campaign_id"),
            fields=body.model_dump(),
        )
    except XinyiError as error:
        return await _campaigns(request, error, values)
    return redirect("/office/campaigns?done=updated")


routes = [
    page("/office/honours", honours_page, name="office_honours", access=MANAGE),
    page("/office/honours", nominate_page, name="office_honours_nominate", access=MANAGE,
         methods=("POST",)),
    page("/office/honours/{entry_id:int}/decision", decide_page, name="office_honours_decide",
         access=MANAGE, methods=("POST",)),
    page("/office/campaigns", campaigns_page, name="office_campaigns", access=MANAGE),
    page("/office/campaigns", create_campaign_page, name="office_campaigns_create",
         access=MANAGE, methods=("POST",)),
    page("/office/campaigns/{campaign_id:int}", update_campaign_page,
         name="office_campaigns_update", access=MANAGE, methods=("POST",)),
]  # fmt: skip
