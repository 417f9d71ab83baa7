"""The printable certificate (PDF): what 人社鉴发〔2021〕1号 asks a certificate to show — name, ID
type and number (masked, as in the signed file), occupation and 工种/职业方向, level, number,
issuer, date, photo — with the QR code of its public check page and where to check it.
reportlab with its built-in Chinese CID font (no font file); the QR drawn module by module from
segno's matrix (no image library in between)."""

from __future__ import annotations

import io

import segno
from django.utils.translation import gettext as _

from jineng.assessment.choices import CertificateKind
from jineng.assessment.models import Certificate

PDF_FONT = "STSong-Light"

__all__ = ["certificate_pdf"]


def _titles() -> dict[str, str]:
    return {
        CertificateKind.SKILL_LEVEL: _("Vocational Skill Level Certificate"),
        CertificateKind.SPECIAL_ABILITY: _("Special Ability Certificate"),
        CertificateKind.TRAINING: _("Training Certificate"),
        CertificateKind.ENTREPRENEURSHIP: _("Entrepreneurship Training Certificate"),
    }


def _draw_qr(canvas, text: str, x: float, y: float, size: float) -> None:
    qr = segno.make(text, error="m")
    matrix = [list(row) for row in qr.matrix]
    border = 2
    count = len(matrix) + 2 * border
    module = size / count
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + (c + border) * module, y + size - (r + border + 1) * module,
                            module, module, stroke=0, fill=1)
    canvas.restoreState()


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Lines of at most `width` points, broken between any two characters (Chinese has no
    spaces to break at)."""
    from reportlab.pdfbase import pdfmetrics

    lines, line = [], ""
    for char in text:
        if line and pdfmetrics.stringWidth(line + char, PDF_FONT, size) > width:
            lines.append(line)
            line = char.lstrip()
        else:
            line += char
    return [*lines, line] if line else lines


def certificate_pdf(certificate: Certificate, *, verify_page: str) -> bytes:
    """One A4 page. `verify_page` is the public page where anyone can check a file or a
    number (printed under the QR code)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    payload = certificate.signed_payload or {}
    holder = payload.get("holder") or {}
    width, height = A4
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(f"{certificate.number}")
    canvas.setAuthor("jineng")

    canvas.setLineWidth(2)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setFont(PDF_FONT, 22)
    title = _titles().get(certificate.kind, certificate.get_kind_display())
    canvas.drawCentredString(width / 2, height - 40 * mm, str(title))

    rows = [
        (_("Name"), certificate.holder_name),
        (_("ID type"), holder.get("id_type_name", "") or _("Resident identity card")),
        (_("ID number"), holder.get("id_number_masked", "") or certificate.person.id_masked),
        (_("Occupation"), (payload.get("occupation") or {}).get("name", "")
         or (certificate.occupation.name if certificate.occupation else "")),
        (_("Work type or direction"), certificate.work_type),
        (_("Skill level"), (payload.get("level") or {}).get("name", "")
         or (certificate.level.name if certificate.level else "")),
    ]
    if certificate.special_ability_item:
        rows.append((_("Special ability item"), certificate.special_ability_item))
    if certificate.title:
        rows.append((_("Project"), certificate.title))
    if certificate.training_start and certificate.training_end:
        rows.append((_("Training dates"),
                     f"{certificate.training_start.isoformat()} – "
                     f"{certificate.training_end.isoformat()}"))
    rows += [
        (_("Certificate number"), certificate.number),
        (_("Issued by"), certificate.issuer_name),
        (_("Issued on"), certificate.issued_on.strftime("%Y-%m-%d")),
    ]
    y = height - 70 * mm
    photo_bottom = height - 110 * mm
    for label, value in rows:
        canvas.setFont(PDF_FONT, 11)
        canvas.drawString(30 * mm, y, f"{label}:")
        # Beside the photo the line ends before it; below, at the frame.
        right = (140 if y >= photo_bottom - 2 * mm else 185) * mm
        text = str(value or "—")[:80]
        size = 13.0
        while size > 7 and pdfmetrics.stringWidth(text, PDF_FONT, size) > right - 75 * mm:
            size -= 0.5
        canvas.setFont(PDF_FONT, size)
        canvas.drawString(75 * mm, y, text)
        y -= 10 * mm

    # Photo (top right), 35 × 45 mm.
    photo_x, photo_y = width - 30 * mm - 35 * mm, height - 110 * mm
    canvas.setLineWidth(0.5)
    canvas.rect(photo_x, photo_y, 35 * mm, 45 * mm)
    drawn = False
    if certificate.photo:
        try:
            with certificate.photo.open("rb") as handle:
                image = ImageReader(io.BytesIO(handle.read()))
            canvas.drawImage(image, photo_x, photo_y, 35 * mm, 45 * mm,
                             preserveAspectRatio=True, anchor="c")
            drawn = True
        except Exception:  # an unreadable photo is said so below, never an empty frame
            drawn = False
    if not drawn:
        canvas.setFont(PDF_FONT, 9)
        for i, line in enumerate((str(_("No photo")), str(_("on file")))):
            canvas.drawCentredString(photo_x + 17.5 * mm, photo_y + (24 - 5 * i) * mm, line)

    link = payload.get("verify_url") or verify_page
    qr_size = 40 * mm
    _draw_qr(canvas, link, width - 30 * mm - qr_size, 30 * mm, qr_size)
    text = canvas.beginText(30 * mm, 66 * mm)
    text.setFont(PDF_FONT, 9)
    text.setLeading(13)
    for paragraph in (
        str(_("Check this certificate: scan the QR code, or open")),
        verify_page,
        str(_("and enter the certificate number, or upload its signed file.")),
        str(_("Signed with key %(key)s (Ed25519); the signed file verifies offline with "
              "the published keys.") % {"key": certificate.key_id or "—"}),
    ):
        for line in _wrap(paragraph, 9, 105 * mm):
            text.textLine(line)
    canvas.drawText(text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
