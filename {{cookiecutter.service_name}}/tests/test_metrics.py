"""GET /metrics: Prometheus' text format, OpenTelemetry's names, route templates as labels.

The metrics belong to the process, not to one app: the tests compare counts
before and after their own requests.
"""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import sqlalchemy
from prometheus_client.parser import text_string_to_metric_families

from {{ cookiecutter.package_name }}.core import metrics, metrics_store
from {{ cookiecutter.package_name }}.core.logs import ACCESS_LOGGER
from {{ cookiecutter.package_name }}.core.metrics import method_label, rule_template
from {{ cookiecutter.package_name }}.core.metrics_store import MetricsStore
from {{ cookiecutter.package_name }}.settings import Settings

from .fixtures import make_settings
from .helpers import ITEMS, assert_problem, create

DURATION = "http_server_request_duration_seconds"
ITEM_ROUTE = ITEMS + "/{item_id}"
Labels = tuple[tuple[str, str], ...]


def scrape(client: httpx.Client) -> dict[str, dict[Labels, float]]:
    """Every sample of ``/metrics``: name -> sorted labels -> value."""
    response = client.get("/metrics")
    assert response.status_code == 200
    samples: dict[str, dict[Labels, float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def request_count(client: httpx.Client, method: str, route: str, status: int) -> float:
    labels = (
        ("http_request_method", method),
        ("http_response_status_code", str(status)),
        ("http_route", route),
    )
    return scrape(client).get(f"{DURATION}_count", {}).get(labels, 0.0)


def test_the_text_format(client: httpx.Client) -> None:
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-request-id"]
    assert f"# TYPE {DURATION} histogram" in response.text
    assert "# TYPE http_server_active_requests gauge" in response.text
    assert "# TYPE db_client_connection_count gauge" in response.text
    assert "_created" not in response.text
    assert client.head("/metrics").content == b""


def test_requests_are_counted_under_their_route_template(client: httpx.Client) -> None:
    item = create(client)
    before = request_count(client, "GET", ITEM_ROUTE, 200)
    for _ in range(3):
        assert client.get(f"{ITEMS}/{item['id']}").status_code == 200
    assert request_count(client, "GET", ITEM_ROUTE, 200) == before + 3
    series = scrape(client)[f"{DURATION}_count"]
    assert all(("http_route", f"{ITEMS}/{item['id']}") not in labels for labels in series)


def test_refused_requests_keep_their_route(client: httpx.Client) -> None:
    before = request_count(client, "GET", ITEM_ROUTE, 422)
    client.get(f"{ITEMS}/not-a-number")
    assert request_count(client, "GET", ITEM_ROUTE, 422) == before + 1


def test_unknown_paths_and_methods_share_one_route_label(client: httpx.Client) -> None:
    before_404 = request_count(client, "GET", "", 404)
    before_405 = request_count(client, "DELETE", "", 405)
    client.get("/wp-admin/setup.php")
    client.get("/.env")
    client.delete("/healthz")
    assert request_count(client, "GET", "", 404) == before_404 + 2
    assert request_count(client, "DELETE", "", 405) == before_405 + 1
    routes = {dict(labels)["http_route"] for labels in scrape(client)[f"{DURATION}_count"]}
    assert not {"/wp-admin/setup.php", "/.env"} & routes


def test_head_is_counted_as_head(client: httpx.Client) -> None:
    before = request_count(client, "HEAD", "/healthz", 200)
    client.head("/healthz")
    assert request_count(client, "HEAD", "/healthz", 200) == before + 1


def test_scrapes_are_neither_counted_nor_logged(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    client.get("/healthz")
    scrape(client)
    scrape(client)
    routes = {dict(labels)["http_route"] for labels in scrape(client)[f"{DURATION}_count"]}
    assert "/metrics" not in routes
    paths = [getattr(record, "path", None) for record in caplog.records]
    assert "/healthz" in paths
    assert "/metrics" not in paths


def test_other_methods_on_metrics_are_405(client: httpx.Client) -> None:
    response = client.post("/metrics")
    assert_problem(response, 405, "Method Not Allowed", "/metrics")
    assert response.headers["allow"] == "GET, HEAD"


def test_metrics_are_not_in_the_openapi_document(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/healthz" in paths
    assert "/metrics" not in paths


class TestDisabled:
    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        return make_settings(database_url, metrics_enabled=False)

    def test_metrics_are_404(self, client: httpx.Client) -> None:
        assert_problem(client.get("/metrics"), 404, "Not Found", "/metrics")


def test_methods_outside_the_standard_ones_are_other() -> None:
    assert method_label("GET") == "GET"
    assert method_label("PROPFIND") == "_OTHER"


def test_url_rules_are_spelled_as_in_openapi() -> None:
    assert rule_template("/api/v1/items/<id:item_id>") == ITEM_ROUTE
    assert rule_template("/a/<name>/<int:n>") == "/a/{name}/{n}"


def connections(state: str) -> float:
    labels = {"db_client_connection_state": state}
    return metrics.REGISTRY.get_sample_value("db_client_connection_count", labels) or 0.0


def test_pool_connections_by_state(tmp_path: Path) -> None:
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'pool.db'}", pool_size=2)
    metrics.watch_pool(engine)
    idle, used = connections("idle"), connections("used")
    with engine.connect():
        assert (connections("idle"), connections("used")) == (idle, used + 1)
    assert (connections("idle"), connections("used")) == (idle + 1, used)
    engine.dispose()
    assert (connections("idle"), connections("used")) == (idle, used)


# One worker's writes (core/metric_writes.py), then a forked worker's, then the first one's
# again: the scrape sums both processes' files.
WORKER_WRITES = """
import json, os, sys
from {{ cookiecutter.package_name }}.core import metric_writes, metrics

duration = metric_writes.histogram_writer(metrics.REQUEST_DURATION.labels("GET", "/r", "200"))
active = metric_writes.gauge_writer(metrics.ACTIVE_REQUESTS.labels("GET"))
for seconds in (0.001, 0.005, 0.3, 20.0):
    duration.observe(seconds)
active.inc(1)
child = os.fork()
if child == 0:
    metric_writes.histogram_writer(metrics.REQUEST_DURATION.labels("GET", "/r", "200")).observe(1.0)
    os._exit(0)
os.waitpid(child, 0)
duration.observe(0.001)
writers = [type(active).__name__, type(duration._sum).__name__]
json.dump({"writers": writers, "scrape": metrics.exposition().decode()}, sys.stdout)
"""


class TestMultiprocess:
    def test_the_server_empties_a_given_directory(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(metrics_store.MULTIPROC_DIR_VARIABLE, str(tmp_path))
        (tmp_path / "counter_1.db").write_bytes(b"old")
        store = MetricsStore.prepare()
        assert list(tmp_path.iterdir()) == []
        store.remove()
        assert tmp_path.is_dir()  # not the server's to remove

    def test_or_makes_its_own(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # Empty counts as unset; set through monkeypatch, the variable the store sets
        # is undone after the test (later tests would scrape a removed directory).
        monkeypatch.setenv(metrics_store.MULTIPROC_DIR_VARIABLE, "")
        with metrics_store.metrics_store() as store:
            assert os.environ[metrics_store.MULTIPROC_DIR_VARIABLE] == str(store.path)
            assert store.path.is_dir()
        assert not store.path.exists()

    def test_dead_workers_are_found(self, tmp_path: Path) -> None:
        command = [sys.executable, "-c", "import os; print(os.getpid())"]
        finished = subprocess.run(command, capture_output=True, text=True, check=True)
        dead = int(finished.stdout)
        for pid in (os.getpid(), dead):
            (tmp_path / f"gauge_livesum_{pid}.db").write_bytes(b"")
        (tmp_path / f"histogram_{dead}.db").write_bytes(b"")
        assert metrics_store.dead_worker_pids(str(tmp_path)) == {dead}

    def test_worker_writes_add_up_across_processes(self, tmp_path: Path) -> None:
        # The package from where this test imported it (src/<package>/core/metrics.py).
        source = str(Path(metrics.__file__).parents[2])
        environment = {
            **os.environ,
            metrics_store.MULTIPROC_DIR_VARIABLE: str(tmp_path),
            "PYTHONPATH": source,
        }
        finished = subprocess.run(
            [sys.executable, "-c", WORKER_WRITES],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        # Straight into the files, not through prometheus-client's slower path.
        written = json.loads(finished.stdout)
        assert written["writers"] == ["FileValue", "FileValue"]
        samples = {
            (sample.name, sample.labels.get("le")): sample.value
            for family in text_string_to_metric_families(written["scrape"])
            for sample in family.samples
            if sample.labels.get("http_route") == "/r" or sample.name.startswith("http_server_a")
        }
        assert samples[(f"{DURATION}_count", None)] == 6
        assert samples[(f"{DURATION}_sum", None)] == pytest.approx(21.307)
        cumulative = {"0.005": 3, "0.25": 3, "0.5": 4, "1.0": 5, "10.0": 5, "+Inf": 6}
        for bound, count in cumulative.items():
            assert samples[(f"{DURATION}_bucket", bound)] == count, bound
        assert samples[("http_server_active_requests", None)] == 1

    def test_a_scrape_reads_the_directory(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(metrics_store.MULTIPROC_DIR_VARIABLE, str(tmp_path))
        assert DURATION not in metrics.exposition().decode()
        monkeypatch.delenv(metrics_store.MULTIPROC_DIR_VARIABLE)
        assert DURATION in metrics.exposition().decode()
