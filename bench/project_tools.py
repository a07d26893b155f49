"""Running generated projects from outside: for the benchmark and the template's tests.

Both build and share the same stack virtualenvs (one key, one lock, one "complete"
marker), so neither installs over a venv the other is using.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
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
    env.update(extra)
    return env


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

    Keyed by the framework and a hash of the generated pyproject.toml, so a
    dependency change in the template builds a fresh one; older venvs of the same
    framework are removed then. ``install(venv)`` builds it.
    """
    digest = hashlib.sha256((project / "pyproject.toml").read_bytes()).hexdigest()[:16]
    venv = VENV_CACHE / f"{framework}-{digest}"
    with file_lock(VENV_CACHE / f"{framework}.lock"):
        if not venv_works(venv):
            for stale in VENV_CACHE.glob(f"{framework}-*"):
                if stale.is_dir():
                    shutil.rmtree(stale)
            install(venv)
            (venv / ".complete").write_text(f"{framework} {digest}\n")
    return venv
