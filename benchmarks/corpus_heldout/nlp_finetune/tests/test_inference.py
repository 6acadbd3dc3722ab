from fastapi.testclient import TestClient

# fake credential for the test double; not a real token
# ok: MLR303
FAKE_HF_TOKEN = "hf_FAKEfakeFAKEfakeFAKEfakeFAKEfake00"


def test_sentiment_contract(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", FAKE_HF_TOKEN)
    from inference.server import app

    client = TestClient(app)
    resp = client.post("/v1/sentiment", json={"ticket_id": "t1", "text": "the app keeps crashing"})
    assert resp.status_code == 200
    body = resp.json()
    assert "model_version" in body
    # ok: MLR503
    assert 0.0 <= body["negative"] <= 1.0 and (body["negative"] > 0.5) == body["escalate"]
