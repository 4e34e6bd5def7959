"""Documentation of the register feed API (the reader validates by hand, same rules)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .feed import ChangeKind, LineProblem


class RegisterChange(BaseModel):
    """One line of an `importRegisterChanges` body (NDJSON), docs/register-feed.md."""

    model_config = ConfigDict(extra="forbid")
    seq: int = Field(ge=1, le=2**63 - 1, description="the population database's change number")
    id_number: str = Field(min_length=18, max_length=18)
    name: str | None = Field(default=None, min_length=1, max_length=64)
    district: str | None = Field(default=None, min_length=6, max_length=6)
    change: ChangeKind = ChangeKind.UPSERT


class RejectedLine(BaseModel):
    line: int
    field: str
    reason: LineProblem


class RegisterImportResult(BaseModel):
    run_id: int
    lines: int
    created: int
    changed: int
    unchanged: int = Field(description="lines whose change, or a later one, was applied before")
    rejected: int
    moved_out: int
    deceased: int
    moved_in: int
    passes_revoked: int
    rejections: list[RejectedLine] = Field(description="the first 1,000 rejected lines")
