"""granian for the Flask stack's WSGI app: a small virtualenv on the stack's own Python.

granian is a compiled extension, so it must match the Python the generated project
runs on (which need not be the bench's). The version is requirements-bench.txt's pin;
the app's packages come from the stack's virtualenv (``PYTHONPATH``), so granian is
never a dependency of the generated project.
"""

from __future__ import annotations

import re
from pathlib import Path

from .common import TEMPLATE_DIR, BenchError, check, log

REQUIREMENTS = TEMPLATE_DIR / "requirements-bench.txt"
CACHE = TEMPLATE_DIR / ".cache"


def pinned_version() -> str:
    found = re.search(r"^granian==(\S+)", REQUIREMENTS.read_text(), re.MULTILINE)
    if not found:
        raise BenchError(f"no granian pin in {REQUIREMENTS}")
    return found.group(1)


def granian_python(stack_venv: Path) -> Path | None:
    """The python of a virtualenv with granian, on the stack's Python; None if it cannot be made."""
    stack_python = stack_venv / "bin" / "python"
    version = check(
        [str(stack_python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        TEMPLATE_DIR,
    ).strip()
    pin = pinned_version()
    venv = CACHE / f"granian-{pin}-py{version}"
    python = venv / "bin" / "python"
    if (venv / ".complete").exists():
        return python
    log(f"granian {pin}: a virtualenv on Python {version} ({venv})")
    try:
        check([str(stack_python), "-m", "venv", "--clear", str(venv)], TEMPLATE_DIR)
        check([str(python), "-m", "pip", "install", "--quiet", f"granian=={pin}"], TEMPLATE_DIR)
    except BenchError as error:
        log(f"granian could not be installed: no granian row ({str(error)[-300:]})")
        return None
    (venv / ".complete").write_text(pin + "\n")
    return python
