"""The load generator: wrk runs, their summaries, and the medians the results quote."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .common import BENCH_DIR, BenchError
from .scenarios import Scenario

# wrk's own default: an answer slower than this is a timeout (a socket error).
WRK_TIMEOUT = "2s"


@dataclass
class Measurement:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    socket_errors: int
    non_2xx: int
    runs: list[dict[str, Any]] = field(default_factory=list)
    memory: dict[str, float] = field(default_factory=dict)
    # Another row's key -> this row's requests/s over that row's, in runs side by side.
    side_by_side: dict[str, list[float]] = field(default_factory=dict)
    # The error statuses the server's own access log shows ("503" -> count); empty for rows
    # that write no access line (bare, raw, LOG_LEVEL=WARNING).
    logged_errors: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.socket_errors > 0 or self.non_2xx > 0


def ensure_wrk() -> str:
    """The path of wrk, installed from Debian's packages if it is missing (needs root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(command, env=env, capture_output=True, timeout=600, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    raise BenchError("wrk is not installed and cannot be installed here (apt-get install wrk)")


def cpus() -> tuple[int | None, int | None]:
    """One CPU for the server, another for wrk; (None, None) on a single-CPU machine."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2 or shutil.which("taskset") is None:
        return None, None
    return available[0], available[1]


def shares_per_server() -> bool:
    """Whether the kernel shares a core between servers, not between their threads: its
    autogroup gives each session (every server starts one) an equal share. FastAPI on
    SQLite works on two threads (aiosqlite's), Flask on one."""
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def _script(work_dir: Path, scenario: Scenario) -> Path:
    path = work_dir / f"wrk-{scenario.name}.lua"
    if not path.exists():
        names = ["report.lua", *([scenario.script] if scenario.script else [])]
        path.write_text("\n".join((BENCH_DIR / "wrk" / name).read_text() for name in names))
    return path


_run_counter = 0


def _command(
    url: str, scenario: Scenario, seconds: int, connections: int, cpu: int | None, work_dir: Path
) -> list[str]:
    global _run_counter
    _run_counter += 1
    command = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s"]
    command += [f"--timeout={WRK_TIMEOUT}", "--latency", "-s", str(_script(work_dir, scenario))]
    command.append(url + scenario.path)
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    script_args = scenario.script_args
    if scenario.method == "POST":  # post.lua's prefix: a fresh one per run
        script_args = (f"b{os.getpid()}x{_run_counter}x{time.time_ns()}",)
    if script_args:
        command += ["--", *script_args]
    return command


def _summary(returncode: int, stdout: str, stderr: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if returncode != 0 or not lines:
        raise BenchError(f"wrk failed ({returncode}):\n{stdout}\n{stderr}")
    summary: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    summary["socket_errors"] = sum(
        summary[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return summary


def wrk(
    url: str,
    scenario: Scenario,
    seconds: int,
    connections: int,
    cpu: int | None,
    work_dir: Path,
) -> dict[str, Any]:
    """One wrk run (one thread, pinned to ``cpu`` unless None); its summary as a dict."""
    command = _command(url, scenario, seconds, connections, cpu, work_dir)
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    return _summary(result.returncode, result.stdout, result.stderr)


def wrk_side_by_side(
    urls: tuple[str, str],
    scenario: Scenario,
    seconds: int,
    connections: int,
    cpu: int | None,
    work_dir: Path,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two wrk runs at once, one per server: servers pinned to the same core share it
    equally, so their requests/s compare what a request costs each, at the same moment."""
    processes = [
        subprocess.Popen(
            _command(url, scenario, seconds, connections, cpu, work_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for url in urls
    ]
    summaries = []
    try:
        for process in processes:
            stdout, stderr = process.communicate(timeout=seconds + 60)
            summaries.append(_summary(process.returncode, stdout, stderr))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return summaries[0], summaries[1]


def median_of(
    runs: list[dict[str, Any]],
    warmups: list[dict[str, Any]],
    side_by_side: Sequence[dict[str, Any]] = (),
) -> Measurement:
    """The median of each figure over the measured runs; errors counted in every run."""
    every = [*runs, *warmups, *side_by_side]
    return Measurement(
        rps=statistics.median(run["rps"] for run in runs),
        p50_ms=statistics.median(run["p50_us"] for run in runs) / 1000,
        p99_ms=statistics.median(run["p99_us"] for run in runs) / 1000,
        requests=sum(run["requests"] for run in runs),
        socket_errors=sum(run["socket_errors"] for run in every),
        non_2xx=sum(run["non_2xx_3xx"] for run in every),
        runs=[
            *runs,
            *({**run, "warmup": True} for run in warmups),
            *({**run, "side_by_side": True} for run in side_by_side),
        ],
    )
