"""The generated project's Kubernetes manifests (deploy/k8s), for both stacks.

For every overlay: ``kubectl kustomize`` renders it; ``kubernetes-validate --strict`` passes
for the oldest Kubernetes the manifests need (1.30, for the preStop ``sleep``) and for the
newest the package knows; ``checkov --framework kubernetes`` reports no failed check, and
every check it skips carries its reason in the manifest; the objects agree with each other
(selectors, ports, the ConfigMap's settings against the pod spec, the migrations Job apart).

Then the manifests and the image are held together: the rendered prod Deployment and Job are
run with Docker as the pod spec says (user, read-only root, tmpfs where the emptyDirs are,
capabilities, CPU and memory limits, the ConfigMap's environment, the container port), with a
PostgreSQL container standing in for the Secret's database; the probes' paths and ports answer
and a CRUD round trip goes through.

``kubectl`` (with its built-in kustomize) must be on PATH and checkov in ``.cache/checkov-venv``
(``make test`` builds it: its pins clash with this suite's). Without them the tests skip with
one line; ``REQUIRE_K8S_TOOLS=1`` (set by ``.ci/run``) turns that skip into a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import test_docker
import yaml
from test_docker import (
    IMAGE_REPOSITORY,
    LOCK,
    build,
    container,
    docker,
    inspect,
)

from conftest import FRAMEWORKS, TEMPLATE_DIR, file_lock

base_image = test_docker.base_image  # the fixture, shared

OVERLAYS = ["dev", "prod"]
SERVICE = "inventory-service"  # the default answers
# preStop `sleep` is on by default from 1.30; the newest is the package's own default.
KUBERNETES_VERSIONS = ["1.30.0", None]
CHECKOV = Path(
    os.environ.get("CHECKOV", TEMPLATE_DIR / ".cache" / "checkov-venv" / "bin" / "checkov")
)
# The checks the manifests skip (each with its reason in a checkov.io/skip annotation).
DOCUMENTED_SKIPS = {"CKV_K8S_43", "CKV_K8S_35"}
MEMORY_PER_WORKER = 256 * 2**20  # the rule in settings.env and deployment.yaml
POSTGRES_IMAGE = os.environ.get("TEMPLATE_POSTGRES_IMAGE", "local/postgres:15")


def require(reason: str | None) -> None:
    if reason and os.environ.get("REQUIRE_K8S_TOOLS") == "1":
        pytest.fail(f"required here (REQUIRE_K8S_TOOLS=1) but {reason}")
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def kubectl() -> str:
    found = shutil.which("kubectl")
    require(None if found else "kubectl is not on PATH (its built-in kustomize renders deploy/k8s)")
    return str(found)


@pytest.fixture(scope="module")
def checkov() -> str:
    require(None if CHECKOV.exists() else f"no checkov at {CHECKOV} (make test installs it)")
    return str(CHECKOV)


def render(kubectl: str, project: Path, overlay: str) -> tuple[str, list[dict[str, Any]]]:
    result = subprocess.run(
        [kubectl, "kustomize", f"deploy/k8s/overlays/{overlay}"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), f"kustomize warned:\n{result.stderr}"
    return result.stdout, [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [obj for obj in objects if obj["kind"] == kind]
    assert len(found) == 1, f"{len(found)} {kind} objects"
    return found[0]


def quantity(value: str | int) -> float:
    """A Kubernetes quantity ("2", "100m", "512Mi") as a number (cores or bytes)."""
    units = {"m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert match, f"not a quantity: {value!r}"
    number, unit = match.groups()
    return float(number) * units[unit] if unit else float(number)


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def check_restricted(pod: dict[str, Any], name: str) -> None:
    """The Pod Security Standard "restricted", and the image's user."""
    assert pod["automountServiceAccountToken"] is False, name
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        assert not pod.get(field), f"{name}: {field}"
    pod_context = pod["securityContext"]
    assert pod_context["seccompProfile"] == {"type": "RuntimeDefault"}, name
    for spec in pod["containers"]:
        context = {**pod_context, **spec["securityContext"]}
        assert context["runAsNonRoot"] is True, name
        assert (context["runAsUser"], context["runAsGroup"]) == (10001, 10001), name
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["allowPrivilegeEscalation"] is False, name
        assert not context.get("privileged"), name
        assert context["capabilities"] == {"drop": ["ALL"]}, name
        resources = spec["resources"]
        for kind in ("requests", "limits"):
            assert set(resources[kind]) >= {"cpu", "memory"}, f"{name}: {kind}"
        volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
        for mount in spec.get("volumeMounts", []):
            assert set(volumes[mount["name"]]) == {"name", "emptyDir"}, f"{name}: {mount}"


def settings_of(objects: list[dict[str, Any]], spec: dict[str, Any]) -> dict[str, str]:
    """The ConfigMap data a container reads through envFrom."""
    names = [source["configMapRef"]["name"] for source in spec.get("envFrom", [])]
    maps = {obj["metadata"]["name"]: obj["data"] for obj in objects if obj["kind"] == "ConfigMap"}
    settings: dict[str, str] = {}
    for name in names:
        assert name in maps, f"envFrom names ConfigMap {name}, which the overlay lacks"
        settings.update(maps[name])
    return settings


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_manifests_agree(
    framework: str, overlay: str, kubectl: str, generate: Callable[..., Path]
) -> None:
    project = generate(framework=framework)
    _, objects = render(kubectl, project, overlay)
    kinds = sorted(obj["kind"] for obj in objects)
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "HorizontalPodAutoscaler",
            "Job",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Service",
        ]
    ), kinds
    namespace = SERVICE if overlay == "prod" else f"{SERVICE}-dev"
    assert {obj["metadata"].get("namespace") for obj in objects} == {namespace}

    deployment, job = one(objects, "Deployment"), one(objects, "Job")
    pod, job_pod = deployment["spec"]["template"]["spec"], job["spec"]["template"]["spec"]
    check_restricted(pod, "Deployment")
    check_restricted(job_pod, "Job")
    (server,), (migrate,) = pod["containers"], job_pod["containers"]
    assert server["image"] == migrate["image"], "the Job migrates with another image"
    assert server["image"].rsplit(":", 1)[0].endswith(SERVICE)
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"

    # Settings: the ConfigMap against the pod spec.
    settings = settings_of(objects, server)
    assert settings["APP_ENV"] == "production"
    assert "DATABASE_URL" not in settings, "the database URL belongs in a Secret"
    for spec in (server, migrate):
        (database,) = [item for item in spec["env"] if item["name"] == "DATABASE_URL"]
        assert database["valueFrom"]["secretKeyRef"] == {
            "name": f"{SERVICE}-database",
            "key": "DATABASE_URL",
        }
    (port,) = server["ports"]
    assert int(settings["PORT"]) == port["containerPort"]
    workers = int(settings["WEB_CONCURRENCY"])
    limits = server["resources"]["limits"]
    assert quantity(limits["cpu"]) == workers, "one core per worker"
    assert quantity(limits["memory"]) >= workers * MEMORY_PER_WORKER

    # Probes: start-up and liveness on /healthz, readiness on /readyz, on the service's port.
    for probe, path in (
        ("startupProbe", "/healthz"),
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
    ):
        action = server[probe]["httpGet"]
        assert action["path"] == path, probe
        assert action["port"] in (port["name"], port["containerPort"]), probe
    pause = server["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pod["terminationGracePeriodSeconds"] > pause + float(settings["GRACEFUL_TIMEOUT"])

    # The migrations: a Job of their own that applies alone (-l component=migrate).
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert "command" not in server, "the server never migrates"
    assert "args" not in server, "the server never migrates"
    assert job_pod["restartPolicy"] == "Never"
    tagged = [
        obj["kind"]
        for obj in objects
        if obj["metadata"]["labels"].get("app.kubernetes.io/component") == "migrate"
    ]
    assert tagged == ["Job"], tagged
    assert "envFrom" not in migrate, "the Job would need the ConfigMap applied with it"

    # Selectors and references.
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert matches(deployment["spec"]["selector"]["matchLabels"], labels)
    service = one(objects, "Service")
    assert matches(service["spec"]["selector"], labels)
    assert service["spec"]["ports"][0]["targetPort"] in (port["name"], port["containerPort"])
    assert matches(one(objects, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"], labels)
    hpa = one(objects, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    policy = one(objects, "NetworkPolicy")["spec"]
    job_labels = job["spec"]["template"]["metadata"]["labels"]
    assert matches(policy["podSelector"]["matchLabels"], labels)
    assert matches(policy["podSelector"]["matchLabels"], job_labels)
    assert sorted(policy["policyTypes"]) == ["Egress", "Ingress"]


def test_readme_deploy_commands(kubectl: str, generate: Callable[..., Path]) -> None:
    """The README's commands name what the prod overlay renders, migrations first."""
    project = generate()
    _, objects = render(kubectl, project, "prod")
    readme = (project / "README.md").read_text()
    section = readme.split("## Kubernetes", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in section.splitlines() if line.startswith("kubectl")]
    assert f"kubectl create namespace {SERVICE}" in commands
    assert f"create secret generic {SERVICE}-database" in section
    assert f"NS={SERVICE} OVERLAY=deploy/k8s/overlays/prod" in section
    names = {f"{obj['kind'].lower()}/{obj['metadata']['name']}" for obj in objects}
    named = re.findall(r"\b(job|deployment)[/ ]([a-z0-9-]+)", "\n".join(commands))
    assert named, commands
    assert {f"{kind}/{name}" for kind, name in named} <= names
    order = [c for c in commands if "-l " in c or "wait" in c or "rollout" in c]
    assert [("component=migrate" in c, "component!=migrate" in c) for c in order[:2]] == [
        (True, False),
        (False, False),
    ], order
    assert "component!=migrate" in order[2], order
    assert "rollout status" in order[3], order


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_manifests_validate(
    framework: str,
    kubectl: str,
    checkov: str,
    generate: Callable[..., Path],
    tmp_path: Path,
) -> None:
    """kubernetes-validate --strict and checkov over every overlay."""
    project = generate(framework=framework)
    files = []
    for overlay in OVERLAYS:
        path = tmp_path / f"{overlay}.yaml"
        path.write_text(render(kubectl, project, overlay)[0])
        files.append(str(path))

    validate = [sys.executable, "-m", "kubernetes_validate", "--strict"]
    for version in KUBERNETES_VERSIONS:
        command = validate + (["--kubernetes-version", version] if version else [])
        result = subprocess.run(
            [*command, *files], capture_output=True, text=True, timeout=120, check=False
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        passed = output.count(" passed for resource ")
        assert passed == 14, output  # 7 objects in each overlay
        versions = sorted(set(re.findall(r"against version (\S+)", output)))
        print(f"kubernetes-validate --strict, Kubernetes {versions}: {passed} objects passed")
    # --strict is strict: an unknown field fails.
    broken = tmp_path / "broken.yaml"
    broken.write_text(Path(files[0]).read_text().replace("revisionHistoryLimit:", "revisionLimit:"))
    result = subprocess.run([*validate, str(broken)], capture_output=True, timeout=120, check=False)
    assert result.returncode != 0, "kubernetes-validate --strict accepted an unknown field"

    command = [checkov, "--framework", "kubernetes", "--skip-download", "--output", "json"]
    for path in files:
        command += ["--file", path]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
        cwd=tmp_path,
    )
    report = json.loads(result.stdout)
    failed = report["results"]["failed_checks"]
    assert not failed, "\n".join(
        f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in failed
    )
    summary = report["summary"]
    assert summary["parsing_errors"] == 0, summary
    assert result.returncode == 0, result.stderr
    checked = {check["resource"].split(".", 1)[0] for check in report["results"]["passed_checks"]}
    assert checked >= {"Deployment", "Job", "Service", "ConfigMap"}, checked
    skipped = report["results"]["skipped_checks"]
    for check in skipped:
        assert check["check_result"].get("suppress_comment"), f"{check['check_id']}: no reason"
    assert {check["check_id"] for check in skipped} <= DOCUMENTED_SKIPS
    reasons = sorted({f"{c['check_id']}: {c['check_result']['suppress_comment']}" for c in skipped})
    print(
        f"checkov {summary['checkov_version']} ({framework}, dev+prod): passed"
        f" {summary['passed']}, failed {summary['failed']}, skipped {summary['skipped']}:"
    )
    print("\n".join(f"  {reason}" for reason in reasons))


# --- The pod spec, run with Docker -------------------------------------------------------


def environment(
    objects: list[dict[str, Any]], spec: dict[str, Any], secrets: dict[str, dict[str, str]]
) -> dict[str, str]:
    """The container's environment as the kubelet builds it: envFrom, then env over it."""
    env = settings_of(objects, spec)
    for item in spec.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            reference = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = secrets[reference["name"]][reference["key"]]
    return env


def run_options(
    objects: list[dict[str, Any]], pod: dict[str, Any], secrets: dict[str, dict[str, str]]
) -> tuple[list[str], list[str]]:
    """``docker run`` options for the pod's only container, and the command after the image."""
    (spec,) = pod["containers"]
    context = {**pod["securityContext"], **spec["securityContext"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}  # Docker's default profile
    options = ["--user", f"{context['runAsUser']}:{context['runAsGroup']}"]
    if context.get("readOnlyRootFilesystem"):
        options.append("--read-only")
    if context.get("allowPrivilegeEscalation") is False:
        options += ["--security-opt", "no-new-privileges"]
    for capability in context.get("capabilities", {}).get("drop", []):
        options += ["--cap-drop", capability]
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    for mount in spec.get("volumeMounts", []):
        empty_dir = volumes[mount["name"]]["emptyDir"]
        size = f",size={int(quantity(empty_dir['sizeLimit']))}" if "sizeLimit" in empty_dir else ""
        options += ["--tmpfs", f"{mount['mountPath']}:mode=1777{size}"]
    limits = spec["resources"]["limits"]
    memory = str(int(quantity(limits["memory"])))
    options += ["--cpus", str(quantity(limits["cpu"])), "--memory", memory, "--memory-swap", memory]
    for name, value in environment(objects, spec, secrets).items():
        options += ["--env", f"{name}={value}"]
    for port in spec.get("ports", []):
        options += ["--publish", f"127.0.0.1::{port['containerPort']}"]
    command = spec.get("command", []) + spec.get("args", [])
    if "command" in spec:
        options += ["--entrypoint", command.pop(0)]
    return options, command


@contextlib.contextmanager
def network() -> Iterator[str]:
    name = docker("network", "create", f"template-test-{uuid.uuid4().hex[:12]}")
    try:
        yield name
    finally:
        docker("network", "rm", name, check=False)


def require_postgres_image() -> None:
    probe = subprocess.run(
        ["docker", "image", "inspect", POSTGRES_IMAGE], capture_output=True, timeout=30, check=False
    )
    if probe.returncode != 0:
        message = f"no {POSTGRES_IMAGE} image (../shared/tools/docker-setup postgres builds it)"
        if os.environ.get("REQUIRE_DOCKER") == "1":
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def postgres_container(network_name: str) -> Iterator[str]:
    """A PostgreSQL server reachable as ``database`` on the network; its URL."""
    require_postgres_image()
    with container(
        "--network",
        network_name,
        "--network-alias",
        "database",
        "--env",
        "POSTGRES_USER=service",
        "--env",
        "POSTGRES_PASSWORD=service-password",
        "--env",
        "POSTGRES_DB=service",
        POSTGRES_IMAGE,
    ) as database:
        deadline = time.monotonic() + 90
        probe = ["exec", database, "pg_isready", "-U", "service", "-d", "service"]
        while docker(*probe, check=False).endswith("accepting connections") is False:
            assert time.monotonic() < deadline, docker("logs", database)
            time.sleep(0.5)
        yield "postgresql://service:service-password@database:5432/service"


def call(method: str, url: str, body: object = None, timeout: float = 10) -> tuple[int, Any]:
    """One request; the status and the JSON body (None when empty)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    return status, json.loads(payload) if payload else None


def probe_url(server: str, spec: dict[str, Any], probe: dict[str, Any]) -> tuple[str, float]:
    """The host URL a probe's httpGet reaches through the published port, and its timeout."""
    action = probe["httpGet"]
    ports = {port["name"]: port["containerPort"] for port in spec["ports"]}
    container_port = ports.get(action["port"], action["port"])
    mapping = docker("port", server, f"{container_port}/tcp").splitlines()[0]
    return f"http://127.0.0.1:{mapping.rsplit(':', 1)[1]}{action['path']}", probe["timeoutSeconds"]


def probe_status(server: str, spec: dict[str, Any], name: str) -> int:
    url, timeout = probe_url(server, spec, spec[name])
    try:
        return call("GET", url, timeout=timeout)[0]
    except OSError:
        return 0  # not listening yet


@pytest.mark.venv
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_pod_spec_runs_the_image(
    framework: str,
    base_image: str,
    kubectl: str,
    generate: Callable[..., Path],
    record_property: Callable[[str, object], None],
) -> None:
    project = generate(framework=framework)
    _, objects = render(kubectl, project, "prod")
    deployment, job = one(objects, "Deployment"), one(objects, "Job")
    pod, job_pod = deployment["spec"]["template"]["spec"], job["spec"]["template"]["spec"]
    (spec,) = pod["containers"]
    tag = f"{IMAGE_REPOSITORY}/{framework}:latest"
    assert spec["image"].split(":")[0].rsplit("/", 1)[-1] == SERVICE
    with file_lock(LOCK):
        build(project, tag, base_image)  # the same files as test_docker's: a cache hit
        image_user = json.loads(docker("image", "inspect", tag))[0]["Config"]["User"]
        assert image_user == "{runAsUser}:{runAsGroup}".format(**pod["securityContext"])
        with network() as net, postgres_container(net) as database_url:
            secrets = {f"{SERVICE}-database": {"DATABASE_URL": database_url}}
            options, command = run_options(objects, pod, secrets)
            grace = str(pod["terminationGracePeriodSeconds"])
            with container(
                "--network", net, "--stop-timeout", grace, *options, tag, *command
            ) as server:
                report = exercise(server, spec, objects, job_pod, secrets, net, tag)
    for key, value in report.items():
        record_property(key, value)
    print(
        f"pod spec as docker run ({framework}): started (startup probe) after"
        f" {report['startup_s']} s; /readyz 503 before the Job, 200 after it;"
        f" CRUD ok; memory {report['memory_mib']} MiB of {report['memory_limit_mib']} MiB"
        f" with {report['workers']} workers; stopped in {report['stop_s']} s, exit 0"
    )


def exercise(
    server: str,
    spec: dict[str, Any],
    objects: list[dict[str, Any]],
    job_pod: dict[str, Any],
    secrets: dict[str, dict[str, str]],
    net: str,
    tag: str,
) -> dict[str, float]:
    started = time.monotonic()
    startup = spec["startupProbe"]
    budget = (
        startup.get("initialDelaySeconds", 0)
        + startup["periodSeconds"] * startup["failureThreshold"]
    )
    while probe_status(server, spec, "startupProbe") != 200:
        assert inspect(server, "{{.State.Running}}") == "true", docker("logs", server)
        assert time.monotonic() - started < budget, "the startup probe would give up:\n" + docker(
            "logs", server
        )
        time.sleep(0.25)
    startup_seconds = time.monotonic() - started
    assert probe_status(server, spec, "livenessProbe") == 200
    # Nothing migrates at start-up: not ready until the Job has run.
    assert probe_status(server, spec, "readinessProbe") == 503

    options, command = run_options(objects, job_pod, secrets)
    docker("run", "--rm", "--network", net, *options, tag, *command, timeout=180)
    deadline = time.monotonic() + 30
    while probe_status(server, spec, "readinessProbe") != 200:
        assert time.monotonic() < deadline, "not ready after the Job:\n" + docker("logs", server)
        time.sleep(0.25)

    base = probe_url(server, spec, spec["livenessProbe"])[0].removesuffix("/healthz")
    items = f"{base}/api/v1/items"
    status, created = call("POST", items, {"name": "pod-spec", "price": 9.5})
    assert status == 201, created
    item = f"{items}/{created['id']}"
    assert call("GET", item) == (200, created)
    status, changed = call("PATCH", item, {"price": 10})
    assert (status, changed["price"]) == (200, 10), changed
    assert call("DELETE", item) == (204, None)
    assert call("GET", item)[0] == 404

    settings = settings_of(objects, spec)
    memory = docker("stats", "--no-stream", "--format", "{{.MemUsage}}", server).split("/")[0]
    limit = quantity(spec["resources"]["limits"]["memory"])
    assert inspect(server, "{{.State.OOMKilled}}") == "false"
    assert docker("diff", server) == "", "written outside the emptyDirs: " + docker("diff", server)
    began = time.monotonic()
    docker("stop", server, timeout=120)
    stop_seconds = time.monotonic() - began
    assert inspect(server, "{{.State.ExitCode}}") == "0", docker("logs", server)
    assert stop_seconds < float(settings["GRACEFUL_TIMEOUT"])
    return {
        "startup_s": round(startup_seconds, 1),
        "memory_mib": round(quantity(memory.strip().replace("iB", "i")) / 2**20),
        "memory_limit_mib": round(limit / 2**20),
        "workers": int(settings["WEB_CONCURRENCY"]),
        "stop_s": round(stop_seconds, 1),
    }
