"""A first walk through the core: sign in, see the dashboard, sign out."""

from __future__ import annotations

from helpers import login


def test_health_reports_a_working_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "healthy",
        "database": "ok",
        "version": "0.1.0",
    }


def test_admin_signs_in_sees_security_summary_and_signs_out(client, make_user):
    admin = make_user("ADMIN", full_name="Maria Santos")
    response = login(client, admin.username, admin.password)
    assert response.status_code == 302
    page = client.get("/")
    assert "Good day, Maria Santos" in page.text
    assert 'data-testid="security-summary"' in page.text
    response = client.post_form("/auth/logout")
    assert response.status_code == 302
    assert client.get("/").headers["Location"].startswith("/auth/login")


def test_sales_dashboard_has_no_admin_menu(login_as, client):
    login_as("SALES")
    page = client.get("/")
    assert page.status_code == 200
    assert "Manage users" not in page.text
    assert 'data-testid="security-summary"' not in page.text
