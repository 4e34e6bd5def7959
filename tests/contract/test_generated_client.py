"""A partner's and a department's client generated from /openapi.json by a standard generator
(openapi-python-client, into a temporary directory; nothing generated is committed) calls
submitRecords, verifyPass and createRedemption against the running app (ASGI transport)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from backend.credit.models import CreditRecord
from backend.partners.models import Redemption
from tests.conftest import ORIGIN
from tests.factories import csrf, make_person
from tests.partners.fixtures import browsers, library
from tests.partners.helpers import resident_phone

__all__ = ["browsers", "library"]


def _generate(app, tmp_path: Path):
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(app.state.openapi))
    out = tmp_path / "xinyi_client"
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec),
         "--output-path", str(out), "--meta", "none"],
        check=True, capture_output=True, env=env, timeout=240,
    )  # fmt: skip
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module("xinyi_client")
    finally:
        sys.path.remove(str(tmp_path))


async def test_a_generated_client_submits_verifies_and_redeems(
    app, library, browsers, tmp_path: Path
) -> None:
    made = await library.officer.post(
        "/api/v1/department-tokens", json={"department": "court"}, headers=csrf(library.officer)
    )
    assert made.status_code == 201, made.text
    client_pkg = _generate(app, tmp_path)
    submit = importlib.import_module("xinyi_client.api.departments.submit_records")
    verify = importlib.import_module("xinyi_client.api.partners.verify_pass")
    redeem = importlib.import_module("xinyi_client.api.partners.create_redemption")
    models = importlib.import_module("xinyi_client.models")

    def client(token: str):
        transport = httpx.ASGITransport(app=app)
        return client_pkg.AuthenticatedClient(base_url=ORIGIN, token=token).set_async_httpx_client(
            httpx.AsyncClient(
                transport=transport, base_url=ORIGIN, headers={"Authorization": f"Bearer {token}"}
            )
        )

    department = client(made.json()["token"])
    who = await make_person(app.state.ctx.cipher, name="李四")
    record = models.SubmittedRecord(
        external_id="GEN-1",
        id_number=who.id_number,
        type_="LAW_COURT_DEFAULTER",  # the generator renames `type`
        decision_date=dt.date.today() - dt.timedelta(days=3),
    )
    submitted = await submit.asyncio_detailed(client=department, body=[record])
    assert submitted.status_code == 200, submitted.content
    assert submitted.parsed.created == 1
    assert await CreditRecord.filter(external_id="GEN-1").count() == 1

    partner = client(library.key["Authorization"].removeprefix("Bearer "))
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    text = phone.present()
    checked = await verify.asyncio_detailed(client=partner, body=models.VerifyPass(text=text))
    assert checked.status_code == 200, checked.content
    assert checked.parsed.valid is True
    assert [o.id for o in checked.parsed.eligible_offers] == [library.offer_id]
    used = await redeem.asyncio_detailed(
        client=partner,
        body=models.CreateRedemption(
            text=text, offer_id=library.offer_id, idempotency_key="gen-0001"
        ),
    )
    assert used.status_code == 201, used.content
    assert used.parsed.offer_id == library.offer_id
    assert await Redemption.all().count() == 1
