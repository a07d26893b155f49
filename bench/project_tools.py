"""Running generated projects from outside: for the benchmark and the template's tests.

Commands in a clean environment (``run``, ``check``), servers stopped by their process
group (``stop_group``), free loopback ports, and the stack virtualenvs.

Both build and share the same stack virtualenvs (one key, one lock, one "complete"
marker), so neither installs over a venv the other is using.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
# Override with TEMPLATE_VENV_CACHE (e.g. a CI cache directory).
VENV_CACHE = Path(os.environ.get("TEMPLATE_VENV_CACHE", TEMPLATE_DIR / ".cache" / "venvs"))


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment, without settings that would leak into a project."""
    leaking = {
        "VIRTUAL_ENV",
        "PYTHONPATH",
        "PYTHONHOME",
        "MAKEFLAGS",
        "MAKELEVEL",
        "MFLAGS",
        "DATABASE_URL",
        "GUNICORN_CMD_ARGS",
    }
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "COV_CORE_")) and key not in leaking
    }
    if "PYENV_VERSION" not in env and (versions := pyenv_versions()):
        env["PYENV_VERSION"] = versions
    env.update(extra)
    return env


@functools.cache
def pyenv_versions() -> str | None:
    """Under pyenv: every installed Python, the selected one first (a PYENV_VERSION value).

    pyenv's shims run only the selected versions, so `python3.12` fails while 3.11 is
    selected even when 3.12 is installed. A generated project's `make install` runs the
    `pythonX.Y` of its python_version; this makes every installed version answer to its
    name, as when they are installed side by side.
    """
    if not shutil.which("pyenv"):
        return None

    def pyenv(*args: str) -> list[str]:
        result = subprocess.run(
            ["pyenv", *args], capture_output=True, text=True, timeout=30, check=True
        )
        return result.stdout.split()

    try:
        versions = [*pyenv("version-name"), *pyenv("versions", "--bare", "--skip-envs")]
    except (OSError, subprocess.SubprocessError):
        return None
    return ":".join(dict.fromkeys(versions)) or None


class CommandFailed(RuntimeError):
    """A command exited non-zero; the message names it and holds its output."""


def run(
    command: list[str], cwd: Path | None = None, timeout: float = 900, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in ``clean_env(**env)``, stdout and stderr merged into ``.stdout``."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(**env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def check(command: list[str], cwd: Path, timeout: float = 900, **env: str) -> str:
    """``run`` a command; its output, or CommandFailed with that output unless it exits 0."""
    result = run(command, cwd, timeout, **env)
    if result.returncode != 0:
        raise CommandFailed(
            f"`{' '.join(command)}` exited {result.returncode} in {cwd}:\n{result.stdout}"
        )
    return result.stdout


def stop_group(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """SIGTERM a process started in its own session, and its group; SIGKILL if it lingers.

    The group is the one this process leads (``start_new_session=True``), so nothing
    is signalled by name; returns the process's exit status.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait(timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def venv_works(venv: Path) -> bool:
    python = venv / "bin" / "python"
    if not (venv / ".complete").is_file() or not python.exists():
        return False
    probe = subprocess.run(
        [str(python), "-c", "import sys"], capture_output=True, timeout=60, check=False
    )
    return probe.returncode == 0


def cached_venv(framework: str, project: Path, install: Callable[[Path], None]) -> Path:
    """The stack's virtualenv for ``project``'s dependencies, installed once.

    Keyed by the framework and a hash of the generated pyproject.toml, uv.lock and Makefile, so
    a dependency or interpreter change in the template builds a fresh one; older venvs
    of the same framework are removed then. ``install(venv)`` builds it.
    """
    # The Makefile's install recipe chooses the interpreter; pyproject.toml and uv.lock the
    # dependencies.
    recipe = b"".join(
        (project / name).read_bytes() for name in ("pyproject.toml", "uv.lock", "Makefile")
    )
    digest = hashlib.sha256(recipe).hexdigest()[:16]
    venv = VENV_CACHE / f"{framework}-{digest}"
    with file_lock(VENV_CACHE / f"{framework}.lock"):
        if not venv_works(venv):
            for stale in VENV_CACHE.glob(f"{framework}-*"):
                if stale.is_dir():
                    shutil.rmtree(stale)
            install(venv)
            (venv / ".complete").write_text(f"{framework} {digest}\n")
    return venv
