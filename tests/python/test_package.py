"""The Python package (first cut of #7): exact results equal to the CLI's, and errors as
specific exception classes with every problem as a record."""

from __future__ import annotations

import doctest
import json
from decimal import Decimal
from pathlib import Path

import pytest

journeycost = pytest.importorskip("journeycost", reason="scripts/test.sh installs it with maturin develop")

REPO = Path(__file__).resolve().parents[2]
ANNA = REPO / "examples" / "anna"


def anna_ledger():
    return journeycost.cost(ANNA / "events.csv", catalogue=ANNA / "catalogue.csv", prices=ANNA / "deflators.csv", price_year="2023/24")


def test_money_is_decimal_and_equals_the_cli(journeycost_cli_json):
    result = journeycost.compare(anna_ledger(), period="quarter")
    total = result["total"]
    assert all(isinstance(total[k], Decimal) for k in ("baseline_cost", "alternative_cost", "saving"))
    assert total["saving"] == total["baseline_cost"] - total["alternative_cost"]
    cli = journeycost_cli_json["groups"][0]["comparison"]
    assert f"{total['saving'].quantize(Decimal('0.01'))}" == cli["total"]["saving"]
    assert result["break_even"] == cli["break_even"]
    assert [a["agency"] for a in result["agencies"]] == [a["agency"] for a in cli["agencies"]]


def test_errors_are_specific_and_carry_every_problem(tmp_path: Path):
    bad = tmp_path / "events.csv"
    bad.write_text("person_id,pathway,date,code\nP1,old,31/01/2024,CR1.0\nP1,old,2024-01-01,NOPE\n")
    with pytest.raises(journeycost.InputError) as info:
        journeycost.cost(bad)
    problems = info.value.problems
    assert [(p["line"], p["field"], p["kind"]) for p in problems] == [(2, "date", "invalid_value"), (3, "code", "unknown_code")]
    assert isinstance(info.value, journeycost.JourneyCostError) and isinstance(info.value, ValueError)
    with pytest.raises(journeycost.InputError, match='no event is on pathway "blue"'):
        journeycost.compare(anna_ledger(), alternative="blue")
    with pytest.raises(journeycost.JourneyCostError):
        journeycost.cost(bad, price_year="2024-25")


def test_the_docstring_examples_run(monkeypatch):
    monkeypatch.chdir(REPO)
    failures, tried = doctest.testmod(journeycost, raise_on_error=False)
    assert tried > 0 and failures == 0


@pytest.fixture
def journeycost_cli_json(journeycost_bin, tmp_path):
    import subprocess

    subprocess.run([str(journeycost_bin), "compare", str(ANNA / "scenario.toml"), "--out", str(tmp_path)], check=True, capture_output=True)
    return json.loads((tmp_path / "comparison.json").read_text())
