"""Bodies of the programme API: every bound here is the bound the service keeps."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..core.http import ID_MAX
from .models import HonourTitle

YEAR_MIN, YEAR_MAX = 2000, 2100


class NominateHonour(BaseModel):
    """nominateHonour: one person, one title, one year, and the citation shown if published."""

    model_config = ConfigDict(extra="forbid")
    person_id: int = Field(ge=1, le=ID_MAX)
    title: HonourTitle
    year: int = Field(ge=YEAR_MIN, le=YEAR_MAX)
    citation_zh: str = Field(min_length=2, max_length=120)
    citation_en: str = Field(default="", max_length=200)
    record_id: int | None = Field(default=None, ge=1, le=ID_MAX)


class DecideHonour(BaseModel):
    """approveHonour: approve (true) or reject (false) another officer's nomination."""

    model_config = ConfigDict(extra="forbid")
    approve: bool = True


class HonourConsentBody(BaseModel):
    """setMyHonourConsent: true publishes (once approved), false declines or withdraws."""

    model_config = ConfigDict(extra="forbid")
    consent: bool


class HonourRollQuery(BaseModel):
    """listHonourRoll: one year and/or one district (a district code of the city)."""

    year: int | None = Field(default=None, ge=YEAR_MIN, le=YEAR_MAX)
    district: str | None = Field(default=None, min_length=6, max_length=6, pattern=r"^\d{6}$")


class CampaignBody(BaseModel):
    """createCampaign / updateCampaign: dates inclusive, at most a year long."""

    model_config = ConfigDict(extra="forbid")
    title_zh: str = Field(min_length=2, max_length=60)
    title_en: str = Field(min_length=2, max_length=120)
    description_zh: str = Field(default="", max_length=500)
    description_en: str = Field(default="", max_length=1000)
    starts_on: dt.date
    ends_on: dt.date
    departments: list[Annotated[str, Field(max_length=32)]] = Field(
        default_factory=list, max_length=12, description="catalog department codes"
    )
    cancelled: bool = False


class CampaignsQuery(BaseModel):
    """listCampaigns: one calendar year (default: all scheduled, newest last)."""

    year: int | None = Field(default=None, ge=YEAR_MIN, le=YEAR_MAX)
