"""The generated projects: cookiecutter, their virtualenvs, versions, test suites, databases."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from project_tools import cached_venv, run

from .common import PACKAGE, SERVICE, TEMPLATE_DIR, check, log

INSTALL_TIMEOUT = 1200
VERSIONS = {
    "fastapi": ["fastapi", "starlette", "uvicorn", "pydantic", "sqlalchemy", "uvloop", "asyncpg"],
    "flask": [
        "flask",
        "apiflask",
        "werkzeug",
        "gunicorn",
        "gevent",
        "marshmallow",
        "sqlalchemy",
        "psycopg",
    ],
}


def generate(framework: str, output_dir: Path, template: Path = TEMPLATE_DIR) -> tuple[Path, float]:
    """``cookiecutter --no-input`` of ``template``; the project and the seconds it took."""
    home = output_dir / "cookiecutter-home"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "config.yaml"
    config.write_text(f'cookiecutters_dir: "{home / "c"}"\nreplay_dir: "{home / "r"}"\n')
    out = output_dir / framework
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(config)]
    command += ["--output-dir", str(out), str(template), f"framework={framework}"]
    check(command, TEMPLATE_DIR, timeout=300)
    return out / SERVICE, time.perf_counter() - started


def stack_venv(framework: str, project: Path) -> Path:
    """The stack's virtualenv, shared with the template's tests."""

    def install(venv: Path) -> None:
        log(f"{framework}: make install (once; cached in {venv})")
        check(["make", "install", f"VENV={venv}"], project, timeout=INSTALL_TIMEOUT)

    return cached_venv(framework, project, install)


def versions(venv: Path, framework: str) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, platform, sys\n"
        "found = {n: m.version(n) for n in sys.argv[1:]}\n"
        "print(json.dumps(dict(found, python=platform.python_version())))\n"
    )
    output = check([str(venv / "bin" / "python"), "-c", code, *VERSIONS[framework]], TEMPLATE_DIR)
    return dict(json.loads(output))


def site_packages(venv: Path) -> str:
    """The virtualenv's site-packages (for a server the bench's own venv runs on its code)."""
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return check([str(venv / "bin" / "python"), "-c", code], TEMPLATE_DIR).strip()


def project_tests(project: Path, venv: Path) -> tuple[float, str]:
    """Seconds the generated project's own ``make test`` takes, and pytest's last line.

    A failing suite is reported, not fatal: the benchmark measures the servers.
    """
    started = time.perf_counter()
    result = run(["make", "test", f"VENV={venv}"], project, PYTHONPATH=str(project / "src"))
    seconds = time.perf_counter() - started
    lines = [
        line.strip("= ")
        for line in result.stdout.splitlines()
        if " in " in line and ("passed" in line or "failed" in line)
    ]
    outcome = lines[-1] if lines else f"exit status {result.returncode}"
    if result.returncode != 0:
        outcome = f"FAILED: {outcome}"
    return seconds, outcome


def migrate(project: Path, venv: Path, database_url: str) -> None:
    """A fresh schema: drop everything (a given PostgreSQL is reused), then upgrade to head."""
    env = {"DATABASE_URL": database_url, "PYTHONPATH": str(project / "src")}
    alembic = str(venv / "bin" / "alembic")
    check([alembic, "downgrade", "base"], project, **env)
    check([alembic, "upgrade", "head"], project, **env)


__all__ = ["PACKAGE", "generate", "migrate", "project_tests", "site_packages", "stack_venv"]
