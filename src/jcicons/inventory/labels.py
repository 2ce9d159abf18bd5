"""Barcode labels: Code 128 drawn as plain SVG, laid out 3 x 8 on A4 sheets.

python-barcode does the encoding (start code, code sets, check digit); the SVG
is drawn here with one rect per bar and no style attributes, so it passes the
Content-Security-Policy both inline and as an image the app serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from barcode import Code128
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.inventory.models import Product

QUIET_ZONE = 10  # modules of white either side, as the symbology asks
BAR_HEIGHT = 40
LABELS_PER_SHEET = 24  # 3 across, 8 down
MAX_LABELS = LABELS_PER_SHEET * 10
MAX_PER_PRODUCT = LABELS_PER_SHEET * 5

SVG_TEMPLATE = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" class="barcode" role="img" '
    'viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
    'aria-label="Barcode {text}" shape-rendering="crispEdges">'
    '<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>'
    '<g fill="#000">{bars}</g></svg>'
)


def label_code(product: Product) -> str:
    """Return what a product's label encodes: its barcode, or else its SKU."""
    return product.barcode or product.sku


def code128_svg(text: str) -> Markup:
    """Return an SVG element drawing `text` as a Code 128 barcode."""
    modules = Code128(text).build()[0]
    bars = []
    start = None
    for index, module in enumerate(modules + "0"):
        if module == "1" and start is None:
            start = index
        elif module != "1" and start is not None:
            bars.append(
                f'<rect x="{start + QUIET_ZONE}" y="0" width="{index - start}" '
                f'height="{BAR_HEIGHT}"/>'
            )
            start = None
    width = len(modules) + 2 * QUIET_ZONE
    # Markup.format escapes every argument; the bars are numbers we formatted.
    return SVG_TEMPLATE.format(
        width=width,
        height=BAR_HEIGHT,
        text=text,
        bars=Markup("".join(bars)),  # noqa: S704
    )


@dataclass
class Label:
    """What one label shows."""

    name: str
    price_centavos: int
    code: str
    sku: str
    barcode: Markup


def label_sheets(
    quantities: dict[int, int], start_at: int = 1
) -> list[list[Label | None]]:
    """Return sheets of 24 labels (None for a position left blank).

    `quantities` maps product ids to how many labels each; `start_at` skips the
    positions already used on a partly printed first sheet. Raises DomainError
    for no labels, too many, or a product that is unknown or archived.
    """
    wanted = {pid: n for pid, n in quantities.items() if n > 0}
    if not wanted:
        raise DomainError("Enter how many labels to print for at least one product.")
    if any(n > MAX_PER_PRODUCT for n in wanted.values()):
        raise DomainError(f"Print at most {MAX_PER_PRODUCT} labels of one product.")
    if sum(wanted.values()) > MAX_LABELS:
        raise DomainError(f"Print at most {MAX_LABELS} labels (10 sheets) at once.")
    if not 1 <= start_at <= LABELS_PER_SHEET:
        raise DomainError(f"Start at a position from 1 to {LABELS_PER_SHEET}.")
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product)
            .options(joinedload(Product.category))
            .where(Product.id.in_(wanted), Product.is_archived.is_(False))
        )
    }
    if len(products) != len(wanted):
        raise DomainError("A chosen product no longer exists or is archived.")
    positions: list[Label | None] = [None] * (start_at - 1)
    for product_id, count in wanted.items():
        product = products[product_id]
        code = label_code(product)
        label = Label(
            product.name, product.price_centavos, code, product.sku, code128_svg(code)
        )
        positions += [label] * count
    return [
        positions[i : i + LABELS_PER_SHEET]
        for i in range(0, len(positions), LABELS_PER_SHEET)
    ]
