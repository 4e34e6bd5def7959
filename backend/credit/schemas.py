"""Bodies of the credit API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from ..core.http import ID_MAX
from .models import ListKind


class SubmittedRecord(BaseModel):
    """One record in a `submitRecords` batch (JSON array or NDJSON, one object per line).
    Documented here for OpenAPI; the hot path validates by hand with the same rules."""

    model_config = ConfigDict(extra="forbid")
    external_id: str = Field(
        min_length=1, max_length=64, description="the department's own id; idempotency key"
    )
    id_number: str = Field(min_length=18, max_length=18)
    type: str = Field(max_length=48, description="a record type code from getScoringRules")
    decision_date: dt.date
    summary: str = Field(default="", max_length=500)
    decision_doc_no: str = Field(default="", max_length=64)


class RecordBatch(BaseModel):
    """`application/json`: an array of SubmittedRecord (this wrapper only documents it)."""

    records: list[SubmittedRecord] = Field(max_length=100_000)


class RecordsQuery(BaseModel):
    """listMyRecords: only the records shown with this status (active, expired, …)."""

    status: str | None = Field(default=None, max_length=24)


class CorrectRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: str | None = Field(default=None, min_length=18, max_length=18)
    type: str | None = Field(default=None, max_length=48)
    decision_date: dt.date | None = None
    summary: str | None = Field(default=None, max_length=500)
    decision_doc_no: str | None = Field(default=None, max_length=64)


class WithdrawRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


class ProposeListEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_id: int = Field(ge=1, le=ID_MAX)
    list: str = Field(pattern=f"^({'|'.join(k.value for k in ListKind)})$")
    reason: str = Field(min_length=1, max_length=500)
    legal_basis: str = Field(min_length=1, max_length=300)
    decision_doc_no: str = Field(min_length=1, max_length=64)
    start: dt.date
    end: dt.date | None = None


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool


class LiftProposal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)
