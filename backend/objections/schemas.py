"""Request bodies of the objection API; every bound is declared here."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from .models import ObjectionSubject


def with_files(schema: JsonDict) -> None:
    """How the optional evidence files of the multipart body appear in the OpenAPI document."""
    properties = schema.setdefault("properties", {})
    assert isinstance(properties, dict)
    properties["evidence"] = {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "maxItems": 5,
    }


class NewObjection(BaseModel):
    """multipart/form-data: the fields below and up to 5 `evidence` files (PDF, JPEG or
    PNG, at most 10 MB each)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=with_files)
    subject: ObjectionSubject
    subject_id: int = Field(ge=1, le=2**62)
    reason: str = Field(min_length=1, max_length=2000)


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)


class Answer(BaseModel):
    """`upheld` with `corrected`: the department corrected the record (correctRecord) and the
    record stays; `upheld` alone withdraws it; not upheld: the reasons are required."""

    model_config = ConfigDict(extra="forbid")
    upheld: bool
    answer: str = Field(min_length=1, max_length=1000)
    corrected: bool = False


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    upheld: bool
    answer: str = Field(min_length=1, max_length=1000)
