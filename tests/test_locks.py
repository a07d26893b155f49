"""Each stack ships a uv.lock that is current for its pyproject.toml, whatever the answers.

``make lock`` refreshes the template's locks (tests/locks.py). Here each stack is
rendered with the default answers and with an unusual project name, and
``uv lock --check`` must accept the rendered lock: it fails when the template's
dependencies changed without ``make lock``. uv reads the package index for that
(its cache answers when it can), hence the ``network`` mark.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import FRAMEWORKS, run
from locks import PLACEHOLDER, lock_template, to_template, uv

UNUSUAL = {"project_name": "3D Caf\u00e9: Acme\u2019s Orders v2.0 \U0001f680"}
STALE_MESSAGE = "needs to be updated"


def lock_check(project: Path) -> tuple[int, str]:
    result = run([uv(), "lock", "--check"], project, timeout=300)
    return result.returncode, result.stdout


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_each_stack_ships_its_own_lock(framework: str, generate: Callable[..., Path]) -> None:
    """The rendered lock is the stack's, with the project's own name and dependencies."""
    project = generate(framework=framework, **UNUSUAL)
    lock = tomllib.loads((project / "uv.lock").read_text())
    packages = {package["name"]: package for package in lock["package"]}
    root = packages[project.name]
    assert root["source"] == {"editable": "."}
    assert (
        lock["requires-python"]
        == tomllib.loads((project / "pyproject.toml").read_text())["project"]["requires-python"]
    )
    other = next(name for name in FRAMEWORKS if name != framework)
    assert framework in {dependency["name"] for dependency in root["dependencies"]}
    assert other not in packages, f"the {framework} lock pins {other}"
    assert "pytest" in {dependency["name"] for dependency in root["dev-dependencies"]["dev"]}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_template_lock_has_one_placeholder(framework: str) -> None:
    text = lock_template(framework).read_text()
    assert text.count(PLACEHOLDER) == 1
    assert len(re.findall(r"\{\{|\{%|\{#", text)) == 1, "a Jinja delimiter besides the name"


def test_to_template_needs_exactly_one_root_package() -> None:
    lock = '[[package]]\nname = "orders"\nversion = "0.1.0"\nsource = { editable = "." }\n'
    assert to_template(lock, "orders").startswith(f'[[package]]\nname = "{PLACEHOLDER}"\n')
    with pytest.raises(ValueError, match="0 root packages"):
        to_template(lock, "inventory")
    with pytest.raises(ValueError, match="Jinja delimiter"):
        to_template(lock + '# "{{ x }}"\n', "orders")


@pytest.mark.network
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("answers", [{}, UNUSUAL], ids=["default", "unusual-name"])
def test_lock_is_current(
    framework: str, answers: dict[str, str], generate: Callable[..., Path]
) -> None:
    project = generate(framework=framework, **answers)
    returncode, output = lock_check(project)
    assert returncode == 0, f"the {framework} uv.lock is stale: run `make lock`\n{output}"


@pytest.mark.network
def test_lock_check_fails_on_a_changed_dependency(generate: Callable[..., Path]) -> None:
    """The check above can fail: drop a dependency and the lock is stale."""
    project = generate()
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert '  "orjson>=3.10",\n' in text
    pyproject.write_text(text.replace('  "orjson>=3.10",\n', ""))
    returncode, output = lock_check(project)
    assert returncode != 0
    assert STALE_MESSAGE in output, output
