"""Shared helpers for the template's own tests.

- ``generate(**answers)`` renders the template with cookiecutter's Python API.
- ``run_cookiecutter(*args)`` runs the cookiecutter CLI (for exit status and stderr).
- ``stack_venv(framework)`` returns a virtualenv, cached under ``.cache/venvs/``,
  that a generated project of that stack was installed into with ``make install``.
- ``run``/``check`` run a command in a clean environment (``bench/project_tools.py``,
  shared with the benchmark); ``running_postgres()`` a throwaway PostgreSQL (``postgres.py``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter
from postgres import Postgres, PostgresUnavailable, throwaway

from project_tools import cached_venv, check, file_lock
from project_tools import clean_env as clean_env  # re-exported for the tests
from project_tools import run as run  # re-exported for the tests

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
COOKIECUTTER_JSON = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())

FRAMEWORKS: list[str] = COOKIECUTTER_JSON["framework"]
PYTHON_VERSIONS: list[str] = COOKIECUTTER_JSON["python_version"]
DATABASES: list[str] = COOKIECUTTER_JSON["database"]
CIS: list[str] = COOKIECUTTER_JSON["ci"]
DEFAULT_PYTHON = PYTHON_VERSIONS[0]

# Seconds a generated project's ``make install`` may take (other commands: ``check``'s 900).
INSTALL_TIMEOUT = 1200


def combinations() -> list[Any]:
    """Every framework x database x ci at the default Python, then every other Python."""
    cases = [
        pytest.param(
            {"framework": framework, "database": database, "ci": ci},
            id=f"{framework}-{database}-{ci}",
        )
        for framework, database, ci in itertools.product(FRAMEWORKS, DATABASES, CIS)
    ]
    cases += [
        pytest.param(
            {"framework": framework, "python_version": python},
            id=f"{framework}-py{python}",
        )
        for framework, python in itertools.product(FRAMEWORKS, PYTHON_VERSIONS[1:])
    ]
    return cases


def answers_of(case: dict[str, str]) -> dict[str, str]:
    """The effective value of the choice questions for a case."""
    return {
        "framework": case.get("framework", FRAMEWORKS[0]),
        "database": case.get("database", DATABASES[0]),
        "ci": case.get("ci", CIS[0]),
        "python_version": case.get("python_version", DEFAULT_PYTHON),
    }


def project_files(root: Path) -> list[Path]:
    """Every file of a generated tree (hidden ones included), relative and sorted."""
    return sorted(path.relative_to(root) for path in root.rglob("*") if path.is_file())


@pytest.fixture(scope="session")
def cookiecutter_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cookiecutter config that keeps replay files out of the home directory."""
    base = tmp_path_factory.mktemp("cookiecutter-home")
    config = base / "config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{base / "cookiecutters"}"\nreplay_dir: "{base / "replay"}"\n'
    )
    return config


@pytest.fixture
def generate(tmp_path: Path, cookiecutter_config: Path) -> Callable[..., Path]:
    """Render the template with ``no_input``; each call gets its own output directory."""
    counter = itertools.count()

    def _generate(**answers: str) -> Path:
        output_dir = tmp_path / f"render-{next(counter)}"
        output_dir.mkdir()
        project = cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context=answers,
            output_dir=str(output_dir),
            config_file=str(cookiecutter_config),
        )
        return Path(project)

    return _generate


@pytest.fixture
def run_cookiecutter(
    tmp_path: Path, cookiecutter_config: Path
) -> Callable[..., tuple[subprocess.CompletedProcess[str], Path]]:
    """Run ``python -m cookiecutter --no-input`` with ``key=value`` answers."""

    def _run(*answers: str) -> tuple[subprocess.CompletedProcess[str], Path]:
        output_dir = tmp_path / "out"
        output_dir.mkdir()
        command = [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "--config-file",
            str(cookiecutter_config),
            "--output-dir",
            str(output_dir),
            str(TEMPLATE_DIR),
            *answers,
        ]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
        return result, output_dir

    return _run


def install(project: Path, venv: Path) -> None:
    """``make install`` of a project into a shared stack venv, one install at a time.

    Tests of a stack share its venv; two pip runs in one venv at once could break it.
    """
    with file_lock(venv.parent / f"{venv.name}.install.lock"):
        check(["make", "install", f"VENV={venv}"], project, timeout=INSTALL_TIMEOUT)


@pytest.fixture(scope="session")
def stack_venv(
    tmp_path_factory: pytest.TempPathFactory, cookiecutter_config: Path
) -> Callable[[str], Path]:
    """Return the cached virtualenv of a stack, building it with ``make install`` if needed.

    The cache is keyed by the framework and a hash of the generated pyproject.toml, uv.lock
    and Makefile (default answers), so a dependency change in the template builds a fresh one;
    older venvs of the same framework are removed then.
    """
    built: dict[str, Path] = {}

    def _venv(framework: str) -> Path:
        if framework in built:
            return built[framework]
        output_dir = tmp_path_factory.mktemp(f"venv-source-{framework}")
        project = Path(
            cookiecutter(
                str(TEMPLATE_DIR),
                no_input=True,
                extra_context={"framework": framework},
                output_dir=str(output_dir),
                config_file=str(cookiecutter_config),
            )
        )
        venv = cached_venv(
            framework,
            project,
            lambda venv: check(
                ["make", "install", f"VENV={venv}"], project, timeout=INSTALL_TIMEOUT
            ),
        )
        built[framework] = venv
        return venv

    return _venv


@contextlib.contextmanager
def running_postgres() -> Iterator[Postgres]:
    """A new PostgreSQL 15 server, removed after (skips, in one line, where none can run).

    ``REQUIRE_POSTGRES=1`` (set by ``.ci/run``) turns that skip into a failure.
    """
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(throwaway())
        except PostgresUnavailable as error:
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL is required here but cannot start: {error}")
            pytest.skip(f"PostgreSQL cannot start here: {error}")
        yield server


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server for the session's tests."""
    with running_postgres() as server:
        yield server
