"""Events in and tables out through pandas, polars and Arrow: exact both ways, the same results
whichever way the data comes, and every bad row reported with its row number."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import journeycost as jc
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

REPO = Path(__file__).resolve().parents[2]
ANNA = REPO / "examples" / "anna"
SEVEN = REPO / "examples" / "seven-cases"
KW = {"catalogue": SEVEN / "catalogue.csv", "prices": SEVEN / "deflators.csv"}


def rows(t):
    return t.rows()


@pytest.fixture(scope="module")
def events() -> jc.Events:
    return jc.Events.from_csv(SEVEN / "events.csv")


def test_pandas_round_trip_keeps_every_decimal(events):
    df = events.to_pandas()
    assert df["quantity"].map(type).eq(Decimal).all()
    assert isinstance(df["date"].iloc[0], datetime.date)
    back = jc.Events.from_pandas(df)
    assert rows(back.to_table()) == rows(events.to_table())


def test_polars_round_trip_keeps_every_decimal(events):
    df = events.to_polars()
    assert isinstance(df.schema["quantity"], pl.Decimal) and df.schema["date"] == pl.Date
    back = jc.Events.from_polars(df)
    assert rows(back.to_table()) == rows(events.to_table())


def test_arrow_round_trip_and_types(events):
    t = events.to_arrow()
    assert isinstance(t, pa.Table)
    assert pa.types.is_decimal(t.schema.field("quantity").type) and t.schema.field("date").type == pa.date32()
    assert rows(jc.Events.from_arrow(t).to_table()) == rows(events.to_table())
    # Anything with __arrow_c_stream__ is accepted, e.g. a RecordBatchReader.
    assert len(jc.Events.from_arrow(pa.RecordBatchReader.from_batches(t.schema, t.to_batches()))) == len(events)


def test_a_cost_with_many_decimals_survives_every_trip():
    records = [
        {
            "person_id": "A",
            "pathway": "old",
            "date": datetime.date(2024, 1, 1),
            "code": "X",
            "cost": Decimal("12.3456789012"),
            "quantity": Decimal("0.123456"),
        },
        {
            "person_id": "A",
            "pathway": "new",
            "date": datetime.date(2024, 1, 2),
            "code": "X",
            "cost": Decimal("-0.0000000001"),
        },
    ]
    e = jc.Events.from_records(records)
    for trip in (
        lambda x: jc.Events.from_pandas(x.to_pandas()),
        lambda x: jc.Events.from_polars(x.to_polars()),
        lambda x: jc.Events.from_arrow(x.to_arrow()),
    ):
        again = trip(e).to_table().rows()
        assert [r["cost"] for r in again] == [Decimal("12.3456789012"), Decimal("-0.0000000001")]
        assert again[0]["quantity"] == Decimal("0.123456")


def test_pandas_polars_arrow_records_and_csv_give_identical_results(events):
    df = events.to_pandas()
    sources = {
        "csv": SEVEN / "events.csv",
        "events": events,
        "pandas": df,
        "polars": events.to_polars(),
        "arrow": events.to_arrow(),
        "records": df.to_dict("records"),
    }
    results = {}
    for name, src in sources.items():
        c = jc.cost(src, **KW).compare(period="quarter")
        results[name] = (c.saving, rows(c.series), rows(c.agencies), rows(c.tiers), rows(c.demand))
    first = results["csv"]
    for name, r in results.items():
        assert r == first, name


def test_plain_pandas_columns_are_read(tmp_path):
    # What an analyst's own frame looks like: strings, datetime64 dates, integer quantities.
    df = pd.DataFrame(
        {
            "person_id": ["A", "A", "B"],
            "pathway": ["old", "new", "old"],
            "date": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"]),
            "code": pd.Categorical(["CR1.0", "CR1.0", "CR1.0"]),
            "quantity": [1, 2, 3],
        }
    )
    e = jc.Events.from_pandas(df)
    assert len(e) == 3 and e.persons == ["A", "B"]
    ledger = jc.cost(e)
    assert ledger.total > 0


def test_timestamps_with_a_time_of_day_are_refused():
    df = pd.DataFrame(
        {"person_id": ["A"], "pathway": ["old"], "date": pd.to_datetime(["2020-01-01 10:30"]), "code": ["CR1.0"]}
    )
    with pytest.raises(jc.InputError) as info:
        jc.Events.from_pandas(df)
    p = info.value.problems[0]
    assert (p["row"], p["field"], p["line"]) == (0, "date", None)
    assert "time of day" in p["message"]


def test_floats_are_refused_unless_asked_for():
    df = pd.DataFrame(
        {
            "person_id": ["A", "B"],
            "pathway": ["old", "new"],
            "date": ["2020-01-01", "2020-01-02"],
            "code": ["X", "X"],
            "cost": [0.1, 0.2],
        }
    )
    with pytest.raises(jc.InputError) as info:
        jc.Events.from_pandas(df)
    assert len(info.value.problems) == 1, "one problem for the column, not one per row"
    assert info.value.problems[0]["field"] == "cost" and "allow_float=True" in info.value.problems[0]["message"]
    e = jc.Events.from_pandas(df, allow_float=True)
    assert [r["cost"] for r in e.to_table().rows()] == [Decimal("0.1"), Decimal("0.2")]
    with pytest.raises(jc.InputError, match="floats are not exact"):
        jc.Events.from_polars(pl.from_pandas(df))
    with pytest.raises(jc.InputError, match="floats are not exact"):
        jc.Events.from_records(
            [{"person_id": "A", "pathway": "old", "date": "2020-01-01", "code": "X", "quantity": 1.5}]
        )
    e = jc.Events.from_records(
        [{"person_id": "A", "pathway": "old", "date": "2020-01-01", "code": "X", "quantity": 1.1}], allow_float=True
    )
    assert e.to_table().rows()[0]["quantity"] == Decimal("1.1")


def test_every_bad_row_is_reported_with_its_row():
    df = pl.DataFrame(
        {
            "person_id": ["A", None, "C", "D"],
            "pathway": ["old", "new", "new", "old"],
            "date": ["2024-01-01", "2024-02-30", "2024-01-03", "2024-01-04"],
            "code": ["X", "X", "X", "X"],
            "quantity": ["1", "2", "-1", "abc"],
        }
    )
    with pytest.raises(jc.InputError) as info:
        jc.Events.from_polars(df)
    got = [(p["row"], p["field"], p["kind"]) for p in info.value.problems]
    assert got == [
        (1, "person_id", "missing_value"),
        (1, "date", "invalid_value"),
        (2, "quantity", "invalid_value"),
        (3, "quantity", "invalid_value"),
    ]
    assert all(p["source"] == "DataFrame" and p["line"] is None for p in info.value.problems)
    assert 'DataFrame row 1, field "date"' in str(info.value)


def test_missing_columns_and_wrong_types():
    with pytest.raises(jc.InputError) as info:
        jc.Events.from_polars(pl.DataFrame({"person_id": ["A"], "date": [True], "code": ["X"]}))
    assert [(p["field"], p["kind"]) for p in info.value.problems] == [
        ("pathway", "missing_column"),
        ("date", "invalid_value"),
    ]
    with pytest.raises(TypeError, match="pandas DataFrame"):
        jc.Events.from_pandas(pl.DataFrame({"a": [1]}))
    with pytest.raises(TypeError, match="polars DataFrame"):
        jc.Events.from_polars(pd.DataFrame({"a": [1]}))
    with pytest.raises(TypeError, match="__arrow_c_stream__"):
        jc.Events.from_arrow([1, 2])


def test_records_problems():
    with pytest.raises(jc.InputError) as info:
        jc.Events.from_records(
            [
                {"person_id": "A", "pathway": "old", "date": datetime.datetime(2024, 1, 1, 9), "code": "X"},
                {"person_id": "A", "pathway": "old", "code": "X"},
                "not a dict",
                {"person_id": "A", "pathway": "old", "date": "2024-01-01", "code": "X", "probability": Decimal("1.5")},
                {"person_id": "A", "pathway": "old", "date": "2024-01-01", "code": "X", "quantity": True},
            ]
        )
    got = [(p["row"], p["field"], p["kind"]) for p in info.value.problems]
    assert got == [
        (0, "date", "invalid_value"),
        (1, "date", "missing_value"),
        (2, None, "syntax"),
        (3, "probability", "invalid_value"),
        (4, "quantity", "invalid_value"),
    ]
    ok = jc.Events.from_records(
        [{"person_id": 7, "pathway": "old", "date": datetime.datetime(2024, 1, 1), "code": "X", "note": None}]
    )
    assert ok.persons == ["7"]


def test_tables_to_pandas_and_polars_keep_types():
    c = jc.Scenario.load(ANNA / "scenario.toml").compare()
    df = c.series.to_pandas()
    assert str(df["events"].dtype) == "Int64" and isinstance(df["cost"].iloc[0], Decimal)
    assert df["cost"].map(lambda d: d.as_tuple().exponent).eq(-2).all()
    pf = c.series.to_polars()
    assert pf.schema["cost"] == pl.Decimal(38, 2) and pf.schema["events"] == pl.Int64
    assert pf["cost"].sum() == sum(r["cost"] for r in c.series.rows())
    t = c.demand.to_arrow()
    assert t.schema.field("cost_share").type == pa.decimal128(38, 4)


def test_duckdb_style_consumers_read_the_capsule():
    c = jc.Scenario.load(ANNA / "scenario.toml").compare()
    capsule = c.agencies.__arrow_c_stream__()
    assert type(capsule).__name__ == "PyCapsule"
    reader = pa.RecordBatchReader.from_stream(c.agencies)
    assert reader.read_all().num_rows == len(c.agencies)
    assert pa.schema(c.agencies).names == c.agencies.columns
