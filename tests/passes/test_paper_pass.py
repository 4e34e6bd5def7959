"""The printable paper pass (/passes/paper): a resident (often for a parent without a
smartphone) prints a 7-day certificate whose QR the counter scans with an ID-card check: at
most two at once, listed among the resident's devices and removable there; the name and the
birth year the ID-card check needs are sealed in the certificate and printed under the QR."""

from __future__ import annotations

import datetime as dt
import re
import time

import zxingcpp
from PIL import Image, ImageDraw

from backend.audit.models import AuditEntry
from backend.core import clock
from backend.passes.models import DeviceKey, PassCertificate
from backend.passes.offline import verdict_json, verify_offline
from tests.factories import csrf
from tests.partners.helpers import pass_text, resident_phone, text_of, token

SCALE = 8  # pixels per QR module


def svg_to_image(svg: str) -> Image.Image:
    """Rasterise the QR exactly as the page draws it: the path of unit squares
    ("M x,y H x+1 V y+1 H x z") that qrcode's SvgPathImage writes."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))  # type: ignore[union-attr]
    image = Image.new("L", (size * SCALE, size * SCALE), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
    squares = re.findall(r"M(\d+),(\d+)H(\d+)V(\d+)H\d+z", path)
    assert squares, path[:200]
    for x, y, right, bottom in squares:
        box = (int(x) * SCALE, int(y) * SCALE, int(right) * SCALE - 1, int(bottom) * SCALE - 1)
        draw.rectangle(box, fill=0)
    return image


async def print_pass(app, browsers) -> tuple[object, str]:
    resident = browsers()
    await resident_phone(app, resident, name="张伟明")
    intro = await resident.get("/passes/paper")
    assert intro.status_code == 200, intro.text
    assert '<form method="post" action="/passes/paper"' in intro.text
    assert "纸质通行证有效期 7 天" in intro.text
    page = await resident.post("/passes/paper", data={"csrf_token": token(resident)})
    assert page.status_code == 200, page.text
    return resident, page.text


async def test_the_paper_pass_page_has_a_qr_that_decodes_to_the_pass(app, browsers) -> None:
    _, page = await print_pass(app, browsers)
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)  # type: ignore[union-attr]
    assert 'class="qr" role="img" aria-label="信用通行证二维码"' in svg
    assert "style" not in svg and " style=" not in page  # CSP forbids inline styles
    text = pass_text(page)
    # version 2: 104 bytes + the clerk-facing name "张*明" (7 bytes UTF-8) in Base45
    assert text.startswith("XY2:") and len(text) == 4 + 167
    [decoded] = zxingcpp.read_barcodes(svg_to_image(svg))
    assert decoded.text == text
    assert decoded.format == zxingcpp.BarcodeFormat.QRCode
    assert decoded.ec_level == "M"  # error correction M, as docs/pass-format.md says


async def test_the_paper_pass_shows_the_tier_validity_and_masked_name(app, browsers) -> None:
    _, page = await print_pass(app, browsers)
    cert = await PassCertificate.get(kind="paper")
    assert (cert.expires_at - cert.issued_at).days == 7
    assert text_of(page, "paper-name") == "张*明" and "张伟明" not in page
    assert text_of(page, "paper-tier") == "良好"
    assert text_of(page, "paper-validity").startswith("有效期至 20")
    assert text_of(page, "paper-validity").endswith("柜台需核对身份证")
    assert '<header class="topbar no-print">' in page  # navigation is hidden when printing
    assert '<script type="module" src="/app/js/counter/print.js"></script>' in page
    assert await AuditEntry.filter(action="pass.paper_issued").count() == 1


async def test_the_counter_accepts_the_paper_pass_with_an_id_check(app, library, browsers) -> None:
    _, page = await print_pass(app, browsers)
    text = pass_text(page)
    checked = await library.admin.post(
        "/api/v1/passes/verify", json={"text": text}, headers=csrf(library.admin)
    )
    body = checked.json()
    assert checked.status_code == 200 and body["valid"] and body["reason"] == "valid"
    assert body["paper"] is True and body["requires_id_check"] is True
    assert body["masked_name"] == "张*明" and body["tier"] == "good"
    by_key = await library.officer.post(
        "/api/v1/passes/verify", json={"text": text}, headers=library.key
    )
    assert by_key.json()["requires_id_check"] is True


async def test_only_a_signed_in_resident_prints_a_paper_pass(app, client, library) -> None:
    anonymous = await client.get("/passes/paper")
    assert anonymous.status_code in (401, 303)
    assert (await library.admin.get("/passes/paper")).status_code == 403
    resident = library.officer  # an officer is not a resident either
    assert (
        await resident.post("/passes/paper", data={"csrf_token": token(resident)})
    ).status_code == 403
    assert await PassCertificate.filter(kind="paper").count() == 0


async def test_the_id_card_check_is_printed_and_sealed_under_the_signature(
    app, library, browsers
) -> None:
    _, page = await print_pass(app, browsers)
    assert "张*明（3 个字，1985 年生）" in text_of(page, "paper-id-check")
    assert text_of(page, "paper-birth-year") == "1985"
    bundle = (
        await library.officer.get("/api/v1/passes/offline-bundle", headers=library.key)
    ).json()
    verdict = verify_offline(pass_text(page), bundle=bundle, now=int(time.time()))
    assert verdict.valid and verdict.certificate is not None
    assert verdict.certificate.holder_name == "张*明" and verdict.certificate.birth_year == 1985
    assert verdict_json(verdict)["paper_pass_check_id_card"] is True


async def test_at_most_two_paper_passes_listed_as_devices_and_removable(
    app, library, browsers
) -> None:
    resident, first = await print_pass(app, browsers)
    second = await resident.post("/passes/paper", data={"csrf_token": token(resident)})
    assert second.status_code == 200
    third = await resident.post("/passes/paper", data={"csrf_token": token(resident)})
    assert third.status_code == 409 and 'id="paper-limit"' in third.text
    assert "您已有 2 张有效的纸质通行证" in third.text
    assert await PassCertificate.filter(kind="paper").count() == 2
    items = (await resident.get("/api/v1/me/devices")).json()["items"]  # type: ignore[attr-defined]
    papers = [d for d in items if d["kind"] == "paper"]
    assert len(papers) == 2 and all(d["expires_at"] for d in papers)
    assert papers[0]["label"].startswith("纸质通行证 · Paper pass · 20")

    text = pass_text(first)
    ok = await library.officer.post(
        "/api/v1/passes/verify", json={"text": text}, headers=library.key
    )
    assert ok.json()["valid"] is True
    removed = await resident.delete(  # type: ignore[attr-defined]
        f"/api/v1/me/devices/{papers[0]['id']}", headers=csrf(resident)
    )
    assert removed.status_code == 204
    gone = await library.officer.post(
        "/api/v1/passes/verify", json={"text": text}, headers=library.key
    )
    assert gone.json()["reason"] == "revoked"
    items = (await resident.get("/api/v1/me/devices")).json()["items"]  # type: ignore[attr-defined]
    assert [d["kind"] for d in items].count("paper") == 1
    # A place is free again.
    again = await resident.post("/passes/paper", data={"csrf_token": token(resident)})
    assert again.status_code == 200


async def test_an_expired_paper_pass_leaves_the_list_and_frees_its_place(
    app, browsers, monkeypatch
) -> None:
    resident, _ = await print_pass(app, browsers)
    await DeviceKey.filter(kind="paper").update(expires_at=clock.now() - dt.timedelta(seconds=1))
    items = (await resident.get("/api/v1/me/devices")).json()["items"]  # type: ignore[attr-defined]
    assert [d["kind"] for d in items] == ["phone"]
    for _ in range(2):
        page = await resident.post("/passes/paper", data={"csrf_token": token(resident)})
        assert page.status_code == 200
