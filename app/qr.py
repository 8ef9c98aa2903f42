"""QR codes as inline SVG, made on the server (no JavaScript, no external service)."""

from __future__ import annotations

from functools import lru_cache

import qrcode
import qrcode.image.svg


@lru_cache(maxsize=64)
def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg: str = image.to_string(encoding="unicode")
    return svg
