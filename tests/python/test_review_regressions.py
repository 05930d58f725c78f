"""Regressions from the review of the Python package: each test is a way it once went wrong."""

from __future__ import annotations

import datetime
import os
import pickle
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import journeycost as jc
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

REPO = Path(__file__).resolve().parents[2]
ANNA = REPO / "examples" / "anna"


def rec(**kw):
    base = {"person_id": "A", "pathway": "old", "date": "2024-01-05", "code": "CR1.0"}
    base.update(kw)
    return base


def test_catalogue_tables_keep_every_digit(tmp_path):
    p = tmp_path / "catalogue.csv"
    p.write_text(
        "code,agency,unit_cost,price_year\nBIG,Police,999999999999,2024\nPRECISE,NHS,0.1234567890123456789,2024\n"
    )
    t = jc.Catalogue.from_csv(p).to_table()
    assert t.column("unit_cost") == [Decimal("999999999999"), Decimal("0.1234567890123456789")]
    assert jc.Catalogue.from_csv(p).to_pandas()["unit_cost"].tolist() == t.column("unit_cost")


def test_no_float_gets_in_without_being_asked():
    for value in (np.float32(0.1), np.float16(0.5), 0.1, np.float64(0.1)):
        with pytest.raises(jc.InputError, match="floats are not exact"):
            jc.Events.from_records([rec(quantity=value)])
    idx = jc.PriceIndex.from_csv(ANNA / "deflators.csv")
    for value in (0.1, True, np.float32(1)):
        with pytest.raises(TypeError, match="convert"):
            idx.convert(value, "2023/24", "2023/24")
    assert idx.convert("12.5", "2023/24", "2023/24") == Decimal("12.50")


def test_decimals_are_never_rounded_on_the_way_in():
    with pytest.raises(jc.InputError, match="28 significant digits"):
        jc.Events.from_records([rec(quantity=Decimal("1.00000000000000000000000000001"))])
    for bad in (Decimal("NaN"), Decimal("Infinity"), Decimal("1E+30")):
        with pytest.raises(jc.InputError):
            jc.Events.from_records([rec(cost=bad)])
    e = jc.Events.from_records([rec(cost=Decimal("1E+3"), quantity=np.int64(3))])
    assert e.to_table().rows()[0]["cost"] == Decimal("1000") and e.to_table().rows()[0]["quantity"] == 3


def test_allow_float_reads_the_shortest_decimal_at_each_width():
    e = jc.Events.from_records(
        [rec(quantity=np.float64(0.1)), rec(quantity=1e-06), rec(quantity=np.float32(0.1)), rec(cost=1e11)],
        allow_float=True,
    )
    got = [(r["quantity"], r["cost"]) for r in e.to_table().rows()]
    assert got == [
        (Decimal("0.1"), None),
        (Decimal("0.000001"), None),
        (Decimal("0.1"), None),
        (Decimal(1), Decimal("1e11")),
    ]
    t = pa.table(
        {
            "person_id": ["A", "A"],
            "pathway": ["old", "new"],
            "date": ["2024-01-01", "2024-01-02"],
            "code": ["X", "X"],
            "quantity": pa.array([0.1, 0.5], pa.float32()),
            "cost": pa.array([np.float16(0.5), np.float16(2)], pa.float16()),
        }
    )
    rows = jc.Events.from_arrow(t, allow_float=True).to_table().rows()
    assert [r["quantity"] for r in rows] == [Decimal("0.1"), Decimal("0.5")]
    assert [r["cost"] for r in rows] == [Decimal("0.5"), Decimal("2")]


def test_odd_columns_do_not_crash():
    base = {
        "person_id": ["A", "B"],
        "pathway": ["old", "new"],
        "date": ["2024-01-01", "2024-01-02"],
        "code": ["X", "X"],
    }
    e = jc.Events.from_polars(pl.DataFrame({**base, "note": pl.Series([None, None], dtype=pl.Categorical)}))
    assert len(e) == 2
    e = jc.Events.from_polars(pl.DataFrame({**base, "note": [None, None], "unused": [None, None]}))
    assert len(e) == 2
    df = pd.DataFrame(
        {**base, "demand": pd.Categorical([None, None], categories=["value"]).remove_categories(["value"])}
    )
    assert len(jc.Events.from_pandas(df)) == 2
    assert len(jc.Events.from_polars(pl.DataFrame(base).head(0))) == 0


def test_a_stream_whose_batches_break_its_schema_is_an_input_error():
    schema = pa.schema(
        [("person_id", pa.string()), ("pathway", pa.string()), ("date", pa.string()), ("code", pa.string())]
    )
    good = pa.record_batch([["A"], ["old"], ["2024-01-01"], ["X"]], schema=schema)
    bad = pa.record_batch([[1], ["old"], ["2024-01-01"], ["X"]], names=schema.names)

    class Liar:
        def __arrow_c_stream__(self, requested_schema=None):
            return pa.RecordBatchReader.from_batches(schema, iter([good, bad])).__arrow_c_stream__(requested_schema)

    with pytest.raises(jc.JourneyCostError) as info:
        jc.Events.from_arrow(Liar())
    assert "internal error" not in str(info.value)


def test_huge_and_tiny_costs_round_trip():
    e = jc.Events.from_records([rec(cost=Decimal("999999999999")), rec(cost=Decimal("0.0000000000000000001"))])
    assert e.to_table().column("cost") == [Decimal("999999999999"), Decimal("0.0000000000000000001")]
    assert pickle.loads(pickle.dumps(e)).to_table().column("cost") == e.to_table().column("cost")
    assert "<table" in e._repr_html_()


def test_pandas_problems_are_records_too():
    df = pd.DataFrame(
        {
            "person_id": ["A", "B"],
            "pathway": ["old", "new"],
            "date": [datetime.date(2024, 1, 1), "x"],
            "code": ["X", "X"],
        }
    )
    with pytest.raises(jc.InputError) as info:
        jc.Events.from_pandas(df)
    assert info.value.problems[0]["field"] == "date" and info.value.omitted == 0
    dup = pd.DataFrame([["A", "old", "2024-01-01", "X", "Y"]], columns=["person_id", "pathway", "date", "code", "code"])
    with pytest.raises(jc.InputError) as info:
        jc.Events.from_pandas(dup)
    assert info.value.problems[0]["kind"] == "duplicate_column"


def test_a_scenario_works_from_any_directory(tmp_path, monkeypatch):
    sc = jc.Scenario.load(os.path.relpath(ANNA / "scenario.toml"))
    c = sc.compare()
    monkeypatch.chdir(tmp_path)
    assert sc.compare().saving == c.saving
    blob = pickle.dumps(c)
    out = subprocess.run(
        [sys.executable, "-c", "import pickle, sys; print(pickle.loads(sys.stdin.buffer.read()).saving)"],
        input=blob,
        capture_output=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout.decode().strip() == str(c.saving)


def test_grouped_plots_draw_one_group():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c = jc.Scenario.load(REPO / "examples" / "rent-arrears" / "scenario.toml").compare()
    group = c.totals[0]["group"]
    for plot in (c.plot, c.plot_agencies, c.plot_tiers):
        with pytest.raises(jc.JourneyCostError, match="pass group="):
            plot()
        assert plot(group=group).axes
    agencies = [r for r in c.agencies.rows() if r["reason"] == group and r["agency"] != "TOTAL"]
    assert len(c.plot_agencies(group=group).axes[0].patches) == len(agencies)
    plt.close("all")


def test_unknown_codes_in_a_file_come_with_their_lines(tmp_path):
    p = tmp_path / "events.csv"
    p.write_text("person_id,pathway,date,code\nA,old,2024-01-01,NOPE\nA,old,2024-01-02,NOPE\n")
    with pytest.raises(jc.InputError) as info:
        jc.cost(p)
    assert [(x["line"], x["kind"]) for x in info.value.problems] == [(2, "unknown_code"), (3, "unknown_code")]


def test_every_problem_of_a_record_is_reported():
    with pytest.raises(jc.InputError) as info:
        jc.Events.from_records([{"date": "2024-01-01"}])
    assert [p["field"] for p in info.value.problems] == ["person_id", "pathway", "code"]
    with pytest.raises(jc.InputError) as info:
        jc.Events.from_records([rec(quantity="-1", probability="2", demand="often")])
    assert sorted(p["field"] for p in info.value.problems) == ["demand", "probability", "quantity"]


def test_clear_messages_for_odd_arguments():
    with pytest.raises(TypeError, match="price year"):
        jc.cost(ANNA / "events.csv", catalogue=ANNA / "catalogue.csv", prices=ANNA / "deflators.csv", price_year=2024.0)
    assert 5 not in jc.Catalogue.builtin()
    t = pa.table(
        {
            "person_id": ["A"],
            "pathway": ["old"],
            "date": ["2024-01-01"],
            "code": ["X"],
            "quantity": pa.array([Decimal("0.1")], pa.decimal128(38, 30)),
        }
    )
    assert jc.Events.from_arrow(t).to_table().rows()[0]["quantity"] == Decimal("0.1")


def test_a_pathway_is_not_compared_with_itself():
    """#13: comparing a pathway with itself reported a saving of its whole cost; the library
    refuses it, so every entry point does."""
    ledger = jc.cost([rec(), rec(pathway="new")])
    for call in (lambda: ledger.compare(baseline="old", alternative="old"), lambda: jc.compare(ledger, "new", "new")):
        with pytest.raises(jc.ScenarioError, match="a comparison needs two different pathways"):
            call()


def test_messages_escape_control_characters():
    """#13: a message quoting input shows its control characters escaped."""
    with pytest.raises(jc.InputError) as info:
        jc.cost([rec(code="X\x1b[31m")])
    assert "\x1b" not in str(info.value)
