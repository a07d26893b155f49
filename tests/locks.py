"""Each stack's uv.lock, kept in the template and rendered for any answers.

uv writes the project's own name into its lock; everything else in the lock depends
only on the stack (the dependencies) while ``requires-python`` stays ``>=3.11``. So the
template ships one lock per stack with the root package's name as a Jinja placeholder.

``python tests/locks.py`` (``make lock``) renders each stack with the default answers,
runs ``uv lock`` in it (extra arguments go to uv, e.g. ``--upgrade``) and writes the
result back with the placeholder. ``tests/test_locks.py`` fails when a lock is stale.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.service_name}}"
PLACEHOLDER = "{{ cookiecutter.service_name }}"
JINJA_DELIMITERS = re.compile(r"\{\{|\{%|\{#")
FRAMEWORKS: list[str] = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["framework"]


def lock_template(framework: str) -> Path:
    """The template file that renders to the stack's uv.lock (and to nothing for the other)."""
    condition = f"cookiecutter.framework == '{framework}'"
    return PROJECT_TEMPLATE / f"{{% if {condition} %}}uv.lock{{% endif %}}"


def uv() -> str:
    """The uv installed beside this Python (requirements-test.txt pins it), or on PATH."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if found is None:
        raise SystemExit("uv is missing: it comes from requirements-test.txt")
    return found


def render(framework: str, output_dir: Path, **answers: str) -> Path:
    """Generate a project of ``framework`` without prompts or hooks; return its directory."""
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"framework": framework, **answers},
            output_dir=str(output_dir),
            default_config=True,
            accept_hooks=False,
        )
    )


def root_package(service_name: str) -> re.Pattern[str]:
    """The header of the project's own entry in uv.lock."""
    return re.compile(
        rf'^(\[\[package\]\]\nname = )"{re.escape(service_name)}"(\nversion = "[^"]+"\n'
        r'source = \{ editable = "\." \}\n)',
        re.MULTILINE,
    )


def to_template(lock: str, service_name: str) -> str:
    """A rendered lock as template text: the project's own name becomes the placeholder."""
    if JINJA_DELIMITERS.search(lock):
        raise ValueError("uv.lock holds a Jinja delimiter: it would not render as written")
    template, count = root_package(service_name).subn(rf'\1"{PLACEHOLDER}"\2', lock)
    if count != 1:
        raise ValueError(f"uv.lock has {count} root packages named {service_name!r}, not one")
    if f'"{service_name}"' in template:
        raise ValueError(f"uv.lock names {service_name!r} outside the root package")
    return template


def refresh(framework: str, work_dir: Path, uv_args: list[str]) -> bool:
    """Re-lock ``framework`` from its current lock; return whether the lock changed."""
    project = render(framework, work_dir)
    subprocess.run([uv(), "lock", "--quiet", *uv_args], cwd=project, check=True, timeout=600)
    target = lock_template(framework)
    text = to_template((project / "uv.lock").read_text(), project.name)
    changed = not target.is_file() or target.read_text() != text
    if changed:
        target.write_text(text)
    return changed


def main(uv_args: list[str]) -> None:
    for framework in FRAMEWORKS:
        with tempfile.TemporaryDirectory(prefix=f"lock-{framework}-") as work_dir:
            changed = refresh(framework, Path(work_dir), uv_args)
        print(f"{framework}: {'updated' if changed else 'unchanged'} {lock_template(framework)}")


if __name__ == "__main__":
    main(sys.argv[1:])
