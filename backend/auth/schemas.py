"""Request and response bodies of the identity API (pydantic: validation + OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ..core.http import ID_MAX


class StartEnrolment(BaseModel):
    """Real-name match (name + ID number), or a one-time code, or ID number + recovery code."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=64)
    id_number: str | None = Field(default=None, min_length=1, max_length=32)
    enrolment_code: str | None = Field(default=None, min_length=4, max_length=64)
    recovery_code: str | None = Field(default=None, min_length=4, max_length=64)


class WebAuthnCredential(BaseModel):
    """A `RegistrationResponseJSON` or `AuthenticationResponseJSON` as produced by
    `PublicKeyCredential.toJSON()` in the browser."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(max_length=1400)
    rawId: str = Field(max_length=1400)
    type: str = Field(pattern="^public-key$")
    response: dict[str, Any]
    clientExtensionResults: dict[str, Any] = Field(default_factory=dict)
    authenticatorAttachment: str | None = Field(default=None, max_length=32)


class FinishEnrolment(WebAuthnCredential):
    """The new passkey, and (through a counter or recovery code) which of the account's old
    passkeys to keep: ids from `existing_passkeys`; every other one is removed."""

    keep_passkeys: list[Annotated[int, Field(ge=1, le=ID_MAX)]] = Field(
        default_factory=list, max_length=20
    )


class Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locale: str | None = Field(default=None, max_length=8)
    elder_mode: bool | None = None


class RenamePasskey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nickname: str = Field(min_length=1, max_length=64)


class IssueEnrolmentCode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=1, max_length=32)
    purpose: str = Field(default="in-person identity check", max_length=200)
    id_card_checked: bool
    counter: str = Field(default="", max_length=120)  # the service point (default: organisation)


class CreateStaff(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str = Field(min_length=1, max_length=64)
    organisation: str = Field(default="", max_length=128)
    roles: list[Annotated[str, Field(max_length=32)]] = Field(min_length=1, max_length=5)


class DisableStaff(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    id: int
    kind: str
    display_name: str
    organisation: str
    roles: list[str]
    locale: str | None
    elder_mode: bool
    csrf_token: str
    person: dict[str, Any] | None
    passkeys: int
    recovery_codes_left: int
