"""Smoke run of the benchmark harness (``bench/run.py``), so it cannot rot unnoticed.

One short scenario per stack: every app of the harness (the generated service, the
bare and raw baselines and their variants) under ``python -m <package>.server --app
bench_<framework>:<factory>``, ``GET /healthz`` for one second each with wrk, pinned
like ``make bench``. Each must answer with no non-2xx and no socket errors. The full benchmark is
``make bench``, not part of ``make test``.

Skips, in one line, only where wrk is missing and cannot be installed;
``REQUIRE_WRK=1`` turns that skip into a failure.
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


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", TEMPLATE_DIR / "bench" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


harness = load_harness()


@pytest.fixture(scope="module")
def wrk() -> str:
    try:
        return str(harness.ensure_wrk())
    except harness.BenchError as error:
        if os.environ.get("REQUIRE_WRK") == "1":
            pytest.fail(f"wrk is required here: {error}")
        pytest.skip(f"no benchmark smoke run: {error}")


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
    options = harness.Options(duration=1, warmup=0, repeats=1)
    results = harness.bench_stack(
        framework, project, venv, options, tmp_path, scenarios=("healthz",)
    )
    assert {"generated", "bare", "raw", harness.NO_ACCESS_LOG} <= set(results)
    for variant, measured in results.items():
        measurement = measured["healthz"]
        assert measurement.requests > 0, (variant, measurement)
        assert measurement.non_2xx == 0, (variant, measurement.runs)
        assert measurement.socket_errors == 0, (variant, measurement.runs)
