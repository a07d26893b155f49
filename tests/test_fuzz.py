"""Schemathesis against both stacks under their production servers, all checks on.

The document each server publishes drives the fuzzing, so a finding is either
a bug in a stack or a document that does not say what the service does; both
are fixed in the template. Each run is bounded in time (``MAX_TIME``); the two
together stay under three minutes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from stacks import Stacks, running_stacks

from conftest import FRAMEWORKS, clean_env

pytestmark = [pytest.mark.venv, pytest.mark.xdist_group("fuzz")]

MAX_TIME = 60  # seconds of generation per stack
CHECKS = "all"
# What a request with invalid data may be answered: schemathesis' defaults, and the
# contract's limits (a long invalid value can pass the request line's: 414).
CONFIG = """\
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415",
                     "422", "428", "429", "431", "5xx"]
"""


@pytest.fixture(scope="module")
def fuzzed(
    tmp_path_factory: pytest.TempPathFactory,
    cookiecutter_config: Path,
    stack_venv: Callable[[str], Path],
) -> Iterator[Stacks]:
    def database_url(_framework: str, directory: Path) -> str:
        return f"sqlite:///{directory / 'fuzz.db'}"

    workdir = tmp_path_factory.mktemp("fuzz")
    with running_stacks("sqlite", workdir, cookiecutter_config, stack_venv, database_url) as both:
        yield both


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_schemathesis_finds_nothing(fuzzed: Stacks, framework: str, tmp_path: Path) -> None:
    server = fuzzed.servers[framework]
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    command = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        str(config),
        "run",
        f"{server.url}/openapi.json",
        "--checks",
        CHECKS,
        "--max-time",
        str(MAX_TIME),
        # One worker: hypothesis' lambda descriptions are not thread-safe on 3.11.
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-color",
    ]
    result = subprocess.run(
        command,
        cwd=tmp_path,  # hypothesis keeps its example database here
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=MAX_TIME + 120,
        check=False,
    )
    report = f"{' '.join(command)}\n{result.stdout}\n{fuzzed.log()}"
    assert result.returncode == 0, f"schemathesis failed against {framework}:\n{report}"
    assert "generated" in result.stdout, report
