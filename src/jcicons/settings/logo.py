"""The shop's logo: checked, shrunk and re-encoded by Pillow before it is kept.

An upload is never stored or served as it came: Pillow decodes it (refusing files
that are not images, and images so large they would exhaust memory), scales it to
fit a receipt, and writes a fresh PNG without the file's metadata. The setting
SHOP_LOGO holds a short fingerprint of that PNG ("" when there is none), so the
printed pages know whether to show a logo without reading the image, and browsers
fetch a new one when it changes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from typing import TYPE_CHECKING

from PIL import Image, UnidentifiedImageError

from jcicons.audit.services import record_audit
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.settings.models import ShopLogo
from jcicons.settings.services import SHOP_LOGO, update_settings

if TYPE_CHECKING:
    from jcicons.auth.models import User

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A logo wider than this gains nothing on an 80 mm roll or an A4 header.
MAX_WIDTH, MAX_HEIGHT = 600, 240
# Refuse to decode images with more pixels than this (a small file can claim to be
# an enormous image).
MAX_SOURCE_PIXELS = 25_000_000
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})


def _decode(data: bytes) -> Image.Image:
    """Return the decoded image, or raise DomainError saying what is wrong."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError("The logo file is larger than 2 MB: use a smaller one.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise DomainError("The logo must be a PNG, JPEG, GIF or WebP image.")
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise DomainError("The logo image is too large: use one under 5000 px.")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DomainError("That file is not an image the shop can use.") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DomainError(
            "The logo image is too large: use one under 5000 px."
        ) from exc
    return image


def _as_png(image: Image.Image) -> tuple[bytes, tuple[int, int]]:
    """Return the image scaled to fit a receipt, as a PNG with no metadata, and
    its size."""
    image = image.convert("RGBA")
    image.thumbnail((MAX_WIDTH, MAX_HEIGHT))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), image.size


def save_logo(data: bytes, actor: User) -> ShopLogo:
    """Keep an uploaded logo (re-encoded) and point the setting at it.

    Raises DomainError for a file that is not a usable image.
    """
    png, (width, height) = _as_png(_decode(data))
    logo = db.session.get(ShopLogo, 1)
    if logo is None:
        logo = ShopLogo(id=1)
        db.session.add(logo)
    logo.png, logo.width, logo.height = png, width, height
    logo.updated_by_id = actor.id
    fingerprint = hashlib.sha256(png).hexdigest()[:16]
    update_settings({SHOP_LOGO: fingerprint}, actor)
    db.session.flush()
    record_audit(
        actor, "shop.logo", "settings", "logo", None, {"width": width, "height": height}
    )
    logger.info("shop logo (%sx%s) saved by %s", width, height, actor.username)
    return logo


def remove_logo(actor: User) -> bool:
    """Take the logo off the printed pages; return False when there was none."""
    logo = db.session.get(ShopLogo, 1)
    if logo is None:
        return False
    db.session.delete(logo)
    update_settings({SHOP_LOGO: ""}, actor)
    record_audit(actor, "shop.logo_remove", "settings", "logo", None, None)
    logger.info("shop logo removed by %s", actor.username)
    return True


def get_logo_png() -> bytes | None:
    """Return the logo's PNG bytes, or None when the shop has none."""
    logo = db.session.get(ShopLogo, 1)
    return logo.png if logo is not None else None
