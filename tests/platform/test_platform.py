"""OpenAPI, JWKS, catalogs, PWA entry points, error pages and security headers."""

from __future__ import annotations

import base64
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from backend.core.keys import kid_for, load_keys
from backend.core.routing import DeclaredRoute

REQUIRED_OPERATIONS = {
    "startEnrolment", "finishEnrolment", "startLogin", "finishLogin", "logout", "getMe",
    "listMyAccessLog",
}  # fmt: skip


async def test_openapi_document(client, app) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] and doc["info"]["version"]
    operations = [
        (path, method, op) for path, item in doc["paths"].items() for method, op in item.items()
    ]
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    assert set(ids) >= REQUIRED_OPERATIONS
    for path, method, op in operations:
        assert path.startswith("/api/v1/"), path
        assert method in {"get", "post", "put", "patch", "delete"}
        assert op["summary"] and op["tags"]
        assert "4XX" in op["responses"]
        for param in re.findall(r"\{(\w+)\}", path):
            assert param in [p["name"] for p in op.get("parameters", [])], (path, param)
        ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if ref:
            ref = ref.get("items", ref)  # submitRecords takes an array of SubmittedRecord
            name = ref["$ref"].rsplit("/", 1)[-1]
            assert name in doc["components"]["schemas"], name
    by_id = {op["operationId"]: op for _, _, op in operations}
    assert by_id["startEnrolment"]["security"] == []
    assert by_id["getMe"]["security"] == [{"session": []}]
    assert by_id["listMyAccessLog"]["x-access"] == "resident.self"
    start = doc["components"]["schemas"]["StartEnrolment"]
    assert {"name", "id_number", "enrolment_code", "recovery_code"} <= set(start["properties"])


async def test_every_api_route_is_in_the_openapi_document(client, app) -> None:
    doc = (await client.get("/openapi.json")).json()
    documented = {(p, m.upper()) for p, item in doc["paths"].items() for m in item}
    declared = {
        (r.path, m)
        for r in app.routes
        if isinstance(r, DeclaredRoute) and r.path.startswith("/api/")
        for m in r.methods or ()
        if m != "HEAD"
    }
    assert declared == documented


async def test_unknown_api_path_is_a_problem(client) -> None:
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not_found" and body["instance"] == "/api/v1/no-such-thing"


async def test_unknown_page_is_a_localised_html_page(client) -> None:
    zh = await client.get("/no-such-page")
    assert zh.status_code == 404
    assert zh.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in zh.text
    assert "找不到该页面或内容" in zh.text

    en = await client.get("/no-such-page", headers={"accept-language": "en-GB,en;q=0.9"})
    assert en.status_code == 404
    assert '<html lang="en">' in en.text
    assert "Page or item not found" in en.text
    assert "找不到" not in en.text

    chosen = await client.get("/no-such-page?lang=en", headers={"accept-language": "zh-CN"})
    assert '<html lang="en">' in chosen.text


async def test_security_headers(client) -> None:
    for path in ("/healthz", "/api/v1/me", "/no-such-page", "/office/login", "/"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["frame-ancestors"] == "'none'"
        assert directives["script-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in response.headers  # development: plain http


async def test_api_and_office_responses_are_not_cached(client) -> None:
    assert (await client.get("/api/v1/me")).headers["cache-control"] == "no-store"
    assert (await client.get("/office/login")).headers["cache-control"] == "no-store"


async def test_jwks_publishes_ed25519_keys_with_kids(client, settings) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jwk-set+json")
    keys = response.json()["keys"]
    assert len(keys) >= 1
    on_disk = {k.kid: k for k in load_keys(settings.keys_dir)}
    for jwk in keys:
        assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA"
        assert jwk["use"] == "sig" and jwk["kid"]
        assert "d" not in jwk  # never the private part
        raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
        assert len(raw) == 32
        public = Ed25519PublicKey.from_public_bytes(raw)
        assert kid_for(public) == jwk["kid"]
        signature = on_disk[jwk["kid"]].private.sign(b"pass")
        public.verify(signature, b"pass")  # raises if the published key is not the signing key
        assert (
            public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == raw
        )


async def test_i18n_catalogs_are_served(client) -> None:
    zh = await client.get("/i18n/zh-CN.json")
    assert zh.status_code == 200 and zh.json()["app.name"] == "信易"
    assert (await client.get("/i18n/en.json")).json()["app.name"] == "Xinyi"
    missing = await client.get("/i18n/fr.json")
    assert missing.status_code == 404


async def test_pwa_entry_points(client) -> None:
    index = await client.get("/")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    sw = await client.get("/sw.js")
    assert sw.status_code == 200 and sw.headers["service-worker-allowed"] == "/"
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["name"]
