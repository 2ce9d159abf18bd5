"""Numbers and dates no column can hold never reach a query: no page answers 500.

Every GET route of the app is asked, as an ADMIN (who may open them all), with an
id too large for a 64-bit column in its path and with the list filters' query
parameters set to such numbers, to impossible dates and to the year 9999.
"""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

from jcicons.forms import MAX_INTEGER, DateField, IntegerField, query_int

HUGE = "9" * 25
HOSTILE_QUERY = dict.fromkeys(
    (
        "page",
        "sales_page",
        "payments_page",
        "repairs_page",
        "devices_page",
        "category",
        "category_id",
        "product",
        "product_id",
        "actor",
        "actor_id",
        "cashier",
        "technician",
        "technician_id",
        "customer",
        "customer_id",
        "entity_id",
        "count_id",
        "id",
    ),
    HUGE,
) | {
    "date_from": "9999-12-31",
    "date_to": "9999-12-31",
    "day": "9999-12-31",
    "status": "NOT_A_STATUS",
    "method": "NOT_A_METHOD",
    "q": "x" * 5000,
}
SKIPPED = {"static", "bootstrap.static", "auth.logout"}


def get_routes(app: Flask) -> list[tuple[str, str]]:
    """Return (endpoint, path) of every GET route, ids replaced by a huge number."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in SKIPPED:
            continue
        values = {
            name: 2**70 if isinstance(converter, IntegerConverter) else "x"
            for name, converter in rule._converters.items()
        }
        routes.append((rule.endpoint, rule.build(values)[1]))
    return sorted(routes)


def test_no_get_route_answers_500_to_huge_numbers_and_impossible_dates(
    app, client, login_as
):
    login_as("ADMIN")
    failures = []
    for endpoint, path in get_routes(app):
        try:
            status = client.get(path, query_string=HOSTILE_QUERY).status_code
        except Exception as exc:  # the testing app lets errors through
            status = f"{type(exc).__name__}: {exc}"[:120]
        if not isinstance(status, int) or status >= 500:
            failures.append((endpoint, status))
    assert failures == [], "\n".join(map(str, failures))


def test_a_huge_id_in_a_path_is_a_404(client, login_as):
    login_as("ADMIN")

    assert client.get(f"/customers/{HUGE}").status_code == 404
    assert client.get(f"/inventory/products/{HUGE}").status_code == 404


@pytest.mark.parametrize(
    ("text", "expected"),
    [("42", 42), (str(MAX_INTEGER), MAX_INTEGER), (str(MAX_INTEGER + 1), None)],
)
def test_query_int_refuses_numbers_no_column_holds(text, expected):
    if expected is None:
        with pytest.raises(ValueError, match="out of range"):
            query_int(text)
    else:
        assert query_int(text) == expected


def test_the_number_and_date_fields_refuse_what_no_column_holds(app):
    from werkzeug.datastructures import MultiDict

    from jcicons.forms import BaseForm

    class Sample(BaseForm):
        quantity = IntegerField()
        day = DateField()

    with app.test_request_context():
        form = Sample(
            formdata=MultiDict({"quantity": HUGE, "day": "9999-12-31"}),
            meta={"csrf": False},
        )
        assert not form.validate()
    assert form.quantity.data is None and form.day.data is None
    assert form.quantity.errors == ["That number is too large."]
    assert form.day.errors == ["Choose a date between 1900-01-01 and 2999-12-31."]
