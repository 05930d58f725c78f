"""Random small input sets (fixed seeds, so deterministic): `journeycost cost` must agree with the
reference byte for byte, and must not depend on the order of the event rows.

The generator leans on the cases most likely to go wrong: spells across month and year
boundaries (and 29 February), day/week/year units, probabilities, zero quantities, row cost
overrides (also negative), negative unit costs, half-penny ties in step 1, in sums and in spell
totals, equal largest-remainder ties, a third pathway, quoted agency names, shuffled columns,
CRLF line ends and a BOM.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import oracle
import pytest
from checks import assert_files_match, assert_plain_csv_bytes, assert_same_bytes

COST_SEEDS = range(40)
COMPARE_SEEDS = range(0, 40, 3)

AGENCIES = ["Police", "Housing", "Housing, Ltd", 'The "Hub"', "NHS", "Équipe Santé", "alpha lower", "Beta", "Beta Two"]
PERSONS = ["P0000001", "P0000002", "P0000003", "P0000010", "P0000100", "P9999999", "p0000001", "ANNA"]
TIE_COSTS = ["0.05", "0.15", "2.25", "4.35", "10.05", "0.95", "205.15", "1.01"]
QUANTITIES = ["0", "1", "2", "0.5", "0.25", "1.5", "2.50", "3", "0.125", "0.01", "7", "1.000001"]
PROBABILITIES = ["0", "1", "0.5", "0.25", "0.6", "0.4", "0.333333", "0.75", "1.0", "0.05"]
UNITS = ["event"] * 3 + ["hour"] + ["day"] * 2 + ["week"] * 3 + ["year"] * 2


def scaled(n: int, places: int) -> str:
    """The integer ``n`` as a decimal with ``places`` decimals (``scaled(-125, 2) == "-1.25"``)."""
    sign = "-" if n < 0 else ""
    n = abs(n)
    if places == 0:
        return f"{sign}{n}"
    return f"{sign}{n // 10**places}.{n % 10**places:0{places}d}"


def rand_decimal(rng: random.Random, hi: int, places: int) -> str:
    return scaled(rng.randint(0, hi * 10**places), places)


@dataclass
class InputSet:
    catalogue: bytes
    deflators: bytes
    header: list[str]
    rows: list[list[str]]
    line_end: str
    price_year: str | None

    def events(self, rows: list[list[str]] | None = None) -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator=self.line_end)
        w.writerow(self.header)
        w.writerows(self.rows if rows is None else rows)
        return buf.getvalue().encode("utf-8")

    def write(self, d: Path, rows: list[list[str]] | None = None) -> Path:
        d.mkdir(parents=True, exist_ok=True)
        (d / "catalogue.csv").write_bytes(self.catalogue)
        (d / "deflators.csv").write_bytes(self.deflators)
        (d / "events.csv").write_bytes(self.events(rows))
        return d


def _csv_bytes(header: list[str], rows: list[list[str]], line_end: str = "\n", bom: bool = False) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=line_end)
    w.writerow(header)
    w.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8")


def _deflators(rng: random.Random, seed: int) -> tuple[list[tuple[str, str]], list[str | None]]:
    """(year label, index) rows and the price years to ask for (None: the default, the latest)."""
    style = seed % 4
    if style == 0:  # designed: ratio 1.1 from 2022 to 2024 gives step-1 ties; 4-dp and recurring ratios
        rows = [
            ("2019", "98.4896"),
            ("2020", "91.6667"),
            ("2021", "88.0000"),
            ("2022", "100.00"),
            ("2023", "106.7250"),
            ("2024", "110.00"),
        ]
        return rows, [None, "2024", "2023"]
    if style == 1:  # random calendar years
        first = rng.randint(2015, 2019)
        years = [str(y) for y in range(first, first + rng.randint(3, 7))]
    elif style == 2:  # UK financial years
        first = rng.randint(2015, 2019)
        years = [f"{y}/{(y + 1) % 100:02d}" for y in range(first, first + rng.randint(3, 7))]
    else:  # both kinds in one file, in no particular order (2023/24 is later than 2023)
        years = ["2020", "2020/21", "2021", "2021/22", "2022", "2023", "2023/24"]
        rng.shuffle(years)
    rows = []
    for y in years:
        places = rng.choice([0, 1, 2, 4, 4, 4, 6])
        rows.append((y, scaled(rng.randint(50 * 10**places, 130 * 10**places), places)))
    return rows, [None, rng.choice(years)]


def _spell(rng: random.Random, start: dt.date) -> tuple[dt.date, dt.date]:
    kind = rng.randrange(7)
    if kind == 0:  # a single day
        return start, start
    if kind == 1:  # short
        return start, start + dt.timedelta(days=rng.randint(1, 45))
    if kind == 2:  # long, across years
        return start, start + dt.timedelta(days=rng.randint(28, 800))
    if kind == 3:  # whole months (equal remainders, ties to the earlier month)
        first = dt.date(start.year, start.month, 1)
        months = rng.randint(1, 14)
        y, m = divmod(start.month - 1 + months, 12)
        return first, dt.date(start.year + y, m + 1, 1) - dt.timedelta(days=1)
    if kind == 4:  # across a new year
        y = rng.randint(2019, 2024)
        return dt.date(y, 12, rng.randint(15, 31)), dt.date(y + 1, rng.randint(1, 2), rng.randint(1, 28))
    if kind == 5:  # across 29 February 2024
        return dt.date(2024, 2, rng.randint(1, 29)), dt.date(2024, 3, rng.randint(1, 31))
    # exactly a week / a year long
    return start, start + dt.timedelta(days=rng.choice([6, 13, 364, 365]))


def generate(seed: int) -> InputSet:
    rng = random.Random(seed)
    defl, price_years = _deflators(rng, seed)
    labels = [y for y, _ in defl]

    agencies = rng.sample(AGENCIES, rng.randint(2, 5))
    lines = []
    for i in range(rng.randint(3, 9)):
        unit = rng.choice(UNITS)
        pick = rng.random()
        if pick < 0.3:
            cost = rng.choice(TIE_COSTS)
        elif pick < 0.4:
            cost = rand_decimal(rng, 50, rng.choice([3, 4, 8]))
        elif pick < 0.47:
            cost = "0.00"
        elif pick < 0.55:
            cost = "-" + rand_decimal(rng, 300, 2)
        elif pick < 0.6:
            cost = rand_decimal(rng, 250000, 2)
        else:
            cost = rand_decimal(rng, 2000, rng.choice([0, 1, 2, 2, 2]))
        code = f"C{i}" if rng.random() < 0.85 else f"c-low{i}"
        tier = rng.choice(["", "1", "2", "3", "4"])
        demand = rng.choice(["", "value", "failure"])
        # "2022" exists only in the designed deflators; otherwise any year of the file
        year = "2022" if seed % 4 == 0 and rng.random() < 0.5 else rng.choice(labels)
        lines.append(
            {
                "code": code,
                "agency": rng.choice(agencies),
                "unit": unit,
                "unit_cost": cost,
                "price_year": year,
                "tier": tier,
                "demand": demand,
            }
        )
    lines.append(
        {
            "code": "UNUSED",
            "agency": "Zeta Unused",
            "unit": "event",
            "unit_cost": "5.00",
            "price_year": labels[0],
            "tier": "",
            "demand": "",
        }
    )
    cat_cols = ["code", "agency", "unit", "unit_cost", "price_year", "tier", "demand"]
    if seed % 3 == 1:
        rng.shuffle(cat_cols)
    catalogue = _csv_bytes(cat_cols, [[ln[c] for c in cat_cols] for ln in lines], bom=seed % 7 == 0)

    usable = lines[:-1]
    pathways = ["old", "new"] + (["pilot"] if seed % 5 == 2 else [])
    persons = rng.sample(PERSONS, rng.randint(1, 6))
    zero_new = seed % 11 == 3  # every alternative event has probability 0: the pathway costs nothing
    events = []
    for _ in range(rng.randint(15, 60)):
        ln = rng.choice(usable)
        start = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 6 * 365))
        end = None
        if ln["unit"] in oracle.SPELL_DAYS and rng.random() < 0.65:
            start, end = _spell(rng, start)
        pathway = rng.choices(pathways, weights=[45, 45, 10][: len(pathways)])[0]
        q = rng.random()
        quantity = "" if q < 0.2 else rng.choice(QUANTITIES) if q < 0.8 else rand_decimal(rng, 20, rng.randint(0, 6))
        probability = (
            ""
            if rng.random() < 0.55
            else rng.choice(PROBABILITIES)
            if rng.random() < 0.7
            else rand_decimal(rng, 1, rng.randint(1, 6))
        )
        if zero_new and pathway == "new":
            probability = "0"
        c = rng.random()
        cost = (
            ""
            if c < 0.85
            else rng.choice(TIE_COSTS)
            if c < 0.92
            else ("-" if rng.random() < 0.4 else "") + rand_decimal(rng, 500, rng.choice([2, 4]))
        )
        demand = "" if rng.random() < 0.8 else rng.choice(["value", "failure"])
        note = "" if rng.random() < 0.8 else rng.choice(['said "no", twice', "a, b", "plain"])
        events.append(
            {
                "person_id": rng.choice(persons),
                "pathway": pathway,
                "date": start.isoformat(),
                "code": ln["code"],
                "quantity": quantity,
                "end_date": end.isoformat() if end else "",
                "cost": cost,
                "probability": probability,
                "demand": demand,
                "note": note,
            }
        )
    # make sure both compared pathways have events
    for pw in ("old", "new"):
        if not any(e["pathway"] == pw for e in events):
            events[len(events) // 2 if pw == "new" else 0]["pathway"] = pw
    cols = ["person_id", "pathway", "date", "code"]
    cols.extend(
        opt
        for opt in ("quantity", "end_date", "cost", "probability", "demand", "note")
        if any(e[opt] for e in events) or rng.random() < 0.5
    )
    if seed % 3 == 0:
        rng.shuffle(cols)
    return InputSet(
        catalogue=catalogue,
        deflators=_csv_bytes(["year", "index"], [list(r) for r in (defl if seed % 2 else defl[::-1])]),
        header=cols,
        rows=[[e[c] for c in cols] for e in events],
        line_end="\r\n" if seed % 5 == 0 else "\n",
        price_year=rng.choice(price_years),
    )


def _reference_inputs(d: Path) -> oracle.Inputs:
    return oracle.Inputs.load(d / "catalogue.csv", d / "deflators.csv", d / "events.csv")


def _cost(journeycost, d: Path, out: Path, price_year: str | None):
    args = [
        "cost",
        "--catalogue",
        d / "catalogue.csv",
        "--deflators",
        d / "deflators.csv",
        "--events",
        d / "events.csv",
        "--out",
        out,
    ]
    if price_year:
        args += ["--price-year", price_year]
    return journeycost(*args)


def test_generator_is_deterministic_and_covers_the_edges():
    sets = [generate(s) for s in COST_SEEDS]
    assert generate(7).events() == sets[7].events(), "same seed, same bytes"
    rows = [dict(zip(s.header, r)) for s in sets for r in s.rows]
    spells = [r for r in rows if r.get("end_date")]
    assert len(spells) > 100
    assert any(r["date"][:4] != r["end_date"][:4] for r in spells), "a spell across a year boundary"
    assert any(r["date"][:7] != r["end_date"][:7] for r in spells), "a spell across a month boundary"
    assert any(r["date"] <= "2024-02-29" <= r["end_date"] for r in spells), "a spell over 29 February"
    assert any(r.get("quantity") == "0" for r in rows), "zero quantities"
    assert any(r.get("probability") not in (None, "", "1", "1.0") for r in rows), "probabilities"
    assert any(r.get("cost", "").startswith("-") for r in rows), "negative row costs"
    units = b"".join(s.catalogue for s in sets)
    for unit in (b",day,", b",week,", b",year,"):
        assert unit in units


@pytest.mark.parametrize("seed", COST_SEEDS)
def test_cost_matches_reference_and_ignores_row_order(journeycost, tmp_path, seed):
    s = generate(seed)
    d = s.write(tmp_path / "in")
    _cost(journeycost, d, tmp_path / "out", s.price_year)
    expected = oracle.cost_tables(_reference_inputs(d), s.price_year)
    for name in expected:
        assert_plain_csv_bytes((tmp_path / "out" / name).read_bytes(), name)
    assert_files_match(tmp_path / "out", expected, f"seed {seed}: ")

    rows = list(s.rows)
    random.Random(seed + 10_000).shuffle(rows)
    if rows == s.rows:
        rows.reverse()
    d2 = s.write(tmp_path / "shuffled", rows)
    _cost(journeycost, d2, tmp_path / "out2", s.price_year)
    for name in expected:
        assert_same_bytes(
            (tmp_path / "out2" / name).read_bytes(),
            (tmp_path / "out" / name).read_bytes(),
            f"seed {seed} shuffled: {name}",
        )


@pytest.mark.parametrize("seed", COMPARE_SEEDS)
def test_compare_matches_reference_on_random_sets(journeycost, tmp_path, seed):
    s = generate(seed)
    d = s.write(tmp_path / "in")
    period = oracle.PERIOD_KINDS[seed % 4]
    args = [
        "compare",
        "--catalogue",
        d / "catalogue.csv",
        "--deflators",
        d / "deflators.csv",
        "--events",
        d / "events.csv",
        "--period",
        period,
        "--out",
        tmp_path / "out",
    ]
    if s.price_year:
        args += ["--price-year", s.price_year]
    journeycost(*args)
    e = oracle.compare(_reference_inputs(d), "old", "new", period, s.price_year)
    assert_files_match(tmp_path / "out", e.files, f"seed {seed} ({period}): ")
    g = json.loads((tmp_path / "out" / "comparison.json").read_bytes())["groups"][0]
    c = g["comparison"]
    assert g["persons"] == e.persons_in_ledger
    assert c["break_even"] == e.break_even
    assert c["price_base"] == e.price_base
    assert c["savings"] == e.savings
    base, alt = e.total
    assert (c["total"]["baseline_cost"], c["total"]["alternative_cost"], c["total"]["saving"]) == (
        oracle.money(base),
        oracle.money(alt),
        oracle.money(base - alt),
    )
    assert (c["saving_share"] is None) == (e.saving_share is None)
    if e.saving_share is not None:
        assert Fraction(Decimal(c["saving_share"])) == e.saving_share
    for t, (side, periods, slope, intercept) in zip(c["trend"], e.trend, strict=True):
        assert (t["pathway"], t["periods"]) == (side, periods)
        assert abs(Fraction(t["slope"]) - slope) <= Fraction(1, 10**9) * max(1, abs(slope))
        assert abs(Fraction(t["intercept"]) - intercept) <= Fraction(1, 10**9) * max(1, abs(intercept))
