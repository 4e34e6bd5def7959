"""Request documentation of the key-group API (the hot path validates by hand, same rules)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class SubmittedMembership(BaseModel):
    """One membership in a `submitOccupationMemberships` batch (JSON array or NDJSON)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    external_id: str = Field(
        min_length=1, max_length=64, description="the department's own id; idempotency key"
    )
    id_number: str = Field(min_length=18, max_length=18)
    group: str = Field(max_length=32, description="a key-group code from listKeyGroups")
    valid_from: dt.date = Field(alias="from")
    valid_until: dt.date | None = Field(default=None, alias="until")
    licence_or_registry: str = Field(min_length=1, max_length=64)


class MembershipBatchResult(BaseModel):
    received: int
    created: int
    updated: int = Field(description="memberships whose end date (until) the batch changed")
    unchanged: int


class GroupDepartment(BaseModel):
    department: str
    name: dict[str, str]
    members: int


class GroupRecordType(BaseModel):
    code: str
    legal_basis: dict[str, str]


class KeyGroupRow(BaseModel):
    code: str
    name: dict[str, str]
    record_types: list[GroupRecordType]
    members: int = Field(description="people in the group today (distinct)")
    members_with_records: int = Field(description="of them, with a counting record of the group")
    departments: list[GroupDepartment]


class KeyGroupCoverage(BaseModel):
    groups: list[KeyGroupRow]
