"""issuePass's keys are bounded JWKs: what a browser exports is taken (with the members
WebCrypto adds), anything longer, larger or stranger is a 422 naming the member, and nothing
is stored; a private key is refused by name."""

from __future__ import annotations

from typing import Any

import httpx

from backend.passes.models import PassCertificate
from tests.factories import csrf, enrol, make_person
from tests.passes.device import Phone

PASS = "/api/v1/me/pass"


async def issue(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await client.post(PASS, json=body, headers=csrf(client))


async def test_a_browser_jwk_is_taken_and_oversized_or_odd_keys_are_refused(
    client: httpx.AsyncClient, app: Any, authenticator: Any
) -> None:
    await enrol(client, authenticator, await make_person(app.state.ctx.cipher, name="周敏"))
    phone = Phone()
    good = phone.jwk()
    refused = [
        ({"device_key": good | {"x": "A" * 65}}, "device_key.x"),
        ({"device_key": good | {"y": "not base64url!"}}, "device_key.y"),
        ({"device_key": good | {"n": "RSA modulus"}}, "device_key.n"),
        ({"device_key": good | {"key_ops": ["verify"] * 9}}, "device_key.key_ops"),
        ({"device_key": good | {"key_ops": ["v" * 17]}}, "device_key.key_ops.0"),
        ({"device_key": good, "presentation_key": good | {"kid": "k" * 65}},
         "presentation_key.kid"),
        ({"device_key": good | {"d": "A" * 43}}, "device_key"),  # a private key, by name
        ({"device_key": good | {"crv": "P-384"}}, "device_key"),
    ]  # fmt: skip
    for body, field in refused:
        answer = await issue(client, body)
        assert answer.status_code == 422, (field, answer.text)
        assert field in [e["field"] for e in answer.json()["errors"]], (field, answer.text)
    assert await PassCertificate.all().count() == 0
    webcrypto = good | {"ext": True, "key_ops": ["verify"]}
    issued = await issue(client, {"device_key": webcrypto})
    assert issued.status_code == 201, issued.text
    assert await PassCertificate.all().count() == 1
