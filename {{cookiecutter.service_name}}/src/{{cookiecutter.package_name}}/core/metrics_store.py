"""Where the workers keep their metrics: prometheus-client's multiprocess directory.

The production server prepares it before any worker starts (prometheus-client
reads ``PROMETHEUS_MULTIPROC_DIR`` when it is first imported): the directory
named by that variable, emptied of an earlier run's files, or else a new one
under the temporary directory (``/tmp``: writable in the container and on
Kubernetes), removed at exit. No prometheus-client import here for that reason.
"""

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# The per-process files of gauges that count live workers only ("livesum").
_LIVE_GAUGE_FILE = re.compile(r"gauge_live\w*?_(\d+)\.db")


class MetricsStore:
    def __init__(self, path: Path, owned: bool) -> None:
        self.path = path
        self.owned = owned

    @classmethod
    def prepare(cls) -> "MetricsStore":
        """Empty ``PROMETHEUS_MULTIPROC_DIR``, or make a directory and set the variable."""
        given = os.environ.get(MULTIPROC_DIR_VARIABLE)
        if given:
            path = Path(given)
            path.mkdir(parents=True, exist_ok=True)
            for old in path.glob("*.db"):
                old.unlink(missing_ok=True)
            return cls(path, owned=False)
        path = Path(tempfile.mkdtemp(prefix="metrics-"))
        os.environ[MULTIPROC_DIR_VARIABLE] = str(path)
        return cls(path, owned=True)

    def remove(self) -> None:
        """Remove the directory if it was made here."""
        if self.owned:
            shutil.rmtree(self.path, ignore_errors=True)


@contextmanager
def metrics_store() -> Iterator[MetricsStore]:
    store = MetricsStore.prepare()
    try:
        yield store
    finally:
        store.remove()


def dead_worker_pids(directory: str) -> set[int]:
    """The processes that left live-gauge files behind and no longer run.

    A server may replace a worker without a hook: checked at each scrape instead.
    """
    pids = set()
    for name in os.listdir(directory):
        match = _LIVE_GAUGE_FILE.fullmatch(name)
        if match is None:
            continue
        pid = int(match.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            pids.add(pid)
        except PermissionError:
            pass  # alive, another user's
    return pids
