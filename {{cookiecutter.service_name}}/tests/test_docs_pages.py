"""The docs pages work offline: every script, style and icon comes from the service itself."""

import re
from html.parser import HTMLParser
from pathlib import PurePosixPath

import httpx
import pytest

from {{ cookiecutter.package_name }}.core.docs_assets import ASSETS, PREFIX, url
from {{ cookiecutter.package_name }}.settings import Settings

PAGES = ["/docs", "/redoc"]
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}
# Anything a page or a stylesheet could load from elsewhere.
REMOTE = re.compile(
    r"""(?:src|href|spec-url)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?(?:https?:)?//"""
)


class LinkParser(HTMLParser):
    """The URLs a page's tags load: ``src``, ``href`` and ReDoc's ``spec-url``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [
            value for name, value in attrs if name in {"src", "href", "spec-url"} and value
        ]


def linked(page: str) -> list[str]:
    parser = LinkParser()
    parser.feed(page)
    return parser.urls


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_only_local_assets(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert not REMOTE.search(response.text), "a page loads something from another host"
    urls = linked(response.text)
    assert any(link.endswith(".js") for link in urls), urls
    for link in urls:
        assert link.startswith("/"), link
        assert not link.startswith("//"), link
        asset = client.get(link)
        assert asset.status_code == 200, link
        suffix = PurePosixPath(link).suffix
        if suffix in CONTENT_TYPES:
            assert asset.headers["content-type"] == CONTENT_TYPES[suffix], link
            assert asset.content, link


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_every_asset_is_served_as_shipped(client: httpx.Client, name: str) -> None:
    asset = ASSETS[name]
    response = client.get(url(name))
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPES[PurePosixPath(name).suffix]
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.content == asset.path.read_bytes()


def test_stylesheet_loads_nothing_remote(client: httpx.Client) -> None:
    css = client.get(url("swagger-ui.css")).text
    assert "url(" in css  # the check below reads the real file
    assert not REMOTE.search(css)


def test_assets_are_not_operations(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith((PREFIX, "/docs", "/redoc"))]


def test_unknown_asset_is_404(client: httpx.Client) -> None:
    response = client.get(f"{PREFIX}/swagger-ui-bundle.js.map")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


class TestDocsDisabled:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"docs_enabled": False})

    @pytest.mark.parametrize("path", [*PAGES, *(url(name) for name in sorted(ASSETS))])
    def test_pages_and_assets_are_404(self, client: httpx.Client, path: str) -> None:
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
