import re

from ventanilla.integrations.models import ApiKey, hash_key


def test_a_key_created_in_the_admin_is_shown_once_and_stored_hashed(client, root, whmcs):
    client.force_login(root)
    r = client.post("/admin/integrations/apikey/add/", {
        "integration": whmcs.pk, "name": "Facturación", "scopes": ["tickets:read", "customers:write"],
        "rate": "100/m",
    }, follow=True)
    assert r.status_code == 200
    shown = re.search(r"<code>(vt_[A-Za-z0-9_-]+)</code>", r.content.decode()).group(1)
    key = ApiKey.objects.get()
    assert key.key_hash == hash_key(shown) and key.scopes == ["tickets:read", "customers:write"]
    assert shown not in client.get(f"/admin/integrations/apikey/{key.pk}/change/").content.decode()
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {shown}"}).status_code == 200


def test_the_admin_revokes_keys(client, root, whmcs, make_key):
    raw = make_key()
    client.force_login(root)
    key = ApiKey.objects.get()
    client.post("/admin/integrations/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
