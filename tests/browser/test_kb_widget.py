"""The self-service widget in a real browser: suggestions as the customer
types, an article marked helpful, and "Crear un ticket" arriving prefilled."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.kb.models import ArticleFeedback, Outcome, SelfServiceSession
from ventanilla.kb.services import ArticleData, article_save

pytestmark = pytest.mark.browser


@pytest.fixture
def help_articles(db):
    article_save(ArticleData(
        slug="ssl-gratis", title="Certificado SSL gratuito", category="Seguridad",
        tags=["ssl", "https"], summary="Activa el candado de tu sitio.",
        body="El certificado SSL se instala solo en unos minutos.\n"))
    article_save(ArticleData(
        slug="correo-no-llega", title="No me llegan los correos", category="Correo",
        tags=["correo"], body="Revisa los registros MX y la carpeta de spam.\n"))


def test_a_customer_finds_an_answer_and_marks_it_helpful(open_session, live_server, alice,
                                                         help_articles):
    page = open_session(alice.user)
    page.goto(f"{live_server.url}/cliente/")
    widget = page.locator("[data-kb-widget]")
    widget.get_by_label("Escribe tu pregunta").press_sequentially("sertificado ssl", delay=20)
    suggestion = widget.get_by_role("link", name="Certificado SSL gratuito")
    expect(suggestion).to_be_visible()
    expect(widget.get_by_text("¿Resolvió tu duda?")).to_be_visible()
    expect(widget.locator("mark").first).to_be_visible()
    screenshot(page, "kb-widget-suggestions")
    suggestion.click()
    expect(page.get_by_role("heading", name="Certificado SSL gratuito")).to_be_visible()
    assert re.search(r"/ayuda/ssl-gratis/\?autoservicio=", page.url)
    page.get_by_role("button", name="Sí").click()
    expect(page.get_by_text("¡Gracias por tu opinión!")).to_be_visible()
    screenshot(page, "kb-article-helpful")

    assert ArticleFeedback.objects.get().helpful is True
    session = SelfServiceSession.objects.get()
    assert session.question == "sertificado ssl" and session.user == alice.user
    assert "ssl-gratis" in session.shown and session.opened.slug == "ssl-gratis"
    assert session.outcome == Outcome.RESOLVED
    assert not page.js_errors


def test_create_a_ticket_arrives_prefilled_with_suggestions(open_session, live_server, alice,
                                                            help_articles):
    page = open_session(alice.user)
    page.goto(f"{live_server.url}/ayuda/")
    widget = page.locator("[data-kb-widget]")
    question = "no me llegan los correos de mis clientes"
    widget.get_by_label("Escribe tu pregunta").fill(question)
    expect(widget.get_by_role("link", name="No me llegan los correos")).to_be_visible()
    widget.get_by_role("button", name="No", exact=True).click()
    widget.get_by_role("link", name="Crear un ticket").click()
    expect(page.get_by_role("heading", name="Abrir ticket")).to_be_visible()
    expect(page.get_by_label("Asunto")).to_have_value(question)
    expect(page.get_by_label("Mensaje")).to_have_value(question)
    # The same suggestions while the customer writes the ticket.
    suggestions = page.locator("[data-kb-ticket-suggestions]")
    expect(suggestions.get_by_role("link", name="No me llegan los correos")).to_be_visible()
    screenshot(page, "kb-ticket-prefilled")
    assert SelfServiceSession.objects.get().outcome == Outcome.TICKET
    assert not page.js_errors
