"""The admin an administrator works in: the logo is an uploaded image checked
by its content (SVG refused), the colours use a colour picker, and the models
are grouped by task with every one of them still reachable."""


import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ventanilla.core.admin_site import SECTIONS
from ventanilla.core.models import SiteSettings

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
       b"\x00\x00\x00IEND\xaeB`\x82")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
CHANGE = reverse("admin:core_sitesettings_change", args=[1])


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def form_data(**changes):
    data = {"site_name": "HostMX Soporte", "primary_colour": "#1f5fbf", "accent_colour": "#0f7b6c",
            "auto_close_days": "3"}
    data.update(changes)
    return data


def post(admin_client, **changes):
    SiteSettings.load()
    return admin_client.post(CHANGE, form_data(**changes))


def test_a_png_logo_is_uploaded_served_and_shown(admin_client, client, alice):
    response = post(admin_client, logo=SimpleUploadedFile("logo.png", PNG, "image/png"))
    assert response.status_code == 302
    site = SiteSettings.load()
    assert site.logo.name.startswith("marca/")
    logo = admin_client.get(site.logo_url)
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo.content == PNG
    client.force_login(alice.user)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert f'<img src="{site.logo_url}"' in page


@pytest.mark.parametrize(("name", "content", "message"), [
    ("logo.svg", SVG, "No se admiten logotipos SVG"),
    ("logo.png", SVG, "no corresponde a su extensión"),
    ("logo.png", b"<html><script>alert(1)</script></html>", "no corresponde a su extensión"),
    ("logo.txt", b"solo texto", "debe ser una imagen PNG, JPG, GIF o WebP"),
    ("logo.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "debe ser una imagen PNG, JPG, GIF o WebP"),
])
def test_a_logo_that_is_not_a_raster_image_is_refused(admin_client, name, content, message):
    response = post(admin_client, site_name="Nombre nuevo",
                    logo=SimpleUploadedFile(name, content, "image/png"))
    assert response.status_code == 200
    assert message in response.content.decode()
    site = SiteSettings.load()
    assert not site.logo and site.site_name != "Nombre nuevo"


def test_no_logo_serves_404(client):
    assert client.get(reverse("site_logo")).status_code == 404


def test_colours_use_a_colour_picker_and_are_validated(admin_client):
    SiteSettings.load()
    page = admin_client.get(CHANGE).content.decode()
    assert 'type="color" name="primary_colour" value="#1f5fbf"' in page
    assert 'type="color" name="accent_colour"' in page
    response = post(admin_client, primary_colour="red")
    assert response.status_code == 200
    assert "Usa un color hexadecimal como #1f5fbf." in response.content.decode()
    assert post(admin_client, primary_colour="#AA3300").status_code == 302
    assert SiteSettings.load().primary_colour == "#aa3300"
    css = admin_client.get(reverse("theme_css")).content.decode()
    assert "--brand: #aa3300" in css


def test_the_admin_groups_models_by_task_and_keeps_every_one(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    sections = response.context["app_list"]
    names = [str(section["name"]) for section in sections]
    expected = [str(name) for name, _models in SECTIONS]
    assert names[:len(expected)] == expected
    assert names[-1] in expected  # nothing fell into "Otros"
    listed = {model["model"] for section in sections for model in section["models"]}
    assert listed == set(admin.site._registry)
    page = response.content.decode()
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert f'href="{url}"' in page, model
    assert page.index("Clientes y servicios") < page.index("Equipo") < page.index("Plazos (SLA)")
    tickets = next(s for s in sections if str(s["name"]) == "Tickets y categorías")
    assert [m["object_name"] for m in tickets["models"]][:3] == ["Ticket", "Department", "Category"]


def test_an_apps_own_page_still_lists_its_models(admin_client):
    response = admin_client.get(reverse("admin:app_list", args=["tickets"]))
    assert response.status_code == 200
    assert "Departamentos" in response.content.decode()




def test_new_colours_get_a_new_stylesheet_url(admin_client, alice):
    """tema.css is cached for minutes: the page links it by a version of the
    colours, so a change shows at once."""
    from django.test import Client

    viewer = Client()
    viewer.force_login(alice.user)
    before = viewer.get(reverse("portal:dashboard")).content.decode()
    assert post(admin_client, accent_colour="#123456").status_code == 302
    after = viewer.get(reverse("portal:dashboard")).content.decode()
    site = SiteSettings.load()
    link = f'href="{reverse("theme_css")}?v={site.theme_version}"'
    assert link in after and link not in before
