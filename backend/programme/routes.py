"""HTTP for the programme: the honour roll API and its consent, the campaigns calendar, and
the public pages (/credit, /honours, /campaigns) in the residents' chrome. HTTP only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.errors import NotFound
from ..core.http import json_ok, parse_json, path_int, query_of
from ..core.permissions import Permission
from ..core.routing import PUBLIC, api, page, principal_of, requires
from ..core.templating import render
from ..credit import records
from . import campaigns, honours, schemas

NO_STORE = {"cache-control": "no-store"}  # a withdrawn consent leaves the roll at once
MANAGE = requires(Permission.PROGRAMME_MANAGE)
MINE = requires(Permission.CASES_SELF)


def _person_id(request: Request) -> int:
    principal = principal_of(request)
    if principal.person_id is None:
        raise NotFound("this account has no entry in the population register")
    return principal.person_id


async def list_honour_roll(request: Request) -> Response:
    query = query_of(request, schemas.HonourRollQuery)
    roll = await honours.honour_roll(
        city=ctx(request).city, year=query.year, district=query.district
    )
    return json_ok(roll, headers=NO_STORE)


async def nominate_honour(request: Request) -> Response:
    body = await parse_json(request, schemas.NominateHonour)
    entry = await honours.nominate_honour(officer=principal_of(request), **body.model_dump())
    return json_ok({"id": entry.id, "status": entry.status, "consent": entry.consent}, 201)


async def approve_honour(request: Request) -> Response:
    body = await parse_json(request, schemas.DecideHonour)
    entry = await honours.approve_honour(
        officer=principal_of(request), entry_id=path_int(request, "entry_id"), approve=body.approve
    )
    return json_ok({"id": entry.id, "status": entry.status, "consent": entry.consent})


async def list_my_honours(request: Request) -> Response:
    return json_ok({"items": await honours.my_honours(person_id=_person_id(request))})


async def set_my_honour_consent(request: Request) -> Response:
    body = await parse_json(request, schemas.HonourConsentBody)
    entry = await honours.set_my_honour_consent(
        resident=principal_of(request),
        entry_id=path_int(request, "entry_id"),
        consent=body.consent,
    )
    return json_ok(honours.describe_mine(entry))


async def list_campaigns(request: Request) -> Response:
    query = query_of(request, schemas.CampaignsQuery)
    return json_ok(await campaigns.calendar(year=query.year), headers=NO_STORE)


async def create_campaign(request: Request) -> Response:
    body = await parse_json(request, schemas.CampaignBody)
    campaign = await campaigns.create_campaign(
        officer=principal_of(request), fields=body.model_dump()
    )
    return json_ok(campaigns.describe(campaign), 201)


async def update_campaign(request: Request) -> Response:
    body = await parse_json(request, schemas.CampaignBody)
    campaign = await campaigns.update_campaign(
        officer=principal_of(request),
        campaign_id=path_int(request, "campaign_id"),
        fields=body.model_dump(),
    )
    return json_ok(campaigns.describe(campaign))


async def honours_page(request: Request) -> Response:
    query = query_of(request, schemas.HonourRollQuery)
    roll = await honours.honour_roll(
        city=ctx(request).city, year=query.year, district=query.district
    )
    response = render(
        request,
        "programme/honours.html",
        {"roll": roll, "year": query.year, "district": query.district or ""},
    )
    response.headers.update(NO_STORE)
    return response


async def campaigns_page(request: Request) -> Response:
    query = query_of(request, schemas.CampaignsQuery)
    data = await campaigns.calendar(year=query.year)
    return render(request, "programme/campaigns.html", {"data": data, "year": query.year})


async def portal_page(request: Request) -> Response:
    data = await campaigns.calendar(year=None)
    upcoming = [c for c in data["items"] if c["ends_on"] >= data["today"]][:5]
    return render(
        request,
        "programme/portal.html",
        {"upcoming": upcoming, "rules": records.scoring_rules(), "measures": data["measures"]},
    )


ENTRY = "/api/v1/honours/{entry_id}"
routes = [
    api("GET", "/api/v1/honour-roll", list_honour_roll, operation_id="listHonourRoll",
        summary="The public honour roll: consented entries by year and district",
        tag="programme", access=PUBLIC, query=schemas.HonourRollQuery),
    api("POST", "/api/v1/honours", nominate_honour, operation_id="nominateHonour",
        summary="Nominate a resident for 诚信之星 or 道德模范 (first pair of eyes)",
        tag="programme", access=MANAGE, body=schemas.NominateHonour, status=201),
    api("POST", f"{ENTRY}/decision", approve_honour, operation_id="approveHonour",
        summary="Approve or reject another officer's nomination (second pair of eyes)",
        tag="programme", access=MANAGE, body=schemas.DecideHonour),
    api("GET", "/api/v1/me/honours", list_my_honours, operation_id="listMyHonours",
        summary="My approved honours and whether I agreed to publish them",
        tag="programme", access=MINE),
    api("PUT", "/api/v1/me/honours/{entry_id}/consent", set_my_honour_consent,
        operation_id="setMyHonourConsent",
        summary="Agree to publish an honour, decline it, or withdraw consent at any time",
        tag="programme", access=MINE, body=schemas.HonourConsentBody),
    api("GET", "/api/v1/campaigns", list_campaigns, operation_id="listCampaigns",
        summary="The campaigns calendar and the incentive measures in force",
        tag="programme", access=PUBLIC, query=schemas.CampaignsQuery),
    api("POST", "/api/v1/campaigns", create_campaign, operation_id="createCampaign",
        summary="Put a campaign on the public calendar", tag="programme", access=MANAGE,
        body=schemas.CampaignBody, status=201),
    api("PUT", "/api/v1/campaigns/{campaign_id}", update_campaign,
        operation_id="updateCampaign", summary="Change or cancel a campaign",
        tag="programme", access=MANAGE, body=schemas.CampaignBody),
    page("/credit", portal_page, name="credit_portal", access=PUBLIC),
    page("/honours", honours_page, name="honours", access=PUBLIC),
    page("/campaigns", campaigns_page, name="campaigns", access=PUBLIC),
]  # fmt: skip
