"""Where a database route's time goes: py-spy samples of a server under load, by layer.

py-spy (from the bench's virtualenv) samples every thread of the server (and of its
gunicorn worker) while wrk loads ``GET /api/v1/items/{id}``; each sample's innermost
Python frame is put in one layer by the file it runs in. It is a profile of one short
run, for the proportions, not for requests/s: the bench's figures come from unprofiled
runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from .common import PACKAGE, log
from .load import cpus, wrk
from .scenarios import BY_NAME, Options
from .servers import App, Stack, serve_all

SECONDS = 6
RATE = 250
# The first matching fragment of the innermost frame's file names its layer.
LAYERS = (
    ("database driver", ("asyncpg/", "aiosqlite/", "sqlite3/", "psycopg/", "psycopg_")),
    ("SQLAlchemy (ORM, pool)", ("sqlalchemy/",)),
    (
        "validation and JSON",
        ("pydantic", "marshmallow/", "apiflask/", "webargs/", "json/", "orjson"),
    ),
    ("web framework", ("fastapi/", "starlette/", "flask/", "werkzeug/", "anyio/")),
    ("HTTP server", ("uvicorn/", "gunicorn/", "httptools/", "h11/", "granian/")),
    (
        "event loop, threads, greenlets",
        (
            "asyncio/",
            "uvloop/",
            "concurrent/",
            "threading.py",
            "gevent/",
            "queue.py",
            "selectors.py",
            "greenlet/",
            "socket.py",
            "ssl.py",
        ),
    ),
    ("the template's code", (f"{PACKAGE}/",)),
    ("logging and metrics", ("logging/", "prometheus_client/")),
)
OTHER = "other"


def py_spy() -> str | None:
    found = Path(sys.executable).parent / "py-spy"
    return str(found) if found.exists() else shutil.which("py-spy")


def layer(frame: str) -> str:
    """The layer of a py-spy frame, ``function (package/module.py:line)``."""
    path = frame[frame.rfind("(") + 1 : frame.rfind(":")]
    for name, fragments in LAYERS:
        if any(path.startswith(f) or f"/{f}" in path for f in fragments):
            return name
    return OTHER


def summarise(raw: str) -> dict[str, Any]:
    """Shares of the samples per layer (innermost frame), and per thread (main or other)."""
    layers: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        thread = next((f for f in frames if f.startswith("thread ")), "")
        # "thread (id): name"; py-spy names no thread in a followed subprocess (gunicorn's worker).
        named = ": " in thread
        threads[
            "main thread" if "MainThread" in thread else "other threads" if named else "unnamed"
        ] += count
        python = [f for f in frames if f.endswith(")") and ".py:" in f]
        layers[layer(python[-1]) if python else OTHER] += count
    total = sum(layers.values()) or 1
    return {
        "samples": sum(layers.values()),
        "layers": {name: round(n / total, 3) for name, n in layers.most_common()},
        "threads": {name: round(n / total, 3) for name, n in threads.most_common()},
    }


def profile_read(
    stacks: dict[str, Stack], database: str, work_dir: Path, options: Options
) -> dict[str, Any]:
    """A py-spy profile of the generated and the bare app of each stack on the read route."""
    tool = py_spy()
    if tool is None:
        return {"error": "py-spy is not installed (requirements-bench.txt)"}
    server_cpu, wrk_cpu = cpus()
    profiles: dict[str, Any] = {}
    scenario = BY_NAME["read"]
    for framework, stack in stacks.items():
        for app in (App(framework, "generated"), App(framework, "bare", "bare")):
            with serve_all({framework: stack}, [app], server_cpu, work_dir, {}) as servers:
                server = servers[app.key]
                out = work_dir / f"profile-{database}-{framework}-{app.label}.txt"
                load = threading.Thread(
                    target=wrk,
                    args=(
                        server.url,
                        scenario,
                        SECONDS + 2,
                        options.connections,
                        wrk_cpu,
                        work_dir,
                    ),
                )
                load.start()
                result = subprocess.run(
                    [
                        tool,
                        "record",
                        "--pid",
                        str(server.process.pid),
                        "--duration",
                        str(SECONDS),
                        "--rate",
                        str(RATE),
                        "--format",
                        "raw",
                        "--threads",
                        "--subprocesses",
                        "--nonblocking",
                        "--output",
                        str(out),
                    ],
                    capture_output=True,
                    text=True,
                    timeout=SECONDS + 60,
                    check=False,
                )
                load.join()
                key = f"{framework}/{app.label}"
                if result.returncode != 0 or not out.exists():
                    profiles[key] = {"error": (result.stderr or result.stdout).strip()[-300:]}
                    log(f"profile {database} {key}: py-spy failed: {profiles[key]['error']}")
                    continue
                profiles[key] = summarise(out.read_text())
                log(f"profile {database} {key}: {profiles[key]['layers']}")
    return profiles
