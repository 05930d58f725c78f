"""Small assertion helpers shared by the tests (no costing logic here)."""

from __future__ import annotations

import csv
import difflib
import io
from pathlib import Path


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def assert_same_bytes(actual: bytes, expected: bytes, what: str) -> None:
    """Byte equality, with a readable unified diff (expected -> actual) on failure."""
    if actual == expected:
        return
    diff = difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(keepends=True),
        actual.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=f"{what} (reference)",
        tofile=f"{what} (journeycost)",
        n=1,
    )
    text = "".join(list(diff)[:80])
    raise AssertionError(f"{what} differs from the reference:\n{text}")


def assert_files_match(out_dir: Path, expected: dict[str, bytes], label: str = "") -> None:
    for name, data in expected.items():
        path = out_dir / name
        assert path.is_file(), f"{label}{name} was not written"
        assert_same_bytes(path.read_bytes(), data, f"{label}{name}")


def assert_plain_csv_bytes(data: bytes, what: str) -> None:
    """UTF-8, no BOM, no CR, LF-terminated."""
    data.decode("utf-8")
    assert not data.startswith(b"\xef\xbb\xbf"), f"{what} starts with a BOM"
    assert b"\r" not in data, f"{what} contains CR"
    assert data.endswith(b"\n"), f"{what} does not end with LF"
