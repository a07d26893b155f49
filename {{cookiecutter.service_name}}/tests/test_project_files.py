"""What a template update can leave behind: conflicts, rejected hunks, the other stack's files.

`cruft update` applies the template's changes to the project as a patch. Where a change meets
an edit of yours it leaves conflict markers in the file or the hunk in a ``.rej`` file beside
it, and a file that only the other stack has stays when you had edited it (a stack switch).
`make doctor` runs this module with the standard library alone, so it works right after a
switch, before `make install` brings the new stack's dependencies.
"""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK = "{{ cookiecutter.framework }}"

# The files only one stack has; every other file is shared or has the same path in both.
STACK_FILES = {
    "fastapi": [
        "src/{{ cookiecutter.package_name }}/core/http_protocol.py",
        "tests/test_http_protocol.py",
    ],
    "flask": [
        "gunicorn.conf.py",
        "src/{{ cookiecutter.package_name }}/core/application.py",
        "tests/test_http_layer.py",
    ],
}
# The frameworks each stack imports: a module that imports the other stack's is its old code.
STACK_IMPORTS = {
    "fastapi": ["fastapi", "starlette", "uvicorn"],
    "flask": ["flask", "apiflask", "marshmallow", "gunicorn", "gevent", "werkzeug"],
}
# What .gitignore keeps out of the project, and virtualenvs wherever they are.
SKIPPED_DIRECTORIES = {
    ".git",
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".mypy_cache",
    ".ruff_cache",
    "htmlcov",
    "build",
    "dist",
    "var",
    "site",
}
# The first and last line of a conflict git leaves in a file.
CONFLICT_MARKER = re.compile(rb"^(<{7}|>{7})( |$)", re.MULTILINE)


def project_files(root: Path) -> list[Path]:
    """The project's own files under ``root``, relative and sorted."""
    files = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES
            and not name.endswith(".egg-info")
            and not (Path(directory, name) / "pyvenv.cfg").exists()
        ]
        files += [Path(directory, name).relative_to(root) for name in names]
    return sorted(files)


def other_stack(framework: str) -> str:
    return next(stack for stack in STACK_FILES if stack != framework)


def leftovers(root: Path, framework: str) -> list[str]:
    """One line per file a template update left unfinished in a ``framework`` project."""
    other = other_stack(framework)
    imports = re.compile(
        rf"^\s*(?:from|import)\s+({'|'.join(STACK_IMPORTS[other])})\b", re.MULTILINE
    )
    found = []
    for path in project_files(root):
        if path.as_posix() in STACK_FILES[other]:
            found.append(f"{path}: a file of the {other} stack, not of {framework}")
        if path.suffix == ".rej":
            found.append(f"{path}: a change the update could not apply; apply it by hand")
        content = (root / path).read_bytes()
        if marker := CONFLICT_MARKER.search(content):
            line = content.count(b"\n", 0, marker.start()) + 1
            found.append(f"{path}:{line}: conflict markers; resolve them")
        if path.suffix == ".py" and (imported := imports.search(content.decode(errors="replace"))):
            found.append(f"{path}: imports {imported.group(1)}, a framework of the {other} stack")
    return found


def test_no_leftovers_of_a_template_update() -> None:
    found = leftovers(ROOT, FRAMEWORK)
    assert not found, "\n".join(found)


def test_leftovers_are_found(tmp_path: Path) -> None:
    other = other_stack(FRAMEWORK)
    for path in STACK_FILES[other]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text('"""Left behind."""\n')
    (tmp_path / "app.py").write_text(f"import {STACK_IMPORTS[other][0]}\n")
    (tmp_path / "app.py.rej").write_text("@@ -1 +1 @@\n")
    (tmp_path / "README.md").write_text("Title\n<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "conflict.txt").write_text("<<<<<<< ours\n")

    found = leftovers(tmp_path, FRAMEWORK)

    named = sorted({line.split(":")[0] for line in found})
    assert named == sorted(["README.md", "app.py", "app.py.rej", *STACK_FILES[other]])
    assert "README.md:2: conflict markers; resolve them" in found


def main() -> None:
    found = leftovers(ROOT, FRAMEWORK)
    for line in found:
        print(line)
    if found:
        sys.exit(f"{len(found)} leftover(s) of a template update to fix")
    print(f"No leftovers of a template update ({FRAMEWORK} project).")


if __name__ == "__main__":
    main()
