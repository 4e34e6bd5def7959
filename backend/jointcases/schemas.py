"""Bodies, queries and answers of the joint-case API: every bound here is the service's."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict, JsonValue

from . import measures

MEASURE_FIELD: JsonDict = {
    "enum": list[JsonValue](sorted(measures.MEASURES))
}  # the declared set (measures.py)
ListKind = Literal["red", "gray", "black"]
MONTH = r"^20\d\d-(0[1-9]|1[0-2])$"
ORGANISATION = r"^([a-z_]{2,32}|partner:\d{1,19})$"


class ReportJointCase(BaseModel):
    """reportJointCase: one case of the department's, named by ID number or case reference."""

    model_config = ConfigDict(extra="forbid")
    external_id: str = Field(
        min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
        description="the department's own id for the case; the idempotency key",
    )  # fmt: skip
    id_number: str | None = Field(default=None, min_length=18, max_length=18)
    case_reference: str = Field(
        default="", max_length=64, description="the department's case number, if no ID number"
    )
    list: ListKind
    measure: str = Field(max_length=40, json_schema_extra=MEASURE_FIELD)
    date: dt.date = Field(description="when the measure was applied (2014-01-01 to today)")
    summary: str = Field(default="", max_length=500, description="ID numbers are masked")


class JointCaseOut(BaseModel):
    id: int
    external_id: str
    source: str
    list: str
    kind: Literal["incentive", "punishment"]
    measure: str
    department: str
    partner_id: int | None
    person: str = Field(description="the masked ID number, or empty")
    case_reference: str
    date: dt.date
    month: str
    summary: str


class ReportedJointCase(JointCaseOut):
    created: bool = Field(description="false when the same report was already stored")


class JointCasePage(BaseModel):
    items: list[JointCaseOut]
    total: int


class JointCaseQuery(BaseModel):
    """listJointCases / exportJointCases: filters (all optional) and a page."""

    list: ListKind | None = None
    measure: str | None = Field(default=None, max_length=40, json_schema_extra=MEASURE_FIELD)
    organisation: str | None = Field(default=None, max_length=40, pattern=ORGANISATION)
    month: str | None = Field(default=None, pattern=MONTH)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class ExportQuery(JointCaseQuery):
    format: Literal["csv", "xlsx"] = "csv"


class MineQuery(BaseModel):
    offset: int = Field(default=0, ge=0, le=1_000_000)


class CaseCount(BaseModel):
    list: str
    measure: str
    organisation: str
    month: str
    cases: int


class JointCaseSummary(BaseModel):
    counts: list[CaseCount]
    total: int
    items: list[JointCaseOut]
