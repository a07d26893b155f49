"""Each stack's compose.yaml, run for real with docker-compose 1.29 (Debian's).

An override file swaps in the local images (the stack's image as test_docker.py builds it,
and ``local/postgres:15`` from ``../shared/tools/docker-setup postgres``) and asks Docker to
run the image's own health check every 2 s instead of 10; ``PUBLISHED_PORT`` picks a free host
port. Then: ``up`` runs the database, the ``migrate`` job (exit 0) and the service, which turns
healthy; an item created through the published port reads back, and again after a restart
of the service (the data is on the database's volume); ``down -v`` leaves no container,
volume or network of the project. A ``down -v`` in a ``finally`` cleans up after a failure.
Each run has its own compose project name, so nothing else is touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import test_docker
import yaml
from test_docker import (
    IMAGE_REPOSITORY,
    LOCK,
    build,
    docker,
    inspect,
    wait_healthy,
)
from test_k8s import POSTGRES_IMAGE, call, require_postgres_image

from conftest import FRAMEWORKS, file_lock, run
from project_tools import free_port

base_image = test_docker.base_image  # the fixture, shared

pytestmark = [pytest.mark.venv, pytest.mark.xdist_group("docker")]

COMPOSE_TIMEOUT = 300


@pytest.fixture(scope="module")
def docker_compose(base_image: str) -> str:
    found = shutil.which("docker-compose")
    version = ""
    if found:
        version = subprocess.run(
            [found, "version", "--short"], capture_output=True, text=True, timeout=60, check=False
        ).stdout.strip()
    if not version.startswith("1."):
        reason = f"docker-compose 1.x is not installed (found {found} {version})"
        if os.environ.get("REQUIRE_DOCKER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    require_postgres_image()
    return str(found)


@contextlib.contextmanager
def compose_project(
    command: str, project: Path, override: Path, name: str, port: int
) -> Iterator[Callable[..., str]]:
    """``docker-compose`` for one project name; ``down -v`` whatever happens."""
    base = [command, "--project-name", name, "--file", "compose.yaml", "--file", str(override)]

    def compose(*args: str, check: bool = True) -> str:
        result = run([*base, *args], project, COMPOSE_TIMEOUT, PUBLISHED_PORT=str(port))
        if check:
            assert result.returncode == 0, f"docker-compose {' '.join(args)}:\n{result.stdout}"
        return result.stdout.strip()

    try:
        yield compose
    finally:
        compose("down", "--volumes", "--remove-orphans", "--timeout", "10", check=False)


def leftovers(name: str) -> list[str]:
    """Containers, volumes and networks that still carry the compose project's label."""
    label = f"label=com.docker.compose.project={name}"
    found = []
    for kind in (["ps", "--all"], ["volume", "ls"], ["network", "ls"]):
        found += docker(*kind, "--quiet", "--filter", label).split()
    return found


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_compose_up_restart_down(
    framework: str,
    base_image: str,
    docker_compose: str,
    generate: Callable[..., Path],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    project = generate(framework=framework)
    services = yaml.safe_load((project / "compose.yaml").read_text())["services"]
    (service,) = [name for name, spec in services.items() if "ports" in spec]
    tag = f"{IMAGE_REPOSITORY}/{framework}:latest"
    override = tmp_path / "compose.override.yaml"
    override.write_text(
        yaml.safe_dump(
            {
                "services": {
                    "db": {"image": POSTGRES_IMAGE},
                    "migrate": {"image": tag},
                    # The image's own check, polled more often than its 10 s.
                    service: {"image": tag, "healthcheck": {"interval": "2s"}},
                }
            }
        )
    )
    port, name = free_port(), f"templatetest{uuid.uuid4().hex[:12]}"
    with file_lock(LOCK):
        build(project, tag, base_image)  # the same files as test_docker's: a cache hit
        with compose_project(docker_compose, project, override, name, port) as compose:
            report = run_stack(compose, service, port)
            assert leftovers(name), "the project's objects do not carry its label"
            compose("down", "--volumes", "--timeout", "30")
            assert leftovers(name) == [], "down -v left these behind"
    for key, value in report.items():
        record_property(key, value)
    print(
        f"compose ({framework}): up {report['up_s']} s (migrate ran {report['migrate_s']} s,"
        f" exit 0), healthy after {report['healthy_s']} s, restart to healthy"
        f" {report['restart_s']} s with the data kept; down -v left nothing"
    )


def run_stack(compose: Callable[..., str], service: str, port: int) -> dict[str, float]:
    started = time.monotonic()
    compose("up", "--detach", "--no-build")
    up_seconds = time.monotonic() - started

    migrate = compose("ps", "--all", "--quiet", "migrate")
    state = json.loads(inspect(migrate, "{{json .State}}"))
    assert (state["Status"], state["ExitCode"]) == ("exited", 0), docker("logs", migrate)
    migrate_seconds = _duration(state)

    server = compose("ps", "--quiet", service)
    healthy_seconds = up_seconds + wait_healthy(server)
    items = f"http://127.0.0.1:{port}/api/v1/items"
    status, created = call("POST", items, {"name": "compose", "price": 2.5})
    assert status == 201, created
    item = f"{items}/{created['id']}"
    assert call("GET", item) == (200, created)

    started = time.monotonic()
    compose("restart", service)
    assert compose("ps", "--quiet", service) == server
    wait_healthy(server)
    restart_seconds = time.monotonic() - started
    assert call("GET", item) == (200, created), "the data did not survive a restart"
    return {
        "up_s": round(up_seconds, 1),
        "migrate_s": round(migrate_seconds, 1),
        "healthy_s": round(healthy_seconds, 1),
        "restart_s": round(restart_seconds, 1),
    }


def _duration(state: dict[str, str]) -> float:
    def seconds(stamp: str) -> float:
        whole, _, fraction = stamp.rstrip("Z").partition(".")
        return time.mktime(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float(f"0.{fraction or 0}")

    return seconds(state["FinishedAt"]) - seconds(state["StartedAt"])
