"""The shop logo: only images, re-encoded and shrunk, kept once, shown on receipts."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import select

from jcicons.audit.models import AuditEvent
from jcicons.extensions import db
from jcicons.settings.models import ShopLogo
from jcicons.settings.services import get_settings


def png_bytes(width: int, height: int, mode: str = "RGB", comment: str = "") -> bytes:
    info = PngImagePlugin.PngInfo()
    if comment:
        info.add_text("Comment", comment)
    out = io.BytesIO()
    Image.new(mode, (width, height), "navy" if mode == "RGB" else 0).save(
        out, format="PNG", pnginfo=info
    )
    return out.getvalue()


def upload(client, data: bytes, name: str = "logo.png"):
    return client.post_form(
        "/admin/logo",
        {"logo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored(app) -> ShopLogo | None:
    with app.app_context():
        logo = db.session.scalar(select(ShopLogo))
        if logo is not None:
            db.session.expunge(logo)
        return logo


def test_an_uploaded_logo_is_shrunk_to_fit_and_stripped_of_its_metadata(
    app, client, login_as
):
    login_as("ADMIN")

    response = upload(client, png_bytes(1800, 600, comment="made by a stranger"))

    assert response.status_code == 302
    logo = stored(app)
    assert (logo.width, logo.height) == (600, 200)
    assert b"made by a stranger" not in logo.png
    with Image.open(io.BytesIO(logo.png)) as kept:
        assert kept.format == "PNG" and kept.size == (600, 200)
    with app.app_context():
        fingerprint = get_settings()["SHOP_LOGO"]
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert len(fingerprint) == 16
    assert "shop.logo" in actions


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(
    app, client, login_as
):
    login_as("ADMIN")

    response = upload(client, b"<script>alert(1)</script>", "logo.png")

    assert response.status_code == 422
    assert "That file is not an image the shop can use." in response.text
    assert stored(app) is None


def test_another_kind_of_file_is_refused_by_its_name(app, client, login_as):
    login_as("ADMIN")

    response = upload(client, png_bytes(10, 10), "logo.svg")

    assert response.status_code == 422
    assert "must be a PNG, JPEG, GIF or WebP image" in response.text


def test_an_image_too_large_to_decode_safely_is_refused(app, client, login_as):
    login_as("ADMIN")
    # 36 million pixels of one colour: a tiny file that would take 100 MB to open.
    response = upload(client, png_bytes(6000, 6000, mode="L"))

    assert response.status_code == 422
    assert "too large" in response.text
    assert stored(app) is None


def test_signed_in_staff_get_the_logo_and_nobody_else(app, client, login_as):
    login_as("ADMIN")
    upload(client, png_bytes(300, 100))
    client.post_form("/auth/logout", {})
    assert client.get("/shop-logo.png").status_code == 302  # to the sign-in page

    login_as("TECH")
    response = client.get("/shop-logo.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data == stored(app).png


def test_only_an_admin_may_change_the_logo(client, login_as):
    login_as("SALES")

    assert upload(client, png_bytes(10, 10)).status_code == 403


def test_removing_the_logo_takes_it_off_the_receipts(app, client, login_as):
    login_as("ADMIN")
    upload(client, png_bytes(300, 100))

    response = client.post_form("/admin/logo/remove", {})

    assert response.status_code == 302
    assert stored(app) is None
    with app.app_context():
        assert get_settings()["SHOP_LOGO"] == ""
    assert client.get("/shop-logo.png").status_code == 404
    assert 'data-testid="no-logo"' in client.get("/admin/logo").text


@pytest.mark.parametrize("fmt", ["JPEG", "GIF", "WEBP"])
def test_other_image_formats_are_kept_as_png(app, client, login_as, fmt):
    login_as("ADMIN")
    out = io.BytesIO()
    Image.new("RGB", (120, 60), "red").save(out, format=fmt)

    assert upload(client, out.getvalue(), f"logo.{fmt.lower()}").status_code == 302
    with Image.open(io.BytesIO(stored(app).png)) as kept:
        assert kept.format == "PNG"


def test_the_logo_prints_on_receipts_and_repair_papers_once_uploaded(
    app, client, login_as
):
    from jcicons.settings.services import SETTING_DEFAULTS
    from jcicons.settings.services import get_settings as settings_now

    login_as("ADMIN")
    with app.test_request_context():
        from flask import render_template_string

        page = render_template_string(
            '{% import "sales/_receipt_parts.html" as parts %}'
            "{{ parts.shop_profile(shop, {'vat_registered': True}) }}",
            shop=dict(SETTING_DEFAULTS),
        )
    assert 'data-testid="receipt-logo"' not in page

    upload(client, png_bytes(300, 100))
    with app.app_context():
        shop = settings_now()
    with app.test_request_context():
        page = render_template_string(
            '{% import "sales/_receipt_parts.html" as parts %}'
            "{{ parts.shop_profile(shop, {'vat_registered': True}) }}",
            shop=shop,
        )
    assert f'src="/shop-logo.png?v={shop["SHOP_LOGO"]}"' in page
