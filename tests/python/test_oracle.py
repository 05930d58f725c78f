"""Self-checks of the reference implementation (oracle.py), so that agreement with the binary
means something: the rules' documented examples, the bench oracle's golden files (where the two
overlap), and the Anna README's own table of uprated unit costs. The golden files are also run
through the binary."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from pathlib import Path

import oracle
import pytest
from checks import assert_files_match

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "data" / "oracle"
GOLDEN_RUNS = [
    (s, e.name.split("-", 1)[1])
    for s in ("edge", "ties", "sample", "quoting")
    for e in sorted((GOLDEN / s).glob("expected-*"))
]

F = Fraction


@pytest.mark.parametrize(
    "exact, printed",
    [
        ("0.055", "0.06"),
        ("0.165", "0.16"),
        ("2.475", "2.48"),
        ("4.785", "4.78"),
        ("11.055", "11.06"),
        ("1.045", "1.04"),
        ("5.505", "5.50"),
        ("5.515", "5.52"),
        ("-5.505", "-5.50"),
        ("-0.005", "0.00"),
        ("-0.004", "0.00"),
        ("-0.015", "-0.02"),
        ("-0.035", "-0.04"),
        ("0.025", "0.02"),
        ("7", "7.00"),
        ("0.1", "0.10"),
        ("123456789.999", "123456790.00"),
        ("0", "0.00"),
    ],
)
def test_money_is_half_even_and_never_negative_zero(exact, printed):
    assert oracle.money(F(exact)) == printed


def test_step_one_examples_of_the_golden_readme():
    index = {
        (2019, 0): F("98.4896"),
        (2020, 0): F("91.6667"),
        (2021, 0): F("88.0000"),
        (2022, 0): F("100.00"),
        (2023, 0): F("106.7250"),
        (2024, 0): F("110.00"),
    }
    t = (2024, 0)
    cases = [
        ("0.05", 2022, "0.06"),
        ("0.15", 2022, "0.16"),
        ("10.05", 2022, "11.06"),
        ("13.99", 2019, "15.62"),
        ("41.97", 2019, "46.88"),
        ("0.02", 2021, "0.02"),
        ("0.06", 2021, "0.08"),
        ("10.00", 2020, "12.00"),
        ("100.00", 2023, "103.07"),
        ("12.3456", 2022, "13.58"),
        ("2.0050", 2024, "2.00"),
        ("2.0150", 2024, "2.02"),
        ("3.14159265", 2024, "3.14"),
    ]
    for cost, year, real in cases:
        assert oracle.real_unit_cost(F(cost), (year, 0), t, index) == F(real), (cost, year)


def test_apportion_examples():
    assert oracle.apportion(F("10.00"), [1, 1, 1]) == [F("3.34"), F("3.33"), F("3.33")]
    assert oracle.apportion(F("-10.00"), [1, 1, 1]) == [F("-3.34"), F("-3.33"), F("-3.33")]
    assert oracle.apportion(F("0.01"), [31, 28]) == [F("0.01"), F(0)]
    assert oracle.apportion(F("0.02"), [30, 31, 30]) == [F("0.01"), F("0.01"), F(0)]
    assert oracle.apportion(F("5"), [0, 0]) == [F(0), F(0)]
    for total, weights in [("14386.01", [30, 30, 31]), ("-7.77", [3, 29, 31, 30, 1]), ("0.00", [5, 6])]:
        parts = oracle.apportion(F(total), weights)
        assert sum(parts) == F(total)


def test_month_days_examples():
    d = dt.date
    assert oracle.month_days(d(2024, 1, 30), d(2024, 3, 2)) == [((2024, 1), 2), ((2024, 2), 29), ((2024, 3), 2)]
    assert oracle.month_days(d(2023, 12, 15), d(2024, 2, 29)) == [((2023, 12), 17), ((2024, 1), 31), ((2024, 2), 29)]
    assert oracle.month_days(d(2024, 5, 5), d(2024, 5, 5)) == [((2024, 5), 1)]


def test_period_labels():
    m = (2024, 3)
    assert [oracle.period_label(k, oracle.period_of(k, m)) for k in oracle.PERIOD_KINDS] == [
        "2024-03",
        "2024-Q1",
        "2024",
        "2023/24",
    ]
    assert oracle.period_label("fy", oracle.period_of("fy", (2024, 4))) == "2024/25"
    assert oracle.period_label("fy", oracle.period_of("fy", (2000, 1))) == "1999/00"
    assert oracle.period_label("quarter", oracle.period_of("quarter", (2023, 12)) + 1) == "2024-Q1"


@pytest.mark.parametrize("name, year", GOLDEN_RUNS)
def test_reference_reproduces_the_bench_oracle(name, year):
    """Where the bench oracle's rules and ours overlap (point events), the outputs are identical."""
    d = GOLDEN / name
    inputs = oracle.Inputs.load(d / "catalogue.csv", d / "deflators.csv", d / "events.csv")
    files = oracle.cost_tables(inputs, year)
    for file, data in files.items():
        assert data == (d / f"expected-{year}" / file).read_bytes(), f"{name}/expected-{year}/{file}"


@pytest.mark.parametrize("name, year", GOLDEN_RUNS)
def test_binary_reproduces_the_bench_oracle(journeycost, tmp_path, name, year):
    d = GOLDEN / name
    out = tmp_path / "out"
    journeycost(
        "cost",
        "--catalogue",
        d / "catalogue.csv",
        "--deflators",
        d / "deflators.csv",
        "--events",
        d / "events.csv",
        "--price-year",
        year,
        "--out",
        out,
    )
    expected = {f: (d / f"expected-{year}" / f).read_bytes() for f in ("monthly.csv", "persons.csv", "summary.csv")}
    assert_files_match(out, expected, f"{name}/{year}: ")


def test_anna_readme_uprated_unit_costs():
    """The Anna README lists every line "at 2023/24 prices"; the reference's step 1 agrees."""
    anna = REPO / "examples" / "anna"
    inputs = oracle.Inputs.load(anna / "catalogue.csv", anna / "deflators.csv", anna / "events.csv")
    rows = re.findall(
        r"^\| `([^`]+)`[^|]*\|[^|]*\| (\w+) \| ([\d.]+) \| ([\d/]+) \| ([\d,.]+) \|",
        (anna / "README.md").read_text(encoding="utf-8"),
        re.M,
    )
    assert len(rows) == len(inputs.catalogue) == 35
    target = oracle.price_year_key("2023/24")
    for code, unit, cost, year, real in rows:
        line = inputs.catalogue[code]
        assert (line.unit, line.unit_cost, oracle.price_year_label(line.price_year)) == (unit, F(cost), year), code
        assert oracle.real_unit_cost(line.unit_cost, line.price_year, target, inputs.index) == F(
            real.replace(",", "")
        ), code
