"""The example notebook runs from top to bottom in a headless kernel, and the stub of the
compiled module matches it (mypy's stubtest)."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import journeycost
import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "examples" / "notebooks" / "anna.ipynb"


def test_the_example_notebook_runs_without_errors():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert errors == []
    html = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    assert any("<svg" in h for h in html), "the comparison shows its red and blue lines inline"
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 4, "the red and blue lines, who pays, the triangle of need, the national distribution"


def test_the_stub_matches_the_extension():
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "journeycost._journeycost"], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_docstring_examples_run(monkeypatch):
    monkeypatch.chdir(REPO)
    for module in (journeycost, journeycost._journeycost):
        failures, tried = doctest.testmod(module, raise_on_error=False, optionflags=doctest.ELLIPSIS)
        assert tried > 0 and failures == 0, module.__name__
