"""A partner with live offers and an API key, set up over HTTP against a running server the
way a real library would join (tests/passes/test_pass_flow.py::setup_partner, but sync)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.authenticator import SoftAuthenticator

SCOPES = ["passes.verify", "redemptions.create", "redemptions.report", "offers.read"]


def _csrf(client: httpx.Client) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies.get("xinyi_csrf", "")}


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


def enrol_with_code(client: httpx.Client, code: str) -> dict[str, Any]:
    """A staff member's first sign-in: the one-time code, then a (software) passkey."""
    auth = SoftAuthenticator(origin=str(client.base_url).rstrip("/"))
    options = _ok(client.post("/api/v1/enrolment/start", json={"enrolment_code": code}))
    return _ok(client.post("/api/v1/enrolment/finish", json=auth.create(options)))


def join_partner(
    officer: httpx.Client, admin: httpx.Client, *, name: str, domain: str, contact: str, phone: str
) -> dict[str, Any]:
    """A partner applies over the API, the credit officer (signed in on `officer`) approves it,
    and its admin enrols on `admin` with the code the decision hands over."""
    applied = _ok(
        officer.post(
            "/api/v1/partner-applications",
            json={"name": name, "domain": domain, "contact_name": contact, "contact_phone": phone},
        ),
        201,
    )
    decided = _ok(
        officer.post(f"/api/v1/partners/{applied['id']}/decision", json={"approve": True},
                     headers=_csrf(officer))
    )  # fmt: skip
    enrol_with_code(admin, decided["admin_enrolment_code"])
    return decided


def offer_body(title_zh: str, title_en: str, **terms: Any) -> dict[str, Any]:
    today = dt.date.today()
    return {
        "title_zh": title_zh,
        "title_en": title_en,
        "kind": "deposit_waived",
        "amount_cents": 10000,
        "min_tier": "good",
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=365)).isoformat(),
        **terms,
    }


@dataclass
class Partner:
    base_url: str
    key: str
    offers: dict[str, int] = field(default_factory=dict)  # title_en → offer id

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.key}"}, timeout=10
        )

    def verify(self, text: str) -> dict[str, Any]:
        with self.client() as counter:
            return _ok(counter.post("/api/v1/passes/verify", json={"text": text}))

    def redeem(self, text: str, offer_id: int, key: str) -> dict[str, Any]:
        with self.client() as counter:
            return _ok(
                counter.post(
                    "/api/v1/redemptions",
                    json={"text": text, "offer_id": offer_id, "idempotency_key": key},
                ),
                201,
            )


def setup_partner(
    base_url: str,
    officer_code: str,
    *,
    name: str = "黄石市图书馆",
    domain: str = "library",
    offers: list[dict[str, Any]] | None = None,
    officer: httpx.Client | None = None,
) -> Partner:
    """Apply, approve (the credit officer), enrol the partner's admin, register offers, have
    them approved, and make an API key. Pass `officer` to reuse a signed-in officer."""
    own_officer = officer is None
    officer = officer or httpx.Client(base_url=base_url, timeout=10)
    try:
        if own_officer:
            enrol_with_code(officer, officer_code)
        applied = _ok(
            officer.post(
                "/api/v1/partner-applications",
                json={"name": name, "domain": domain, "contact_name": "郑馆长",
                      "contact_phone": "0714-6222222"},
            ),
            201,
        )  # fmt: skip
        decided = _ok(
            officer.post(f"/api/v1/partners/{applied['id']}/decision", json={"approve": True},
                         headers=_csrf(officer))
        )  # fmt: skip
        with httpx.Client(base_url=base_url, timeout=10) as admin:
            enrol_with_code(admin, decided["admin_enrolment_code"])
            made: dict[str, int] = {}
            for body in offers or [offer_body("免押金借阅", "Deposit-free borrowing")]:
                offer = _ok(
                    admin.post("/api/v1/partner/offers", json=body, headers=_csrf(admin)), 201
                )
                approved = _ok(
                    officer.post(f"/api/v1/offers/{offer['id']}/decision", json={"approve": True},
                                 headers=_csrf(officer))
                )  # fmt: skip
                assert approved["status"] == "live", approved
                made[body["title_en"]] = offer["id"]
            key = _ok(
                admin.post("/api/v1/partner/keys", json={"label": "counter", "scopes": SCOPES},
                           headers=_csrf(admin)),
                201,
            )  # fmt: skip
        return Partner(base_url, key["key"], made)
    finally:
        if own_officer:
            officer.close()
