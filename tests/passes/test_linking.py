"""Linking (docs/pass-format.md, "Linking"): two certificates of one phone share nothing a
scanner or a partner could match — pass id, presentation key, status index, ciphertext —
only the day's key ids, which every pass of that day has."""

from __future__ import annotations

import time

from backend.passes import base45
from backend.passes.format import PREFIX
from backend.passes.offline import verify_offline
from tests.factories import csrf
from tests.partners.helpers import resident_phone


async def test_two_certificates_of_one_phone_share_nothing_but_the_days_keys(
    app, library, browsers
) -> None:
    resident = browsers()
    phone, _ = await resident_phone(app, resident, name="刘欢")
    bundle = (
        await library.officer.get("/api/v1/passes/offline-bundle", headers=library.key)
    ).json()
    seen = []
    for _ in range(3):
        issued = await resident.post(
            "/api/v1/me/pass", json=phone.renew_body(fresh=True), headers=csrf(resident)
        )
        assert issued.status_code == 201, issued.text
        phone.take(issued.json())
        text = phone.present()
        verdict = verify_offline(text, bundle=bundle, now=int(time.time()))
        assert verdict.valid and verdict.certificate is not None
        seen.append((base45.decode(text[len(PREFIX) :]), verdict.certificate))
    (a, ca), (b, cb), (c, cc) = seen
    assert a[:11] == b[:11] == c[:11]  # version, signing key id, day key id: everyone's
    assert len({x[11:23] for x in (a, b, c)}) == 3  # pass ids
    assert len({x.device_key for x in (ca, cb, cc)}) == 3  # presentation keys
    assert len({x[23:134] for x in (a, b, c)}) == 3
    indexes = sorted(x.status_index for x in (ca, cb, cc))
    assert indexes[1] - indexes[0] != 1 or indexes[2] - indexes[1] != 1  # not consecutive
    # One phone, one device in the list, however often it renews.
    items = (await resident.get("/api/v1/me/devices")).json()["items"]
    assert len(items) == 1 and items[0]["kind"] == "phone"


async def test_the_old_certificate_key_cannot_sign_the_new_certificate(
    app, library, browsers
) -> None:
    resident = browsers()
    phone, _ = await resident_phone(app, resident, name="王芳")
    old_signer = phone.signer or phone.key
    issued = await resident.post(
        "/api/v1/me/pass", json=phone.renew_body(fresh=True), headers=csrf(resident)
    )
    phone.take(issued.json())
    phone.signer, fresh = old_signer, phone.signer
    checked = await library.officer.post(
        "/api/v1/passes/verify", json={"text": phone.present()}, headers=library.key
    )
    assert checked.json()["reason"] == "bad_presentation"
    phone.signer = fresh
    checked = await library.officer.post(
        "/api/v1/passes/verify", json={"text": phone.present()}, headers=library.key
    )
    assert checked.json()["reason"] == "valid"
