"""Tortoise ORM configuration. Only `DATABASE_URL` differs between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

from .core.settings import Settings, load_settings

MODEL_MODULES = [
    "backend.residents.models",
    "backend.auth.models",
    "backend.audit.models",
    "backend.credit.models",
    "backend.apitokens.models",
    "backend.passes.models",
    "backend.partners.models",
    "backend.partners.offline_models",
    "backend.notices.models",
    "backend.evidence.models",
    "backend.commitments.models",
    "backend.repairs.models",
    "backend.objections.models",
    "backend.consent.models",
    "backend.rights.models",
    "backend.family.models",
    "backend.platform.models",
    "backend.programme.models",
    "backend.keygroups.models",
    "backend.jointcases.models",
]


# SQLite tuning: a 64 MB page cache per connection (bulk inserts into large indexes) and
# synchronous=NORMAL, which SQLite recommends with WAL (durable across crashes; the last
# transactions can be lost only on power failure). A DATABASE_URL may set its own.
SQLITE_PRAGMAS = {"cache_size": "-65536", "synchronous": "NORMAL"}


def connection_url(url: str) -> str:
    if not url.startswith("sqlite://"):
        return url
    extra = [f"{k}={v}" for k, v in SQLITE_PRAGMAS.items() if f"{k}=" not in url]
    if not extra:
        return url
    return url + ("&" if "?" in url else "?") + "&".join(extra)


def connection(settings: Settings) -> str | dict[str, Any]:
    """SQLite: a URL with the pragmas. PostgreSQL: the URL's parts with `lock_timeout` set on
    every session, so a write that waits on another session's lock ends as a 503 the client
    resends (core.handlers) instead of hanging its request for ever."""
    url = connection_url(settings.resolved_database_url)
    if not is_postgres(url) or settings.db_lock_timeout_ms <= 0:
        return url
    expanded: dict[str, Any] = expand_db_url(url)
    credentials = expanded["credentials"]
    settings_of = dict(credentials.get("server_settings") or {})
    settings_of.setdefault("lock_timeout", str(settings.db_lock_timeout_ms))
    credentials["server_settings"] = settings_of
    return expanded


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": connection(settings)},
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
