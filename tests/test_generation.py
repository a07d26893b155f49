"""Render the template for every option and check the generated tree.

One case per framework x database x ci (at the default Python) plus each other
Python version per framework; see ``conftest.combinations``.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

from conftest import (
    COOKIECUTTER_JSON,
    PYTHON_VERSIONS,
    TEMPLATE_DIR,
    answers_of,
    combinations,
    project_files,
    run,
)

COMBINATIONS = combinations()

# Words of one stack that must not appear in a project of the other stack, in
# any file's content or path (case-insensitive; a word is not preceded or
# followed by a letter, so "pytest-flask", "flask_cors" and "psycopg2" count).
FORBIDDEN_WORDS = {
    "fastapi": ["flask", "apiflask", "marshmallow", "gunicorn", "werkzeug", "psycopg", "webargs"],
    "flask": ["fastapi", "starlette", "uvicorn", "aiosqlite", "asyncpg"],
}
# The module that finds what a template update left behind names both stacks' own files
# and frameworks: that is its job (tests/test_cruft.py checks its lists).
NAMES_BOTH_STACKS = Path("tests/test_project_files.py")
# uv's lock names every transitive dependency (schemathesis, a FastAPI dev tool, brings
# werkzeug); the stack's own dependencies are checked in pyproject.toml, and
# tests/test_locks.py keeps the lock true to it.
LOCK = Path("uv.lock")

# Files every generated project has ({package} is the package name).
COMMON_FILES = [
    "pyproject.toml",
    "Makefile",
    "README.md",
    "Dockerfile",
    ".dockerignore",
    ".env.example",
    "alembic.ini",
    "migrations/env.py",
    "migrations/script.py.mako",
    "src/{package}/__init__.py",
    "src/{package}/server.py",
]
# Files only one stack has.
STACK_FILES = {
    "fastapi": [],
    "flask": ["gunicorn.conf.py"],
}

TEMPLATE_MARKERS = ("{{", "{%", "{#", "cookiecutter")
# Third-party files copied as they are (e.g. a vendored script): braces there are not Jinja.
COPIED_AS_IS = COOKIECUTTER_JSON["_copy_without_render"]


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


@pytest.fixture
def project(request: pytest.FixtureRequest, generate: Callable[..., Path]) -> Path:
    return generate(**request.param)


def parametrize_projects(cases: list = COMBINATIONS) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        ("project", "case"),
        [pytest.param(case.values[0], case.values[0], id=case.id) for case in cases],
        indirect=["project"],
    )


def cases_with(**choices: str) -> list:
    return [
        case
        for case in COMBINATIONS
        if all(answers_of(case.values[0])[key] == value for key, value in choices.items())
    ]


@parametrize_projects()
def test_default_names(project: Path, case: dict[str, str]) -> None:
    assert project.name == "inventory-service"
    assert (project / "src" / "inventory_service").is_dir()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "inventory-service"


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and directory under ``root``, by relative path."""
    return {
        str(path.relative_to(root)): path.read_bytes() if path.is_file() else None
        for path in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize(
    "case", [case.values[0] for case in COMBINATIONS], ids=lambda c: "-".join(c.values())
)
def test_same_tree_without_hooks(
    case: dict[str, str],
    run_cookiecutter: Callable[..., tuple[subprocess.CompletedProcess[str], Path]],
    tmp_path: Path,
    cookiecutter_config: Path,
) -> None:
    """The command line (hooks run) and a portal that runs none render the same tree."""
    result, output = run_cookiecutter(*(f"{key}={value}" for key, value in case.items()))
    assert result.returncode == 0, result.stderr
    without = tmp_path / "without-hooks"
    cookiecutter(
        str(TEMPLATE_DIR),
        no_input=True,
        extra_context=case,
        output_dir=str(without),
        config_file=str(cookiecutter_config),
        accept_hooks=False,
    )
    (with_hooks,) = output.iterdir()
    (no_hooks,) = without.iterdir()
    assert with_hooks.name == no_hooks.name
    assert tree(with_hooks) == tree(no_hooks)


@parametrize_projects()
def test_no_template_leftovers(project: Path, case: dict[str, str]) -> None:
    leftovers = []
    for relative in project_files(project):
        for part in relative.parts:
            if any(marker in part.lower() for marker in TEMPLATE_MARKERS):
                leftovers.append(f"{relative}: in the path")
        if any(fnmatch(str(relative), pattern) for pattern in COPIED_AS_IS):
            template = str(relative).replace("inventory_service", "{{cookiecutter.package_name}}")
            original = TEMPLATE_DIR / "{{cookiecutter.service_name}}" / template
            assert (project / relative).read_bytes() == original.read_bytes(), relative
            continue
        text = read_text(project / relative)
        for marker in TEMPLATE_MARKERS:
            if marker in text.lower():
                lines = text.lower().splitlines()
                number = next(n for n, line in enumerate(lines, 1) if marker in line)
                leftovers.append(f"{relative}:{number}: {marker!r}")
    assert not leftovers, "template markers left in the output:\n" + "\n".join(leftovers)


@parametrize_projects()
def test_no_words_of_the_other_stack(project: Path, case: dict[str, str]) -> None:
    framework = answers_of(case)["framework"]
    pattern = re.compile(
        r"(?<![a-z])(" + "|".join(FORBIDDEN_WORDS[framework]) + r")(?![a-z])", re.IGNORECASE
    )
    found = []
    for relative in project_files(project):
        if relative in (NAMES_BOTH_STACKS, LOCK):
            continue
        if match := pattern.search(str(relative)):
            found.append(f"{relative}: path has {match.group(0)!r}")
        for number, line in enumerate(read_text(project / relative).splitlines(), 1):
            if match := pattern.search(line):
                found.append(f"{relative}:{number}: {match.group(0)!r} in {line.strip()!r}")
    assert not found, f"{framework} project mentions the other stack:\n" + "\n".join(found)


@parametrize_projects()
def test_stack_files(project: Path, case: dict[str, str]) -> None:
    framework = answers_of(case)["framework"]
    expected = [name.format(package="inventory_service") for name in COMMON_FILES]
    expected += STACK_FILES[framework]
    missing = [name for name in expected if not (project / name).is_file()]
    assert not missing, f"missing files: {missing}"
    other = [name for stack, names in STACK_FILES.items() if stack != framework for name in names]
    present = [name for name in other if (project / name).exists()]
    assert not present, f"files of the other stack: {present}"
    assert sorted((project / "tests").glob("test_*.py")), "no tests/test_*.py"
    assert sorted((project / "migrations" / "versions").glob("*.py")), "no migration"


@parametrize_projects()
def test_ci_files(project: Path, case: dict[str, str]) -> None:
    ci = answers_of(case)["ci"]
    workflows = sorted((project / ".github" / "workflows").glob("*.y*ml"))
    if ci == "github":
        assert workflows, "ci=github but no .github/workflows/*.yml"
    else:
        # Directories are never conditional (cookiecutter renders every one): an
        # empty .github/workflows stays, which git does not record.
        github_files = [path for path in (project / ".github").rglob("*") if path.is_file()]
        assert not github_files, f"ci={ci} but {github_files}"
    if ci == "gitlab":
        assert (project / ".gitlab-ci.yml").is_file()
    else:
        assert not (project / ".gitlab-ci.yml").exists(), f"ci={ci} but .gitlab-ci.yml exists"


@parametrize_projects()
def test_env_example_database_url(project: Path, case: dict[str, str]) -> None:
    database = answers_of(case)["database"]
    urls = [
        line.split("=", 1)[1].strip().strip("'\"")
        for line in (project / ".env.example").read_text().splitlines()
        if line.startswith("DATABASE_URL=")
    ]
    assert len(urls) == 1, f".env.example should set DATABASE_URL once, found {urls}"
    if database == "sqlite":
        assert urls[0].startswith("sqlite"), urls[0]
    else:
        assert urls[0].startswith("postgresql://"), urls[0]


def dockerfile_base_images(dockerfile: str) -> list[str]:
    """The external images of a Dockerfile's FROM lines, with ARG defaults substituted."""
    args: dict[str, str] = {}
    stages: set[str] = set()
    images = []
    for line in dockerfile.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0].upper() == "ARG" and "=" in words[1]:
            name, value = words[1].split("=", 1)
            args[name] = value.strip("\"'")
        elif words and words[0].upper() == "FROM":
            words = [word for word in words[1:] if not word.startswith("--")]
            image = re.sub(
                r"\$\{?(\w+)\}?", lambda match: args.get(match.group(1), match.group(0)), words[0]
            )
            if image not in stages:
                images.append(image)
            if len(words) >= 3 and words[1].upper() == "AS":
                stages.add(words[2])
    return images


@parametrize_projects()
def test_python_version(project: Path, case: dict[str, str]) -> None:
    python = answers_of(case)["python_version"]
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == ">=3.11"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + python.replace(".", "")
    assert pyproject["tool"]["mypy"]["python_version"] == python
    base_images = dockerfile_base_images((project / "Dockerfile").read_text())
    assert base_images, "Dockerfile has no FROM"
    assert all(image.startswith(f"python:{python}") for image in base_images), base_images


@parametrize_projects()
def test_structured_files_parse(project: Path, case: dict[str, str]) -> None:
    """Every Python, TOML, YAML and JSON file of the output is well formed."""
    for relative in project_files(project):
        path = project / relative
        if path.suffix == ".py":
            ast.parse(path.read_text(), filename=str(relative))
        elif path.suffix == ".toml":
            tomllib.loads(path.read_text())
        elif path.suffix in {".yml", ".yaml"}:
            list(yaml.safe_load_all(path.read_text()))  # catalog-info.yaml has two documents
        elif path.suffix == ".json":
            json.loads(path.read_text())


def check_jsonschema(schema: str, files: list[Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@parametrize_projects(cases_with(ci="github"))
def test_github_workflow(project: Path, case: dict[str, str]) -> None:
    workflows = sorted((project / ".github" / "workflows").glob("*.y*ml"))
    assert workflows
    for workflow in workflows:
        document = yaml.safe_load(workflow.read_text())
        assert isinstance(document, dict), workflow
        assert document.get("jobs"), f"{workflow.name} has no jobs"
        assert "${{" not in workflow.read_text()
        assert answers_of(case)["python_version"] in workflow.read_text()
    check_jsonschema("vendor.github-workflows", workflows)


@parametrize_projects(cases_with(ci="gitlab"))
def test_gitlab_ci(project: Path, case: dict[str, str]) -> None:
    gitlab_ci = project / ".gitlab-ci.yml"
    document = yaml.safe_load(gitlab_ci.read_text())
    assert isinstance(document, dict)
    assert answers_of(case)["python_version"] in gitlab_ci.read_text()
    check_jsonschema("vendor.gitlab-ci", [gitlab_ci])


@pytest.mark.parametrize(
    "case", [case.values[0] for case in COMBINATIONS], ids=[case.id for case in COMBINATIONS]
)
def test_rendering_is_deterministic(case: dict[str, str], generate: Callable[..., Path]) -> None:
    first, second = generate(**case), generate(**case)
    assert project_files(first) == project_files(second)
    for relative in project_files(first):
        a, b = first / relative, second / relative
        assert a.read_bytes() == b.read_bytes(), f"{relative} differs between renders"
        assert a.stat().st_mode == b.stat().st_mode, f"{relative} mode differs between renders"


def test_custom_names(generate: Callable[..., Path]) -> None:
    project = generate(project_name="Order Tracking")
    assert project.name == "order-tracking"
    assert (project / "src" / "order_tracking" / "__init__.py").is_file()
    assert not (project / "src" / "inventory_service").exists()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "order-tracking"
    assert pyproject["tool"]["coverage"]["run"]["source"] == ["order_tracking"]


@pytest.mark.parametrize("service_name", ["ab", "a" * 63, "a1-b2"])
def test_service_name_limits_accepted(service_name: str, generate: Callable[..., Path]) -> None:
    project = generate(service_name=service_name, package_name="svc")
    assert project.name == service_name
    assert (project / "src" / "svc" / "__init__.py").is_file()


def test_answers_are_written(generate: Callable[..., Path]) -> None:
    project = generate(
        description="Tracks parcels.",
        author_name="Ada Lovelace",
        author_email="ada@example.org",
    )
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == "Tracks parcels."
    assert pyproject["project"]["authors"] == [{"name": "Ada Lovelace", "email": "ada@example.org"}]


# (project_name, default service_name, default package_name): names people type.
PROJECT_NAMES = [
    ("Order Service v2.0", "order-service-v2-0", "order_service_v2_0"),
    ("3D Printing Service", "svc-3d-printing-service", "svc_3d_printing_service"),
    ("Café Orders", "cafe-orders", "cafe_orders"),
    ("Acme's API", "acmes-api", "acmes_api"),
    ("Acme\u2019s API", "acmes-api", "acmes_api"),
    ("INVENTORY API", "inventory-api", "inventory_api"),
    ("inventory_service_api", "inventory-service-api", "inventory_service_api"),
    ("api.example.com", "api-example-com", "api_example_com"),
    ("Orders/Payments", "orders-payments", "orders_payments"),
    ("\U0001f680 Rocket Launch \u2728", "rocket-launch", "rocket_launch"),
    ("Billing -- API", "billing-api", "billing_api"),
    ("  Straße Müller  ", "strasse-muller", "strasse_muller"),
    ("2024 Budget", "svc-2024-budget", "svc_2024_budget"),
    (
        "Very Long " * 12,
        "very-long-very-long-very-long-very-long-very-long-very-long-ver",
        "very_long_very_long_very_long_very_long",
    ),
    # The cut at 63 (and at 40) lands on a separator, which is dropped.
    ("a" * 62 + " b", "a" * 62, "a" * 40),
    ("1" + " x" * 40, "svc-1" + "-x" * 29, "svc_1" + "_x" * 17),
]
DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")


@pytest.mark.parametrize(("project_name", "service_name", "package_name"), PROJECT_NAMES)
def test_default_names_from_project_name(
    generate: Callable[..., Path], project_name: str, service_name: str, package_name: str
) -> None:
    """Every name above generates without edits, with valid derived names."""
    project = generate(project_name=project_name)
    assert (project.name, sorted(path.name for path in (project / "src").iterdir())) == (
        service_name,
        [package_name],
    )
    assert DNS_LABEL.match(project.name), project.name
    assert "--" not in project.name
    assert package_name.isidentifier()
    assert len(package_name) <= 40
    assert not keyword.iskeyword(package_name)
    assert package_name not in sys.stdlib_module_names
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == service_name
    assert pyproject["tool"]["coverage"]["run"]["source"] == [package_name]
    init = ast.parse((project / "src" / package_name / "__init__.py").read_text())
    title = next(
        node.value.value
        for node in init.body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "TITLE"
    )
    assert title == project_name


@pytest.mark.parametrize("python", PYTHON_VERSIONS)
def test_make_install_uses_the_python_version(generate: Callable[..., Path], python: str) -> None:
    """`make install` syncs the virtualenv from uv.lock with the interpreter ruff and mypy
    target (uv comes from PATH, or from PyPI into its own virtualenv beside it)."""
    project = generate(python_version=python)
    available = run([f"python{python}", "--version"], project).returncode == 0
    result = run(["make", "--dry-run", "install", "VENV=venv"], project)
    if available:
        assert result.returncode == 0, result.stdout
        sync = result.stdout.splitlines()[-1]
        assert re.fullmatch(rf"\S*uv sync --locked --python python{python}", sync), result.stdout
    else:
        assert result.returncode != 0, result.stdout
        assert f"python{python} not found" in result.stdout, result.stdout


def test_make_install_names_a_missing_python(generate: Callable[..., Path], tmp_path: Path) -> None:
    """Without the interpreter: one line naming it and the override, and no virtualenv."""
    project = generate(python_version="3.13")
    venv = tmp_path / "venv"
    result = run(["make", "install", "PYTHON=python3.13-missing", f"VENV={venv}"], project)
    assert result.returncode != 0, result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    assert "python3.13-missing not found" in lines[0]
    assert "Python 3.13" in lines[0]
    assert "make install PYTHON=" in lines[0]
    assert not venv.exists()
