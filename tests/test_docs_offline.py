"""The docs pages load nothing from other hosts, under the production servers of both stacks.

``/docs`` and ``/redoc`` are fetched from each served stack; every URL a page
loads must be a path of the same service that answers 200 with the right media
type, and the same in both stacks. No absolute http(s) URL may appear in the pages'
markup or code (comments aside), nor in a stylesheet's ``@import``/``url()`` or a
script's ``sourceMappingURL``. (Browsers are not run: the asset check is the test.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest
from stacks import Stacks, running_stacks
from wire import Request, Response

pytestmark = [pytest.mark.venv, pytest.mark.xdist_group("servers")]

PAGES = ["/docs", "/redoc"]
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}
ABSOLUTE = re.compile(r"(?:https?:)?//[\w.-]+\.\w+")
COMMENTS = re.compile(r"<!--.*?-->|^\s*//.*$", re.DOTALL | re.MULTILINE)
SOURCE_MAP = re.compile(r"sourceMappingURL=(\S+)")
# A stylesheet may embed images (data: URLs); anything else it would fetch is not served.
CSS_FETCHES = re.compile(r"""@import|url\(\s*(?!["']?data:)""")


class LinkParser(HTMLParser):
    """What a page's tags load: ``src``, ``href`` and ReDoc's ``spec-url``."""

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


@pytest.fixture(scope="module")
def stacks(
    tmp_path_factory: pytest.TempPathFactory,
    cookiecutter_config: Path,
    stack_venv: Callable[[str], Path],
) -> Iterator[Stacks]:
    workdir = tmp_path_factory.mktemp("docs-offline")

    def database_url(_framework: str, directory: Path) -> str:
        return f"sqlite:///{directory / 'docs.db'}"

    with running_stacks("sqlite", workdir, cookiecutter_config, stack_venv, database_url) as both:
        yield both


def get(stacks: Stacks, path: str) -> dict[str, Response]:
    responses = stacks.send(Request("GET", path))
    for name, response in responses.items():
        assert response.status == 200, f"{name}: {response.show()}"
    return responses


@pytest.mark.parametrize("page", PAGES)
def test_page_names_no_other_host(stacks: Stacks, page: str) -> None:
    for name, response in get(stacks, page).items():
        assert (response.content_type or "").startswith("text/html"), name
        code = COMMENTS.sub("", response.body.decode())
        assert not ABSOLUTE.findall(code), f"{name} {page} names another host"
        for url in linked(code):
            assert url.startswith("/"), (name, page, url)
            assert not url.startswith("//"), (name, page, url)


@pytest.mark.parametrize("page", PAGES)
def test_page_assets_are_served_alike_by_both_stacks(stacks: Stacks, page: str) -> None:
    """Every asset either stack's page links answers the same from both stacks."""
    pages = get(stacks, page).values()
    urls = {url for response in pages for url in linked(response.body.decode())}
    assets = {url for url in urls if PurePosixPath(url).suffix in CONTENT_TYPES}
    assert any(url.endswith(".js") for url in assets), urls
    for url in sorted(assets):
        responses = get(stacks, url)
        for name, response in responses.items():
            assert response.content_type == CONTENT_TYPES[PurePosixPath(url).suffix], (name, url)
            assert response.body, (name, url)
        bodies = {response.body for response in responses.values()}
        assert len(bodies) == 1, f"{url}: the stacks serve different files"
        text = bodies.pop().decode(errors="replace")
        for source_map in SOURCE_MAP.findall(text):
            assert not ABSOLUTE.match(source_map), (url, source_map)
        if url.endswith(".css"):
            assert "url(" in text, url  # the check below has something to look at
            assert not CSS_FETCHES.search(text), url
