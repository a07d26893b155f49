"""CORS only for configured origins (contract section 5)."""

import httpx
import pytest

from {{ cookiecutter.package_name }}.settings import Settings

from .helpers import ITEMS

ALLOWED = "https://app.example.com"


def preflight(client: httpx.Client, origin: str) -> httpx.Response:
    return client.options(
        ITEMS,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def cors_headers(response: httpx.Response) -> set[str]:
    return {name for name in response.headers if name.startswith("access-control-")}


class TestWithOrigins:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"cors_origins": (ALLOWED, "https://other.example")})

    def test_listed_origin_gets_cors_headers(self, client: httpx.Client) -> None:
        response = client.get(ITEMS, headers={"Origin": ALLOWED})
        assert response.headers["access-control-allow-origin"] == ALLOWED

    def test_listed_origin_preflight(self, client: httpx.Client) -> None:
        response = preflight(client, ALLOWED)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "POST" in response.headers["access-control-allow-methods"]

    def test_other_origin_gets_none(self, client: httpx.Client) -> None:
        assert not cors_headers(client.get(ITEMS, headers={"Origin": "https://evil.example"}))
        assert not cors_headers(preflight(client, "https://evil.example"))


def test_no_origins_no_cors_headers(client: httpx.Client) -> None:
    assert not cors_headers(client.get(ITEMS, headers={"Origin": ALLOWED}))
    assert not cors_headers(preflight(client, ALLOWED))


class TestWithAnyOrigin:
    """``*`` outside production: every origin, answered with its own name."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"cors_origins": ("*",)})

    def test_any_origin_gets_cors_headers(self, client: httpx.Client) -> None:
        response = client.get(ITEMS, headers={"Origin": "http://localhost:5173"})
        assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
        assert preflight(client, "https://evil.example").status_code == 200

    def test_no_origin_no_cors_headers(self, client: httpx.Client) -> None:
        assert not cors_headers(client.get(ITEMS))
