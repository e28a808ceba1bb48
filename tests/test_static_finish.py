"""Small things a person notices: /favicon.ico answers, attachment icons are
inline SVG with a text alternative (no font glyph)."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import ventanilla

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
       b"\x00\x00\x00IEND\xaeB`\x82")
CSS = Path(ventanilla.__file__).parent / "static" / "ventanilla" / "ventanilla.css"


def test_favicon_ico_leads_to_the_svg_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("ventanilla/favicon.svg")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)


def test_attachment_links_carry_an_inline_svg_icon_with_a_text_alternative(
        client, alice, carla, make_ticket):
    ticket = make_ticket(alice, files=[SimpleUploadedFile("captura.png", PNG)])
    for user, url in [(alice.user, reverse("portal:ticket_detail", args=[ticket.number])),
                      (carla, reverse("console:ticket_detail", args=[ticket.number]))]:
        client.force_login(user)
        page = client.get(url).content.decode()
        link = page[page.index('class="attachment-link"'):]
        link = link[:link.index("</a>")]
        assert '<svg class="icon" aria-hidden="true" focusable="false"' in link
        assert '<span class="visually-hidden">Adjunto: </span>captura.png' in link
    assert "📎" not in CSS.read_text(encoding="utf-8")
