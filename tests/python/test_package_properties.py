"""Hypothesis properties of the Python package: totals conserve, savings are old minus new,
order does not matter, and every way in gives the same answer. Seeded and bounded, so a run
is reproducible (``derandomize``) and quick."""

from __future__ import annotations

import datetime
from decimal import Decimal

import journeycost as jc
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CATALOGUE_CODES = ["CR1.0", "CR2.0", "CR3.0", "CR4.0"]
PROFILE = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def records(draw):
    n = draw(st.integers(min_value=1, max_value=30))
    out = []
    for _ in range(n):
        r = {
            "person_id": draw(st.sampled_from(["A", "B", "C", "Dé", "E,1"])),
            "pathway": draw(st.sampled_from(["old", "new"])),
            "date": draw(st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2024, 12, 31))),
            "code": draw(st.sampled_from(CATALOGUE_CODES)),
            "quantity": draw(
                st.decimals(
                    min_value=0, max_value=1000, places=draw(st.integers(0, 6)), allow_nan=False, allow_infinity=False
                )
            ),
        }
        if draw(st.booleans()):
            r["cost"] = draw(
                st.decimals(min_value=-10_000, max_value=10_000, places=4, allow_nan=False, allow_infinity=False)
            )
        if draw(st.booleans()):
            r["probability"] = draw(
                st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False)
            )
        out.append(r)
    pathways = {r["pathway"] for r in out}
    if pathways != {"old", "new"}:
        out.append(dict(out[0], pathway="new" if "old" in pathways else "old"))
    return out


@PROFILE
@given(records())
def test_totals_conserve_and_saving_is_old_minus_new(rs):
    ledger = jc.cost(jc.Events.from_records(rs))
    lines = ledger.lines()
    assert sum(lines.column("cost"), Decimal(0)) == ledger.total
    c = ledger.compare(period="quarter")
    assert c.saving == c.baseline_cost - c.alternative_cost
    assert c.baseline_cost + c.alternative_cost == ledger.total
    by_pathway = {"old": Decimal(0), "new": Decimal(0)}
    for row in lines.rows():
        by_pathway[row["pathway"]] += row["cost"]
    assert (by_pathway["old"], by_pathway["new"]) == (c.baseline_cost, c.alternative_cost)


@PROFILE
@given(records(), st.randoms(use_true_random=False))
def test_order_does_not_matter(rs, rnd):
    shuffled = list(rs)
    rnd.shuffle(shuffled)
    a = jc.cost(jc.Events.from_records(rs)).compare(period="year")
    b = jc.cost(jc.Events.from_records(shuffled)).compare(period="year")
    assert a.saving == b.saving
    for name in ("series", "agencies", "demand", "tiers", "persons"):
        assert getattr(a, name).rows() == getattr(b, name).rows(), name


@PROFILE
@given(records())
def test_records_polars_and_arrow_agree(rs):
    events = jc.Events.from_records(rs)
    frame = pl.DataFrame(
        {
            k: [r.get(k) for r in rs]
            for k in ("person_id", "pathway", "date", "code", "quantity", "cost", "probability")
        },
        schema={
            "person_id": pl.String,
            "pathway": pl.String,
            "date": pl.Date,
            "code": pl.String,
            "quantity": pl.Decimal(38, 6),
            "cost": pl.Decimal(38, 4),
            "probability": pl.Decimal(38, 3),
        },
    )
    via_polars = jc.Events.from_polars(frame)
    assert jc.cost(via_polars).total == jc.cost(events).total
    assert via_polars.to_table().rows() == events.to_table().rows()
