def test_it_creates_a_customer_and_a_ticket(api, alice, soporte):
    r = api.put("/customers/C-1", {"name": "Ana", "email": "ana@example.com"})
    assert r.status_code == 201, r.content
    r = api.post("/tickets", {"customer": "C-1", "subject": "Hola", "body": "Texto",
                              "department": "soporte"})
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    r = api.get(f"/tickets/{number}")
    assert r.status_code == 200, r.content
    r = api.get("/tickets")
    assert r.status_code == 200, r.content
    assert r.json()["items"][0]["number"] == number
