"""Request bodies of the repair API; every bound is declared here."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict


def with_files(schema: JsonDict) -> None:
    """How the evidence files of a multipart body appear in the OpenAPI document."""
    properties = schema.setdefault("properties", {})
    assert isinstance(properties, dict)
    properties["evidence"] = {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "maxItems": 5,
    }


class StartRepair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record_id: int = Field(ge=1, le=2**62)
    locale: Literal["zh-CN", "en"] = "zh-CN"


class NewRepair(BaseModel):
    """multipart/form-data: the fields below and 1–5 `evidence` files (PDF, JPEG or PNG,
    at most 10 MB each). `credential` is the WebAuthn assertion (JSON text) over the
    commitment that startRepairRequest returned."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=with_files)
    record_id: int = Field(ge=1, le=2**62)
    statement: str = Field(min_length=1, max_length=2000)
    credential: str = Field(min_length=2, max_length=16_000)


class MoreEvidence(BaseModel):
    """multipart/form-data: 1–5 `evidence` files and an optional updated statement."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=with_files)
    statement: str | None = Field(default=None, max_length=2000)


class ReturnRepair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    missing: str = Field(min_length=1, max_length=1000)


class DecideRepair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    reason: str = Field(min_length=1, max_length=1000)
    legal_basis: str = Field(default="", max_length=300)


def credential_of(raw: str) -> dict[str, Any]:
    """The assertion sent as JSON text in a form field ({} when it is not an object)."""
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    return value if isinstance(value, dict) else {}
