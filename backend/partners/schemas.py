"""Bodies of the partner API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.http import ID_MAX, INT_MAX
from ..credit.catalog import load_model
from .eligibility import DOMAINS


class OffersQuery(BaseModel):
    """browseOffers: only the offers of this domain (library, hospital, …)."""

    domain: str | None = Field(default=None, max_length=24)


class PartnersQuery(BaseModel):
    """listPartners: only the partners in this state (applied, approved, …)."""

    status: str | None = Field(default=None, max_length=12)


class VerifyPass(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000, description="the scanned QR text")
    offer_id: int | None = Field(default=None, ge=1, le=ID_MAX)


class CreateRedemption(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    offer_id: int = Field(ge=1, le=ID_MAX)
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=64)


class ReportOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(pattern="^(fulfilled|defaulted)$")
    notice_sent_on: dt.date | None = None


class PartnerApplication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=128)
    domain: str = Field(max_length=24)
    contact_name: str = Field(min_length=1, max_length=64)
    contact_phone: str = Field(min_length=5, max_length=32, pattern=r"^[0-9+\- ]+$")
    address: str = Field(default="", max_length=200)

    @field_validator("domain")
    @classmethod
    def _known_domain(cls, value: str) -> str:
        # A validator, not an enum: the published schema stays a plain string.
        if value not in DOMAINS:
            raise ValueError(f"one of {', '.join(DOMAINS)}")
        return value


class NewOffer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title_zh: str = Field(min_length=1, max_length=100)
    title_en: str = Field(min_length=1, max_length=100)
    description_zh: str = Field(default="", max_length=500)
    description_en: str = Field(default="", max_length=500)
    kind: str = Field(pattern="^(deposit_waived|pay_later|priority|discount)$")
    amount_cents: int = Field(default=0, ge=0, le=100_000_000)
    discount_percent: int = Field(default=0, ge=0, le=100)
    limit_note_zh: str = Field(default="", max_length=100)
    limit_note_en: str = Field(default="", max_length=100)
    min_tier: str = Field(default="good", pattern=f"^({'|'.join(load_model().tier_codes())})$")
    excluded_lists: list[Annotated[str, Field(max_length=8)]] = Field(
        default_factory=lambda: ["black"], max_length=3
    )
    required_lists: list[Annotated[str, Field(max_length=8)]] = Field(
        default_factory=list,
        max_length=1,
        description='lists a resident must be on: ["red"] for a red-list only benefit',
    )
    quota: int | None = Field(default=None, ge=1, le=INT_MAX)
    grace_days: int = Field(default=30, ge=0, le=365)
    per_person_limit: int | None = Field(
        default=None, ge=1, le=1000, description="uses per person (none: no limit of its own)"
    )
    per_person_period: str = Field(
        default="ever",
        pattern="^(ever|day|month|open)$",
        description="ever; a day; a calendar month; open: at most N not yet returned",
    )
    valid_from: dt.date
    valid_until: dt.date


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(default="", max_length=100)
    scopes: list[Annotated[str, Field(max_length=32)]] = Field(min_length=1, max_length=4)


class NewOperator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str = Field(min_length=1, max_length=64)
    role: str = Field(default="counter_operator", pattern="^(counter_operator|partner_admin)$")
