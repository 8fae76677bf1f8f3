"""Swagger UI at /api/docs/, from this site's own files (no CDN), its script a file."""

import re

from django.contrib.staticfiles import finders


def test_the_docs_page_loads_swagger_ui_from_this_site(anonymous_api, db):
    response = anonymous_api.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sources
    for source in sources:
        assert not source.startswith(("http:", "https:", "//")), source
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), source
    # No inline script: the Content-Security-Policy allows scripts from files only.
    assert not re.search(r"<script>", page)
    # Its icons are data: images; no other page allows those.
    assert "img-src 'self' data:" in response["Content-Security-Policy"]
    assert "data:" not in anonymous_api.get("/api/schema/")["Content-Security-Policy"]
    script = anonymous_api.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()
