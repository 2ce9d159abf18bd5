"""GET /health: a JSON answer for monitors, 503 when the database is away."""

from __future__ import annotations

from jcicons import __version__

UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def test_health_reports_a_working_database_with_the_version(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "healthy",
        "database": "ok",
        "version": __version__,
    }


def test_health_needs_no_sign_in_and_is_never_cached(client):
    response = client.get("/health")
    assert "Location" not in response.headers
    assert "no-store" in response.headers["Cache-Control"]


def test_health_answers_a_user_who_must_change_their_password(client, login_as):
    login_as("SALES", must_change=True)
    assert client.get("/").status_code == 302
    assert client.get("/health").get_json()["status"] == "healthy"


def test_health_is_503_when_the_database_does_not_answer(make_app):
    broken = make_app({"DATABASE_URL": UNREACHABLE_DATABASE})
    response = broken.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unhealthy",
        "database": "unavailable",
        "version": __version__,
    }


def test_an_unhealthy_answer_gives_away_no_internals(make_app):
    broken = make_app({"DATABASE_URL": UNREACHABLE_DATABASE})
    text = broken.test_client().get("/health").text.lower()
    for secret in ("127.0.0.1", "nobody", "postgresql", "psycopg", "refused", "error"):
        assert secret not in text
