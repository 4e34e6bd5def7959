"""Pass format version 2 as docs/pass-format.md states it: the documented vectors, what a
stranger can read, the tamper table in check order, ASCII-only canonicalisation, the sealed
content's malformed cases, the status list's checks, QR size, malleability and the v1 date."""

from __future__ import annotations

import dataclasses
import json
import struct
import zlib
from pathlib import Path

import jwt
import pytest
import qrcode
import zxingcpp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from webauthn.helpers import bytes_to_base64url

from backend.passes import base45, format_v1
from backend.passes import vectors as V
from backend.passes.format import (
    PREFIX,
    PRESENTATION_LEN,
    STATUS_LIST_SIZE,
    Certificate,
    parse_text,
    seal,
    to_text,
)
from backend.passes.offline import (
    keys_from_jwks,
    load_status_list,
    main_json,
    verify_offline,
)
from backend.passes.verify import (
    P256_ORDER,
    REASONS,
    NeverRevoked,
    StatusListError,
    canonical_signature,
    verify_text,
)

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))
DOC = (Path(__file__).resolve().parents[2] / "docs" / "pass-format.md").read_text("utf-8")
NOW = V.NOW
BUNDLE = VECTORS["bundle"]


def offline(text: str, *, now: int = NOW, status: str | None = None) -> str:
    return verify_offline(text, bundle=BUNDLE, now=now, status_token=status).reason


def online(text: str, *, now: int = NOW) -> str:
    return verify_text(
        text,
        keys=keys_from_jwks(BUNDLE["jwks"]),
        eligibility_keys={V.EKID: V.eligibility_key()},
        status=NeverRevoked(),
        now=now,
    ).reason


def flip(text: str, offset: int, bit: int = 0x01) -> str:
    data = bytearray(base45.decode(text[len(PREFIX) :]))
    data[offset] ^= bit
    return PREFIX + base45.encode(bytes(data))


def test_the_documented_vectors_are_the_generated_ones_and_verify_as_documented() -> None:
    fresh = V.vectors()
    for name in ("phone_certificate_hex", "paper_certificate_hex", "paper_pass_text", "phone_pass_text",
                 "phone_plaintext_hex", "paper_plaintext_hex", "eligibility_key_hex",
                 "status_list_revoking_4242", "status_list_empty"):  # fmt: skip
        assert VECTORS[name] == fresh[name], name
    for name in ("phone_certificate_hex", "phone_pass_text", "paper_certificate_hex",
                 "paper_pass_text", "phone_plaintext_hex", "paper_plaintext_hex",
                 "eligibility_key_hex", "device_public_key_hex"):  # fmt: skip
        assert VECTORS[name] in DOC, name
    phone, paper = VECTORS["phone_pass_text"], VECTORS["paper_pass_text"]
    assert offline(phone) == "valid" and offline(paper) == "valid"
    assert offline(phone, now=NOW + 120) == "stale_presentation"
    assert offline(phone, now=NOW + 86_400) == "expired"
    assert offline(phone, status=VECTORS["status_list_revoking_4242"]) == "revoked"
    assert offline(paper, status=VECTORS["status_list_revoking_4242"]) == "valid"
    no_key = dict(BUNDLE, eligibility_keys=[])
    assert verify_offline(phone, bundle=no_key, now=NOW).reason == "unknown_key"
    opened = verify_offline(paper, bundle=BUNDLE, now=NOW).certificate
    assert opened is not None and opened.holder_name == "张*明" and opened.birth_year == 1990
    assert opened.paper and opened.status_index == V.PAPER_STATUS_INDEX


def test_a_stranger_reads_nothing_but_the_version_and_the_days_keys() -> None:
    """Without the eligibility key, no byte of the QR carries tier, flags, index or key."""
    data = base45.decode(VECTORS["phone_pass_text"][len(PREFIX) :])
    cert = V.opened()
    clear = data[:23]
    assert clear[0] == 2 and clear[11:23] == V.PHONE_PASS_ID
    plaintext = cert.plaintext()
    assert plaintext not in data and cert.device_key not in data
    assert struct.pack(">I", cert.status_index) not in data[23:70]
    # The same person's next certificate (another pass id): nothing but the day's keys repeats.
    other = dataclasses.replace(cert, pass_id=bytes(range(100, 112)))
    sealed_a = seal(cert, V.eligibility_key())[23:]
    sealed_b = seal(other, V.eligibility_key())[23:]
    assert sum(a == b for a, b in zip(sealed_a, sealed_b, strict=True)) < 10  # chance only


def test_every_changed_byte_gives_the_reason_of_the_tamper_table() -> None:
    phone = VECTORS["phone_pass_text"]
    assert offline(flip(phone, 0)) == "malformed"
    for offset in range(1, 9):
        assert offline(flip(phone, offset)) == "unknown_key", offset
    for offset in (9, 10):
        assert offline(flip(phone, offset)) in ("unknown_key", "bad_signature"), offset
    for offset in range(11, 134):
        assert offline(flip(phone, offset)) == "bad_signature", offset
    for offset in range(134, 138):
        assert offline(flip(phone, offset)) in (
            "stale_presentation",
            "clock_skew",
            "bad_presentation",
        ), offset
    assert offline(flip(phone, 137)) == "bad_presentation"  # the step's lowest bit: in window
    for offset in range(138, PRESENTATION_LEN):
        assert offline(flip(phone, offset)) == "bad_presentation", offset
    paper = VECTORS["paper_pass_text"]
    for offset in range(11, len(base45.decode(paper[4:]))):
        assert offline(flip(paper, offset)) == "bad_signature", offset


@pytest.mark.parametrize(
    "noise",
    ["\u3000", "\u00a0", "\ufeff", "\u2003", "\uff38"],  # ideographic, NBSP, BOM, em, Ｘ
)
def test_non_ascii_around_or_inside_is_malformed_on_both_verifiers(noise: str) -> None:
    phone = VECTORS["phone_pass_text"]
    for text in (noise + phone, phone + noise, phone[:50] + noise + phone[51:]):
        assert offline(text) == "malformed" and online(text) == "malformed"


def test_dotless_i_and_long_s_do_not_stand_in_for_i_and_s() -> None:
    phone = VECTORS["phone_pass_text"]
    for letter, lookalike in (("I", "\u0131"), ("S", "\u017f"), ("K", "\u212a")):
        at = phone.index(letter, 4)
        forged = phone[:at] + lookalike + phone[at + 1 :]
        assert offline(forged) == "malformed" and online(forged) == "malformed"
        assert offline(phone[:at] + letter.lower() + phone[at + 1 :]) == "valid"
    assert offline("  \t" + phone.lower() + "\r\n") == "valid"  # ASCII scanner noise


def signed_certificate(cert: Certificate) -> str:
    """A certificate signed by the vectors' server key with whatever content (a server bug)."""
    body = seal(cert, V.eligibility_key())
    return to_text(body + V.server_key().private.sign(body))


def phone_text(cert_text: str) -> str:
    data = base45.decode(cert_text[4:]) + struct.pack(">I", NOW // 30)
    r, s = decode_dss_signature(V.device_key().sign(data, ec.ECDSA(hashes.SHA256())))
    return to_text(data + r.to_bytes(32, "big") + s.to_bytes(32, "big"))


@pytest.mark.parametrize(
    "change",
    [
        {"flags": 0x11},  # an unknown flag bit
        {"flags": 0x80},
        {"flags": 0x09},  # paper flag on a phone presentation
        {"status_index": STATUS_LIST_SIZE},  # beyond the status list
        {"device_key": b"\x02" + b"\xff" * 32},  # X beyond the field: not on the curve
        {"device_key": b"\x04" + bytes(32)},  # not a compressed point
        {"expires_at": V.ISSUED_AT},  # expires when issued
    ],
)
def test_sealed_content_that_is_not_a_pass_is_malformed_after_the_signature(change) -> None:
    bad = dataclasses.replace(V.opened(), **change)
    text = phone_text(signed_certificate(bad))
    assert offline(text) == "malformed" and online(text) == "malformed"


def test_a_device_key_that_is_no_curve_point_but_has_a_valid_prefix() -> None:
    for x in range(1, 40):  # about half of all X have no Y on P-256
        point = b"\x02" + x.to_bytes(32, "big")
        bad = dataclasses.replace(V.opened(), device_key=point)
        if offline(phone_text(signed_certificate(bad))) == "malformed":
            return
    pytest.fail("no X without a curve point found")


def test_the_paper_layout_checks_its_name() -> None:
    paper = V.opened(paper=True)
    assert offline(signed_certificate(dataclasses.replace(paper, flags=0x01))) == "malformed"
    body = bytearray(seal(paper, V.eligibility_key()))
    body[23 + 16] ^= 0x01  # the name length no longer matches (re-signed)
    text = to_text(bytes(body) + V.server_key().private.sign(bytes(body)))
    assert offline(text) == "malformed"


def status_token(claims: dict, header: dict | None = None) -> str:
    return jwt.encode(
        claims,
        V.server_key().private,
        algorithm="EdDSA",
        headers=header or {"kid": V.server_key().kid, "typ": "statuslist+jwt"},
    )


def claims(**extra) -> dict:
    bits = bytes(STATUS_LIST_SIZE // 8)
    return {"iss": "xinyi", "iat": NOW, "exp": NOW + 300, "size": STATUS_LIST_SIZE,
            "bits": bytes_to_base64url(zlib.compress(bits, 9))} | extra  # fmt: skip


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-jws",
        status_token(claims(), {"kid": V.server_key().kid, "typ": "JWT"}),  # typ
        status_token(claims(), {"kid": V.server_key().kid}),  # no typ
        status_token(claims(iss="someone")),  # iss
        status_token({k: v for k, v in claims().items() if k != "iss"}),
        status_token(claims(size=1024)),  # size
        status_token(claims(exp=NOW)),  # expired
        status_token(claims(iat=NOW + 301, exp=NOW + 601)),  # from the future
        status_token(claims(bits=bytes_to_base64url(zlib.compress(bytes(100))))),  # too short
        # a bomb: 64 MiB of zeros would inflate from ~64 KB; stopped after 16 MiB + 1
        status_token(claims(bits=bytes_to_base64url(zlib.compress(bytes(64 << 20), 9)))),
        status_token(claims(bits="!!")),
        status_token(claims(bits=bytes_to_base64url(b"not zlib"))),
    ],
)
def test_an_unusable_status_list_is_its_own_reason_in_its_place(token: str) -> None:
    phone = VECTORS["phone_pass_text"]
    assert offline(phone, status=token) == "status_list_unusable"
    keys = keys_from_jwks(BUNDLE["jwks"])
    if token:
        with pytest.raises(StatusListError):
            load_status_list(token, keys, now=NOW)
    # The checks before it still come first: a stale presentation is stale, a garbage scan
    # is malformed, whatever the list.
    assert offline(phone, now=NOW + 120, status=token) == "stale_presentation"
    assert offline("XY2:ABC", status=token) == "malformed"


def test_both_verifiers_have_one_ordered_reason_list() -> None:
    """The doc's ordered table, the reasons the code knows, in one order (malformed twice:
    the text, then the sealed content once the signature verified)."""
    rows = [line.split("|") for line in DOC.splitlines() if line.startswith("| ")]
    order = [
        row[2].strip().strip("`")
        for row in rows
        if row[1].strip().isdigit() and row[2].strip().startswith("`")
    ]
    assert order[:4] == ["malformed", "unknown_key", "bad_signature", "malformed"]
    assert list(dict.fromkeys(order)) == [r for r in REASONS if r != "valid"]


def test_the_phone_pass_is_qr_version_10_at_level_m_and_decodes() -> None:
    for text in (VECTORS["phone_pass_text"], VECTORS["paper_pass_text"]):
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=4)
        qr.add_data(text)
        qr.make(fit=True)
        assert qr.version <= 10
        image = qr.make_image().get_image().convert("L")
        [decoded] = zxingcpp.read_barcodes(image)
        assert decoded.text == text and decoded.ec_level == "M"
        assert decoded.format == zxingcpp.BarcodeFormat.QRCode
    assert len(VECTORS["phone_pass_text"]) == 307
    longest = signed_certificate(dataclasses.replace(V.opened(paper=True), holder_name="欧" * 16))
    assert len(longest) == 4 + 228 and parse_text(longest).paper_layout


def test_the_low_s_twin_verifies_and_has_one_canonical_form() -> None:
    phone = VECTORS["phone_pass_text"]
    data = bytearray(base45.decode(phone[4:]))
    s = int.from_bytes(data[-32:], "big")
    data[-32:] = (P256_ORDER - s).to_bytes(32, "big")
    twin = to_text(bytes(data))
    assert offline(twin) == "valid"
    original = base45.decode(phone[4:])
    assert canonical_signature(original[-64:]) == canonical_signature(bytes(data[-64:]))
    assert int.from_bytes(canonical_signature(original[-64:])[32:], "big") <= P256_ORDER // 2
    data[-32:] = bytes(32)  # s = 0
    assert offline(to_text(bytes(data))) == "bad_presentation"


def test_version_1_is_read_until_its_date_then_malformed() -> None:
    old = VECTORS_V1["phone_pass_text"]
    keys = keys_from_jwks(VECTORS_V1["jwks"])

    def check(now: int) -> str:
        return verify_text(
            old, keys=keys, eligibility_keys={}, status=NeverRevoked(), now=now
        ).reason

    assert check(VECTORS_V1["now"]) == "valid"
    assert check(format_v1.V1_REFUSED_FROM) == "malformed"
    assert "2027-01-02T00:00:00Z" in DOC


# The version-1 vectors as documented before version 2 (a v1 text signed at 1795003600).
VECTORS_V1 = {
    "now": 1795003600,
    "jwks": {"keys": [V.server_key().jwk()]},
    "phone_pass_text": "XY1:R70-09-6LZOCHR9KB0*M0DY0W016C1SP1C2WSEOZ9W648V50G00SKIY5MX+T1PVJK"
    "GI7BE12$-MBPJPLO:.53CAXAA$XBGGQTQHEKABY3D66HRPT1D0OE1HF6L4SP0W8H0R18S705DYEAHKUN+13ZQ+IJ"
    "EF64P7%0UQHSL*M F0W4AB7M6*SZY0144:*7EGRB%S46NCK01-V:M4Q 8U/U1HBHSU:VVR2WS6AL1G:*VTN31B7"
    "A/9CEB$50QG8CVD0SEXOJ-Z85HSKJJW89$0I Q8MF47ZDU.J4U57/3%8ECKL",
}


def test_the_reference_verifier_reads_a_bundle_file_and_a_fresher_status_list(
    tmp_path: Path,
) -> None:
    bundle_file = tmp_path / "bundle.json"
    bundle_file.write_text(json.dumps(BUNDLE), encoding="utf-8")
    status_file = tmp_path / "status.jwt"
    status_file.write_text(VECTORS["status_list_revoking_4242"] + "\n", encoding="utf-8")
    phone, paper = VECTORS["phone_pass_text"], VECTORS["paper_pass_text"]
    assert main_json(phone, str(bundle_file), None, NOW) == {
        "valid": True, "reason": "valid", "version": 2, "tier": "good", "lists": ["red"],
        "paper_pass_check_id_card": False, "holder_name": None, "birth_year": None,
        "expires_at": V.EXPIRES_AT,
    }  # fmt: skip
    assert main_json(phone, str(bundle_file), str(status_file), NOW)["reason"] == "revoked"
    on_paper = main_json(paper, str(bundle_file), None, NOW)
    assert on_paper["holder_name"] == "张*明" and on_paper["birth_year"] == 1990
    assert main_json("XY2:ABC", str(bundle_file), None, NOW)["tier"] is None
