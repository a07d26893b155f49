"""cruft, the documented way in and forward: create, update, switch stacks, and `make doctor`.

The template is copied into a git repository of its own with two commits (the second adds a
line to the generated README and a new file), so an update from the first to the second is
real. cruft is run as its command line, with the cookiecutter config of the session.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import FRAMEWORKS, TEMPLATE_DIR, answers_of, check, combinations, run

PROJECT_DIR = "{{cookiecutter.service_name}}"
SERVICE = "inventory-service"
PACKAGE = "inventory_service"
DOCTOR_MODULE = "tests/test_project_files.py"

TEMPLATE_CHANGE = "A line that the newer template adds."
TEMPLATE_NEW_FILE = "UPGRADING.md"
CUSTOM_README = "A line of our own at the end of the README."
CUSTOM_ROUTE = "# A comment of our own in the items routes."
ITEMS_ROUTES = f"src/{PACKAGE}/routes/items.py"

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


@dataclass(frozen=True)
class TemplateRepo:
    path: Path
    first: str
    second: str


def git(repo: Path, *args: str) -> str:
    return check(["git", *args], repo, **GIT_IDENTITY).strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepo:
    """The template's files (as in the working tree) in a new repository, at two commits."""
    repo = tmp_path_factory.mktemp("template-repo")
    listed = check(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], TEMPLATE_DIR
    )
    for name in listed.split("\0"):
        source = TEMPLATE_DIR / name
        if name.startswith(("cookiecutter.json", "hooks/", f"{PROJECT_DIR}/")) and source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q", "-b", "main")
    first = commit_all(repo, "The template as it is")
    readme = repo / PROJECT_DIR / "README.md"
    title, rest = readme.read_text().split("\n", 1)
    readme.write_text(f"{title}\n\n{TEMPLATE_CHANGE}\n{rest}")
    (repo / PROJECT_DIR / TEMPLATE_NEW_FILE).write_text("# Upgrading\n")
    second = commit_all(repo, "A newer template")
    return TemplateRepo(repo, first, second)


@pytest.fixture
def cruft(cookiecutter_config: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the cruft command line in a directory (output and errors in ``.stdout``)."""

    def _cruft(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return run(
            [sys.executable, "-m", "cruft", *args],
            cwd,
            timeout=300,
            COOKIECUTTER_CONFIG=str(cookiecutter_config),
            **GIT_IDENTITY,
        )

    return _cruft


def create(
    cruft: Callable[..., subprocess.CompletedProcess[str]],
    template: TemplateRepo,
    output: Path,
    framework: str,
    checkout: str | None = None,
) -> Path:
    """`cruft create --no-input`; the project is committed to a new git repository."""
    output.mkdir(parents=True)
    args = ["create", "--no-input", "--output-dir", str(output)]
    args += ["--extra-context", json.dumps({"framework": framework})]
    if checkout:
        args += ["--checkout", checkout]
    result = cruft(output, *args, str(template.path))
    assert result.returncode == 0, result.stdout
    project = output / SERVICE
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Generated")
    return project


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but git's, with its bytes, by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def doctor(project: Path) -> subprocess.CompletedProcess[str]:
    """`make doctor` (standard library only: any Python 3.11+ runs it)."""
    return run(["make", "doctor", f"PYTHON={sys.executable}"], project)


def other_stack(framework: str) -> str:
    return next(stack for stack in FRAMEWORKS if stack != framework)


def update(
    cruft: Callable[..., subprocess.CompletedProcess[str]], project: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return cruft(project, "update", "--skip-apply-ask", "--allow-untracked-files", *args)


@pytest.mark.venv
@pytest.mark.parametrize(
    "framework", [pytest.param(fw, marks=pytest.mark.xdist_group(fw)) for fw in FRAMEWORKS]
)
def test_update_keeps_customisations(
    framework: str,
    template_repo: TemplateRepo,
    cruft: Callable[..., subprocess.CompletedProcess[str]],
    stack_venv: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    """Created at the older template, customised, updated: both changes are there, tests pass."""
    project = create(cruft, template_repo, tmp_path / "out", framework, template_repo.first)
    readme, routes = project / "README.md", project / ITEMS_ROUTES
    assert TEMPLATE_CHANGE not in readme.read_text()
    readme.write_text(readme.read_text() + f"\n{CUSTOM_README}\n")
    routes.write_text(routes.read_text() + f"{CUSTOM_ROUTE}\n")
    commit_all(project, "Our changes")

    assert CUSTOM_ROUTE in cruft(project, "diff").stdout
    assert cruft(project, "check").returncode != 0, "cruft check missed the newer template"
    result = update(cruft, project)
    assert result.returncode == 0, result.stdout

    assert TEMPLATE_CHANGE in readme.read_text()
    assert (project / TEMPLATE_NEW_FILE).is_file()
    assert readme.read_text().rstrip().endswith(CUSTOM_README)
    assert routes.read_text().endswith(f"{CUSTOM_ROUTE}\n")
    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == template_repo.second
    assert cruft(project, "check").returncode == 0
    assert doctor(project).returncode == 0
    check(["make", "test", f"VENV={stack_venv(framework)}"], project)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_switch_untouched_project(
    framework: str,
    template_repo: TemplateRepo,
    cruft: Callable[..., subprocess.CompletedProcess[str]],
    tmp_path: Path,
) -> None:
    """A project nobody edited, switched to the other stack, is that stack's fresh project."""
    other = other_stack(framework)
    project = create(cruft, template_repo, tmp_path / "switched", framework)
    fresh = create(cruft, template_repo, tmp_path / "fresh", other)

    result = update(cruft, project, "--variables-to-update", json.dumps({"framework": other}))

    assert result.returncode == 0, result.stdout
    assert tree(project) == tree(fresh)
    found = doctor(project)
    assert found.returncode == 0, found.stdout


# The project's edits before the switch: a file both stacks have with their own content (the
# update meets the edit: conflict markers), and then also a file only the old stack has (its
# removal does not apply, so git's three-way merge gives up on the whole patch and cruft falls
# back to applying what it can, with a .rej file for the rest).
EDITS = {"conflict": False, "rejected": True}


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("edits", EDITS)
def test_doctor_after_switching_a_customised_project(
    framework: str,
    edits: str,
    template_repo: TemplateRepo,
    cruft: Callable[..., subprocess.CompletedProcess[str]],
    tmp_path: Path,
) -> None:
    """cruft reports success; `make doctor` fails naming every leftover."""
    other = other_stack(framework)
    old, new = (
        tree(create(cruft, template_repo, tmp_path / stack, stack)) for stack in (framework, other)
    )
    old_stack_files = sorted(set(old) - set(new))
    assert old_stack_files, f"{framework} has no files of its own"
    project = create(cruft, template_repo, tmp_path / "project", framework)
    edited = [ITEMS_ROUTES]
    if EDITS[edits]:
        edited.append(next(name for name in old_stack_files if name.endswith(".py")))
    for name in edited:
        path = project / name
        path.write_text(path.read_text() + "# Our own line.\n")
    commit_all(project, "Our changes")

    update(cruft, project, "--variables-to-update", json.dumps({"framework": other}))

    files = tree(project)
    with_markers = [
        name
        for name, content in files.items()
        if any(line.startswith((b"<<<<<<<", b">>>>>>>")) for line in content.splitlines())
    ]
    rejected = [name for name in files if name.endswith(".rej")]
    stale = [name for name in old_stack_files if name in files]
    if edits == "conflict":
        assert with_markers, "the switch left no conflict markers"
    else:
        assert rejected, "the switch left no .rej file"
        assert stale, "the switch removed every file of the old stack"
    result = doctor(project)
    assert result.returncode != 0, result.stdout
    named = {line.split(":", 1)[0] for line in result.stdout.splitlines()}
    missing = sorted(set(with_markers + rejected + stale) - named)
    assert not missing, f"make doctor did not name {missing}:\n{result.stdout}"


def read_constant(module: Path, name: str) -> object:
    """The literal value of a module-level assignment."""
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{module} does not set {name}")


def test_doctor_knows_each_stacks_own_files(generate: Callable[..., Path]) -> None:
    """The doctor's STACK_FILES are exactly the files one stack renders and the other does not."""
    projects = {framework: generate(framework=framework) for framework in FRAMEWORKS}
    files = {framework: set(tree(project)) for framework, project in projects.items()}
    expected = {
        framework: sorted(files[framework] - files[other_stack(framework)])
        for framework in FRAMEWORKS
    }
    for framework, project in projects.items():
        module = project / DOCTOR_MODULE
        assert read_constant(module, "FRAMEWORK") == framework
        assert read_constant(module, "STACK_FILES") == expected


@pytest.mark.parametrize(
    "case", [case.values[0] for case in combinations()], ids=[c.id for c in combinations()]
)
def test_doctor_passes_on_a_fresh_project(
    case: dict[str, str], generate: Callable[..., Path]
) -> None:
    project = generate(**case)
    result = doctor(project)
    assert result.returncode == 0, result.stdout
    assert f"({answers_of(case)['framework']} project)" in result.stdout
