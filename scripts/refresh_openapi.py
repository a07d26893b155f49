"""Rewrite each stack's openapi.json in the template from a generated project's app.

The generated project keeps its openapi.json equal to the app's document
(tests/test_openapi.py); run this (``make openapi``) after changing what the
apps document, then review the diff. Only the names from the answers are Jinja.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

from project_tools import TEMPLATE_DIR, cached_venv, clean_env

FRAMEWORKS = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["framework"]
SERVICE_DIR = TEMPLATE_DIR / "{{cookiecutter.service_name}}"
# The default answers' names in the document, and the Jinja that renders them.
NAMES = {
    '"title": "Inventory Service",': '"title": {{ cookiecutter.project_name | tojson }},',
    '"description": "A production-ready HTTP service.",': (
        '"description": {{ cookiecutter.description | tojson }},'
    ),
}


def make(project: Path, *args: str) -> None:
    subprocess.run(["make", *args], cwd=project, env=clean_env(), check=True)


def refresh(framework: str, output_dir: Path) -> Path:
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"framework": framework},
            output_dir=str(output_dir / framework),
        )
    )
    venv = cached_venv(framework, project, lambda venv: make(project, "install", f"VENV={venv}"))
    make(project, "openapi", f"VENV={venv}")
    text = (project / "openapi.json").read_text(encoding="utf-8")
    for literal, jinja in NAMES.items():
        if text.count(literal) != 1:
            sys.exit(f"{framework}: expected {literal!r} once in the document")
        text = text.replace(literal, jinja)
    target = (
        SERVICE_DIR / f"{{% if cookiecutter.framework == '{framework}' %}}openapi.json{{% endif %}}"
    )
    target.write_text(text, encoding="utf-8")
    return target


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for framework in FRAMEWORKS:
            print(f"wrote {refresh(framework, Path(tmp)).relative_to(TEMPLATE_DIR)}")


if __name__ == "__main__":
    main()
