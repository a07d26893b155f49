"""The suite needs the network for package installs and lock checks only.

Runs every test that installs nothing (generation, hooks, YAML and schema
checks) again in a subprocess inside a new network namespace, where only a
downed loopback interface exists: any download, DNS lookup or schema fetch
fails there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import TEMPLATE_DIR, run

pytestmark = pytest.mark.meta


def unshare_command() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare(1) is not installed: cannot cut the network off")
    command = [unshare, "--net"] if os.geteuid() == 0 else [unshare, "--net", "--map-root-user"]
    probe = subprocess.run(
        [*command, sys.executable, "-c", "import socket; print(socket.if_nameindex())"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {probe.stderr.strip()}")
    # Only the loopback interface (down) exists in the namespace.
    assert probe.stdout.strip() == "[(1, 'lo')]", probe.stdout
    return command


def test_suite_runs_without_network(tmp_path) -> None:
    command = [
        *unshare_command(),
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-m",
        "not venv and not meta and not network",
        "-n",
        "2",
        "-rs",
        "--basetemp",
        str(tmp_path / "offline"),
        "tests",
    ]
    result = run(command, TEMPLATE_DIR, timeout=600)
    failed = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    assert result.returncode == 0, (
        "without network:\n" + "\n".join(failed) + "\n\nfull output:\n" + result.stdout
    )
    summary = result.stdout.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed, summary
    assert int(passed.group(1)) > 50, summary
    # Skips for a tool this machine lacks happen online too; the network must add none.
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    unexpected = [line for line in skips if "is not installed" not in line]
    assert not unexpected, "skipped without network:\n" + "\n".join(unexpected)
