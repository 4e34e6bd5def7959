"""Request bodies of the residents' rights API, every field bounded."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from .cases import ReviewSubject
from .confirm import Step


class StartConfirmation(BaseModel):
    """Which step the fresh passkey confirmation is for."""

    model_config = ConfigDict(extra="forbid")
    step: Step


class Confirmed(BaseModel):
    """The passkey assertion (PublicKeyCredential.toJSON()) over the confirmation challenge."""

    model_config = ConfigDict(extra="forbid")
    credential: dict[str, Any] = Field(min_length=1, max_length=16)


class NewReport(BaseModel):
    """A credit report in Chinese (default) or English."""

    model_config = ConfigDict(extra="forbid")
    locale: Literal["zh-CN", "en"] = "zh-CN"


class ConsentChoice(BaseModel):
    """Give (true) or withdraw (false) consent to the score and the pass."""

    model_config = ConfigDict(extra="forbid")
    given: StrictBool  # "no" or 0 is refused, not read as a withdrawal


class MisuseReport(BaseModel):
    """What was wrong with this look at my data."""

    model_config = ConfigDict(extra="forbid")
    statement: str = Field(min_length=2, max_length=1000)


class ReviewRequest(BaseModel):
    """The automated decision to review and why."""

    model_config = ConfigDict(extra="forbid")
    subject: ReviewSubject
    subject_id: int | None = Field(default=None, ge=1, le=2**62)
    statement: str = Field(min_length=2, max_length=1000)
