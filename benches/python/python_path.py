#!/usr/bin/env python3
"""The Python path of issue #8: a polars DataFrame of events, costed by journeycost
(`Events.from_polars(df)` then `cost`, then the three tables of `journeycost cost`), against
polars doing the same aggregation (the workload of ../shared/bench/WORKLOAD.md) on the same
DataFrame, in the same process.

Usage: python benches/python/python_path.py DATADIR [journeycost|polars|both] [RUNS]

The DataFrame is read once, untimed, with exact types (dates as pl.Date, quantity as
pl.Decimal). Each side is then timed RUNS times (median printed), and with `both` the two
summaries are checked to be equal to the penny. Peak memory is the process's: run one side per
process (`journeycost` or `polars`) to read it.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import polars as pl


def read(datadir: Path) -> pl.DataFrame:
    return pl.read_csv(
        datadir / "events.csv",
        schema={
            "person_id": pl.String,
            "pathway": pl.String,
            "date": pl.Date,
            "code": pl.String,
            "quantity": pl.Decimal(18, 2),
        },
    )


def polars_side(df: pl.DataFrame, datadir: Path, year: int = 2024) -> list[tuple[str, str, str, str]]:
    """The peers' polars aggregation, on the in-memory frame: monthly, persons and summary."""
    defl = pl.read_csv(datadir / "deflators.csv", schema={"year": pl.Int32, "index": pl.Decimal(18, 4)})
    idx = defl.select("year", ten_k=(pl.col("index") * 10_000).cast(pl.Int64))
    idx_t = idx.filter(pl.col("year") == year)["ten_k"].item()
    cat = pl.read_csv(
        datadir / "catalogue.csv", schema_overrides={"unit_cost": pl.Decimal(18, 2), "price_year": pl.Int32}
    )
    num = (pl.col("unit_cost") * 100).cast(pl.Int64) * idx_t
    q, r = num // pl.col("ten_k"), num % pl.col("ten_k")
    up = (2 * r > pl.col("ten_k")) | ((2 * r == pl.col("ten_k")) & (q % 2 == 1))
    cat = cat.join(idx, left_on="price_year", right_on="year").select(
        "code",
        "agency",
        real=((q + up.cast(pl.Int64)).cast(pl.Decimal(18, 0)) * pl.lit(Decimal("0.01"))).cast(pl.Decimal(18, 4)),
    )
    ev = df.lazy().join(cat.lazy(), on="code", how="left").with_columns(cost=pl.col("real") * pl.col("quantity"))
    old = pl.col("cost").filter(pl.col("pathway") == "old").sum()
    new = pl.col("cost").filter(pl.col("pathway") == "new").sum()
    monthly = ev.group_by("pathway", "agency", month=pl.col("date").dt.strftime("%Y-%m")).agg(
        events=pl.len(), cost=pl.col("cost").sum()
    )
    persons = ev.group_by("person_id").agg(old_cost=old, new_cost=new)
    by_agency = ev.group_by("agency").agg(old_cost=old, new_cost=new).sort("agency")
    monthly, persons, by_agency = pl.collect_all([monthly, persons, by_agency])
    return [
        (r[0], str(r[1].quantize(Decimal("0.01"))), str(r[2].quantize(Decimal("0.01"))), "")
        for r in by_agency.iter_rows()
    ]


def journeycost_side(df: pl.DataFrame, datadir: Path) -> list[tuple[str, str, str, str]]:
    import journeycost as jc

    events = jc.Events.from_polars(df)
    ledger = jc.cost(
        events, catalogue=datadir / "catalogue.csv", prices=datadir / "deflators.csv", price_year=2024, progress=False
    )
    ledger.monthly()
    ledger.persons()
    summary = ledger.summary()
    return [(r["agency"], str(r["old_cost"]), str(r["new_cost"]), "") for r in summary.rows() if r["agency"] != "TOTAL"]


def timed(f, runs: int):
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    datadir = Path(sys.argv[1])
    which = sys.argv[2] if len(sys.argv) > 2 else "both"
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    t = time.perf_counter()
    df = read(datadir)
    print(f"read {df.height:,} events with polars in {time.perf_counter() - t:.2f} s (untimed below)")
    results = {}
    if which in ("polars", "both"):
        s, results["polars"] = timed(lambda: polars_side(df, datadir), runs)
        print(f"polars aggregation:                 {s:.2f} s")
    if which in ("journeycost", "both"):
        s, results["journeycost"] = timed(lambda: journeycost_side(df, datadir), runs)
        print(f"journeycost from_polars + cost:     {s:.2f} s")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if len(results) == 2:
        agree = [a[:3] for a in results["polars"]] == [b[:3] for b in results["journeycost"]]
        print("summary: identical to the penny" if agree else "summary: DIFFERS")
        if not agree:
            sys.exit(1)


if __name__ == "__main__":
    main()
