"""The help pages, the JSON API and the self-service endpoints, through HTTP."""

import json

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from ventanilla.kb.models import Article, ArticleFeedback, Outcome, SelfServiceSession

pytestmark = pytest.mark.django_db


def test_the_help_home_lists_categories_and_finds_answers(client, articles):
    response = client.get("/ayuda/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Configurar tu correo en Outlook" in body and 'rel="canonical"' in body
    assert "Procedimiento interno" not in body and "Borrador" not in body
    response = client.get("/ayuda/", {"q": "sertificado"})
    body = response.content.decode()
    assert "¿Quisiste decir" in body and "Certificado SSL gratuito" in body
    assert "<mark>" in body


def test_an_article_page_is_indexable_and_counts_its_views(client, articles):
    response = client.get("/ayuda/ssl-gratis/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="description" content="Activa el certificado SSL gratis' in body
    assert '<link rel="canonical" href="http://testserver/ayuda/ssl-gratis/">' in body
    assert "<h1>Certificado SSL gratuito y redirección a https" in body
    client.get("/ayuda/ssl-gratis/")
    assert Article.objects.get(slug="ssl-gratis").views == 2


def test_imported_title_heading_is_not_repeated(client, articles):
    body = client.get("/ayuda/configurar-correo-outlook/").content.decode()
    assert body.count("Configurar tu correo en Outlook</h") == 1


@pytest.mark.parametrize("slug", ["procedimiento-interno-abuso", "borrador-correo", "no-existe"])
def test_customers_never_see_internal_or_draft_articles(client, articles, alice, slug):
    client.login(email=alice.email, password=PASSWORD)
    assert client.get(f"/ayuda/{slug}/").status_code == 404


def test_agents_read_internal_articles(client, articles, carla):
    client.login(email=carla.email, password=PASSWORD)
    response = client.get("/ayuda/procedimiento-interno-abuso/")
    assert response.status_code == 200 and b'name="robots" content="noindex"' in response.content


def test_feedback_with_a_comment_is_recorded(client, articles):
    response = client.post("/ayuda/ssl-gratis/valorar/", {"helpful": "no"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Gracias" in response.content.decode()
    feedback = ArticleFeedback.objects.get()
    assert feedback.helpful is False
    assert Article.objects.get(slug="ssl-gratis").helpful_no == 1
    client.post(f"/ayuda/ssl-gratis/valorar/{feedback.pk}/comentario/",
                {"comment": "Faltan capturas"}, HTTP_HX_REQUEST="true")
    feedback.refresh_from_db()
    assert feedback.comment == "Faltan capturas"


def test_nobody_comments_on_someone_elses_feedback(client, articles):
    client.post("/ayuda/ssl-gratis/valorar/", {"helpful": "si"})
    feedback = ArticleFeedback.objects.get()
    client.logout()
    client.cookies.clear()
    response = client.post(f"/ayuda/ssl-gratis/valorar/{feedback.pk}/comentario/",
                           {"comment": "spam"})
    assert response.status_code == 404


def test_feedback_is_rate_limited(client, articles, settings):
    settings.KB = {**settings.KB, "FEEDBACK_RATE": "2/h"}
    for _ in range(2):
        assert client.post("/ayuda/ssl-gratis/valorar/", {"helpful": "si"}).status_code == 302
    assert client.post("/ayuda/ssl-gratis/valorar/", {"helpful": "si"}).status_code == 429
    assert ArticleFeedback.objects.count() == 2


def test_the_search_api_returns_public_published_results(client, articles):
    response = client.get("/api/v1/kb/search", {"q": "correo", "lang": "es", "limit": 5})
    data = response.json()
    assert response.status_code == 200
    assert {"slug", "title", "snippet", "url", "score"} == set(data["results"][0])
    found = {r["slug"] for r in data["results"]}
    assert "configurar-correo-outlook" in found
    assert not found & {"procedimiento-interno-abuso", "borrador-correo"}
    assert data["results"][0]["url"].startswith("/ayuda/")


def test_the_search_api_is_public_even_for_agents(client, articles, carla):
    client.login(email=carla.email, password=PASSWORD)
    found = {r["slug"] for r in client.get("/api/v1/kb/search", {"q": "abuso"}).json()["results"]}
    assert "procedimiento-interno-abuso" not in found


def test_the_search_api_is_rate_limited(client, articles, settings):
    settings.KB = {**settings.KB, "SEARCH_RATE": "3/m"}
    codes = [client.get("/api/v1/kb/search", {"q": "correo"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_search_api_clamps_the_limit(client, articles):
    data = client.get("/api/v1/kb/search", {"q": "correo dns ssl wordpress", "limit": "x"}).json()
    assert 0 < len(data["results"]) <= 5
    assert len(client.get("/api/v1/kb/search", {"q": "correo", "limit": 1}).json()["results"]) == 1


def test_the_sitemap_lists_public_articles_only(client, articles):
    body = client.get("/ayuda/sitemap.xml").content.decode()
    assert "http://testserver/ayuda/ssl-gratis/" in body
    assert "procedimiento-interno-abuso" not in body and "borrador-correo" not in body


def _record(client, **data):
    response = client.post("/ayuda/autoservicio/", json.dumps(data),
                           content_type="application/json")
    assert response.status_code == 200
    return response.json()["session"]


def test_a_self_service_session_records_question_suggestions_and_opened_article(
        client, articles, alice):
    client.login(email=alice.email, password=PASSWORD)
    token = _record(client, question="no me llegan", shown=["correo-no-llega"], place="dashboard")
    token2 = _record(client, question="no me llegan los correos",
                     shown=["correo-no-llega", "configurar-correo-outlook"], session=token)
    assert token2 == token
    client.get(f"/ayuda/correo-no-llega/?autoservicio={token}")
    session = SelfServiceSession.objects.get()
    assert session.question == "no me llegan los correos" and session.user == alice.user
    assert session.opened.slug == "correo-no-llega" and session.place == "dashboard"
    # "¿Te fue útil? Sí" on that article answers "¿Resolvió tu duda?" too.
    client.post("/ayuda/correo-no-llega/valorar/", {"helpful": "si", "autoservicio": token})
    session.refresh_from_db()
    assert session.outcome == Outcome.RESOLVED


def test_the_widget_reports_whether_the_question_was_answered(client, articles):
    token = _record(client, question="ssl", shown=["ssl-gratis"])
    url = reverse("kb:selfservice_outcome", args=[token])
    assert client.post(url, {"resultado": "not_resolved"}).status_code == 204
    assert SelfServiceSession.objects.get().outcome == Outcome.NOT_RESOLVED
    assert client.post(url, {"resultado": "hack"}).status_code == 404


def test_create_a_ticket_opens_the_form_prefilled(client, articles, alice):
    client.login(email=alice.email, password=PASSWORD)
    token = _record(client, question="mi pagina muestra error 500", shown=[])
    response = client.get(reverse("kb:selfservice_ticket", args=[token]),
                          {"pregunta": "mi pagina muestra error 500"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:ticket_new"))
    assert SelfServiceSession.objects.get().outcome == Outcome.TICKET
    form = client.get(response.url).context["form"]
    assert form.initial["subject"] == "mi pagina muestra error 500"
    assert form.initial["body"] == "mi pagina muestra error 500"


def test_the_ticket_opened_after_a_session_is_linked_to_it(client, articles, alice, make_ticket):
    client.login(email=alice.email, password=PASSWORD)
    _record(client, question="no puedo entrar a webmail", shown=[])
    ticket = make_ticket(alice, subject="No puedo entrar a webmail")
    from ventanilla.kb.services import selfservice_link_tickets

    assert selfservice_link_tickets() == 1
    session = SelfServiceSession.objects.get()
    assert session.ticket == ticket and session.outcome == Outcome.TICKET


def test_the_dashboard_and_the_new_ticket_form_carry_the_widget(client, articles, alice):
    client.login(email=alice.email, password=PASSWORD)
    assert b"data-kb-widget" in client.get(reverse("portal:dashboard")).content
    assert b"data-kb-ticket-suggestions" in client.get(reverse("portal:ticket_new")).content


def test_the_report_shows_the_deflection_rate(client, articles, carla, alice, make_ticket):
    SelfServiceSession.objects.create(question="a", outcome=Outcome.RESOLVED)
    SelfServiceSession.objects.create(question="b", outcome=Outcome.PENDING)
    SelfServiceSession.objects.create(question="c", outcome=Outcome.NOT_RESOLVED)
    SelfServiceSession.objects.create(question="d", outcome=Outcome.TICKET)
    client.login(email=carla.email, password=PASSWORD)
    response = client.get(reverse("kb:console_report"))
    report = response.context["report"]
    assert (report.total, report.deflected, report.deflection_rate) == (4, 3, 0.75)
    assert b"75 %" in response.content


def test_customers_cannot_reach_the_console_pages(client, articles, alice):
    client.login(email=alice.email, password=PASSWORD)
    for name, args in [("kb:console_articles", []), ("kb:console_report", []),
                       ("kb:console_article_edit", ["ssl-gratis"])]:
        assert client.get(reverse(name, args=args)).status_code == 404


def test_no_moves_focus_to_the_comment_field_and_a_saved_comment_is_announced(client, articles):
    no = client.post("/ayuda/ssl-gratis/valorar/", {"helpful": "no"},
                     HTTP_HX_REQUEST="true").content.decode()
    assert 'data-announce="¡Gracias por tu opinión!"' in no
    assert 'class="form form--compact" data-focus="field"' in no
    feedback = ArticleFeedback.objects.get()
    saved = client.post(f"/ayuda/ssl-gratis/valorar/{feedback.pk}/comentario/",
                        {"comment": "Faltan capturas"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-announce="Guardamos tu comentario."' in saved
    assert "<p data-focus>Guardamos tu comentario.</p>" in saved
