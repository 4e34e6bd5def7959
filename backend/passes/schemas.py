"""Bodies of the resident pass API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class IssuePass(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device_key: dict[str, Any] = Field(description="the device's public key as a JWK (EC P-256)")
    presentation_key: dict[str, Any] | None = Field(
        default=None,
        description="a fresh P-256 public JWK the phone made for this certificate; the "
        "certificate binds it instead of device_key, so certificates share no key",
    )
    label: str = Field(default="", max_length=120)
