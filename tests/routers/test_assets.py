"""What Lighthouse asks of every page: a favicon, a description, static files small and cached."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_pages_name_a_description_an_icon_and_versioned_static_files(client: TestClient) -> None:
    page = client.get("/").text
    assert re.search(r'<meta name="description" content="[^"]{40,}">', page)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert len(assets) == 5 and all(re.search(r"\?v=[0-9a-f]{12}$", a) for a in assets), assets
    for asset in assets:
        r = client.get(asset, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200, asset
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        if not asset.startswith("/static/favicon"):  # tiny: not worth compressing
            assert r.headers["content-encoding"] == "gzip", asset
    # An old or missing version is still served, but checked with the server every time.
    r = client.get("/static/sparring.css?v=0ld")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
    assert client.get("/static/sparring.css").headers["cache-control"] == "no-cache"


def test_favicon_ico_is_there(client: TestClient) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")


def test_pages_themselves_are_neither_compressed_nor_cached(client: TestClient) -> None:
    r = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers and r.headers["cache-control"] == "no-store"
