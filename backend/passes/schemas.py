"""Bodies of the resident pass API."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# A base64url member of a JWK: a P-256 coordinate is 43 characters; room for padding.
B64U = Field(max_length=64, pattern=r"^[A-Za-z0-9_-]+={0,2}$")


class PublicJwk(BaseModel):
    """An EC public key as WebCrypto exports it (RFC 7517). The members a browser may add are
    allowed and bounded; whether it is a public P-256 key on the curve is checked by
    `service.compressed_device_key` (a private `d` is refused there, by name)."""

    model_config = ConfigDict(extra="forbid")
    kty: str = Field(max_length=8)
    crv: str = Field(max_length=16)
    x: str = B64U
    y: str = B64U
    d: str | None = Field(default=None, max_length=64)
    ext: bool | None = None
    key_ops: list[Annotated[str, Field(max_length=16)]] | None = Field(default=None, max_length=8)
    alg: str | None = Field(default=None, max_length=16)
    use: str | None = Field(default=None, max_length=8)
    kid: str | None = Field(default=None, max_length=64)

    def members(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class IssuePass(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device_key: PublicJwk = Field(description="the device's public key as a JWK (EC P-256)")
    presentation_key: PublicJwk | None = Field(
        default=None,
        description="a fresh P-256 public JWK the phone made for this certificate; the "
        "certificate binds it instead of device_key, so certificates share no key",
    )
    label: str = Field(default="", max_length=120)
