"""`journeycost compare` on the bundled Anna example and the oracle sample set, checked file by
file against the reference implementation in oracle.py."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import oracle
import pytest
from checks import assert_plain_csv_bytes, assert_same_bytes, read_csv

REPO = Path(__file__).resolve().parents[2]
ANNA = REPO / "examples" / "anna"
SAMPLE = REPO / "tests" / "data" / "oracle" / "sample"
CSV_FILES = ("series.csv", "agencies.csv", "demand.csv", "failure.csv", "tiers.csv", "persons.csv")


@dataclass(frozen=True)
class Variant:
    """One `compare` run: its arguments and what the reference should be asked."""

    data: Path
    args: tuple[str, ...]
    period: str
    price_year: str | None
    baseline: str = "old"
    alternative: str = "new"
    persons: bool = True


def _flags(d: Path) -> tuple[str, ...]:
    return (
        "--catalogue",
        str(d / "catalogue.csv"),
        "--deflators",
        str(d / "deflators.csv"),
        "--events",
        str(d / "events.csv"),
    )


SCENARIO = str(ANNA / "scenario.toml")
VARIANTS = {
    # the scenario file says price year 2023/24 and period quarter
    "anna": Variant(ANNA, (SCENARIO,), "quarter", "2023/24"),
    "anna-month": Variant(ANNA, (SCENARIO, "--period", "month"), "month", "2023/24"),
    "anna-quarter": Variant(ANNA, (SCENARIO, "--period", "quarter"), "quarter", "2023/24"),
    "anna-year": Variant(ANNA, (SCENARIO, "--period", "year"), "year", "2023/24"),
    "anna-fy": Variant(ANNA, (SCENARIO, "--period", "fy"), "fy", "2023/24"),
    "anna-swapped-month": Variant(
        ANNA,
        (SCENARIO, "--baseline", "new", "--alternative", "old", "--period", "month"),
        "month",
        "2023/24",
        "new",
        "old",
    ),
    "anna-2013-14-fy": Variant(ANNA, (SCENARIO, "--price-year", "2013/14", "--period", "fy"), "fy", "2013/14"),
    # no persons file; price year defaults to the latest year of the deflators
    "sample-quarter": Variant(SAMPLE, (*_flags(SAMPLE), "--period", "quarter"), "quarter", None, persons=False),
}


_inputs_cache: dict[Path, oracle.Inputs] = {}


def _inputs(d: Path) -> oracle.Inputs:
    if d not in _inputs_cache:
        _inputs_cache[d] = oracle.Inputs.load(d / "catalogue.csv", d / "deflators.csv", d / "events.csv")
    return _inputs_cache[d]


@dataclass
class Run:
    out: Path
    stdout: str
    expected: oracle.Comparison

    def bytes(self, name: str) -> bytes:
        p = self.out / name
        assert p.is_file(), f"{name} was not written"
        return p.read_bytes()

    def json(self) -> dict:
        return json.loads(self.bytes("comparison.json"))


@pytest.fixture(scope="module")
def run_variant(journeycost, tmp_path_factory):
    cache: dict[str, Run] = {}

    def get(name: str) -> Run:
        if name not in cache:
            v = VARIANTS[name]
            out = tmp_path_factory.mktemp(f"compare-{name}") / "out"
            proc = journeycost("compare", *v.args, "--out", out)
            expected = oracle.compare(_inputs(v.data), v.baseline, v.alternative, v.period, v.price_year)
            cache[name] = Run(out, proc.stdout, expected)
        return cache[name]

    return get


def _money_fraction(s: str) -> Fraction:
    return Fraction(Decimal(s))


# ----------------------------------------------------------------------------- the CSV files


@pytest.mark.parametrize("name", CSV_FILES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_csv_matches_reference(run_variant, variant, name):
    r = run_variant(variant)
    data = r.bytes(name)
    assert_plain_csv_bytes(data, name)
    assert_same_bytes(data, r.expected.files[name], f"{variant}/{name}")


@pytest.mark.parametrize("variant", VARIANTS)
def test_series_covers_every_period_once_per_pathway(run_variant, variant):
    """Independent of the reference's bytes: consecutive periods, zero periods included, both
    pathways on the same periods, alternative-or-baseline order by pathway name."""
    v = VARIANTS[variant]
    rows = read_csv(run_variant(variant).bytes("series.csv"))
    assert rows[0] == ["pathway", "period", "events", "cost", "cumulative_cost"]
    by_side: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        by_side.setdefault(row[0], []).append(row)
    assert list(by_side) == sorted([v.baseline, v.alternative]), "pathways in byte order of their names"
    labels = [[r[1] for r in side] for side in by_side.values()]
    assert labels[0] == labels[1], "both pathways cover the same periods"
    kind = v.period
    # labels are consecutive periods of the kind
    parse = {
        "month": lambda s: int(s[:4]) * 12 + int(s[5:7]) - 1,
        "quarter": lambda s: int(s[:4]) * 4 + int(s[6]) - 1,
        "year": int,
        "fy": lambda s: int(s[:4]),
    }[kind]
    idx = [parse(s) for s in labels[0]]
    assert idx == list(range(idx[0], idx[0] + len(idx))), "every period from first to last"
    assert [oracle.period_label(kind, i) for i in idx] == labels[0]
    for side in by_side.values():
        # a period with no events costs 0.00 and leaves the cumulative unchanged
        for prev, row in zip([None, *side], side):
            if row[2] == "0":
                assert row[3] == "0.00"
                if prev is not None:
                    assert row[4] == prev[4]
    # the first and last periods have data on at least one side
    for pos in (0, -1):
        assert any(side[pos][2] != "0" for side in by_side.values())


@pytest.mark.parametrize("variant", VARIANTS)
def test_trend_is_the_least_squares_line(run_variant, variant):
    """trend.csv is a float statistic: compared with the exact fit to the printed precision."""
    r = run_variant(variant)
    rows = read_csv(r.bytes("trend.csv"))
    assert rows[0] == ["pathway", "periods", "slope", "intercept"]
    assert len(rows) - 1 == len(r.expected.trend)
    for row, (side, periods, slope, intercept) in zip(rows[1:], r.expected.trend):
        assert row[0] == side and int(row[1]) == periods
        for printed, exact in ((row[2], slope), (row[3], intercept)):
            assert re.fullmatch(r"-?\d+\.\d{6}", printed), printed
            assert not re.fullmatch(r"-0\.0+", printed), "negative zero printed"
            assert abs(Fraction(printed) - exact) <= Fraction(5, 10**7) + Fraction(1, 10**12), (
                side,
                printed,
                float(exact),
            )


# ----------------------------------------------------------------------------- comparison.json


@pytest.mark.parametrize("variant", VARIANTS)
def test_json_provenance(run_variant, variant, repo):
    v = VARIANTS[variant]
    doc = run_variant(variant).json()
    assert doc["schema"] == "journeycost/comparison/1"
    workspace = (repo / "Cargo.toml").read_text(encoding="utf-8")
    version = re.search(r'^\[workspace\.package\][^\[]*?^version\s*=\s*"([^"]+)"', workspace, re.M | re.S)
    assert version, "workspace version not found in Cargo.toml"
    assert doc["journeycost_version"] == version.group(1)
    roles = ["catalogue", "deflators", "events"] + (["persons"] if v.persons else [])
    assert [i["role"] for i in doc["inputs"]] == roles
    for item in doc["inputs"]:
        path = v.data / f"{item['role']}.csv"
        assert item["file"] == path.name
        assert item["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc["person"] is None and doc["by"] is None
    assert len(doc["groups"]) == 1 and doc["groups"][0]["group"] is None


@pytest.mark.parametrize("variant", VARIANTS)
def test_json_totals_and_break_even(run_variant, variant):
    r = run_variant(variant)
    e = r.expected
    g = r.json()["groups"][0]
    c = g["comparison"]
    assert g["persons"] == e.persons_in_ledger
    assert (c["baseline"], c["alternative"], c["period"], c["price_base"]) == (
        e.baseline,
        e.alternative,
        e.period,
        e.price_base,
    )
    base, alt = e.total
    assert c["total"] == {
        "agency": "TOTAL",
        "baseline_cost": oracle.money(base),
        "alternative_cost": oracle.money(alt),
        "saving": oracle.money(base - alt),
    }
    if e.saving_share is None:
        assert c["saving_share"] is None
    else:
        assert Fraction(Decimal(c["saving_share"])) == e.saving_share
    assert c["break_even"] == e.break_even


@pytest.mark.parametrize("variant", VARIANTS)
def test_break_even_is_the_first_period_that_stays_at_or_below(run_variant, variant):
    """break_even recomputed from its definition on the exact cumulative lines."""
    r = run_variant(variant)
    e = r.expected
    base, alt = e.cumulative[e.baseline], e.cumulative[e.alternative]
    stays = [all(alt[j] <= base[j] for j in range(i, len(base))) for i in range(len(base))]
    first = next((e.periods[i] for i, ok in enumerate(stays) if ok), None)
    assert r.json()["groups"][0]["comparison"]["break_even"] == first


@pytest.mark.parametrize("variant", VARIANTS)
def test_json_tables_equal_the_csv_files(run_variant, variant):
    r = run_variant(variant)
    c = r.json()["groups"][0]["comparison"]

    def body(name):
        return read_csv(r.bytes(name))[1:]

    assert [
        [s["pathway"], s["period"], str(s["events"]), s["cost"], s["cumulative_cost"]] for s in c["series"]
    ] == body("series.csv")
    assert [
        [a["agency"], a["baseline_cost"], a["alternative_cost"], a["saving"]] for a in [*c["agencies"], c["total"]]
    ] == body("agencies.csv")
    assert [[t["pathway"], t["tier"], str(t["events"]), t["cost"]] for t in c["tiers"]] == body("tiers.csv")
    assert [[p["person_id"], p["baseline_cost"], p["alternative_cost"], p["saving"]] for p in c["persons"]] == body(
        "persons.csv"
    )
    demand = body("demand.csv")
    assert len(c["demand"]) == len(demand)
    for d, row in zip(c["demand"], demand):
        assert [d["pathway"], d["demand"], str(d["events"]), d["cost"]] == row[:4]
        if d["cost_share"] is None:
            assert row[4] == ""
        else:
            assert Fraction(Decimal(d["cost_share"])) == Fraction(Decimal(row[4]))

    def share(v):
        return "" if v is None else f"{Decimal(v):.4f}"

    assert [
        [
            f["agency"],
            f["pathway"],
            str(f["events"]),
            str(f["failure_events"]),
            f["cost"],
            f["failure_cost"],
            share(f["failure_cost_share"]),
            share(f["failure_contact_share"]),
        ]
        for f in c["failure"]
    ] == body("failure.csv")
    for t, (side, periods, slope, intercept) in zip(c["trend"], r.expected.trend):
        assert t["pathway"] == side and t["periods"] == periods
        assert abs(Fraction(t["slope"]) - slope) <= Fraction(1, 10**9) * max(1, abs(slope))
        assert abs(Fraction(t["intercept"]) - intercept) <= Fraction(1, 10**9) * max(1, abs(intercept))


@pytest.mark.parametrize("variant", VARIANTS)
def test_json_savings_distribution(run_variant, variant):
    r = run_variant(variant)
    assert r.json()["groups"][0]["comparison"]["savings"] == r.expected.savings


# ----------------------------------------------------------------------------- cross-file consistency


@pytest.mark.parametrize("variant", VARIANTS)
def test_views_add_up_to_the_same_exact_totals(run_variant, variant):
    """The reference's series and totals are views of the same costed pieces (a self-check of
    the reference, so a reference bug cannot hide a binary bug)."""
    v = VARIANTS[variant]
    e = run_variant(variant).expected
    base, alt = e.total
    assert e.cumulative[v.baseline][-1] == base and e.cumulative[v.alternative][-1] == alt
    inputs = _inputs(v.data)
    pieces = oracle.cost_pieces(inputs, inputs.price_base(v.price_year))
    assert sum((p.cost for p in pieces if p.pathway == v.baseline), Fraction(0)) == base
    assert sum((p.cost for p in pieces if p.pathway == v.alternative), Fraction(0)) == alt


def test_scenario_period_is_quarter_and_flags_override_it(run_variant):
    """The scenario's `period = "quarter"` is the default; `--period quarter` gives the same bytes."""
    a, b = run_variant("anna"), run_variant("anna-quarter")
    for name in (*CSV_FILES, "trend.csv", "comparison.json"):
        assert a.bytes(name) == b.bytes(name), name
    assert "2020-Q4" in a.bytes("series.csv").decode()


def test_one_person_and_grouping_are_views_of_the_same_comparison(journeycost, run_variant, tmp_path):
    """Anna is the only person: `--person ANNA` gives the same tables; `--by primary_need` gives
    them with the group's value as a first column named after the attribute."""
    whole = run_variant("anna")
    one = tmp_path / "one"
    journeycost("compare", SCENARIO, "--person", "ANNA", "--out", one)
    for name in (*CSV_FILES, "trend.csv"):
        assert_same_bytes((one / name).read_bytes(), whole.bytes(name), f"--person ANNA: {name}")
    doc = json.loads((one / "comparison.json").read_bytes())
    assert doc["person"] == "ANNA" and doc["groups"][0]["persons"] == 1
    assert doc["groups"][0]["comparison"] == whole.json()["groups"][0]["comparison"]

    grouped = tmp_path / "grouped"
    journeycost("compare", SCENARIO, "--by", "primary_need", "--out", grouped)
    for name in (*CSV_FILES, "trend.csv"):
        plain = read_csv(whole.bytes(name))
        rows = read_csv((grouped / name).read_bytes())
        assert rows[0] == ["primary_need", *plain[0]], name
        assert rows[1:] == [["rent arrears", *r] for r in plain[1:]], name
    doc = json.loads((grouped / "comparison.json").read_bytes())
    assert doc["by"] == "primary_need"
    assert [g["group"] for g in doc["groups"]] == ["rent arrears"]
    assert doc["groups"][0]["comparison"] == whole.json()["groups"][0]["comparison"]
