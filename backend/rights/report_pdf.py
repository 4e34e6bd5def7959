"""The credit report as a PDF (个人信用报告), drawn with ReportLab.

Why ReportLab: it is pure Python and long maintained, and its built-in CID font STSong-Light
(Adobe-GB1) sets Chinese with no font file in the repository or on the server — PDF readers
use their own Song face for it. WeasyPrint would need Pango and an installed Noto CJK font.
`invariant=1` makes the bytes a function of the content alone, so the same report renders to
the same file (and the same SHA-256) every time it is downloaded again."""

from __future__ import annotations

import io
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from ..core.i18n import translate

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
WIDTH, HEIGHT = A4
MARGIN = 48
LINE = 15


def qr_png(text: str) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=2)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()


class _Writer:
    """Lines top to bottom, wrapped to the page width, with new pages as needed."""

    def __init__(self, canvas: Canvas, locale: str) -> None:
        self.c, self.locale, self.y = canvas, locale, HEIGHT - MARGIN

    def t(self, key: str, **params: Any) -> str:
        return translate(self.locale, key, **params)

    def line(self, text: str, size: float = 10, indent: float = 0) -> None:
        width = WIDTH - 2 * MARGIN - indent
        for part in self._wrap(text, size, width):
            if self.y < MARGIN + LINE:
                self.c.showPage()
                self.y = HEIGHT - MARGIN
            self.c.setFont(FONT, size)
            self.c.drawString(MARGIN + indent, self.y, part)
            self.y -= size * 1.5

    def _wrap(self, text: str, size: float, width: float) -> list[str]:
        lines, current = [], ""
        for char in text:
            if pdfmetrics.stringWidth(current + char, FONT, size) > width:
                lines.append(current)
                current = ""
            current += char
        return [*lines, current]

    def heading(self, key: str) -> None:
        self.y -= 6
        self.line(self.t(key), size=13)


def _name(value: Any, locale: str) -> str:
    if isinstance(value, dict):
        return str(value.get(locale) or value.get("zh-CN") or "")
    return str(value or "")


def render(content: dict[str, Any], *, check_url: str, content_sha256: str, kid: str) -> bytes:
    """The report's pages: everything in `content`, and the QR + short code to check it."""
    locale = content["locale"]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    canvas.setTitle(translate(locale, "report.title"))
    canvas.setAuthor(content["issuer"])
    canvas.setSubject(f"sha256:{content_sha256}")
    w = _Writer(canvas, locale)
    canvas.drawImage(
        ImageReader(io.BytesIO(qr_png(check_url))), WIDTH - MARGIN - 110, HEIGHT - MARGIN - 110,
        width=110, height=110,
    )  # fmt: skip
    w.line(w.t("report.title"), size=18)
    w.line(content["issuer"], size=11)
    w.line(w.t("report.code", code=content["code"]), size=11)
    w.line(w.t("report.issued", at=content["issued_at"][:10], until=content["expires_at"][:10]))
    w.line(w.t("report.check_at", url=check_url), size=9)
    w.y = min(w.y, HEIGHT - MARGIN - 124)
    person = content["person"]
    w.heading("report.person")
    w.line(w.t("report.person_line", name=person["name"], id=person["id_number_masked"]))
    _score(w, content)
    _records(w, content)
    _lists(w, content)
    _statements(w, content)
    _looks(w, content)
    w.heading("report.signature")
    w.line(w.t("report.signature_body", kid=kid), size=9)
    w.line(f"SHA-256 {content_sha256}", size=8)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _score(w: _Writer, content: dict[str, Any]) -> None:
    w.heading("report.score")
    score = content["score"]
    if score is None:
        w.line(w.t("report.no_score_" + content["score_absent"]))
        return
    w.line(w.t("report.score_line", score=score["score"], tier=_name(score["tier"], w.locale),
               model=score["model_version"]))  # fmt: skip
    for d in score["dimensions"]:
        w.line(f"{_name(d['name'], w.locale)}: {d['points']:+d} ({d['min']}…{d['max']})", indent=12)


def _records(w: _Writer, content: dict[str, Any]) -> None:
    w.heading("report.records")
    if not content["records"]:
        w.line(w.t("report.none"))
    for r in content["records"]:
        mark = w.t("report.objection_mark") if r["disputed"] else ""
        w.line(f"{_name(r['name'], w.locale)} {r['points']:+d} {mark}", size=10.5)
        w.line(w.t("report.record_line", department=_name(r["department_name"], w.locale),
                   decided=r["decision_date"], until=r["expires_on"],
                   status=w.t("report.status." + r["status"]), doc=r["decision_doc_no"] or "—"),
               size=9, indent=12)  # fmt: skip
        basis = _name(r["legal_basis"], w.locale)
        if basis:
            w.line(w.t("report.legal_basis", basis=basis), size=9, indent=12)


def _lists(w: _Writer, content: dict[str, Any]) -> None:
    w.heading("report.lists")
    if not content["lists"]:
        w.line(w.t("report.none"))
    for e in content["lists"]:
        w.line(w.t("report.list_line", list=e["list_name"], start=e["start"],
                   end=e["end"] or "—", doc=e["decision_doc_no"] or "—"))  # fmt: skip
        w.line(
            w.t("report.legal_basis", basis=_name(e["legal_basis"], w.locale)), size=9, indent=12
        )


def _statements(w: _Writer, content: dict[str, Any]) -> None:
    w.heading("report.statements")
    if not content["statements"]:
        w.line(w.t("report.none"))
    for s in content["statements"]:
        w.line(w.t("report.statement_" + s["kind"], case=s["case_no"], at=s["at"][:10],
                   state=s["status"]), size=9.5)  # fmt: skip
        w.line(s["text"], size=9.5, indent=12)


def _looks(w: _Writer, content: dict[str, Any]) -> None:
    w.heading("report.looks")
    if not content["looks"]:
        w.line(w.t("report.none"))
    for look in content["looks"]:
        who = " · ".join(x for x in (look["who"], look["organisation"]) if x)
        w.line(f"{look['at'][:16].replace('T', ' ')}  {who}  {look['purpose']}", size=9)
