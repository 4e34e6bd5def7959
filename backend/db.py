"""Tortoise ORM configuration. Only `DATABASE_URL` differs between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from .core.settings import Settings, load_settings

MODEL_MODULES = [
    "backend.residents.models",
    "backend.auth.models",
    "backend.audit.models",
    "backend.credit.models",
    "backend.lists.models",
    "backend.apitokens.models",
    "backend.passes.models",
    "backend.partners.models",
]


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": settings.resolved_database_url},
        "apps": {
            "xinyi": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "backend.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


# For the `tortoise` CLI (pyproject: [tool.tortoise]).
TORTOISE_ORM = tortoise_config(load_settings())
