"""Smoke run of the benchmark harness (``bench/run.py``), so it cannot rot unnoticed.

One short scenario per stack: every row of the harness on ``GET /healthz`` (the generated
service, the bare and raw baselines, metrics off, tracing on against the harness's OTLP
sink, access log off, one and two unpinned workers) under ``python -m <package>.server
--app bench_<framework>:<factory>``, for one second each with wrk, pinned like ``make
bench``. Each must answer with no non-2xx and no socket errors. The full benchmark is
``make bench``, not part of ``make test``.

The instruction counts (``bench/instructions.py``) get a short run too: ``GET /healthz``,
the generated service against the bare app, under callgrind.

Skips, in one line, only where wrk (or valgrind) is missing and cannot be installed;
``REQUIRE_WRK=1`` (``REQUIRE_VALGRIND=1``) turns that skip into a failure.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from conftest import FRAMEWORKS, TEMPLATE_DIR

pytestmark = pytest.mark.venv


def load_script(name: str, file: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, TEMPLATE_DIR / "bench" / file)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


harness = load_script("bench_run", "run.py")
instructions = load_script("bench_instructions", "instructions.py")


def required(check: Callable[[], object], variable: str, skipped: str) -> object:
    """``check()``'s answer; a skip where its tool is missing, a failure if ``variable`` is 1."""
    try:
        return check()
    except harness.BenchError as error:
        if os.environ.get(variable) == "1":
            pytest.fail(f"required here ({variable}=1): {error}")
        pytest.skip(f"{skipped}: {error}")


@pytest.fixture(scope="module")
def wrk() -> str:
    return str(required(harness.ensure_wrk, "REQUIRE_WRK", "no benchmark smoke run"))


@pytest.mark.parametrize(
    "framework", [pytest.param(f, marks=pytest.mark.xdist_group(f)) for f in FRAMEWORKS]
)
def test_bench_smoke(
    framework: str,
    wrk: str,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    project = generate(framework=framework)
    venv = stack_venv(framework)
    stack = harness.Stack(
        framework,
        project,
        venv,
        harness.projects.site_packages(venv),
        database_url=f"sqlite:///{tmp_path / 'bench.db'}",
    )
    options = harness.Options(duration=1, warmup=0, repeats=1)
    with harness.otlp_sink() as (endpoint, _received):
        results = harness.measure_leg(
            {framework: stack},
            ("healthz",),
            options,
            tmp_path,
            tracing_env=harness.tracing_variables(endpoint),
        )
    rows = results[framework]
    expected = {
        harness.scenarios.GENERATED,
        harness.scenarios.BARE,
        harness.scenarios.RAW,
        harness.scenarios.NO_ACCESS_LOG,
        harness.scenarios.NO_METRICS,
        harness.scenarios.TRACING,
        harness.scenarios.ONE_WORKER,
        harness.scenarios.TWO_WORKERS,
    }
    assert expected <= set(rows)
    for label, measured in rows.items():
        measurement = measured["healthz"]
        assert measurement.requests > 0, (label, measurement)
        assert measurement.non_2xx == 0, (label, measurement.runs)
        assert measurement.socket_errors == 0, (label, measurement.runs)
    # Two workers are two processes under the server, each with its own memory.
    assert rows[harness.scenarios.TWO_WORKERS]["healthz"].memory["workers"] == 2
    assert rows[harness.scenarios.GENERATED]["healthz"].memory["rss_mb"] > 10


@pytest.fixture(scope="module")
def valgrind() -> None:
    required(instructions.ensure_valgrind, "REQUIRE_VALGRIND", "no instruction counts")


@pytest.mark.parametrize(
    "framework", [pytest.param(f, marks=pytest.mark.xdist_group(f)) for f in FRAMEWORKS]
)
def test_instruction_counts(
    framework: str,
    valgrind: None,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    """Counted under callgrind, the template costs more than the bare app, by the same
    count each time (the access line and the metrics at least)."""
    project = generate(framework=framework)
    venv = stack_venv(framework)
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    harness.projects.migrate(project, venv, url)
    site = harness.projects.site_packages(venv)
    stack = instructions.Stack(framework, project, venv, site, database_url=url)
    counts: dict[str, list[float]] = {}
    for label in (instructions.GENERATED, instructions.BARE):
        app = instructions.row(framework, label)
        with instructions.under_callgrind(stack, app, tmp_path) as counter:
            counts[label] = [counter.count("/healthz", 40, 60) for _ in range(2)]
    generated, bare = counts[instructions.GENERATED], counts[instructions.BARE]
    assert 50_000 < min(bare) and max(bare) < min(generated) < 10_000_000, counts
    for first, second in counts.values():
        assert abs(first - second) / first < 0.03, counts  # counted, not timed: it repeats


def test_quick_is_a_short_look() -> None:
    """``--quick``: two scenarios on SQLite, generated and bare, short runs, nothing written."""
    args = harness.parse(["--quick"])
    assert args.scenarios == ("healthz", "read")
    assert args.databases == ("sqlite",)
    assert (args.repeats, args.duration, args.side_by_side) == (1, 2, 3)
    assert (args.no_profile, args.output) == (True, None)
    assert harness.QUICK_ROWS == ("generated", "bare")


def test_summary_pairs_each_repeat() -> None:
    """A ratio is the median of each repeat's ratio, not the ratio of the medians."""
    top = {
        "rps": 110.0,
        "runs": [{"rps": 100.0}, {"rps": 200.0}, {"rps": 110.0}, {"rps": 1.0, "warmup": True}],
    }
    bottom = {
        "rps": 100.0,
        "runs": [{"rps": 100.0}, {"rps": 100.0}, {"rps": 220.0}, {"rps": 9.0, "warmup": True}],
    }
    assert harness.summary.paired_ratio(top, bottom) == 1.0
    assert harness.summary.paired_ratio(top, None) is None


def test_side_by_side_ratio_wins() -> None:
    """A ratio measured side by side is used over the sequential one; only its own runs."""
    top = {"rps": 100.0, "runs": [{"rps": 100.0}], "side_by_side": {"flask/bare": [0.8, 0.9, 0.85]}}
    bottom = {"rps": 50.0, "runs": [{"rps": 50.0}, {"rps": 1.0, "side_by_side": True}]}
    assert harness.summary.paired_ratio(top, bottom, "flask/bare") == 0.85
    assert harness.summary.paired_ratio(top, bottom, "flask/raw") == 2.0


def test_side_by_side_pairs() -> None:
    """The template's cost rows of each stack and FastAPI against Flask, on GET scenarios only."""
    scenarios = harness.scenarios
    apps = [
        app
        for framework in ("fastapi", "flask")
        for app in scenarios.rows(framework, "read", True, False)
    ]
    pairs = {(top.key, bottom.key) for top, bottom in scenarios.side_by_side_pairs(apps, "read")}
    assert ("fastapi/generated", "fastapi/bare") in pairs
    assert ("flask/generated", "flask/bare") in pairs
    assert ("fastapi/generated", "flask/generated") in pairs
    assert all(
        top.pinned and bottom.pinned for top, bottom in scenarios.side_by_side_pairs(apps, "read")
    )
    assert scenarios.side_by_side_pairs(apps, "create") == []
    assert scenarios.side_by_side_pairs(apps, "downstream") == []


def test_growth_chart(tmp_path: Path) -> None:
    """No growth.json: no chart; its series by size, refused sizes left out."""
    chart = tmp_path / "growth.png"
    assert harness.charts.growth_chart(tmp_path / "growth.json", chart) is False
    assert not chart.exists()
    sizes = {
        "1000000": {"first_page": {"p50_ms": 2.5}, "deep_offset": {"status": 422}},
        "1000": {"first_page": {"p50_ms": 2.0}, "deep_offset": {"p50_ms": 9.0}},
    }
    assert harness.charts.growth_series({"results": {"flask": sizes}}) == {
        "flask first_page": [(1000, 2.0), (1000000, 2.5)],
        "flask deep_offset": [(1000, 9.0)],
    }
