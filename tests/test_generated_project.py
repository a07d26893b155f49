"""Install, test, lint and serve generated projects with their own Makefile.

Each stack's virtualenv is built once (``stack_venv``, cached under
``.cache/venvs/``) and every test of that stack runs on one xdist worker
(``xdist_group``), so the venv is never used by two processes at once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from postgres import Postgres

from conftest import (
    DEFAULT_PYTHON,
    FRAMEWORKS,
    answers_of,
    check,
    clean_env,
    combinations,
    install,
)
from project_tools import free_port

pytestmark = pytest.mark.venv


def per_stack(values: list) -> list:
    """Put each case in its framework's xdist group."""
    params = []
    for value in values:
        case = value.values[0] if hasattr(value, "values") else value
        framework = case if isinstance(case, str) else answers_of(case)["framework"]
        params.append(
            pytest.param(
                case,
                id=getattr(value, "id", None) or framework,
                marks=pytest.mark.xdist_group(framework),
            )
        )
    return params


@pytest.mark.parametrize("framework", per_stack(FRAMEWORKS))
def test_install_test_lint(
    framework: str, generate: Callable[..., Path], stack_venv: Callable[[str], Path]
) -> None:
    """The README's steps: make install, then make test and make lint pass."""
    venv = stack_venv(framework)
    project = generate(framework=framework)
    install(project, venv)
    version = check(
        [f"{venv}/bin/python", "-c", "import sys; print(*sys.version_info[:2], sep='.')"], project
    )
    assert version.strip() == DEFAULT_PYTHON, "make install did not use the targeted Python"
    check(["make", "test", f"VENV={venv}"], project)
    check(["make", "lint", f"VENV={venv}"], project)


@pytest.mark.parametrize("framework", per_stack(["fastapi"]))
def test_unusual_project_name(
    framework: str, generate: Callable[..., Path], stack_venv: Callable[[str], Path]
) -> None:
    """A project name with a leading digit, accents, curly quotes, a dot and an emoji."""
    venv = stack_venv(framework)
    project = generate(
        framework=framework,
        project_name="3D Caf\u00e9: Acme\u2019s Orders v2.0 \U0001f680",
        description="Orders for the caf\u00e9\u2019s \u201c3D\u201d printers.",
    )
    assert project.name == "svc-3d-cafe-acmes-orders-v2-0"
    check(["make", "lint", f"VENV={venv}"], project)
    check(["make", "test", f"VENV={venv}"], project)


@pytest.mark.parametrize("framework", per_stack(FRAMEWORKS))
def test_tests_pass_on_postgresql(
    framework: str,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
    postgres: Postgres,
) -> None:
    """The generated project's own suite, with TEST_DATABASE_URL on a real PostgreSQL."""
    venv = stack_venv(framework)
    project = generate(framework=framework, database="postgresql")
    install(project, venv)
    url = postgres.url(f"generated_tests_{framework}")
    output = check(["make", "test", f"VENV={venv}"], project, TEST_DATABASE_URL=url)
    assert " passed" in output


@pytest.mark.parametrize("case", per_stack(combinations()))
def test_lint_combination(
    case: dict[str, str], generate: Callable[..., Path], stack_venv: Callable[[str], Path]
) -> None:
    """ruff check, ruff format --check and mypy pass for every combination."""
    venv = stack_venv(answers_of(case)["framework"])
    project = generate(**case)
    check(["make", "lint", f"VENV={venv}"], project)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("framework", per_stack(FRAMEWORKS))
def test_migrate_and_serve(
    framework: str, generate: Callable[..., Path], stack_venv: Callable[[str], Path]
) -> None:
    """make migrate, then make serve answers on the loopback (as make demo does)."""
    venv = stack_venv(framework)
    project = generate(framework=framework)
    install(project, venv)
    check(["make", "migrate", f"VENV={venv}"], project)
    port = free_port()
    log = project / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            ["make", "serve", f"VENV={venv}"],
            cwd=project,
            env=clean_env(HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1"),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            exited = server.poll()
            assert exited is None, f"make serve exited {exited}:\n{log.read_text()}"
            try:
                status, _ = get(f"{base}/openapi.json")
                break
            except OSError:
                assert time.monotonic() < deadline, f"no answer on {base}:\n{log.read_text()}"
                time.sleep(0.5)
        assert status == 200, log.read_text()
        status, body = get(f"{base}/docs")
        assert status == 200, log.read_text()
        assert b"<html" in body.lower()
        status, body = get(f"{base}/healthz")
        assert (status, json.loads(body)) == (200, {"status": "pass"}), log.read_text()
        status, body = get(f"{base}/readyz")
        assert status == 200, f"readyz after make migrate: {status} {body!r}\n{log.read_text()}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
