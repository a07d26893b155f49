"""Each stack's image, built and run by a real Docker engine.

For each framework: build the generated project's image (legacy builder, no
BuildKit needed) on the base image ``TEMPLATE_PYTHON_IMAGE`` (default
``local/python:3.11-slim``, which ``../shared/tools/docker-setup`` builds); check
it runs as a numeric non-root user with a health check; run the migrations as
their own container, then the service with ``--read-only --tmpfs /tmp`` and its
SQLite database on a named volume at ``/app/var``; wait until Docker reports it
healthy; create and read an item through the published port; ``docker stop`` it
while a request is in flight: the request completes, the container exits 0
well inside the grace period.

The measurements (image size, build and stop times) are printed (``pytest -rP``
shows them; ``.ci/run`` passes ``-raP``) and recorded as user properties. Without an
engine that answers, or without the base image, the module skips with a one-line
reason; ``REQUIRE_DOCKER=1`` (set by ``.ci/run``) turns that skip into a failure.
The tests share one xdist group and, as that mark has no effect with pytest 9.2
(xdist 3.8 renames ``item._nodeid``, which pytest 9.2 no longer reads), a file
lock too: two builds at once would only fight for 2 cores and skew the timings.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import FRAMEWORKS, TEMPLATE_DIR, file_lock, run

pytestmark = [pytest.mark.venv, pytest.mark.xdist_group("docker")]

BASE_IMAGE_VARIABLE = "TEMPLATE_PYTHON_IMAGE"
DEFAULT_BASE_IMAGE = "local/python:3.11-slim"
IMAGE_REPOSITORY = "template-test"  # images are tagged template-test/<framework>:latest
BUILD_TIMEOUT = 900
HEALTHY_TIMEOUT = 90.0
GRACE_PERIOD = 30  # docker stop -t; GRACEFUL_TIMEOUT in the image is 30 s too
STOP_LIMIT = 15.0  # "well inside the grace period"
IN_FLIGHT_DELAY = 1.0  # how long the in-flight request is held open after SIGTERM
LOCK = TEMPLATE_DIR / ".cache" / "docker.lock"


def docker(*args: str, timeout: float = 120, check: bool = True) -> str:
    result = run(["docker", *args], timeout=timeout, DOCKER_BUILDKIT="0")
    if check:
        assert result.returncode == 0, f"docker {' '.join(args)} exited {result.returncode}:\n" + (
            result.stdout
        )
    return result.stdout.strip()


def why_no_docker() -> str | None:
    """None when an engine answers and the base image is there; otherwise one line why not."""
    if shutil.which("docker") is None:
        return "no docker CLI (../shared/tools/docker-setup installs and starts an engine)"
    try:
        info = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "no Docker engine answers (docker info timed out)"
    if info.returncode != 0 or not info.stdout.strip():
        reason = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
        return f"no Docker engine answers: {reason}"
    if BASE_IMAGE_VARIABLE not in os.environ:
        probe = subprocess.run(
            ["docker", "image", "inspect", DEFAULT_BASE_IMAGE],
            capture_output=True,
            timeout=30,
            check=False,
        )
        if probe.returncode != 0:
            return (
                f"base image {DEFAULT_BASE_IMAGE} is missing: run ../shared/tools/docker-setup"
                f" or set {BASE_IMAGE_VARIABLE} to a pullable image"
            )
    return None


@pytest.fixture(scope="module")
def base_image() -> str:
    reason = why_no_docker()
    if reason and os.environ.get("REQUIRE_DOCKER") == "1":
        pytest.fail(f"Docker is required here (REQUIRE_DOCKER=1) but {reason}")
    if reason:
        pytest.skip(reason)
    return os.environ.get(BASE_IMAGE_VARIABLE, DEFAULT_BASE_IMAGE)


def build(project: Path, tag: str, base: str) -> float:
    """Build with the legacy builder; return the build time. The tag's previous image is
    removed after a rebuild (its layers stay cached as long as the new image uses them)."""
    previous = docker("image", "inspect", "--format", "{{.Id}}", tag, check=False)
    started = time.monotonic()
    docker(
        "build",
        "--quiet",
        "--build-arg",
        f"PYTHON_IMAGE={base}",
        "--tag",
        tag,
        str(project),
        timeout=BUILD_TIMEOUT,
    )
    elapsed = time.monotonic() - started
    current = docker("image", "inspect", "--format", "{{.Id}}", tag)
    if previous.startswith("sha256:") and previous != current:
        docker("image", "rm", previous, check=False)
    return elapsed


@contextlib.contextmanager
def volume() -> Iterator[str]:
    name = docker("volume", "create", f"template-test-{uuid.uuid4().hex[:12]}")
    try:
        yield name
    finally:
        docker("volume", "rm", "--force", name, check=False)


@contextlib.contextmanager
def container(*args: str) -> Iterator[str]:
    """``docker run --detach``; the container is removed by its id whatever happens."""
    container_id = docker("run", "--detach", *args)
    try:
        yield container_id
    finally:
        docker("rm", "--force", container_id, check=False)


def inspect(container_id: str, template: str) -> str:
    return docker("inspect", "--format", template, container_id)


def wait_healthy(container_id: str) -> float:
    started = time.monotonic()
    while True:
        state = json.loads(inspect(container_id, "{{json .State}}"))
        health = (state.get("Health") or {}).get("Status")
        if health == "healthy":
            return time.monotonic() - started
        assert state["Running"], f"container exited {state['ExitCode']}:\n" + docker(
            "logs", container_id
        )
        assert health in {"starting", None}, f"health {health}:\n" + docker("logs", container_id)
        assert time.monotonic() - started < HEALTHY_TIMEOUT, (
            f"not healthy after {HEALTHY_TIMEOUT}s:\n" + docker("logs", container_id)
        )
        time.sleep(0.5)


def request(method: str, url: str, body: object = None) -> tuple[int, dict[str, str], object]:
    """One JSON request; header names in lower case."""
    data = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {"Content-Type": "application/json"}
    req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310 (loopback)
            headers = {name.lower(): value for name, value in response.headers.items()}
            return response.status, headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        headers = {name.lower(): value for name, value in error.headers.items()}
        return error.code, headers, json.loads(error.read() or b"null")


def published_port(container_id: str) -> int:
    mapping = docker("port", container_id, "8000/tcp").splitlines()[0]
    return int(mapping.rsplit(":", 1)[1])


def hold_request_open(port: int, body: bytes) -> tuple[socket.socket, Callable[[], bytes]]:
    """Send a POST's headers and half its body; return the socket and a finisher that
    sends the rest and reads the whole response (the server closes: Connection: close)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=GRACE_PERIOD)
    head = (
        "POST /api/v1/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    half = len(body) // 2
    sock.sendall(head + body[:half])

    def finish() -> bytes:
        sock.sendall(body[half:])
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)

    return sock, finish


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_image_builds_runs_and_stops(
    framework: str,
    base_image: str,
    generate: Callable[..., Path],
    record_property: Callable[[str, object], None],
) -> None:
    project = generate(framework=framework)
    with file_lock(LOCK):
        report = build_and_run(project, f"{IMAGE_REPOSITORY}/{framework}:latest", base_image)
    for key, value in report.items():
        record_property(key, value)
    print(
        f"docker {framework}: image {report['image_mb']} MB, build {report['build_s']} s,"
        f" healthy after {report['healthy_after_s']} s, docker stop {report['stop_s']} s"
        f" (incl. {IN_FLIGHT_DELAY} s holding a request in flight), exit 0"
    )


def build_and_run(project: Path, tag: str, base_image: str) -> dict[str, float]:
    build_seconds = build(project, tag, base_image)

    image = json.loads(docker("image", "inspect", tag))[0]
    config = image["Config"]
    user = config.get("User") or ""
    uid = user.split(":")[0]
    assert uid.isdigit(), f"the image's USER should be a numeric uid, not {user!r}"
    assert int(uid) != 0, "the image runs as root"
    assert (config.get("Healthcheck") or {}).get("Test"), "the image has no HEALTHCHECK"
    assert "8000/tcp" in (config.get("ExposedPorts") or {})
    size_mb = image["Size"] / 1e6
    # The final stage has the virtualenv and the app only: no compiler, binutils, uv, pip
    # or their caches, no tests and no dev tools.
    leftovers = docker(
        "run",
        "--rm",
        "--user",
        "0",
        "--entrypoint",
        "python",
        tag,
        "-c",
        "import glob, shutil; print(sorted("
        "[tool for tool in ('gcc', 'cc', 'curl', 'wget', 'strip', 'uv') if shutil.which(tool)]"
        " + glob.glob('/root/.cache/pip') + glob.glob('/root/.cache/uv') + glob.glob('/app/tests')"
        " + glob.glob('/opt/venv/bin/pip') + glob.glob('/opt/venv/bin/uv')"
        " + glob.glob('/opt/venv/lib/python3*/site-packages/pytest')))",
    )
    assert leftovers == "[]", f"the image has {leftovers}"
    # The docs pages' own files (package data and the Swagger UI package) are in the image.
    missing = docker(
        "run",
        "--rm",
        "--entrypoint",
        "python",
        tag,
        "-c",
        f"from {project.name.replace('-', '_')}.core.docs_assets import ASSETS;"
        " print(sorted(name for name, asset in ASSETS.items() if not asset.path.is_file()))",
    )
    assert missing == "[]", f"the image lacks the docs assets {missing}"

    with volume() as data:
        # Migrations: their own container, on the volume the service will use.
        docker(
            "run",
            "--rm",
            "--read-only",
            "--tmpfs",
            "/tmp",
            "--volume",
            f"{data}:/app/var",
            tag,
            "alembic",
            "upgrade",
            "head",
        )
        with container(
            "--read-only",
            "--tmpfs",
            "/tmp",
            "--volume",
            f"{data}:/app/var",
            "--publish",
            "127.0.0.1::8000",
            "--env",
            "WEB_CONCURRENCY=2",
            "--stop-timeout",
            str(GRACE_PERIOD),
            tag,
        ) as container_id:
            healthy_seconds = wait_healthy(container_id)
            assert int(inspect(container_id, "{{.State.Pid}}")) > 0
            base = f"http://127.0.0.1:{published_port(container_id)}"

            status, _, body = request("GET", f"{base}/readyz")
            assert status == 200, body
            status, headers, created = request(
                "POST", f"{base}/api/v1/items", {"name": "widget", "price": 9.5}
            )
            assert status == 201, created
            assert isinstance(created, dict)
            assert headers["location"] == f"/api/v1/items/{created['id']}"
            status, _, fetched = request("GET", f"{base}{headers['location']}")
            assert (status, fetched) == (200, created)

            # docker stop with a request in flight: it completes, then the server exits 0.
            in_flight = json.dumps({"name": "in-flight", "price": 1}).encode()
            sock, finish = hold_request_open(published_port(container_id), in_flight)
            with sock:
                time.sleep(0.5)  # the server has read the headers and waits for the body
                stop_result: dict[str, object] = {}

                def stop() -> None:
                    started = time.monotonic()
                    stop_result["output"] = docker(
                        "stop", "--time", str(GRACE_PERIOD), container_id, timeout=120
                    )
                    stop_result["seconds"] = time.monotonic() - started

                stopper = threading.Thread(target=stop)
                stopper.start()
                time.sleep(IN_FLIGHT_DELAY)
                assert stopper.is_alive(), "the container stopped with a request in flight"
                response = finish()
                stopper.join(timeout=GRACE_PERIOD + 60)
            status_line = response.split(b"\r\n", 1)[0]
            assert b" 201 " in status_line, response.decode(errors="replace")
            assert "seconds" in stop_result, "docker stop failed"
            stop_seconds = float(stop_result["seconds"])  # type: ignore[arg-type]
            logs = docker("logs", container_id)
            exit_code = int(inspect(container_id, "{{.State.ExitCode}}"))
            assert exit_code == 0, f"exit code {exit_code} after docker stop:\n{logs}"
            assert inspect(container_id, "{{.State.OOMKilled}}") == "false"
            assert stop_seconds < STOP_LIMIT, (
                f"docker stop took {stop_seconds:.1f}s (grace period {GRACE_PERIOD}s):\n{logs}"
            )
            # --read-only: nothing was written outside the volume and the tmpfs.
            assert docker("diff", container_id) == "", docker("diff", container_id)

    return {
        "image_mb": round(size_mb, 1),
        "build_s": round(build_seconds, 1),
        "healthy_after_s": round(healthy_seconds, 1),
        "stop_s": round(stop_seconds, 2),
    }
