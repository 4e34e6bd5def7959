"""GET /healthz: liveness and whether the database answers."""

from __future__ import annotations

from tortoise import connections


async def test_healthz_reports_the_database(client) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_reports_an_unreachable_database(client, monkeypatch) -> None:
    conn = connections.get("default")

    async def broken(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(conn, "execute_query", broken)
    response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "unreachable: ConnectionError"}
