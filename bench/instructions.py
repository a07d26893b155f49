"""Instructions per request: what the template adds to a request, counted rather than timed.

``python bench/instructions.py`` (``make bench-instructions``) serves each stack's generated
service and the bare app of ``bench/apps`` with the generated project's own production
server (one worker) inside valgrind's callgrind, and counts the instructions the worker
runs for ``--requests`` requests on one keep-alive connection, after a warm-up it does not
count: ``GET /healthz`` and ``GET /api/v1/items/{id}`` (SQLite, seeded through the API).
Rows: the generated service as deployed (access log and metrics on), the same with the
access log off (``LOG_LEVEL=WARNING``), with the metrics off (``METRICS_ENABLED=false``),
and the bare app.

A count repeats within about 0.2% from run to run, where requests/s on a shared machine
moves by ±0.05 (``bench/run.py``'s side-by-side runs): it settles what the template's own
code costs. What instructions do not show (time in the kernel, cache misses, the thread
hop of aiosqlite) the timed runs do; the two complement each other. Results:
``bench/results/instructions.md`` and ``instructions.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import projects
from harness.common import RESULTS_DIR, BenchError, log
from harness.servers import App, Stack, command, seed, serve_all, server_env, worker_pids
from project_tools import free_port, stop_group

FRAMEWORKS = ("fastapi", "flask")
PATHS = ("/healthz", "/api/v1/items/1")
GENERATED, ACCESS_LOG_OFF, METRICS_OFF, BARE = "generated", "access log off", "metrics off", "bare"
ROW_LABELS = (GENERATED, ACCESS_LOG_OFF, METRICS_OFF, BARE)
# Starting under valgrind takes several times as long as without it.
STARTUP_TIMEOUT = 600.0


def row(framework: str, label: str) -> App:
    env = {
        ACCESS_LOG_OFF: (("LOG_LEVEL", "WARNING"),),
        METRICS_OFF: (("METRICS_ENABLED", "false"),),
    }
    return App(framework, label, "bare" if label == BARE else "template", env.get(label, ()))


def ensure_valgrind() -> None:
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise BenchError(f"{tool} is not installed (Debian: apt-get install valgrind)")


@contextlib.contextmanager
def under_callgrind(stack: Stack, app: App, work_dir: Path) -> Iterator[Counter]:
    """The app's server inside callgrind, counting nothing yet."""
    port = free_port()
    out = Path(tempfile.mkdtemp(prefix="callgrind-", dir=work_dir))
    argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--trace-children=yes"]
    argv += [f"--callgrind-out-file={out}/callgrind.%p", *command(stack, app, port, None)]
    env = server_env(stack, port, app, {"PYTHONHASHSEED": "0"})
    log_path = out / "server.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            argv,
            cwd=stack.project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log_text = log_path.read_text(errors="replace")[-3000:]
                raise BenchError(f"{app.key} did not start under callgrind:\n{log_text}")
            time.sleep(0.5)
        workers = worker_pids(process.pid)
        if len(workers) > 1:
            raise BenchError(f"{app.key}: {len(workers)} workers, one expected")
        yield Counter(port, workers[0], out, env.get("HOST", ""))
    finally:
        stop_group(process, 60)


def answers(port: int) -> bool:
    with contextlib.suppress(OSError, http.client.HTTPException):
        return get(port, "/healthz", 1) == 0
    return False


def get(port: int, path: str, requests: int) -> int:
    """``requests`` GETs on one keep-alive connection; how many were not 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    failed = 0
    try:
        for _ in range(requests):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            failed += response.status != 200
    finally:
        connection.close()
    return failed


def callgrind_control(*args: str, host: str) -> None:
    # vgdb finds the server by names valgrind made from $HOST, which the service's settings set.
    env = {**os.environ, "HOST": host}
    command = ["callgrind_control", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    if done.returncode != 0:
        raise BenchError(f"callgrind_control {' '.join(args)}: {done.stderr or done.stdout}")


@dataclass(frozen=True)
class Counter:
    """A server under callgrind: its port, the worker that answers, where callgrind writes."""

    port: int
    pid: int
    out: Path
    host: str

    def count(self, path: str, requests: int, warmup: int) -> float:
        """Instructions the worker runs per request on ``path`` (the warm-up not counted)."""
        if get(self.port, path, warmup):
            raise BenchError(f"GET {path}: not 200 during the warm-up")
        pid = str(self.pid)
        callgrind_control("--zero", pid, host=self.host)
        callgrind_control("--instr=on", pid, host=self.host)
        failed = get(self.port, path, requests)
        callgrind_control("--instr=off", pid, host=self.host)
        if failed:
            raise BenchError(f"GET {path}: {failed} of {requests} answers not 200")
        before = set(self.out.glob(f"callgrind.{pid}.*"))
        # All threads' counts since the zeroing, to a file.
        callgrind_control("--dump", pid, host=self.host)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for dump in set(self.out.glob(f"callgrind.{pid}.*")) - before:
                for line in dump.read_text().splitlines():
                    if line.startswith("totals:"):  # the dump's last line: it is complete
                        return int(line.split()[1]) / requests
            time.sleep(0.2)
        files = ", ".join(sorted(file.name for file in self.out.iterdir()))
        raise BenchError(f"no dump of PID {pid} with totals for GET {path} in {files}")


def prepare(framework: str, work_dir: Path) -> Stack:
    """The generated project, its virtualenv, and a SQLite database with seeded items."""
    project, _ = projects.generate(framework, work_dir / "projects")
    venv = projects.stack_venv(framework, project)
    url = f"sqlite:///{work_dir / f'{framework}.db'}"
    projects.migrate(project, venv, url)
    stack = Stack(framework, project, venv, projects.site_packages(venv), database_url=url)
    with serve_all({framework: stack}, [row(framework, GENERATED)], None, work_dir, {}) as servers:
        for server in servers.values():
            seed(server.url)
    return stack


def measure(args: argparse.Namespace, work_dir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for framework in args.frameworks:
        stack = prepare(framework, work_dir)
        for label in args.rows:
            with under_callgrind(stack, row(framework, label), work_dir) as counter:
                for path in args.paths:
                    value = counter.count(path, args.requests, args.warmup)
                    results.setdefault(framework, {}).setdefault(path, {})[label] = value
                    log(f"{framework} {label} GET {path}: {value:,.0f} instructions a request")
    return results


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Instructions per request",
        "",
        f"Run {report['date']} with `make bench-instructions`: {report['requests']} requests "
        f"on one keep-alive connection after {report['warmup']} not counted, one worker, "
        "under valgrind's callgrind (every instruction the worker runs, its server "
        "included). SQLite; the item read is seeded.",
        "",
        "As requests/s: generated ÷ bare is bare's instructions ÷ the generated service's, "
        "the ratio the timed runs would show if instructions were all a request costs. "
        "A row's cost is what the service as deployed runs beyond it.",
        "",
        "| stack | request | generated | access log off | metrics off | bare "
        "| generated ÷ bare | access line | metrics |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for framework, paths in report["results"].items():
        for path, rows in paths.items():
            generated = rows.get(GENERATED)

            def cell(label: str, rows: dict[str, float] = rows) -> str:
                return f"{rows[label]:,.0f}" if label in rows else "–"

            def share(label: str, rows: dict[str, float] = rows, base: Any = generated) -> str:
                if base is None or label not in rows:
                    return "–"
                return f"{(base - rows[label]) / base:.1%}"

            ratio = f"{rows[BARE] / generated:.3f}" if generated and BARE in rows else "–"
            cells = [cell(label) for label in ROW_LABELS]
            lines.append(
                f"| {framework} | GET {path} | {' | '.join(cells)} | {ratio} "
                f"| {share(ACCESS_LOG_OFF)} | {share(METRICS_OFF)} |"
            )
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", default=",".join(FRAMEWORKS), help="fastapi,flask")
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--rows", default=",".join(ROW_LABELS))
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--output", type=Path, default=RESULTS_DIR)
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    args.frameworks = [name for name in args.stacks.split(",") if name]
    args.paths = [path for path in args.paths.split(",") if path]
    args.rows = [label for label in args.rows.split(",") if label]
    unknown = set(args.frameworks) - set(FRAMEWORKS) | set(args.rows) - set(ROW_LABELS)
    if unknown:
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    ensure_valgrind()
    work_dir = Path(tempfile.mkdtemp(prefix="template-instructions-"))
    try:
        report = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "requests": args.requests,
            "warmup": args.warmup,
            "results": measure(args, work_dir),
        }
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    text = markdown(report)
    print(text)
    if not args.no_write:
        args.output.mkdir(parents=True, exist_ok=True)
        (args.output / "instructions.json").write_text(json.dumps(report, indent=2) + "\n")
        (args.output / "instructions.md").write_text(text)
        log(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        sys.exit(f"bench: {error}")
