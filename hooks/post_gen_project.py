"""Shape the rendered project for the chosen answers.

The template keeps each stack's own files under ``_stacks/<framework>/`` with
the same paths they have in a generated project; the chosen stack's files are
moved into place and the other stack is deleted. Optional files are removed
from one manifest. Deterministic and offline, so re-rendering (``cruft update``)
reproduces the same tree.
"""

import shutil
from pathlib import Path

FRAMEWORK = "{{ cookiecutter.framework }}"
CI = "{{ cookiecutter.ci }}"

STACKS_DIR = Path("_stacks")

# Every optional path of the template and the answer that keeps it.
OPTIONAL = {
    ".github": CI == "github",
    ".gitlab-ci.yml": CI == "gitlab",
}


def overlay(source: Path, target: Path) -> None:
    """Move every file under ``source`` to the same relative path under ``target``."""
    for path in sorted(source.rglob("*")):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            path.replace(destination)


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def main() -> None:
    overlay(STACKS_DIR / FRAMEWORK, Path.cwd())
    remove(STACKS_DIR)
    for name, keep in OPTIONAL.items():
        if not keep:
            remove(Path(name))


if __name__ == "__main__":
    main()
