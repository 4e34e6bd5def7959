"""Request bodies of the family help API, every field bounded."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Relation = Literal["child", "parent", "spouse", "sibling", "grandchild", "family"]


class Invitation(BaseModel):
    """The family member to invite, by the name and ID number on their ID card."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=15, max_length=24)
    relation: Relation = "family"
