"""The generated service documents itself: TechDocs site, contract, links that stay inside.

Each stack is rendered and its ``mkdocs.yml`` built with ``mkdocs build --strict``
and mkdocs-techdocs-core from this suite's virtualenv (offline: the build fetches
nothing). The contract page is the same for both stacks and names neither, and every
link of the README and the docs pages points at a file (and heading) of the project.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from cookiecutter.main import cookiecutter
from markdown.extensions.toc import slugify

from conftest import FRAMEWORKS, TEMPLATE_DIR, check
from test_generation import FORBIDDEN_WORDS

DOC_PAGES = ["index.md", "contract.md", "operations.md"]
MKDOCS = Path(sys.executable).with_name("mkdocs")

# [text](target) and [text](target "title"); <scheme://...> autolinks; [ref]: target.
INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]+)>")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# Web addresses a page may show: the service itself on this machine.
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def prose(text: str) -> str:
    """The text outside code blocks and code spans, where links live."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def links(text: str) -> list[str]:
    body = prose(text)
    patterns = (INLINE_LINK, AUTOLINK, REFERENCE)
    return [match.group(1) for pattern in patterns for match in pattern.finditer(body)]


def anchors(page: Path) -> set[str]:
    """The ids Markdown gives the page's headings (the toc extension's slugs)."""
    return {slugify(title, "-") for title in HEADING.findall(FENCE.sub("", page.read_text()))}


def link_problems(project: Path, page: Path) -> list[str]:
    """Links of ``page`` that leave the project, or point at no file or heading in it."""
    problems = []
    root = project.resolve()
    for target in links(page.read_text()):
        where = f"{page.relative_to(project)}: {target!r}"
        parts = urlsplit(target)
        if parts.scheme in {"http", "https"}:
            if parts.hostname not in LOCAL_HOSTS:
                problems.append(f"{where}: a web address outside the project")
            continue
        if parts.scheme or parts.netloc:
            problems.append(f"{where}: not a path inside the project")
            continue
        path = unquote(parts.path)
        if path.startswith(("/", "\\")) or re.match(r"[A-Za-z]:[\\/]", path):
            problems.append(f"{where}: an absolute path")
            continue
        resolved = (page.parent / path).resolve() if path else page.resolve()
        if not resolved.is_relative_to(root):
            problems.append(f"{where}: outside the project")
        elif not resolved.exists():
            problems.append(f"{where}: no such file in the project")
        elif (
            parts.fragment and resolved.suffix == ".md" and parts.fragment not in anchors(resolved)
        ):
            problems.append(f"{where}: no heading #{parts.fragment} in {resolved.name}")
    return problems


def other_stack_words(framework: str) -> re.Pattern[str]:
    words = "|".join(FORBIDDEN_WORDS[framework])
    return re.compile(rf"(?<![a-z])({words})(?![a-z])", re.IGNORECASE)


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One project per stack, default answers (rendered once for this module)."""
    base = tmp_path_factory.mktemp("docs")
    config = base / "config.yaml"
    config.write_text(f'cookiecutters_dir: "{base / "cc"}"\nreplay_dir: "{base / "replay"}"\n')
    rendered = {}
    for framework in FRAMEWORKS:
        output_dir = base / framework
        rendered[framework] = Path(
            cookiecutter(
                str(TEMPLATE_DIR),
                no_input=True,
                extra_context={"framework": framework},
                output_dir=str(output_dir),
                config_file=str(config),
            )
        )
    return rendered


def mkdocs_build(project: Path, site: Path) -> str:
    assert MKDOCS.is_file(), f"{MKDOCS} missing: is mkdocs-techdocs-core in requirements-test.txt?"
    # NO_MKDOCS_2_WARNING: mkdocs-material prints a banner about a future MkDocs otherwise.
    return check(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(site)],
        project,
        timeout=300,
        NO_MKDOCS_2_WARNING="1",
    )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_techdocs_site_builds_strictly(
    framework: str, projects: dict[str, Path], tmp_path: Path
) -> None:
    project = projects[framework]
    config = yaml.safe_load((project / "mkdocs.yml").read_text())
    assert config["site_name"] == "Inventory Service"
    assert config["plugins"] == ["techdocs-core"]
    nav_pages = [next(iter(entry.values())) for entry in config["nav"]]
    assert nav_pages == DOC_PAGES
    assert sorted(p.name for p in (project / "docs").glob("*.md")) == sorted(DOC_PAGES)
    site = tmp_path / "site"
    mkdocs_build(project, site)
    for page in ("index.html", "contract/index.html", "operations/index.html"):
        assert (site / page).is_file(), f"{page} not built"
    assert (site / "techdocs_metadata.json").is_file(), "not built by techdocs-core"


def test_site_name_is_quoted_for_yaml(generate: Callable[..., Path], tmp_path: Path) -> None:
    """A project name with YAML's special characters still gives a valid mkdocs.yml."""
    project = generate(project_name="Stock: Ops & Co #1", service_name="stock-ops")
    config = yaml.safe_load((project / "mkdocs.yml").read_text())
    assert config["site_name"] == "Stock: Ops & Co #1"
    mkdocs_build(project, tmp_path / "site")


def test_contract_is_one_page_for_both_stacks(projects: dict[str, Path]) -> None:
    first, *others = [project / "docs" / "contract.md" for project in projects.values()]
    assert others, "one stack only"
    for other in others:
        assert other.read_text() == first.read_text(), "docs/contract.md differs between the stacks"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_contract_names_no_other_stack(framework: str, projects: dict[str, Path]) -> None:
    contract = projects[framework] / "docs" / "contract.md"
    pattern = other_stack_words(framework)
    found = [
        f"{number}: {match.group(0)!r} in {line.strip()!r}"
        for number, line in enumerate(contract.read_text().splitlines(), 1)
        if (match := pattern.search(line))
    ]
    assert not found, f"docs/contract.md of a {framework} project:\n" + "\n".join(found)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_links_stay_in_the_project_and_resolve(framework: str, projects: dict[str, Path]) -> None:
    project = projects[framework]
    pages = [project / "README.md", *sorted((project / "docs").glob("*.md"))]
    assert sum(len(links(page.read_text())) for page in pages) >= 5, "no links found: regex broken?"
    problems = [problem for page in pages for problem in link_problems(project, page)]
    assert not problems, "links that leave the project or go nowhere:\n" + "\n".join(problems)


def test_the_link_check_catches_bad_links(tmp_path: Path) -> None:
    """Each kind of bad link is reported (the check above cannot pass vacuously)."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\n## Some heading\n")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/a.md) [ok](docs/a.md#some-heading) [ok](#top) <http://127.0.0.1:8000/docs>\n"
        "[up](../outside.md) [abs](/etc/passwd) [file](file:///etc/passwd) [gone](docs/b.md)\n"
        "[anchor](docs/a.md#nope) [web](https://example.com/contract)\n\n# Top\n"
        "`[code](../ignored.md)`\n"
    )
    problems = link_problems(tmp_path, page)
    assert [problem.split(": ")[1] for problem in problems] == [
        "'../outside.md'",
        "'/etc/passwd'",
        "'file:///etc/passwd'",
        "'docs/b.md'",
        "'docs/a.md#nope'",
        "'https://example.com/contract'",
    ], problems
