"""Bodies of the department-token API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CreateToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: str = Field(min_length=1, max_length=32)
    label: str = Field(default="", max_length=100)
