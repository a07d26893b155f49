"""Benchmark the services this template generates: FastAPI vs Flask, and the template's overhead.

``make bench`` (or ``python bench/run.py``) generates both stacks into a temporary directory,
installs each in its own virtualenv (cached under ``.cache/venvs/`` like the template's tests),
and serves several rows per stack with the generated project's own production server
(``python -m <package>.server --app MODULE:FACTORY``): the generated ``create_app()``, a bare
app of the same framework, a raw ASGI/WSGI callable, and variants of the generated service
(metrics off, tracing on, access log off, one and two workers, and for Flask under I/O
gunicorn's thread worker and granian). Every scenario runs on SQLite and on PostgreSQL
(``DATABASE_URL``, or a throwaway PostgreSQL 15 the bench starts and stops itself), the
rows of both stacks interleaved. A short py-spy profile of the read route says where its
time goes. Then ``bench/growth.py`` measures the item routes as the table grows (1,000 to
1,000,000 rows on its own throwaway PostgreSQL; ``--no-growth`` skips it). Results go to
``bench/results/`` (``results.md``, ``results.json``, ``growth.md``, ``growth.json``, PNG
charts).

``--quick`` is a look in under two minutes (``GET /healthz`` and the read on SQLite, the
generated and bare apps: one 2-second run each, and three side by side for the ratios).
``--smoke`` is the short run ``tests/test_bench_smoke.py`` makes: ``GET /healthz`` for a
second per stack, nothing written. The modules of ``harness/`` do one job each.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import growth
from harness import charts, databases, projects, scenarios, summary
from harness import report as reports
from harness.common import RESULTS_DIR, BenchError, log
from harness.granian_venv import granian_python
from harness.load import ensure_wrk
from harness.measure import Results, measure_leg
from harness.otlp_sink import otlp_sink
from harness.profile import profile_read
from harness.scenarios import BARE, BY_NAME, GENERATED, RUN_ORDER, Options, tracing_variables
from harness.servers import Stack
from harness.summary import summarise

FRAMEWORKS = ("fastapi", "flask")
# --quick: the template's overhead and FastAPI against Flask, nothing else.
QUICK_SCENARIOS = ("healthz", "read")
QUICK_ROWS = (GENERATED, BARE)
# One run per row for its requests/s; the ratios come from the side-by-side runs.
QUICK_SECONDS = 2
# What tests/test_bench_smoke.py reaches through this module.
__all__ = [
    "BenchError",
    "Options",
    "Stack",
    "charts",
    "ensure_wrk",
    "main",
    "measure_leg",
    "otlp_sink",
    "parse",
    "projects",
    "scenarios",
    "summary",
    "tracing_variables",
]


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def to_json(results: Results) -> dict[str, Any]:
    return {
        framework: {
            label: {name: asdict(m) for name, m in measured.items()}
            for label, measured in rows.items()
        }
        for framework, rows in results.items()
    }


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", default=",".join(FRAMEWORKS), help="fastapi,flask")
    parser.add_argument(
        "--only",
        "--scenarios",
        dest="only",
        default=",".join(RUN_ORDER),
        help=f"scenarios, of {','.join(RUN_ORDER)}; a subset prints and writes nothing "
        "unless --output is given",
    )
    parser.add_argument(
        "--database",
        default=",".join(databases.DATABASES),
        help="sqlite,postgresql (PostgreSQL: DATABASE_URL, or a throwaway server)",
    )
    parser.add_argument("--duration", type=int, default=Options.duration, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=Options.warmup, help="seconds")
    parser.add_argument("--repeats", type=int, default=Options.repeats)
    parser.add_argument(
        "--side-by-side",
        type=int,
        default=Options.side_by_side,
        help="runs of each pair of rows loaded at once for the cost ratios (0: none)",
    )
    parser.add_argument("--connections", type=int, default=Options.connections)
    parser.add_argument("--io-connections", type=int, default=Options.io_connections)
    parser.add_argument("--output", type=Path, default=None, help=f"default {RESULTS_DIR}")
    parser.add_argument(
        "--no-project-tests",
        action="store_true",
        help="skip timing each generated project's make test",
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile")
    parser.add_argument(
        "--no-growth",
        action="store_true",
        help="skip the growth run (bench/growth.py) after a full run",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a look in under two minutes: GET /healthz and the read on SQLite, the "
        "generated and bare apps, one run each; prints, writes nothing",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="GET /healthz for 1 s per stack on the generated app; writes nothing",
    )
    parser.add_argument(
        "--report-from",
        type=Path,
        default=None,
        help="rewrite results.md and the charts from a results.json; no run",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target or an error check fails"
    )
    parser.add_argument(
        "--sqlite-dir",
        default="tmpfs",
        help="where the SQLite files live: tmpfs (default, /dev/shm when "
        "present), work (the temporary directory, on disk) or a directory",
    )
    args = parser.parse_args(argv)
    args.frameworks = tuple(name for name in args.stacks.split(",") if name)
    args.scenarios = tuple(name for name in RUN_ORDER if name in args.only.split(","))
    args.databases = tuple(d for d in databases.DATABASES if d in args.database.split(","))
    unknown = set(args.only.split(",")) - set(RUN_ORDER)
    if unknown or not args.scenarios:
        parser.error(f"unknown scenario: {', '.join(sorted(unknown))}")
    if not args.databases or set(args.database.split(",")) - set(databases.DATABASES):
        parser.error(f"--database: one or more of {','.join(databases.DATABASES)}")
    if set(args.frameworks) - set(FRAMEWORKS) or not args.frameworks:
        parser.error(f"--stacks: one or more of {','.join(FRAMEWORKS)}")
    if args.smoke:
        args.scenarios, args.databases = ("healthz",), (databases.SQLITE,)
    elif args.quick:
        args.scenarios, args.databases = QUICK_SCENARIOS, (databases.SQLITE,)
        args.repeats, args.duration, args.no_profile = 1, QUICK_SECONDS, True
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.report_from:
        report = json.loads(args.report_from.read_text())
        report["summary"] = summarise(report)
        write(report, reports.markdown(report), args.output or args.report_from.parent)
        return 0
    started = time.monotonic()
    partial = args.smoke or args.scenarios != RUN_ORDER
    writes = not args.smoke and (args.output is not None or not partial)
    output = args.output or RESULTS_DIR
    options = Options(
        duration=1 if args.smoke else args.duration,
        warmup=0 if args.smoke else args.warmup,
        repeats=1 if args.smoke else args.repeats,
        side_by_side=0 if args.smoke else args.side_by_side,
        connections=args.connections,
        io_connections=args.io_connections,
    )
    ensure_wrk()
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "options": asdict(options),
        "databases": {},
        "stacks": {},
        "results": {},
        "profiles": {},
    }
    work_dir = Path(tempfile.mkdtemp(prefix="template-bench-"))
    try:
        with contextlib.ExitStack() as resources:
            built: dict[str, tuple[Path, Path, str]] = {}
            granian: Path | None = None
            for framework in args.frameworks:
                project, generation_s = projects.generate(framework, work_dir / "projects")
                log(f"{framework}: generated in {generation_s:.2f} s")
                venv = projects.stack_venv(framework, project)
                stack: dict[str, Any] = {
                    "generation_s": generation_s,
                    "versions": projects.versions(venv, framework),
                }
                if not (partial or args.no_project_tests):
                    stack["tests_s"], stack["tests"] = projects.project_tests(project, venv)
                    log(f"{framework}: make test in {stack['tests_s']:.1f} s ({stack['tests']})")
                report["stacks"][framework] = stack
                built[framework] = (project, venv, projects.site_packages(venv))
                if framework == "flask" and "downstream" in args.scenarios and not args.smoke:
                    granian = granian_python(venv)
            endpoint, received = resources.enter_context(otlp_sink())
            tracing_env = tracing_variables(endpoint)
            urls: dict[str, dict[str, str]] = {}
            if databases.SQLITE in args.databases:
                directory = resources.enter_context(databases.sqlite_dir(args.sqlite_dir, work_dir))
                urls[databases.SQLITE] = {
                    f: f"sqlite:///{directory / f'{f}.db'}" for f in args.frameworks
                }
                report["databases"][databases.SQLITE] = (
                    "a file on tmpfs (/dev/shm: no fsync cost), one connection per process"
                    if str(directory).startswith("/dev/shm")
                    else "a file on disk, one connection per process"
                )
            if databases.POSTGRESQL in args.databases:
                urls[databases.POSTGRESQL] = resources.enter_context(
                    databases.postgres_urls(args.frameworks)
                )
                report["databases"][databases.POSTGRESQL] = (
                    "the server DATABASE_URL names"
                    if os.environ.get("DATABASE_URL")
                    else "a throwaway PostgreSQL 15 on the loopback (fsync off), the "
                    "engine's default pool"
                )
            for index, database in enumerate(args.databases):
                scenarios = tuple(
                    name for name in args.scenarios if index == 0 or BY_NAME[name].database
                )
                if not scenarios:
                    continue
                stacks = {
                    f: Stack(f, *built[f], database_url=urls[database][f], granian=granian)
                    for f in args.frameworks
                }
                log(f"--- {databases.LABELS[database]}: {', '.join(scenarios)}")
                results = measure_leg(
                    stacks,
                    scenarios,
                    options,
                    work_dir,
                    first_database=index == 0,
                    granian=granian is not None,
                    tracing_env=tracing_env,
                    only_rows=(GENERATED,) if args.smoke else QUICK_ROWS if args.quick else None,
                )
                report["results"][database] = to_json(results)
                if not (args.smoke or args.no_profile) and "read" in scenarios:
                    report["profiles"][database] = profile_read(stacks, database, work_dir, options)
            report["tracing_sink"] = asdict(received)
        report["summary"] = summarise(report)
        report["machine"]["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        report["wall_minutes"] = (time.monotonic() - started) / 60
        failed = not all(item["ok"] for item in report["summary"]["checks"])
        if writes:  # first, so a failure below leaves the measurements (see --report-from)
            output.mkdir(parents=True, exist_ok=True)
            (output / "results.json").write_text(json.dumps(report, indent=2) + "\n")
        if args.smoke:
            errors = report["summary"]["checks"][-1]
            log(f"smoke: {errors['value']}")
            return 0 if errors["ok"] else 1
        text = reports.markdown(report)
        print()
        print(text)
        if writes:
            write(report, text, output)
        if writes and not partial and not args.no_growth:
            measure_growth(output)
        if failed:
            log(
                "some targets are not met (see the Targets table)"
                + ("" if args.strict else "; --strict makes that a failure")
            )
    finally:
        if args.keep:
            log(f"kept {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    return 1 if failed and args.strict else 0


def measure_growth(output: Path) -> None:
    """``bench/growth.py`` with its defaults, into ``output``; then its chart."""
    log("--- growth with the table (bench/growth.py)")
    growth.main(["--output", str(output / "growth")])
    try:
        charts.growth_chart(output / "growth.json", output / "growth.png")
    except ImportError:
        log("matplotlib is not installed: no growth chart")


def write(report: dict[str, Any], text: str, output: Path) -> None:
    """results.md and the charts (results.json is written as soon as the run ends)."""
    output.mkdir(parents=True, exist_ok=True)
    (output / "results.md").write_text(text)
    try:
        charts.results_chart(report, output / "results.png")
        charts.workers_chart(report, output / "workers.png")
        charts.growth_chart(output / "growth.json", output / "growth.png")
    except ImportError:
        log("matplotlib is not installed: no charts (pip install -r requirements-bench.txt)")
    log(f"written to {output}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    try:
        sys.exit(main())
    except BenchError as error:
        sys.exit(f"bench: {error}")
