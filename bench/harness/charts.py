"""The PNG charts of ``bench/results``: requests/s per row, worker scaling, growth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .databases import LABELS
from .scenarios import BARE, BY_NAME, GENERATED, ONE_WORKER, RAW, RUN_ORDER, TWO_WORKERS
from .summary import ratio


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _ticks(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(database, scenario, tick label) for every measured scenario, in run order."""
    ticks = []
    for database, by_stack in report["results"].items():
        for name in RUN_ORDER:
            if any(name in rows.get(GENERATED, {}) for rows in by_stack.values()):
                label = BY_NAME[name].label.replace(" /api/v1", "\n/api/v1")
                if BY_NAME[name].database:
                    label += f"\n{LABELS[database]}"
                ticks.append((database, name, label))
    return ticks


def _bars(
    report: dict[str, Any],
    path: Path,
    rows: tuple[str, ...],
    kind: str,
    title: str,
    ylabel: str,
    log_scale: bool,
) -> None:
    plt = _pyplot()
    frameworks = list(report["stacks"])
    ticks = _ticks(report)
    figure, axes = plt.subplots(
        len(frameworks),
        1,
        figsize=(max(9, 1.15 * len(ticks)), 4.2 * len(frameworks)),
        squeeze=False,
    )
    colours = ["#1f77b4", "#9ecae1", "#bdbdbd"]
    width = 0.8 / len(rows)
    for axis, framework in zip(axes[:, 0], frameworks, strict=True):
        by_row = {db: report["results"][db].get(framework, {}) for db in report["results"]}
        shown = [t for t in ticks if by_row[t[0]].get(rows[0], {}).get(t[1])]
        for offset, row in enumerate(rows):
            values = [
                report["results"][db].get(framework, {}).get(row, {}).get(name, {}).get("rps", 0)
                for db, name, _ in shown
            ]
            positions = [i + (offset - (len(rows) - 1) / 2) * width for i in range(len(shown))]
            axis.bar(positions, values, width, label=row, color=colours[offset])
        for i, (db, name, _) in enumerate(shown):
            value = ratio(report["summary"], kind, db, framework, name)
            top = max(
                report["results"][db].get(framework, {}).get(row, {}).get(name, {}).get("rps", 0)
                for row in rows
            )
            if value is not None:
                axis.annotate(f"{value:.2f}×", (i, top), ha="center", va="bottom", fontsize=8)
        axis.set_xticks(range(len(shown)))
        axis.set_xticklabels([label for _, _, label in shown], fontsize=7)
        if log_scale:
            axis.set_yscale("log")
        axis.set_title(f"{framework}: {title}", fontsize=10)
        axis.set_ylabel(ylabel, fontsize=8)
        axis.grid(axis="y", alpha=0.3)
        axis.legend(loc="upper right", fontsize=7)
    host, opts = report["machine"], report["options"]
    figure.suptitle(
        f"{host['cpu']}, {host['cores']} cores (shared): median of {opts['repeats']} x "
        f"{opts['duration']} s; label: {kind}",
        fontsize=9,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def results_chart(report: dict[str, Any], path: Path) -> None:
    _bars(
        report,
        path,
        (GENERATED, BARE, RAW),
        "generated / bare",
        "WEB_CONCURRENCY=1, one pinned core",
        "requests/s (log scale)",
        log_scale=True,
    )


def workers_chart(report: dict[str, Any], path: Path) -> bool:
    if not any(ONE_WORKER in rows for by in report["results"].values() for rows in by.values()):
        return False
    _bars(
        report,
        path,
        (ONE_WORKER, TWO_WORKERS),
        "2 workers / 1 worker",
        "1 vs 2 workers, server and wrk unpinned on 2 cores",
        "requests/s",
        log_scale=False,
    )
    return True


def growth_chart(growth_json: Path, path: Path) -> bool:
    """p50 latency against table size from ``growth.json`` (bench/growth.py), if it exists.

    One line per stack and scenario; refused scenarios (a 422 past the offset cap) have
    no latency and leave a gap.
    """
    if not growth_json.exists():
        return False
    series = growth_series(json.loads(growth_json.read_text()))
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(8, 4.5))
    colours: dict[str, str] = {}
    for label, points in series.items():
        stack, scenario = label.split(" ", 1)
        colour = colours.setdefault(scenario, f"C{len(colours)}")
        xs, ys = zip(*points, strict=True)
        style = "-" if stack == "fastapi" else "--"
        axis.plot(xs, ys, style, color=colour, marker="o", label=label)
    axis.set_xscale("log")
    axis.set_xlabel("rows in the table")
    axis.set_ylabel("p50 latency, ms")
    axis.set_title("Growth with the table (PostgreSQL, one worker)", fontsize=10)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def growth_series(data: dict[str, Any]) -> dict[str, list[tuple[int, float]]]:
    """``{"<stack> <scenario>": [(rows, p50 ms), ...]}``, by rows; refused sizes left out."""
    series: dict[str, list[tuple[int, float]]] = {}
    for stack, sizes in data["results"].items():
        for rows, by_name in sorted(sizes.items(), key=lambda item: int(item[0])):
            for scenario, figures in by_name.items():
                if "p50_ms" in figures:
                    series.setdefault(f"{stack} {scenario}", []).append(
                        (int(rows), figures["p50_ms"])
                    )
    return series
