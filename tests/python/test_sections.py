"""Appraisal and extrapolation from a notebook, with keyword arguments: ``Comparison.appraise(**keys)``
and ``Comparison.extrapolate(**keys)`` take the keys of a scenario's ``[appraisal]`` and
``[extrapolation]`` sections and give the scenario route's files, to the byte, but for the
assumptions log naming the arguments where the file route names the file.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from decimal import Decimal
from pathlib import Path

import journeycost as jc
import pytest

tomllib = pytest.importorskip("tomllib")

REPO = Path(__file__).resolve().parents[2]
ANNA = REPO / "examples" / "anna"
NATIONAL = REPO / "examples" / "national"


def section(example: Path, name: str) -> dict:
    with open(example / "scenario.toml", "rb") as f:
        return tomllib.load(f)[name]


def without_origins(out: Path) -> dict[str, object]:
    """Every file written to ``out`` (not the manifest of their digests), with the assumptions
    log's origins taken out."""
    files: dict[str, object] = {}
    for p in sorted(out.iterdir()):
        if p.name.startswith("."):
            continue
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".json":
            doc = json.loads(text)

            def strip(v):
                if isinstance(v, dict):
                    return {k: strip(x) for k, x in v.items() if k != "origin"}
                if isinstance(v, list):
                    return [strip(x) for x in v]
                return v

            files[p.name] = strip(doc)
        elif "origin" in text.splitlines()[0].split(","):
            rows = list(csv.DictReader(io.StringIO(text)))
            files[p.name] = [{k: v for k, v in r.items() if k != "origin"} for r in rows]
        else:
            files[p.name] = text
    return files


def origins(out: Path, name: str) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO((out / name).read_text(encoding="utf-8")))
    return {r["name"]: r["origin"] for r in rows}


def test_appraise_with_the_sections_keys_is_the_scenario_route(tmp_path: Path):
    s = jc.Scenario.load(ANNA / "scenario.toml")
    by_file = s.appraise()
    by_keys = s.compare().appraise(**section(ANNA, "appraisal"))
    assert by_keys.npv == by_file.npv and by_keys.bcr == by_file.bcr
    by_file.write(tmp_path / "file")
    by_keys.write(tmp_path / "keys")
    assert without_origins(tmp_path / "keys") == without_origins(tmp_path / "file")
    # The log names each argument, and the price base still comes from the scenario file.
    log = origins(tmp_path / "keys", "assumptions.csv")
    assert log["deadweight"] == "argument deadweight"
    assert log["optimism_bias.green"] == "argument optimism_bias"
    assert log["price_base"] == "scenario file scenario.toml"
    assert origins(tmp_path / "file", "assumptions.csv")["deadweight"] == "scenario file scenario.toml"


def test_a_ledger_of_objects_appraises_as_its_scenario(tmp_path: Path):
    ledger = jc.cost(
        ANNA / "events.csv",
        catalogue=ANNA / "catalogue.csv",
        prices=ANNA / "deflators.csv",
        price_year="2023/24",
    )
    keys = section(ANNA, "appraisal")
    a = ledger.compare().appraise(**keys)
    b = jc.Scenario.load(ANNA / "scenario.toml").compare().appraise(**keys)
    assert (a.npv, a.pv_benefits, a.pv_costs) == (b.npv, b.pv_benefits, b.pv_costs)
    a.write(tmp_path / "objects")
    assert origins(tmp_path / "objects", "assumptions.csv")["price_base"] == "argument price_year"


def test_defaults_and_plain_values():
    c = jc.Scenario.load(ANNA / "scenario.toml").compare()
    plain = c.appraise()
    assert plain.schedule == "green-book"
    # A share as a float, a Decimal or a string is the same share.
    as_float = c.appraise(deadweight=0.1)
    assert c.appraise(deadweight=Decimal("0.1")).npv == as_float.npv == c.appraise(deadweight="0.1").npv
    assert as_float.npv < plain.npv
    # None is a key not given.
    assert c.appraise(deadweight=None).npv == plain.npv


def test_extrapolate_with_the_sections_keys_is_the_scenario_route(tmp_path: Path):
    s = jc.Scenario.load(NATIONAL / "scenario.toml")
    keys = section(NATIONAL, "extrapolation")
    keys["draws"] = 500
    by_file = s.extrapolate(draws=500)
    by_keys = s.compare().extrapolate(threads=1, **keys)
    assert (by_keys.draws, by_keys.seed) == (by_file.draws, by_file.seed)
    by_file.write(tmp_path / "file")
    by_keys.write(tmp_path / "keys")
    assert without_origins(tmp_path / "keys") == without_origins(tmp_path / "file")
    log = origins(tmp_path / "keys", "assumptions.csv")
    assert log["seed"] == "argument seed"
    given = {k: v for k, v in log.items() if k.startswith("three of") and v != "journeycost default"}
    assert len(given) == 6 and set(given.values()) == {"argument segments"}, log


def test_bad_keys_are_named_as_in_a_scenario_file():
    c = jc.Scenario.load(ANNA / "scenario.toml").compare()
    cases = [
        ({"deadwieght": 0.1}, 'appraise(), field "appraisal.deadwieght": unknown field'),
        ({"deadweight": 1.5}, 'appraise(), field "appraisal.deadweight.value": expected a share from 0 to 1'),
        ({"schedule": 3}, 'appraise(), field "appraisal.schedule": invalid type'),
        ({"optimism_bias": {"green": "x"}}, 'field "appraisal.optimism_bias.green"'),
        ({"deadweight": object()}, 'field "appraisal.deadweight": expected a number, a string, a list or a dict'),
    ]
    for keys, message in cases:
        with pytest.raises(jc.ScenarioError) as e:
            c.appraise(**keys)
        assert message in str(e.value), (keys, str(e.value))
    with pytest.raises(jc.ScenarioError, match=r"extrapolation\.segments"):
        c.extrapolate(segments=[{"name": "all", "count": -5, "per_case": 100}])
    with pytest.raises(jc.ScenarioError, match="at least 1"):
        c.extrapolate(threads=0, segments=[{"name": "all", "count": 10, "per_case": 100}])


def test_only_a_comparison_of_everyone_is_appraised():
    ledger = jc.Scenario.load(REPO / "examples" / "seven-cases" / "scenario.toml").cost()
    one = ledger.compare(person=ledger.compare().persons.rows()[0]["person_id"])
    with pytest.raises(jc.ScenarioError, match="comparison of everyone"):
        one.appraise()
    with pytest.raises(jc.ScenarioError, match="comparison of everyone"):
        one.extrapolate(segments=[{"name": "all", "count": 10, "per_case": {"dist": "cohort", "years": 5}}])


def test_results_made_with_keys_pickle():
    c = jc.Scenario.load(ANNA / "scenario.toml").compare()
    a = c.appraise(deadweight=0.2, schedule="health")
    again = pickle.loads(pickle.dumps(a))
    assert again.to_json() == a.to_json()
    x = c.extrapolate(
        draws=50, seed=3, segments=[{"name": "all", "count": 100, "per_case": {"dist": "cohort", "years": 5}}]
    )
    assert pickle.loads(pickle.dumps(x)).to_json() == x.to_json()


def test_a_pickled_result_remakes_what_was_asked_even_if_the_arguments_change():
    c = jc.Scenario.load(ANNA / "scenario.toml").compare()
    segments = [{"name": "all", "count": 100, "per_case": {"dist": "cohort", "years": 5}}]
    x = c.extrapolate(draws=50, seed=3, segments=segments)
    segments[0]["count"] = 1_000_000  # a notebook reusing its list for the next variant
    assert pickle.loads(pickle.dumps(x)).to_json() == x.to_json()


def test_a_loaded_scenario_is_used_as_loaded(tmp_path: Path):
    import shutil

    for name in ("national", "seven-cases"):
        shutil.copytree(REPO / "examples" / name, tmp_path / name)
    path = tmp_path / "national" / "scenario.toml"
    s = jc.Scenario.load(path)
    path.write_text(path.read_text(encoding="utf-8").replace("seed = 20261126", "seed = 1"), encoding="utf-8")
    assert s.extrapolate(draws=50).seed == 20261126
    assert jc.Scenario.load(path).extrapolate(draws=50).seed == 1
