"""What every part of the benchmark shares: paths, the error it raises, logging, commands."""

from __future__ import annotations

import subprocess
from pathlib import Path

from project_tools import clean_env

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
    """Run ``command``; its output, or a BenchError with that output."""
    result = subprocess.run(
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
    if result.returncode != 0:
        raise BenchError(
            f"`{' '.join(command)}` exited {result.returncode} in {cwd}:\n{result.stdout}"
        )
    return result.stdout
