"""Ratios between rows of one run, and the targets they are checked against.

Every ratio is paired. Where the two rows also ran side by side (``SIDE_BY_SIDE``:
both loaded at once, sharing one core), it is the median of those runs' ratios;
otherwise the median over the repeats of each repeat's ratio of requests/s (the two
rows of a repeat ran seconds apart), so background load that changes between
repeats cancels out instead of landing on one row.
"""

from __future__ import annotations

import statistics
from typing import Any

from .scenarios import (
    BARE,
    BY_NAME,
    DATABASE_TARGET,
    GENERATED,
    GRANIAN,
    GTHREADS,
    HEALTHZ_TARGET,
    METRICS_TARGET,
    NO_ACCESS_LOG,
    NO_METRICS,
    ONE_WORKER,
    RAW,
    RUN_ORDER,
    TRACING,
    TWO_WORKERS,
    gthread,
)

FLASK_IO_ROWS = (GENERATED, *(gthread(n) for n in GTHREADS), GRANIAN)


def _measured(runs: list[dict[str, Any]]) -> list[float]:
    return [run["rps"] for run in runs if not run.get("warmup") and not run.get("side_by_side")]


def paired_ratio(
    top: dict[str, Any] | None, bottom: dict[str, Any] | None, bottom_key: str = ""
) -> float | None:
    """``top`` ÷ ``bottom`` (the row called ``bottom_key``): side by side if they ran so."""
    if not top or not bottom:
        return None
    side_by_side = top.get("side_by_side", {}).get(bottom_key)
    if side_by_side:
        return statistics.median(side_by_side)
    tops, bottoms = _measured(top["runs"]), _measured(bottom["runs"])
    if len(tops) != len(bottoms) or not all(bottoms):
        return top["rps"] / bottom["rps"] if bottom["rps"] else None
    return statistics.median(t / b for t, b in zip(tops, bottoms, strict=True))


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """``ratios`` (kind, database, stack, scenario, value, target) and ``checks``."""
    ratios: list[dict[str, Any]] = []

    def add(
        kind: str,
        database: str,
        stack: str,
        scenario: str,
        value: float | None,
        target: float | None = None,
    ) -> None:
        if value is not None:
            ratios.append(
                {
                    "kind": kind,
                    "database": database,
                    "stack": stack,
                    "scenario": scenario,
                    "value": round(value, 3),
                    "target": target,
                }
            )

    for database, by_stack in report["results"].items():
        for name in RUN_ORDER:
            for stack, rows in by_stack.items():

                def get(label: str, rows: Any = rows, name: str = name) -> Any:
                    return rows.get(label, {}).get(name)

                def key(label: str, stack: str = stack) -> str:
                    return f"{stack}/{label}"

                generated = get(GENERATED)
                target = DATABASE_TARGET if BY_NAME[name].database else HEALTHZ_TARGET
                if BY_NAME[name].io_bound:
                    target = None
                add(
                    "generated / bare",
                    database,
                    stack,
                    name,
                    paired_ratio(generated, get(BARE), key(BARE)),
                    target,
                )
                add("generated / raw", database, stack, name, paired_ratio(generated, get(RAW)))
                add(
                    "metrics on / off",
                    database,
                    stack,
                    name,
                    paired_ratio(generated, get(NO_METRICS), key(NO_METRICS)),
                    METRICS_TARGET,
                )
                add(
                    "tracing 10% / off",
                    database,
                    stack,
                    name,
                    paired_ratio(get(TRACING), generated, key(GENERATED)),
                )
                add(
                    "access log on / off",
                    database,
                    stack,
                    name,
                    paired_ratio(generated, get(NO_ACCESS_LOG), key(NO_ACCESS_LOG)),
                )
                add(
                    "2 workers / 1 worker",
                    database,
                    stack,
                    name,
                    paired_ratio(get(TWO_WORKERS), get(ONE_WORKER)),
                )
                if stack == "flask":
                    for label in FLASK_IO_ROWS[1:]:
                        add(
                            f"{label} / gevent",
                            database,
                            stack,
                            name,
                            paired_ratio(get(label), generated),
                        )
            fastapi = by_stack.get("fastapi", {})
            flask = by_stack.get("flask", {})
            for label in FLASK_IO_ROWS:
                other = "" if label == GENERATED else f" ({label.removeprefix('generated, ')})"
                add(
                    f"FastAPI / Flask{other}",
                    database,
                    "both",
                    name,
                    paired_ratio(
                        fastapi.get(GENERATED, {}).get(name),
                        flask.get(label, {}).get(name),
                        f"flask/{label}",
                    ),
                )
    checks = [
        {
            "check": f"{r['stack']} {BY_NAME[r['scenario']].label} ({r['database']}): "
            f"{r['kind']} >= {r['target']:.2f}",
            "value": r["value"],
            "ok": r["value"] >= r["target"],
        }
        for r in ratios
        if r["target"] is not None
    ]
    errors = [
        f"{stack} {label} {name} ({database}): {m['non_2xx']} non-2xx"
        f"{_as_logged(m.get('logged_errors'))}, {m['socket_errors']} socket errors"
        for database, by_stack in report["results"].items()
        for stack, rows in by_stack.items()
        for label, measured in rows.items()
        for name, m in measured.items()
        if m["non_2xx"] or m["socket_errors"]
    ]
    checks += [{"check": error, "value": "", "ok": False} for error in errors]
    checks.append(
        {
            "check": "every row of every scenario: zero non-2xx and zero socket errors",
            "value": f"{len(errors)} rows with errors",
            "ok": not errors,
        }
    )
    return {"ratios": ratios, "checks": checks}


def _as_logged(statuses: dict[str, int] | None) -> str:
    """`` (503 × 4 in its access log)``; nothing for a row that writes no access line."""
    if not statuses:
        return ""
    counted = ", ".join(f"{status} × {count}" for status, count in statuses.items())
    return f" ({counted} in its access log)"


def ratio(
    summary: dict[str, Any], kind: str, database: str, stack: str, scenario: str
) -> float | None:
    for row in summary["ratios"]:
        if (row["kind"], row["database"], row["stack"], row["scenario"]) == (
            kind,
            database,
            stack,
            scenario,
        ):
            return float(row["value"])
    return None
