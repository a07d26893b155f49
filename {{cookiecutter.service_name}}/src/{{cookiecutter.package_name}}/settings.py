"""Service configuration, read once at start-up from the environment and ``.env``."""

import os
from enum import StrEnum
from ipaddress import ip_network
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    JSON = "json"
    CONSOLE = "console"


def default_web_concurrency() -> int:
    """Two workers per core, at least two: a sane default for mixed I/O."""
    return max(2, 2 * (os.cpu_count() or 1))


class Settings(BaseSettings):
    """Every setting of the service; the field name in upper case is the variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    app_env: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite:///./var/app.db"
    # PostgreSQL, per worker: connections kept open, more opened under load, and the seconds
    # a request waits for a free one before its 503 (bounded: a thread cannot wait for ever).
    database_pool_size: Annotated[int, Field(ge=1)] = 5
    database_max_overflow: Annotated[int, Field(ge=0)] = 10
    database_pool_timeout: Annotated[float, Field(gt=0, le=60, allow_inf_nan=False)] = 0.5
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    web_concurrency: Annotated[int, Field(ge=1)] = Field(default_factory=default_web_concurrency)
    log_level: str = "INFO"
    log_format: LogFormat | None = None
    max_body_bytes: Annotated[int, Field(ge=1)] = 1_048_576
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    docs_enabled: bool | None = None
    metrics_enabled: bool = True
    forwarded_allow_ips: str = "127.0.0.1"
    graceful_timeout: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 30.0

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        # Matched as exact text against the browser's Origin header: a trailing slash or an
        # upper-case letter would never match, silently.
        for origin in origins:
            if origin != "*" and browser_origin(origin) != origin:
                raise ValueError(
                    f"{origin!r} is not an origin as browsers send it: "
                    f"write {browser_origin(origin) or 'scheme://host[:port]'!r}"
                )
        return origins

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        for proxy in value.split(","):
            proxy = proxy.strip()
            if proxy and proxy != "*":
                try:
                    ip_network(proxy, strict=False)
                except ValueError:
                    raise ValueError(f"{proxy!r} is not an IP address or network") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _check_log_level(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.upper()
            if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
                raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "is not a database URL (e.g. postgresql://user:pass@host/db)"
            ) from None
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value

    @model_validator(mode="after")
    def _check_production(self) -> Self:
        if self.app_env is Environment.PRODUCTION and "*" in self.cors_origins:
            raise ValueError("CORS_ORIGINS: '*' is not allowed when APP_ENV=production")
        return self

    @property
    def effective_log_format(self) -> LogFormat:
        if self.log_format is not None:
            return self.log_format
        return LogFormat.JSON if self.app_env is Environment.PRODUCTION else LogFormat.CONSOLE

    @property
    def effective_docs_enabled(self) -> bool:
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.app_env is not Environment.PRODUCTION

    @property
    def database(self) -> URL:
        """The parsed ``DATABASE_URL``, before a stack picks its driver."""
        return make_url(self.database_url)


def browser_origin(text: str) -> str:
    """``text`` as a browser writes an origin (``https://app.example.com``), or ``""``."""
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:
        return ""
    if not parts.scheme or not host or parts.username is not None or parts.password is not None:
        return ""
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    suffix = "" if port is None or port == default else f":{port}"
    return f"{parts.scheme.lower()}://{host}{suffix}"


class SettingsError(SystemExit):
    """Bad configuration: exits with status 1 and one line naming the variable."""


def describe(error: ValidationError) -> str:
    """One line per broken variable, named as in the environment."""
    lines = []
    for item in error.errors():
        variable = "_".join(str(part) for part in item["loc"]).upper()
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{variable}: {message}" if variable else message)
    return "; ".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, or stop with a one-line message naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(f"configuration error: {describe(error)}") from None
