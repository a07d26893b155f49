"""Generated services under their production servers, for black-box tests.

A server is ``make serve`` of a generated project on a free loopback port, with
``WEB_CONCURRENCY=1``. It runs in its own session (process group) and is stopped
through that group, by the PID this module started, even when a test fails.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from conftest import check, clean_env
from project_tools import free_port, stop_group

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """GET a loopback URL; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass
class Server:
    framework: str
    project: Path
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def json(self, path: str) -> tuple[int, object]:
        status, body = http_get(self.url + path)
        return status, json.loads(body)


def server_env(project: Path, **settings: str) -> dict[str, str]:
    """Settings for a served project; its own ``src`` wins over the venv's editable install.

    Each stack's cached venv is shared by the tests of that stack, and each
    ``make install`` points its editable install at another generated copy;
    ``PYTHONPATH`` pins this server to its own copy whatever happens meanwhile.
    """
    return {
        "APP_ENV": "production",
        "DOCS_ENABLED": "true",
        "LOG_FORMAT": "json",
        "WEB_CONCURRENCY": "1",
        "HOST": "127.0.0.1",
        "PYTHONPATH": str(project / "src"),
        **settings,
    }


def migrate(project: Path, venv: Path, **settings: str) -> None:
    check(["make", "migrate", f"VENV={venv}"], project, **server_env(project, **settings))


@contextlib.contextmanager
def serve(framework: str, project: Path, venv: Path, **settings: str) -> Iterator[Server]:
    """Start ``make serve``, wait until ``/healthz`` answers, stop the process group after."""
    with starting(framework, project, venv, **settings) as server:
        wait_until_up(server)
        yield server


@contextlib.contextmanager
def starting(framework: str, project: Path, venv: Path, **settings: str) -> Iterator[Server]:
    """Start ``make serve`` without waiting for it; stop the process group after."""
    port = free_port()
    env = clean_env(**server_env(project, PORT=str(port), **settings))
    log_path = project / f"serve-{port}.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"VENV={venv}"],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield Server(framework, project, f"http://127.0.0.1:{port}", process, log_path)
    finally:
        stop(process)


def wait_until_up(server: Server, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        exited = server.process.poll()
        if exited is not None:
            raise AssertionError(f"{server.framework} server exited {exited}:\n{server.log()}")
        try:
            status, _ = http_get(server.url + "/healthz", timeout=2)
        except OSError:
            status = 0
        if status == 200:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{server.framework} server not up in {timeout}s:\n{server.log()}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM the server's process group; SIGKILL it if it does not stop in time."""
    return stop_group(process, STOP_TIMEOUT)
