"""The Backstage portal path: template.yaml, fetch:cookiecutter (no hooks), catalog-info.yaml.

- Backstage's own validators (npm packages in tests/backstage/) accept template.yaml and
  every generated catalog-info.yaml. Without node they skip in one line; REQUIRE_NODE=1
  (set by .ci/run) makes that a failure.
- One list of answers goes to the command line's rules (the pre-generation hook and
  cookiecutter's choices) and to template.yaml's parameter schema, through the form's
  validator (ajv) and the scaffolder backend's (jsonschema): all agree.
- fetch:cookiecutter is emulated as Backstage runs it: the fetched directory copied to
  ``<tmp>/template/{{cookiecutter and 'contents'}}/``, a cookiecutter.json merged from the
  fetched one and the step's ``values`` beside it, ``cookiecutter --no-input`` on that
  wrapper, which has no hooks. The project equals the command line's, and passes its own
  ``make test`` and ``make lint``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import yaml
from cookiecutter.environment import StrictEnvironment

from conftest import COOKIECUTTER_JSON, DEFAULT_PYTHON, FRAMEWORKS, TEMPLATE_DIR, check

NODE_DIR = TEMPLATE_DIR / "tests" / "backstage"
TEMPLATE_YAML = TEMPLATE_DIR / "template.yaml"
TEMPLATE = yaml.safe_load(TEMPLATE_YAML.read_text())
QUESTIONS = [key for key in COOKIECUTTER_JSON if not key.startswith("_")]
CHOICES = {
    key: COOKIECUTTER_JSON[key] for key in QUESTIONS if isinstance(COOKIECUTTER_JSON[key], list)
}
FETCH = next(step for step in TEMPLATE["spec"]["steps"] if step["action"] == "fetch:cookiecutter")

RunCookiecutter = Callable[..., tuple[subprocess.CompletedProcess[str], Path]]


def node(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run tests/backstage/validate.mjs; skip (fail under REQUIRE_NODE=1) without node."""
    if shutil.which("node") is None or not (NODE_DIR / "node_modules").is_dir():
        reason = "node, or tests/backstage/node_modules (npm ci there), is missing"
        if os.environ.get("REQUIRE_NODE") == "1":
            pytest.fail(f"Backstage's validators are required here: {reason}")
        pytest.skip(reason)
    return subprocess.run(
        ["node", str(NODE_DIR / "validate.mjs"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def validate_entities(*files: Path) -> str:
    result = node("entities", *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


# --- template.yaml -----------------------------------------------------------------------------


def test_template_is_valid() -> None:
    output = validate_entities(TEMPLATE_YAML)
    assert output.startswith("ok Template:python-http-service"), output


def test_validators_refuse_a_broken_entity(tmp_path: Path) -> None:
    """The harness can fail: a template without steps' actions and a badly named component."""
    template = json.loads(json.dumps(TEMPLATE))
    del template["spec"]["steps"][0]["action"]
    broken_template = tmp_path / "template.yaml"
    broken_template.write_text(yaml.safe_dump(template))
    broken_component = tmp_path / "catalog-info.yaml"
    broken_component.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Bad Name!\n"
        "spec:\n  type: service\n  lifecycle: experimental\n  owner: platform\n"
    )
    for broken in (broken_template, broken_component):
        result = node("entities", str(broken))
        assert result.returncode == 1, result.stdout
        assert "invalid:" in result.stderr


def test_values_pass_every_question() -> None:
    """Every question of cookiecutter.json, derived names included, and nothing else."""
    assert list(FETCH["input"]["values"]) == QUESTIONS


def test_fetch_url_is_the_service_directory() -> None:
    url = FETCH["input"]["url"]
    assert (TEMPLATE_YAML.parent / url).resolve() == TEMPLATE_DIR / "{{cookiecutter.service_name}}"


def parameter_properties() -> dict[str, Any]:
    return {
        name: schema
        for step in TEMPLATE["spec"]["parameters"]
        for name, schema in step["properties"].items()
    }


def test_choices_are_cookiecutters() -> None:
    properties = parameter_properties()
    for question, choices in CHOICES.items():
        assert properties[question]["enum"] == choices, question
        assert properties[question]["default"] == choices[0], question


def render_hook(answers: dict[str, str]) -> dict[str, Any]:
    """The pre-generation hook rendered for ``answers``, loaded as a module namespace."""
    source = (TEMPLATE_DIR / "hooks" / "pre_gen_project.py").read_text()
    script = StrictEnvironment(context={"cookiecutter": answers}).from_string(source)
    namespace: dict[str, Any] = {"__name__": "pre_gen_project"}
    exec(script.render(cookiecutter=answers), namespace)  # noqa: S102 (the template's own hook)
    return namespace


def test_reserved_package_names_are_the_hooks() -> None:
    """The schema refuses the names the hook refuses, plus "type" (a soft keyword from 3.12)."""
    hook = render_hook({**GOOD, "repository_url": ""})
    refused = {
        *hook["keyword"].kwlist,
        *hook["keyword"].softkwlist,
        *sys.stdlib_module_names,
        *hook["RESERVED_PACKAGES"],
    }
    expected = {
        name
        for name in refused | {"type"}
        if hook["IDENTIFIER"].fullmatch(name) and len(name) <= hook["MAX_PACKAGE_LENGTH"]
    }
    assert set(parameter_properties()["package_name"]["not"]["enum"]) == expected


# --- One list of answers: the command line and the portal agree -------------------------------

GOOD = {
    "project_name": "Order Tracking",
    "service_name": "order-tracking",
    "package_name": "order_tracking",
    "description": "Tracks orders.",
    "author_name": "Ada Lovelace",
    "author_email": "ada@example.org",
    "owner": "group:default/orders",
    "framework": "flask",
    "python_version": DEFAULT_PYTHON,
    "database": "postgresql",
    "ci": "github",
}
REPO_URL = "github.com?owner=acme&repo=order-tracking"

# (id, changes to GOOD, accepted)
ANSWERS = [
    ("good", {}, True),
    ("owner-plain-name", {"owner": "platform"}, True),
    ("owner-with-separators", {"owner": "team.a_b-c"}, True),
    ("owner-kind-and-name", {"owner": "group:orders"}, True),
    ("service_name-shortest", {"service_name": "ab"}, True),
    ("service_name-longest", {"service_name": "a" * 63}, True),
    ("service_name-digits-hyphen", {"service_name": "a1-b2"}, True),
    ("package_name-underscore-first", {"package_name": "_orders"}, True),
    ("package_name-longest", {"package_name": "a" * 40}, True),
    ("project_name-unicode", {"project_name": "3D Caf\u00e9 \u2615 Acme's"}, True),
    ("description-empty", {"description": ""}, True),
    ("author_name-empty", {"author_name": ""}, True),
    ("author_email-subdomain", {"author_email": "ada@mail.example.org"}, True),
    ("project_name-empty", {"project_name": ""}, False),
    ("project_name-blank", {"project_name": "   "}, False),
    ("project_name-ideographic-space", {"project_name": "\u3000"}, False),
    ("project_name-next-line", {"project_name": "\x85"}, False),
    ("project_name-double-quote", {"project_name": 'My "Best"'}, False),
    ("project_name-backslash", {"project_name": "My\\Service"}, False),
    ("project_name-newline", {"project_name": "My\nService"}, False),
    ("project_name-trailing-newline", {"project_name": "Orders\n"}, False),
    ("description-double-quote", {"description": 'The "best"'}, False),
    ("description-tab", {"description": "Tabs\there"}, False),
    ("description-delete", {"description": "a\x7f"}, False),
    ("author_name-backslash", {"author_name": "Ada\\Lovelace"}, False),
    ("service_name-one-letter", {"service_name": "a"}, False),
    ("service_name-too-long", {"service_name": "a" * 64}, False),
    ("service_name-uppercase", {"service_name": "Orders"}, False),
    ("service_name-digit-first", {"service_name": "1orders"}, False),
    ("service_name-hyphen-first", {"service_name": "-orders"}, False),
    ("service_name-hyphen-last", {"service_name": "orders-"}, False),
    ("service_name-double-hyphen", {"service_name": "order--tracking"}, False),
    ("service_name-underscore", {"service_name": "order_tracking"}, False),
    ("service_name-dot", {"service_name": "order.tracking"}, False),
    ("service_name-slash", {"service_name": "parent/child"}, False),
    ("service_name-parent-dir", {"service_name": "../escape"}, False),
    ("service_name-trailing-newline", {"service_name": "orders\n"}, False),
    ("package_name-hyphen", {"package_name": "order-tracking"}, False),
    ("package_name-digit-first", {"package_name": "1orders"}, False),
    ("package_name-uppercase", {"package_name": "Orders"}, False),
    ("package_name-too-long", {"package_name": "a" * 41}, False),
    ("package_name-keyword", {"package_name": "class"}, False),
    ("package_name-soft-keyword", {"package_name": "match"}, False),
    ("package_name-stdlib", {"package_name": "json"}, False),
    ("package_name-stdlib-private", {"package_name": "_abc"}, False),
    ("package_name-dependency", {"package_name": "flask"}, False),
    ("package_name-reserved-dir", {"package_name": "tests"}, False),
    ("package_name-trailing-newline", {"package_name": "orders\n"}, False),
    ("author_email-no-at", {"author_email": "ada.example.org"}, False),
    ("author_email-no-domain-dot", {"author_email": "ada@localhost"}, False),
    ("author_email-space", {"author_email": "a da@example.org"}, False),
    ("author_email-no-break-space", {"author_email": "a\u00a0da@example.org"}, False),
    ("author_email-two-ats", {"author_email": "a@b@example.org"}, False),
    ("author_email-trailing-newline", {"author_email": "ada@example.org\n"}, False),
    ("author_email-nul", {"author_email": "ada@example.org\x00"}, False),
    ("owner-space", {"owner": "Platform Team"}, False),
    ("owner-empty", {"owner": ""}, False),
    ("owner-no-name", {"owner": "group:default/"}, False),
    ("owner-uppercase-namespace", {"owner": "group:Default/orders"}, False),
    ("owner-name-too-long", {"owner": "a" * 64}, False),
    ("owner-double-quote", {"owner": 'team "a"'}, False),
    ("owner-trailing-newline", {"owner": "orders\n"}, False),
    ("framework-other", {"framework": "django"}, False),
    ("database-other", {"database": "mysql"}, False),
    ("ci-other", {"ci": "jenkins"}, False),
    ("python_version-other", {"python_version": "3.10"}, False),
]


def command_line_accepts(answers: dict[str, str]) -> bool:
    """cookiecutter's choice rule, then the pre-generation hook (portal-derived names given)."""
    if any(answers[question] not in choices for question, choices in CHOICES.items()):
        return False
    return render_hook({**answers, "repository_url": ""})["problem"]() is None


def test_command_line_and_portal_agree() -> None:
    cases = [{**GOOD, **changes} for _, changes, _ in ANSWERS]
    result = node(
        "parameters",
        str(TEMPLATE_YAML),
        stdin=json.dumps([{**case, "repoUrl": REPO_URL} for case in cases]),
    )
    assert result.returncode == 0, result.stderr
    verdicts = json.loads(result.stdout)
    rows, disagreements = [], []
    for (case_id, _, accepted), case, verdict in zip(ANSWERS, cases, verdicts, strict=True):
        found = {
            "command line": command_line_accepts(case),
            "form (ajv)": verdict["ajv"],
            "backend (jsonschema)": verdict["jsonschema"],
        }
        rows.append(f"{case_id:34} " + " ".join(f"{v!s:6}" for v in found.values()))
        if set(found.values()) != {accepted}:
            disagreements.append(f"{case_id}: expected {accepted}, got {found} {verdict['errors']}")
    print("case | command line, form (ajv), backend (jsonschema) accept\n" + "\n".join(rows))
    assert not disagreements, "\n".join(disagreements)


# --- fetch:cookiecutter, emulated ---------------------------------------------------------------


def render_values(values: dict[str, str], parameters: dict[str, str]) -> dict[str, str]:
    """The step's ``values`` with the ``${{ }}`` expressions template.yaml uses, evaluated."""
    host, _, query = parameters["repoUrl"].partition("?")
    repo = {"host": host, **{key: value[0] for key, value in parse_qs(query).items()}}

    def evaluate(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if found := re.fullmatch(r"parameters\.(\w+)", expression):
            return parameters[found[1]]
        if found := re.fullmatch(r"\(parameters\.repoUrl \| parseRepoUrl\)\.(\w+)", expression):
            return repo[found[1]]
        raise AssertionError(f"template.yaml has an expression this emulation lacks: {expression}")

    return {key: re.sub(r"\$\{\{(.*?)\}\}", evaluate, value) for key, value in values.items()}


def fetch_cookiecutter(work: Path, parameters: dict[str, str], config: Path) -> Path:
    """What the action does, step by step; returns the rendered project."""
    template_dir = work / "template"
    contents = template_dir / "{{cookiecutter and 'contents'}}"
    shutil.copytree(TEMPLATE_YAML.parent / FETCH["input"]["url"], contents)
    fetched = contents / "cookiecutter.json"
    merged = {
        **(json.loads(fetched.read_text()) if fetched.exists() else {}),
        **render_values(FETCH["input"]["values"], parameters),
        # Set only when the step gives them (JSON drops the undefined ones).
        **{
            key: FETCH["input"][name]
            for key, name in (
                ("_copy_without_render", "copyWithoutRender"),
                ("_extensions", "extensions"),
            )
            if name in FETCH["input"]
        },
    }
    (template_dir / "cookiecutter.json").write_text(json.dumps(merged))
    assert not (template_dir / "hooks").exists()
    intermediate = work / "intermediate"
    intermediate.mkdir()
    cookiecutter_bin = str(Path(sys.executable).parent / "cookiecutter")
    check(
        [cookiecutter_bin, "--no-input", "-o", str(intermediate), str(template_dir), "--verbose"],
        work,
        COOKIECUTTER_CONFIG=str(config),
    )
    (generated,) = intermediate.iterdir()
    assert generated.name == "contents"
    return generated


def tree(root: Path) -> dict[str, bytes | None]:
    return {
        str(path.relative_to(root)): path.read_bytes() if path.is_file() else None
        for path in sorted(root.rglob("*"))
    }


@pytest.mark.venv
@pytest.mark.parametrize(
    "framework", [pytest.param(f, marks=pytest.mark.xdist_group(f)) for f in FRAMEWORKS]
)
def test_portal_render(
    framework: str,
    tmp_path: Path,
    cookiecutter_config: Path,
    run_cookiecutter: RunCookiecutter,
    stack_venv: Callable[[str], Path],
) -> None:
    """The portal's project is the command line's, valid in the catalog, and its checks pass."""
    parameters = {**GOOD, "framework": framework, "repoUrl": REPO_URL}
    project = fetch_cookiecutter(tmp_path / "work", parameters, cookiecutter_config)
    values = render_values(FETCH["input"]["values"], parameters)
    assert values["repository_url"] == "https://github.com/acme/order-tracking/tree/main/"

    result, output = run_cookiecutter(*(f"{key}={value}" for key, value in values.items()))
    assert result.returncode == 0, result.stderr
    assert tree(project) == tree(output / values["service_name"])

    catalog = validate_entities(project / "catalog-info.yaml")
    assert catalog.splitlines()[:2] == [
        f"ok Component:order-tracking ({project / 'catalog-info.yaml'})",
        f"ok API:order-tracking ({project / 'catalog-info.yaml'})",
    ]
    component, api = yaml.safe_load_all((project / "catalog-info.yaml").read_text())
    assert component["metadata"]["annotations"]["backstage.io/source-location"] == (
        "url:" + values["repository_url"]
    )
    assert component["spec"]["owner"] == api["spec"]["owner"] == GOOD["owner"]
    definition = project / api["spec"]["definition"]["$text"]
    assert json.loads(definition.read_text())["info"]["title"] == GOOD["project_name"]

    venv = stack_venv(framework)
    check(["make", "test", f"VENV={venv}"], project)
    check(["make", "lint", f"VENV={venv}"], project)
    # The template's openapi.json is what the app writes, byte for byte.
    committed = definition.read_bytes()
    check(["make", "openapi", f"VENV={venv}"], project)
    assert definition.read_bytes() == committed


# --- catalog-info.yaml from the command line ----------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({}, id="defaults"),
        pytest.param(
            {
                "project_name": "3D Caf\u00e9: Acme\u2019s <Orders> & v2.0 \U0001f680",
                "description": "Orders for the caf\u00e9\u2019s \u201c3D\u201d printers: 'fast'.",
                "owner": "group:default/cafe",
                "repository_url": "https://github.com/acme/cafe/tree/main/",
            },
            id="unusual",
        ),
    ],
)
def test_catalog_info(
    framework: str, answers: dict[str, str], generate: Callable[..., Path]
) -> None:
    project = generate(framework=framework, **answers)
    validate_entities(project / "catalog-info.yaml")
    component, api = yaml.safe_load_all((project / "catalog-info.yaml").read_text())
    assert component["metadata"]["name"] == api["metadata"]["name"] == project.name
    assert component["spec"]["providesApis"] == [api["metadata"]["name"]]
    assert component["metadata"]["annotations"]["backstage.io/techdocs-ref"] == "dir:."
    assert (project / "mkdocs.yml").is_file()
    assert component["metadata"]["tags"] == ["python", framework]
    document = json.loads((project / api["spec"]["definition"]["$text"]).read_text())
    title = answers.get("project_name", COOKIECUTTER_JSON["project_name"])
    assert (component["metadata"]["title"], document["info"]["title"]) == (title, title)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert document["info"]["version"] == pyproject["project"]["version"]
    source = component["metadata"]["annotations"].get("backstage.io/source-location")
    expected = answers.get("repository_url")
    assert source == (f"url:{expected}" if expected else None)
