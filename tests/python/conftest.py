"""Fixtures for the cross-language suite: where the binary is and how to run it.

The binary is ``$JOURNEYCOST_BIN`` if set, else ``<repo>/target/debug/journeycost``, else
``<repo>/target/release/journeycost``. Nothing is skipped: without a binary every test fails
with a message saying how to build it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_HINT = "run `cargo build -p journeycost-cli` in the repository root (or set JOURNEYCOST_BIN to the binary)"


def _find_binary() -> tuple[Path | None, str]:
    env = os.environ.get("JOURNEYCOST_BIN")
    if env:
        p = Path(env)
        return (p, "") if p.is_file() else (None, f"JOURNEYCOST_BIN={env!r} is not a file")
    candidates = [REPO / "target" / "debug" / "journeycost", REPO / "target" / "release" / "journeycost"]
    for p in candidates:
        if p.is_file():
            return p, ""
    return None, "no journeycost binary at " + " or ".join(str(c) for c in candidates)


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def journeycost_bin() -> Path:
    path, why = _find_binary()
    if path is None:
        pytest.fail(f"{why}: {BUILD_HINT}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def journeycost(journeycost_bin: Path):
    """A function running the binary: ``journeycost("cost", "--events", p, ..., ok=True)``.

    Arguments are converted with ``str``; the working directory is the repository root. With
    ``ok=True`` (the default) a non-zero exit fails the test with the command's stderr. Returns the
    ``subprocess.CompletedProcess`` (text mode).
    """

    def run(*args, ok: bool = True, cwd: Path = REPO) -> subprocess.CompletedProcess:
        argv = [str(journeycost_bin), *(str(a) for a in args)]
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)
        if ok and proc.returncode != 0:
            pytest.fail(
                f"journeycost exited with {proc.returncode}: {' '.join(argv[1:])}\n--- stderr ---\n{proc.stderr}",
                pytrace=False,
            )
        return proc

    return run
