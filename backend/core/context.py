"""Per-app services reachable from a request: settings, ID cipher, relying party, templates."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from .city import City
from .crypto import IdCipher
from .deadlines import Deadlines
from .settings import Settings


@dataclass(frozen=True)
class RelyingParty:
    """The WebAuthn relying party this deployment is: its id (the host name), display name and
    the origins passkey ceremonies may come from."""

    rp_id: str
    name: str
    origins: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> RelyingParty:
        return cls(settings.rp_id, settings.rp_name, settings.origins)


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    cipher: IdCipher
    rp: RelyingParty
    city: City
    deadlines: Deadlines


def ctx(request: Request) -> AppContext:
    context: AppContext = request.app.state.ctx
    return context


def client_key(request: Request) -> str:
    """What identifies a client for throttling: its address (behind a proxy, uvicorn's
    --proxy-headers makes this the real client)."""
    return request.client.host if request.client else "unknown"


def device_label(request: Request) -> str:
    agent = request.headers.get("user-agent", "")
    for name in ("Edg", "Chrome", "Firefox", "Safari"):
        if name in agent:
            platform = next(
                (
                    p
                    for p in ("Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux")
                    if p in agent
                ),
                "",
            )
            return f"{name} {platform}".strip()
    return agent[:40] or "unknown device"
