"""Bodies of the resident pass API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class IssuePass(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device_key: dict[str, Any] = Field(description="the device's public key as a JWK (EC P-256)")
    label: str = Field(default="", max_length=120)
