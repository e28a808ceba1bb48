"""axe-core (WCAG 2.0-2.2 A and AA rules) on every page template, as every
role, on a desktop and on a 390 px phone: zero violations, no page wider than
the phone, and no focused control hidden under the fixed chat button.

The pages are the demo's (`ventanilla demo`) served by a real `ventanilla
serve` (pytest-django's live server is WSGI: the chat widget and the chat
console need the ASGI server). axe-core is the npm package `make a11y-deps`
installs into tests/a11y/node_modules at the version pinned there.

test_every_page_route_is_audited_or_excluded keeps the lists below complete:
a new route fails it until it is visited here or excluded with a reason."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.browser.test_chat_browser import become_available
from tests.test_scale_out import answers, start, stop
from tests.test_serve import free_port, wait_for

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "demo1234"  # ventanilla/core/demo_data.py

# What the tests need to name the demo's rows in URLs, printed by the served
# site's own shell.
IDS = """
import json
from ventanilla.chat.models import Chat
from ventanilla.kb.models import Article, KbCategory
from ventanilla.notifications.models import Notification
from ventanilla.status.models import Incident
from ventanilla.tickets.models import Ticket

from django.core import signing
from ventanilla.fields.models import ConsentRequest
from ventanilla.fields.services import consent_token
from ventanilla.sla.survey import survey_token
from ventanilla.status.models import ContactRequest
from ventanilla.status.views import RECEIPT_SALT
from ventanilla.tickets.verification import confirm_token

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from ventanilla.accounts.models import Customer

two_factor = Customer.objects.exclude(email="cliente@example.com").filter(user__isnull=False)
two_factor = two_factor.order_by("pk").first().user
secret = generate_totp_secret()
TOTP.activate(two_factor, secret)
RecoveryCodes.activate(two_factor)

mine = Ticket.objects.filter(customer__email="cliente@example.com")
article = Article.objects.filter(status="published", visibility="public").first()
unverified = Ticket.objects.filter(customer__unverified_for__email="cliente@example.com").first()
print(json.dumps({
    "two_factor_email": two_factor.email,
    "two_factor_secret": secret,
    "survey": survey_token(mine.filter(status="resuelto").first().pk),
    "receipt": signing.dumps(ContactRequest.objects.first().pk, salt=RECEIPT_SALT),
    "consent": consent_token(ConsentRequest.objects.filter(ticket__isnull=False).first()),
    "unverified": confirm_token(unverified),
    "open": mine.filter(status="abierto").first().number,
    "resolved": mine.filter(status="resuelto").first().number,
    # An open Soporte ticket whose category has its own fields ("Editar datos").
    "support": Ticket.objects.filter(department__slug="soporte", category__custom_fields__isnull=False)
                     .exclude(status="cerrado").order_by("pk").first().number,
    "abuse": Ticket.objects.filter(department__slug="abuso").first().number,
    "article": article.slug,
    "kb_category": KbCategory.objects.filter(articles=article).first().slug,
    "incident": Incident.objects.order_by("pk").first().pk,
    "notification": Notification.objects.filter(customer__email="cliente@example.com").first().pk,
}))
"""


@dataclass
class Site:
    url: str
    ids: dict


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo, served, on a SQLite database of its own."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the audit serves its own SQLite demo whatever DATABASE_URL says: "
                    "the SQLite pass of .ci/run ran it")
    tmp = tmp_path_factory.mktemp("axe-site")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_", "REDIS_", "HUEY_", "VENTANILLA_", "EMAIL_", "DJANGO_"))}
    port = free_port()
    env.update(VENTANILLA_DATA_DIR=str(tmp / "data"), DJANGO_SETTINGS_MODULE="ventanilla.settings",
               PYTHONUNBUFFERED="1", SITE_URL=f"http://127.0.0.1:{port}")
    run = [sys.executable, "-m", "ventanilla"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=180)
    subprocess.run([*run, "demo"], env=env, check=True, timeout=180, capture_output=True)
    out = subprocess.run([*run, "shell", "-c", IDS], env=env, check=True, timeout=60,
                         capture_output=True, text=True).stdout
    ids = json.loads(out.strip().splitlines()[-1])
    log = tmp / "serve.log"
    process = start(env, ["serve", "--no-worker", "--port", str(port)], log)
    try:
        assert wait_for(answers(port), 30), log.read_text()
        yield Site(f"http://127.0.0.1:{port}", ids)
    finally:
        stop(process)


# --- The pages -------------------------------------------------------------


@dataclass
class Visit:
    """One page state: a URL name (with its arguments from the demo's ids)
    and what to do on the page before the audit."""
    url_name: str
    kwargs: Callable[[dict], dict] = lambda ids: {}
    query: str = ""
    then: Callable | None = None
    label: str = ""
    status: int = 200  # what the page answers: an unexpected one fails the audit

    def path(self, ids: dict) -> str:
        return reverse(self.url_name, kwargs=self.kwargs(ids)) + self.query.format(**ids)

    def __str__(self):
        return self.label or self.url_name


def open_chat(page):
    page.get_by_role("button", name="Chatear con un agente ahora").click()
    page.locator("[data-chat-panel] form, [data-chat-panel] [data-chat-offline]").first.wait_for()


def submit_empty_ticket(page):
    page.get_by_role("button", name="Enviar ticket").click()
    page.wait_for_load_state()
    page.locator("[role=alert]").first.wait_for()


def open_console_forms(page):
    """The sidebar's forms opened in place (htmx): the category's fields and
    the request for the customer's authorization."""
    page.get_by_role("link", name="Editar datos").click()
    page.locator("#datos-categoria form").wait_for()
    page.get_by_role("link", name="Pedir autorización").click()
    page.locator("#autorizaciones form").first.wait_for()


def answer_no(page):
    page.get_by_role("button", name="No", exact=True).click()
    page.wait_for_load_state("networkidle")


def reply(page):
    """The customer's reply, sent: the conversation swapped in (htmx)."""
    page.get_by_label("Tu respuesta").fill("Sigue igual, adjunto más detalles.")
    page.get_by_role("button", name="Enviar respuesta").click()
    page.locator("[data-announce]").get_by_text("Sigue igual, adjunto más detalles.").first.wait_for()


def send_empty(page):
    """Send the page's main form empty, past the browser's own checks (as an
    old browser would): the page with its error summary and marked fields."""
    with page.expect_navigation():
        page.evaluate("""() => {
            const forms = [...document.querySelectorAll('form')];
            const form = forms.sort((a, b) => b.elements.length - a.elements.length)[0];
            for (const el of form.elements) {
                if (['text', 'email', 'textarea', 'url', 'tel'].includes(el.type)) el.value = '';
            }
            HTMLFormElement.prototype.submit.call(form);
        }""")
    page.wait_for_load_state()
    page.locator(".form-errors, .errorlist, [aria-invalid=true]").first.wait_for()


def csrf_refused(page):
    """A form sent without its CSRF cookie (e.g. cookies cleared meanwhile):
    templates/403_csrf.html."""
    page.context.clear_cookies()
    page.get_by_label("Correo electrónico").fill("nadie@example.com")
    page.get_by_label("Contraseña").fill("no-importa")
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_load_state()
    assert "Iniciar sesión" not in page.locator("h1").inner_text()


def failed_login(page):
    page.get_by_label("Correo electrónico").fill("nadie@example.com")
    page.get_by_label("Contraseña").fill("no-es-esta")
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_load_state()
    page.locator(".form-errors, .errorlist").first.wait_for()


VISITOR = [
    Visit("home"),
    Visit("kb:help_home"),
    Visit("kb:help_home", query="?q=correo", label="help search"),
    Visit("kb:category", lambda ids: {"slug": ids["kb_category"]}),
    Visit("kb:article", lambda ids: {"slug": ids["article"]}),
    Visit("kb:article", lambda ids: {"slug": ids["article"]}, then=answer_no,
          label="article feedback: No"),
    Visit("sla:contact"),
    Visit("status:contact_cannot_login"),
    Visit("status:contact_presales"),
    Visit("status:contact_abuse"),
    Visit("status:contact_cannot_login", then=send_empty, label="cannot log in, sent empty"),
    Visit("status:contact_presales", then=send_empty, label="presales, sent empty"),
    Visit("status:contact_abuse", then=send_empty, label="abuse report, sent empty"),
    Visit("account_signup", then=send_empty, label="signup, sent empty"),
    Visit("status:contact_received", query="?r={receipt}", label="contact received"),
    Visit("status:status_page"),
    Visit("status:incident_detail", lambda ids: {"incident_id": ids["incident"]}),
    Visit("chat:start"),
    Visit("home", then=open_chat, label="home, chat open"),
    Visit("account_login"),
    Visit("account_login", then=failed_login, label="login failed"),
    Visit("account_signup"),
    Visit("account_reset_password"),
    Visit("account_reset_password_done"),
    Visit("account_reset_password_from_key", lambda ids: {"uidb36": "1", "key": "invalida"},
          label="password reset, bad link"),
    Visit("account_reset_password_from_key_done"),
    Visit("account_confirm_email", lambda ids: {"key": "invalida"}, label="email confirm, bad link"),
    Visit("account_email_verification_sent"),
    Visit("account_inactive"),
    Visit("sla:survey", lambda ids: {"token": ids["survey"], "score": 4}),
    Visit("fields:consent_link", lambda ids: {"token": ids["consent"]}),
    Visit("fields:consent_link", lambda ids: {"token": "invalido"}, label="consent, bad link",
          status=400),
    Visit("mail:address_confirm", lambda ids: {"signature": "invalida"},
          label="address confirm, bad link", status=400),
    Visit("kb:article", lambda ids: {"slug": "no-existe"}, label="404", status=404),
    Visit("account_login", then=csrf_refused, label="403, a form without its CSRF cookie"),
]

CUSTOMER = [
    Visit("portal:dashboard"),
    Visit("portal:dashboard", then=open_chat, label="client area, chat open"),
    Visit("portal:ticket_list"),
    Visit("portal:ticket_new"),
    Visit("portal:ticket_new", then=submit_empty_ticket, label="new ticket, failed submission"),
    Visit("portal:ticket_detail", lambda ids: {"number": ids["open"]}),
    Visit("portal:ticket_detail", lambda ids: {"number": ids["open"]}, then=reply,
          label="ticket, reply sent"),
    Visit("portal:ticket_detail", lambda ids: {"number": ids["resolved"]}, label="resolved ticket"),
    Visit("portal:ticket_created", lambda ids: {"number": ids["open"]}),
    Visit("portal:ticket_reply", lambda ids: {"number": ids["open"]}),
    Visit("portal:ticket_close", lambda ids: {"number": ids["resolved"]}),
    Visit("portal:unverified_list"),
    Visit("portal:unverified_confirm", lambda ids: {"token": ids["unverified"]}),
    Visit("notifications:list"),
    Visit("notifications:open", lambda ids: {"notification_id": ids["notification"]}),
    Visit("portal:ticket_reply", lambda ids: {"number": ids["open"]}, then=send_empty,
          label="reply, sent empty"),
    Visit("account_settings"),
    Visit("mail:addresses"),
    Visit("account_email"),
    Visit("account_change_password"),
    Visit("account_set_password"),
    Visit("mfa_index"),
    Visit("mfa_activate_totp"),
    Visit("account_reauthenticate"),
    Visit("account_logout", label="log out (its confirmation; a GET signs nobody out)"),
    Visit("kb:help_home", label="help centre, signed in"),
    Visit("status:status_page", label="status, signed in"),
    Visit("portal:ticket_detail", lambda ids: {"number": "00000000"}, label="404, signed in",
          status=404),
]

AGENT = [
    Visit("console:queue"),
    Visit("console:queue", query="?q=correo", label="queue, searched"),
    Visit("console:ticket_detail", lambda ids: {"number": ids["support"]}),
    Visit("console:ticket_detail", lambda ids: {"number": ids["support"]}, then=open_console_forms,
          label="console ticket, forms open"),
    Visit("fields:console_values_edit", lambda ids: {"number": ids["support"]}),
    Visit("fields:console_consent_new", lambda ids: {"number": ids["support"]}),
    Visit("fields:console_action_done", lambda ids: {"number": ids["support"]}),
    Visit("chat:console"),
    Visit("kb:console_articles"),
    Visit("kb:console_article_new"),
    Visit("kb:console_article_edit", lambda ids: {"slug": ids["article"]}),
    Visit("kb:console_article_revisions", lambda ids: {"slug": ids["article"]}),
    Visit("status:console_incidents"),
    Visit("kb:console_article_new", then=send_empty, label="new article, sent empty"),
    Visit("status:console_incident", lambda ids: {"incident_id": ids["incident"]}),
    Visit("sla:alerts"),
    Visit("status:console_incident_new", label="403, publishing is for supervisors", status=403),
]

SUPERVISOR = [
    Visit("sla:reports"),
    Visit("status:console_incident_new"),
    Visit("status:console_incident_new", then=send_empty, label="new incident, sent empty"),
    Visit("kb:console_report"),
    Visit("mail_console:failed"),
    Visit("console:queue", label="queue, all departments"),
    Visit("status:console_abuse_notice", lambda ids: {"number": ids["abuse"]}),
]

# Django's admin is where an admin sets the site up: its index, the site's
# settings and a long list.
ADMIN = [
    Visit("admin:index"),
    Visit("admin:core_sitesettings_changelist", label="admin: site settings"),
    Visit("admin:tickets_ticket_changelist", label="admin: tickets"),
]

# Routes no axe visit covers, and why. Everything else with a name must be
# visited above (test_every_page_route_is_audited_or_excluded).
POST_ONLY = "POST only: answers with a redirect or a fragment audited on its page"
EXCLUDED = {
    "health": "JSON", "mail_console:health": "JSON", "theme_css": "CSS", "favicon": "image",
    "site_logo": "image", "kb:sitemap": "XML", "status:feed": "RSS", "kb:api_search": "JSON",
    "console:queue_export": "CSV", "console:ticket_email_original": "an .eml download",
    "attachment": "a file download", "set_language": "a redirect",
    "integrations:billing_events": "JSON API", "integrations:sso_login": "a redirect",
    "portal:ticket_new_categories": "htmx fragment of portal:ticket_new",
    "fields:portal_category_fields": "htmx fragment of portal:ticket_new",
    "console:ticket_fields_categories": "htmx fragment of console:ticket_detail",
    "chat:console_sidebar": "part of chat:console with a chat open: test_a_live_chat_...",
    "chat:console_kb_search": "part of chat:console with a chat open: test_a_live_chat_...",
    "chat:console_convert": "part of chat:console with a chat open: test_a_live_chat_...",
    "account_request_reauthentication_code": "login by code is off",
    "account_confirm_reauthentication_code": "login by code is off",
    "account_confirm_login_code": "login by code is off",
    "mfa_authenticate": "the login's second step: test_two_factor_pages_...",
    "mfa_download_recovery_codes": "a text download",
    "forwarded:message": "needs a ticket with a forwarded email (.eml) attached; the demo has none",
    "forwarded:file": "a file download",
    **{name: POST_ONLY for name in [
        "chat:begin", "chat:offline_ticket", "chat:console_pin_check", "chat:console_consent",
        "kb:selfservice_record", "kb:selfservice_outcome", "kb:selfservice_ticket",
        "kb:selfservice_chat", "kb:article_feedback", "kb:feedback_comment",
        "kb:console_article_preview", "mail:address_remove", "mail:address_resend",
        "console:bulk_take", "console:ticket_reply", "console:ticket_fields",
        "console:ticket_status", "console:ticket_assign", "console:ticket_merge",
        "portal:unverified_claim", "fields:portal_consent_answer", "notifications:read",
        "notifications:preferences", "sla:alerts_read", "status:incident_follow",
        "status:pin_rotate", "status:console_link", "status:console_link_pick",
        "status:console_bulk_link", "status:console_pin_check",
    ]},
}
ROLES = {
    "visitor": (None, VISITOR),
    "customer": ("cliente@example.com", CUSTOMER),
    "agent": ("agente@example.com", AGENT),
    "supervisor": ("supervisor@example.com", SUPERVISOR),
    "admin": ("admin@example.com", ADMIN),
}


# --- The checks ------------------------------------------------------------


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def add(self, where: str, text: str):
        self.problems.append(f"{where}: {text}")


def axe_violations(page) -> list[dict]:
    """The WCAG rules' violations, with label-content-name-mismatch (WCAG
    2.5.3, a control's name contains its visible text) asked for by name too:
    axe marks it experimental (4.14 runs it with the wcag21a tag; a later
    version may not)."""
    return page.evaluate(
        """async tags => {
            const found = [];
            for (const runOnly of [{type: 'tag', values: tags},
                                   {type: 'rule', values: ['label-content-name-mismatch']}]) {
                const result = await axe.run(document, {runOnly});
                found.push(...result.violations.filter(v => !found.some(f => f.id === v.id)).map(v => ({
                    id: v.id, help: v.help, targets: v.nodes.map(n => n.target.join(' ')),
                })));
            }
            return found;
        }""",
        WCAG_TAGS,
    )


# At a phone's width: the page's width, and every focusable control of which,
# once focused (the browser scrolls it into view), more than a quarter lies
# under the fixed chat button (WCAG 2.4.11 asks only that it is not entirely
# hidden; a quarter keeps any control readable).
PHONE_LAYOUT = """() => {
    const wide = document.documentElement.scrollWidth > window.innerWidth;
    const chat = document.querySelector('.chatw__button');
    const covered = [];
    if (chat && chat.offsetParent !== null) {
        const focusable = document.querySelectorAll(
            'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])');
        for (const el of focusable) {
            if (chat.contains(el) || el.closest('[data-chat-widget]') || el.closest('[hidden]')
                || !el.getClientRects().length || el.disabled) continue;
            el.focus();
            if (document.activeElement !== el) continue;
            const a = el.getBoundingClientRect(), b = chat.getBoundingClientRect();
            const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            const share = x > 0 && y > 0 ? x * y / (a.width * a.height) : 0;
            if (share > 0.25) {
                const name = el.innerText || el.getAttribute('aria-label') || el.name || el.tagName;
                covered.push(`${name.trim().slice(0, 40)} (${Math.round(share * 100)} %)`);
            }
        }
        document.activeElement && document.activeElement.blur();
    }
    return {width: document.documentElement.scrollWidth, wide, covered};
}"""


def audit(page, site: Site, visit: Visit, viewport: str, findings: Findings):
    where = f"{viewport} {visit} ({visit.path(site.ids)})"
    response = page.goto(site.url + visit.path(site.ids))
    if response.status != visit.status:
        findings.add(where, f"answered {response.status}, not {visit.status}")
    page.wait_for_load_state("networkidle")
    if visit.then:
        visit.then(page)
    for violation in axe_violations(page):
        findings.add(where, f"{violation['id']}: {violation['help']} — "
                            + ", ".join(violation["targets"][:6]))
    if viewport == "phone":
        layout = page.evaluate(PHONE_LAYOUT)
        if layout["wide"]:
            findings.add(where, f"{layout['width']} px wide on a {PHONE['width']} px phone")
        for name in layout["covered"]:
            findings.add(where, f"focused, {name} lies under the chat button")


def axe_context(chromium):
    """A browser context whose every page has axe-core loaded. An init script,
    not a <script> tag: the site's Content-Security-Policy allows only its own
    scripts, and the audit must not loosen it."""
    context = chromium.new_context(viewport=DESKTOP, locale="es-MX")
    context.set_default_timeout(20_000)
    context.add_init_script(path=str(AXE))
    return context


def log_in(page, site: Site, email: str):
    page.goto(f"{site.url}/cuenta/login/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_load_state()
    assert "/cuenta/login/" not in page.url, f"{email} could not log in"


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_has_no_wcag_violation_on_desktop_and_phone(chromium, site, role):
    email, visits = ROLES[role]
    assert AXE.exists(), "axe-core is missing: run `make a11y-deps`"
    context = axe_context(chromium)
    findings = Findings()
    try:
        page = context.new_page()
        if email:
            log_in(page, site, email)
        for viewport, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            for visit in visits:
                audit(page, site, visit, viewport, findings)
    finally:
        context.close()
    assert not findings.problems, "\n".join(findings.problems)


def test_a_live_chat_has_no_wcag_violation_on_either_side(chromium, site):
    """The chat widget in a conversation and the agent's console with the
    chat open (its tab, log, customer sidebar and forms), desktop and phone."""
    agent_context, customer_context = axe_context(chromium), axe_context(chromium)
    findings = Findings()
    try:
        agent, customer = agent_context.new_page(), customer_context.new_page()
        log_in(agent, site, "agente@example.com")
        log_in(customer, site, "cliente@example.com")
        agent.goto(f"{site.url}/consola/chat/")
        become_available(agent)
        customer.goto(f"{site.url}/cliente/")
        open_chat(customer)
        panel = customer.locator("[data-chat-panel]")
        panel.get_by_label("¿Con qué área quieres hablar?").select_option(label="Soporte técnico")
        panel.get_by_label("Tu consulta").fill("Mi sitio tarda mucho en cargar")
        panel.get_by_role("button", name="Iniciar chat").click()
        pane = agent.locator(".chatc__pane:visible")
        pane.get_by_text("Mi sitio tarda mucho en cargar").wait_for()
        pane.get_by_placeholder("Escribe tu respuesta…").fill("Hola, lo reviso ahora mismo")
        pane.get_by_role("button", name="Enviar").click()
        panel.get_by_text("Hola, lo reviso ahora mismo").wait_for()
        pane.get_by_label("Insertar artículo del centro de ayuda").fill("correo")
        pane.locator(".chatc__kb button").first.wait_for()
        for viewport, size in (("desktop", DESKTOP), ("phone", PHONE)):
            for who, page in (("customer", customer), ("agent", agent)):
                page.set_viewport_size(size)
                for violation in axe_violations(page):
                    findings.add(f"{viewport} {who} in a live chat", f"{violation['id']}: "
                                 f"{violation['help']} — " + ", ".join(violation["targets"][:6]))
    finally:
        agent_context.close()
        customer_context.close()
    assert not findings.problems, "\n".join(findings.problems)


# A customer with an authenticator app and recovery codes (set up by IDS).
TWO_FACTOR = [
    Visit("mfa_index", label="2FA on"),
    Visit("mfa_view_recovery_codes"),
    Visit("mfa_generate_recovery_codes"),
    Visit("mfa_deactivate_totp"),
    Visit("mfa_reauthenticate"),
]


def test_two_factor_pages_have_no_wcag_violation(chromium, site):
    """The login's second step (the code) and the pages of a customer who has
    two-factor authentication on, desktop and phone."""
    from tests.test_two_factor import hotp_now

    context = axe_context(chromium)
    findings = Findings()
    try:
        page = context.new_page()
        page.goto(f"{site.url}/cuenta/login/")
        page.get_by_label("Correo electrónico").fill(site.ids["two_factor_email"])
        page.get_by_label("Contraseña").fill(PASSWORD)
        page.get_by_role("button", name="Iniciar sesión").click()
        page.wait_for_url("**/cuenta/2fa/authenticate/")
        for viewport, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            for violation in axe_violations(page):
                findings.add(f"{viewport} the login's code step", f"{violation['id']}: "
                             f"{violation['help']} — " + ", ".join(violation["targets"][:6]))
        page.locator("input[name=code]").fill(hotp_now(site.ids["two_factor_secret"]))
        page.locator("input[name=code]").press("Enter")
        page.wait_for_url(lambda url: "/cuenta/2fa/authenticate/" not in url)
        for viewport, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            for visit in TWO_FACTOR:
                audit(page, site, visit, viewport, findings)
    finally:
        context.close()
    assert not findings.problems, "\n".join(findings.problems)


def page_routes() -> set[str]:
    """Every named route but the admin's own and the /api/ ones."""
    names = set()

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if not (prefix + str(pattern.pattern)).startswith("api/"):
                    names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_page_route_is_audited_or_excluded():
    visited = {visit.url_name for _, visits in ROLES.values() for visit in visits}
    visited |= {visit.url_name for visit in TWO_FACTOR}
    routes = page_routes()
    assert routes - visited - set(EXCLUDED) == set(), "routes neither audited nor excluded"
    assert visited & set(EXCLUDED) == set(), "audited and excluded at once"
