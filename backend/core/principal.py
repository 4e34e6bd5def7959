"""Who is calling: set on `request.state.principal` by the session middleware."""

from __future__ import annotations

from dataclasses import dataclass, field

from .permissions import Permission, Role, permissions_for


@dataclass(frozen=True)
class Principal:
    account_id: int
    kind: str  # "resident" | "staff"
    display_name: str
    roles: frozenset[Role]
    session_id: int | None = None
    person_id: int | None = None
    organisation: str = ""
    csrf_token: str = ""
    via_cookie: bool = True
    token_id: int | None = None
    org_ref: str = ""  # an API token's organisation: department code or partner id
    permissions: frozenset[Permission] = field(default=frozenset())

    @classmethod
    def build(cls, scopes: frozenset[str] | None = None, **kwargs: object) -> Principal:
        roles = frozenset(kwargs.pop("roles"))  # type: ignore[call-overload]
        granted = permissions_for(roles)
        if scopes is not None:  # an API token only gets what its scopes name
            granted = frozenset(p for p in granted if p.value in scopes)
        return cls(roles=roles, permissions=granted, **kwargs)  # type: ignore[arg-type]

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def label(self) -> str:
        return f"{self.display_name} ({', '.join(sorted(self.roles))})"
