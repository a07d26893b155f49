"""Configuration from the environment, and bad configuration stopping start-up (section 1)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.pool import QueuePool

from {{ cookiecutter.package_name }}.core.database import create_engine
from {{ cookiecutter.package_name }}.settings import (
    LogFormat,
    Settings,
    SettingsError,
    load_settings,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No variable of the developer's shell, and no ``.env``, leaks into these tests."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.app_env == "development"
    assert settings.database.get_backend_name() == "sqlite"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.web_concurrency >= 1
    assert settings.log_level == "INFO"
    assert settings.effective_log_format is LogFormat.CONSOLE
    assert settings.max_body_bytes == 1_048_576
    assert settings.cors_origins == ()
    assert settings.effective_docs_enabled
    pool = (settings.database_pool_size, settings.database_max_overflow)
    assert (*pool, settings.database_pool_timeout) == (5, 10, 0.5)


def test_production_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    settings = load_settings()
    assert settings.effective_log_format is LogFormat.JSON
    assert not settings.effective_docs_enabled


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9000")
    origins = ("https://a.example", "http://localhost:3000", "http://[::1]:8080")
    monkeypatch.setenv("CORS_ORIGINS", ", ".join(origins))
    monkeypatch.setenv("DOCS_ENABLED", "false")
    monkeypatch.setenv("DATABASE_URL", "postgresql://user:secret@db:5432/app")
    settings = load_settings()
    assert settings.port == 9000
    assert settings.cors_origins == origins
    assert not settings.effective_docs_enabled
    assert settings.database.get_backend_name() == "postgresql"


def test_the_postgresql_pool_follows_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://user:secret@db:5432/app")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "2")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "0")
    monkeypatch.setenv("DATABASE_POOL_TIMEOUT", "2.5")
    pool = create_engine(load_settings()).pool  # connects to nothing until used
    assert isinstance(pool, QueuePool)
    assert (pool.size(), pool._max_overflow, pool.timeout()) == (2, 0, 2.5)


def test_dotenv_is_read_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("PORT=9100\nLOG_LEVEL=DEBUG\n")
    monkeypatch.setenv("PORT", "9200")
    settings = load_settings()
    assert settings.port == 9200
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://db/app"}, "DATABASE_URL"),
        ({"APP_ENV": "production", "CORS_ORIGINS": "*"}, "CORS_ORIGINS"),
        ({"MAX_BODY_BYTES": "-1"}, "MAX_BODY_BYTES"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DATABASE_POOL_SIZE": "0"}, "DATABASE_POOL_SIZE"),
        ({"DATABASE_MAX_OVERFLOW": "-1"}, "DATABASE_MAX_OVERFLOW"),
        ({"DATABASE_POOL_TIMEOUT": "0"}, "DATABASE_POOL_TIMEOUT"),
        ({"DATABASE_POOL_TIMEOUT": "soon"}, "DATABASE_POOL_TIMEOUT"),
        ({"DATABASE_POOL_TIMEOUT": "61"}, "DATABASE_POOL_TIMEOUT"),
        ({"DATABASE_POOL_TIMEOUT": "inf"}, "DATABASE_POOL_TIMEOUT"),
        # Origins a browser never sends: they would silently never match.
        ({"CORS_ORIGINS": "https://app.example.com/"}, "'https://app.example.com'"),
        ({"CORS_ORIGINS": "https://App.example.com"}, "'https://app.example.com'"),
        ({"CORS_ORIGINS": "https://app.example.com:443"}, "'https://app.example.com'"),
        ({"CORS_ORIGINS": "app.example.com"}, "CORS_ORIGINS"),
        ({"CORS_ORIGINS": "https://app.example.com/ui"}, "CORS_ORIGINS"),
        ({"FORWARDED_ALLOW_IPS": "10.0.0.1,proxy"}, "FORWARDED_ALLOW_IPS"),
        ({"GRACEFUL_TIMEOUT": "-1"}, "GRACEFUL_TIMEOUT"),
        ({"GRACEFUL_TIMEOUT": "inf"}, "GRACEFUL_TIMEOUT"),
        ({"GRACEFUL_TIMEOUT": "nan"}, "GRACEFUL_TIMEOUT"),
    ],
)
def test_bad_configuration_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], named: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value.code)
    assert named in message
    assert "\n" not in message


def test_bad_configuration_stops_the_server_with_one_line(tmp_path: Path) -> None:
    # This checkout's package, whatever the virtualenv's install points at.
    source = Path(__file__).resolve().parent.parent / "src"
    environment = {**os.environ, "PORT": "not-a-port", "PYTHONPATH": str(source)}
    result = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.package_name }}.server"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "PORT" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
