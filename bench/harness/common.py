"""What every part of the benchmark shares: paths, the error it raises, logging, commands."""

from __future__ import annotations

from pathlib import Path

import project_tools

BENCH_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = BENCH_DIR.parent
APPS_DIR = BENCH_DIR / "apps"
RESULTS_DIR = BENCH_DIR / "results"

PACKAGE = "inventory_service"  # the default answers
SERVICE = "inventory-service"


class BenchError(RuntimeError):
    """Something the benchmark needs failed; the message says what, in a line or a log."""


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def check(command: list[str], cwd: Path, timeout: float = 900, **env: str) -> str:
    """Run ``command`` (``project_tools.check``); its output, or a BenchError with that output."""
    try:
        return project_tools.check(command, cwd, timeout, **env)
    except project_tools.CommandFailed as error:
        raise BenchError(str(error)) from None
