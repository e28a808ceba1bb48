"""The admin offers the read/write scopes of every API resource."""

from ventanilla.integrations.models import ApiKey

NEW_SCOPES = ["kb:read", "kb:write", "status:read", "status:write", "chats:read", "chats:write",
              "sla:read", "sla:write"]


def test_the_admin_shows_and_saves_the_scopes_of_the_new_resources(client, root, whmcs):
    client.force_login(root)
    page = client.get("/admin/integrations/apikey/add/").content.decode()
    for scope in NEW_SCOPES:
        assert f'value="{scope}"' in page, scope
    r = client.post("/admin/integrations/apikey/add/", {
        "integration": whmcs.pk, "name": "Estado", "scopes": ["status:write", "kb:read"],
        "rate": "100/m"}, follow=True)
    assert r.status_code == 200
    assert ApiKey.objects.get().scopes == ["status:write", "kb:read"]
