"""Per-app services reachable from a request: settings, ID cipher, relying party, templates."""

from __future__ import annotations

import ipaddress
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


def _trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(p, strict=False) for p in proxies)


def client_address(peer: str, forwarded_for: str, proxies: tuple[str, ...]) -> str:
    """The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    nearest X-Forwarded-For hop (from the right) that is not a trusted proxy. Hops left of it
    were written by the client and are never believed."""
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:64]
    return peer


def client_key(request: Request) -> str:
    """What identifies a client for throttling: its address, resolved through the proxies
    named in TRUSTED_PROXIES only (uvicorn runs with --no-proxy-headers, so a header sent by
    anyone, even from localhost, changes nothing)."""
    peer = request.client.host if request.client else "unknown"
    proxies = ctx(request).settings.trusted_proxies
    return client_address(peer, request.headers.get("x-forwarded-for", ""), proxies)


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
