"""A small set worked out by hand (every number below was computed on paper from the rules, not
by running either implementation), checked against both the reference and the binary.

Deflators 2022 = 100.00, 2024 = 110.00; price base 2024.

| row | what | by hand |
|---|---|---|
| A old CALL | 205.15@2022 -> 225.665 -> 225.66 (tie, even); x 0.5 qty x 0.5 prob | 56.415 exact (prints 56.42) |
| A new CALL | row cost 0.15, converted with the line's 2022 -> 0.165 -> 0.16 (tie, even) | 0.16 |
| A old FOSTER | 922.18/week x 2 x 0.6 x 91 days / 7 = 14386.008 -> 14386.01, by days 30/30/31 | Oct 4742.64, Nov 4742.64, Dec 4900.73 |
| B old YEAR | 0.08/year x 91 / 365 = 0.01994... -> 0.02, by days 30/31/30: remainders 60, 62, 60 | Apr 0.01, May 0.01 (tie Apr/Jun goes to Apr), Jun 0.00 |
| B new NEG | the same at -0.08: the negation | Apr -0.01, May -0.01, Jun 0.00 |
| B old DAY | 0.01/day x 0.5 x 3 days = 0.015 -> 0.02 (tie, even), by days 1/2 | Jan 0.01, Feb 0.01 |
| C new WEEK | 7.00/week, 2023-12-29 to 2024-01-04: 7 days, 3 + 4 | Dec 3.00, Jan 4.00 |
| C old DAY | 0.01 x 0.5 x 5 days = 0.025 -> 0.02 (tie, even) | Mar 0.02 |
| C new WEEK | quantity 0 | Feb 0.00, still one event |
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import oracle
import pytest
from checks import assert_same_bytes

CATALOGUE = """\
code,agency,unit_cost,price_year,unit,tier,demand
CALL,Police,205.15,2022,event,4,failure
FOSTER,Children,922.18,2024,week,4,value
YEAR,Children,0.08,2024,year,,
NEG,Children,-0.08,2024,year,,
DAY,Housing,0.01,2024,day,2,
WEEK,Housing,7.00,2024,week,3,value
"""
DEFLATORS = "year,index\n2022,100.00\n2024,110.00\n"
EVENTS = """\
person_id,pathway,date,code,quantity,end_date,cost,probability,demand
A,old,2024-01-05,CALL,0.5,,,0.5,
A,new,2024-01-06,CALL,1,,0.15,,value
A,old,2023-10-02,FOSTER,2,2023-12-31,,0.6,
B,old,2024-04-01,YEAR,1,2024-06-30,,,
B,new,2024-04-01,NEG,1,2024-06-30,,,
B,old,2024-01-31,DAY,0.5,2024-02-02,,,
C,new,2023-12-29,WEEK,1,2024-01-04,,,
C,old,2024-03-01,DAY,0.5,2024-03-05,,,
C,new,2024-02-10,WEEK,0,2024-02-20,,,
"""

MONTHLY = """\
pathway,agency,month,events,cost
new,Children,2024-04,1,-0.01
new,Children,2024-05,1,-0.01
new,Children,2024-06,1,0.00
new,Housing,2023-12,1,3.00
new,Housing,2024-01,1,4.00
new,Housing,2024-02,1,0.00
new,Police,2024-01,1,0.16
old,Children,2023-10,1,4742.64
old,Children,2023-11,1,4742.64
old,Children,2023-12,1,4900.73
old,Children,2024-04,1,0.01
old,Children,2024-05,1,0.01
old,Children,2024-06,1,0.00
old,Housing,2024-01,1,0.01
old,Housing,2024-02,1,0.01
old,Housing,2024-03,1,0.02
old,Police,2024-01,1,56.42
"""
# A old 56.415 + 14386.01 = 14442.425 -> 14442.42; saving 14442.265 -> 14442.26 (ties, even)
PERSONS = """\
person_id,old_cost,new_cost,saving
A,14442.42,0.16,14442.26
B,0.04,-0.02,0.06
C,0.02,7.00,-6.98
"""
# TOTAL old 14442.485 -> 14442.48, saving 14435.345 -> 14435.34; Police saving 56.255 -> 56.26
SUMMARY = """\
agency,old_cost,new_cost,saving
Children,14386.03,-0.02,14386.05
Housing,0.04,7.00,-6.96
Police,56.42,0.16,56.26
TOTAL,14442.48,7.14,14435.34
"""
# by quarter: the foster spell is one event in 2023-Q4; the Dec/Jan week spell one event in
# each of 2023-Q4 and 2024-Q1; old 2024-Q1 = 56.415 + 0.02 + 0.02 = 56.455 -> 56.46,
# cumulative 14442.465 -> 14442.46 (ties, even)
SERIES_QUARTER = """\
pathway,period,events,cost,cumulative_cost
new,2023-Q4,1,3.00,3.00
new,2024-Q1,3,4.16,7.16
new,2024-Q2,1,-0.02,7.14
old,2023-Q4,1,14386.01,14386.01
old,2024-Q1,3,56.46,14442.46
old,2024-Q2,1,0.02,14442.48
"""
# by month the same spell counts once in each month it touches
SERIES_MONTH_NEW_EVENTS = {
    "2023-12": 1,
    "2024-01": 2,
    "2024-02": 1,
    "2024-03": 0,
    "2024-04": 1,
    "2024-05": 1,
    "2024-06": 1,
}
AGENCIES = """\
agency,baseline_cost,alternative_cost,saving
Children,14386.03,-0.02,14386.05
Housing,0.04,7.00,-6.96
Police,56.42,0.16,56.26
TOTAL,14442.48,7.14,14435.34
"""
# quarter view: new value = CALL (override) + WEEK (Q4 and Q1: two) + WEEK qty 0 = 4 events,
# 0.16 + 7.00 + 0 = 7.16 of 7.14 -> 1.0028; unclassified NEG -0.02 / 7.14 -> -0.0028
DEMAND_NEW = """\
new,failure,0,0.00,0.0000
new,value,4,7.16,1.0028
new,unclassified,1,-0.02,-0.0028
"""


@pytest.fixture
def handset(tmp_path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "catalogue.csv").write_text(CATALOGUE, encoding="utf-8")
    (d / "deflators.csv").write_text(DEFLATORS, encoding="utf-8")
    (d / "events.csv").write_text(EVENTS, encoding="utf-8")
    return d


def _flags(d: Path) -> list:
    return ["--catalogue", d / "catalogue.csv", "--deflators", d / "deflators.csv", "--events", d / "events.csv"]


def test_reference_reproduces_the_hand_computation(handset):
    files = oracle.cost_tables(
        oracle.Inputs.load(*(handset / f"{n}.csv" for n in ("catalogue", "deflators", "events"))), "2024"
    )
    assert files["monthly.csv"].decode() == MONTHLY
    assert files["persons.csv"].decode() == PERSONS
    assert files["summary.csv"].decode() == SUMMARY
    c = oracle.compare(
        oracle.Inputs.load(*(handset / f"{n}.csv" for n in ("catalogue", "deflators", "events"))), period="quarter"
    )
    assert c.files["series.csv"].decode() == SERIES_QUARTER
    assert c.files["agencies.csv"].decode() == AGENCIES
    assert DEMAND_NEW in c.files["demand.csv"].decode()
    assert c.break_even == "2023-Q4"


def test_cost_by_hand(journeycost, handset, tmp_path):
    out = tmp_path / "out"
    journeycost("cost", *_flags(handset), "--out", out)  # price year: the latest, 2024
    assert_same_bytes((out / "monthly.csv").read_bytes(), MONTHLY.encode(), "monthly.csv")
    assert_same_bytes((out / "persons.csv").read_bytes(), PERSONS.encode(), "persons.csv")
    assert_same_bytes((out / "summary.csv").read_bytes(), SUMMARY.encode(), "summary.csv")


def test_compare_by_hand(journeycost, handset, tmp_path):
    out = tmp_path / "out"
    journeycost("compare", *_flags(handset), "--period", "quarter", "--out", out)
    assert_same_bytes((out / "series.csv").read_bytes(), SERIES_QUARTER.encode(), "series.csv")
    assert_same_bytes((out / "agencies.csv").read_bytes(), AGENCIES.encode(), "agencies.csv")
    assert DEMAND_NEW in (out / "demand.csv").read_text(encoding="utf-8")
    c = json.loads((out / "comparison.json").read_text(encoding="utf-8"))["groups"][0]["comparison"]
    assert c["break_even"] == "2023-Q4"
    assert c["price_base"] == "2024"


def test_spell_events_count_once_per_month_touched(journeycost, handset, tmp_path):
    out = tmp_path / "out"
    journeycost("compare", *_flags(handset), "--period", "month", "--out", out)
    rows = [line.split(",") for line in (out / "series.csv").read_text(encoding="utf-8").splitlines()[1:]]
    got = {r[1]: int(r[2]) for r in rows if r[0] == "new" and r[1] in SERIES_MONTH_NEW_EVENTS}
    assert got == SERIES_MONTH_NEW_EVENTS


def _write(d: Path, catalogue: str, events: str) -> Path:
    d.mkdir(parents=True)
    (d / "catalogue.csv").write_text(catalogue, encoding="utf-8")
    (d / "deflators.csv").write_text("year,index\n2024,100\n", encoding="utf-8")
    (d / "events.csv").write_text(events, encoding="utf-8")
    return d


def test_baseline_costing_nothing_has_no_shares_and_no_break_even(journeycost, tmp_path):
    """Baseline total 0: saving_share null, the baseline's cost_share cells empty. The
    alternative is above the baseline in the last period, so there is no break-even."""
    d = _write(
        tmp_path / "in",
        "code,agency,unit_cost,price_year,unit,demand\nX,Agency,1.00,2024,event,failure\n",
        "person_id,pathway,date,code,probability\nP1,old,2024-01-10,X,0\nP1,new,2024-02-10,X,\n",
    )
    out = tmp_path / "out"
    journeycost("compare", *_flags(d), "--out", out)
    assert (out / "demand.csv").read_text(encoding="utf-8") == (
        "pathway,demand,events,cost,cost_share\n"
        "new,failure,1,1.00,1.0000\nnew,value,0,0.00,0.0000\nnew,unclassified,0,0.00,0.0000\n"
        "old,failure,1,0.00,\nold,value,0,0.00,\nold,unclassified,0,0.00,\n"
    )
    assert (out / "series.csv").read_text(encoding="utf-8") == (
        "pathway,period,events,cost,cumulative_cost\n"
        "new,2024-01,0,0.00,0.00\nnew,2024-02,1,1.00,1.00\nold,2024-01,1,0.00,0.00\nold,2024-02,0,0.00,0.00\n"
    )
    c = json.loads((out / "comparison.json").read_text(encoding="utf-8"))["groups"][0]["comparison"]
    assert c["saving_share"] is None
    assert c["break_even"] is None
    assert c["total"]["saving"] == "-1.00"


def test_equal_cumulative_lines_break_even_in_the_first_period(journeycost, tmp_path):
    """`<=`: an alternative exactly equal to the baseline breaks even from the first period."""
    events = "person_id,pathway,date,code,quantity,end_date\n" + "".join(
        f"P1,{pw},2023-11-20,W,1.5,2024-02-03\nP2,{pw},2024-03-01,X,2,\n" for pw in ("old", "new")
    )
    d = _write(
        tmp_path / "in", "code,agency,unit_cost,price_year,unit\nW,A,10.01,2024,week\nX,B,0.333,2024,event\n", events
    )
    out = tmp_path / "out"
    journeycost("compare", *_flags(d), "--period", "quarter", "--out", out)
    c = json.loads((out / "comparison.json").read_text(encoding="utf-8"))["groups"][0]["comparison"]
    assert c["break_even"] == "2023-Q4"
    assert c["total"]["saving"] == "0.00"
    assert c["saving_share"] is not None and Fraction(Decimal(c["saving_share"])) == 0
    # 10.01 x 1.5 x 76 days / 7 = 163.020857... -> 163.02 = 16302p = 214.5p a day, over 11, 31,
    # 31, 3 days: every remainder is the same half penny, so the 2 pennies left go to the two
    # earliest months: Nov 23.60, Dec 66.50, Jan 66.49, Feb 6.43. Q4 90.10; Q1 72.92 + X
    # (0.333 -> 0.33, x 2) 0.66 = 73.58.
    e = oracle.compare(oracle.Inputs.load(d / "catalogue.csv", d / "deflators.csv", d / "events.csv"), period="quarter")
    assert e.files["series.csv"] == (out / "series.csv").read_bytes()
    assert (out / "series.csv").read_text(encoding="utf-8").splitlines()[1:3] == [
        "new,2023-Q4,1,90.10,90.10",
        "new,2024-Q1,2,73.58,163.68",
    ]


def test_equal_remainders_go_to_the_earliest_months(journeycost, tmp_path):
    """The spell above by month: four equal remainders, two pennies left, Nov and Dec get them."""
    d = _write(
        tmp_path / "in",
        "code,agency,unit_cost,price_year,unit\nW,A,10.01,2024,week\n",
        "person_id,pathway,date,code,quantity,end_date\nP1,old,2023-11-20,W,1.5,2024-02-03\n",
    )
    out = tmp_path / "out"
    journeycost("cost", *_flags(d), "--out", out)
    assert (out / "monthly.csv").read_text(encoding="utf-8") == (
        "pathway,agency,month,events,cost\nold,A,2023-11,1,23.60\nold,A,2023-12,1,66.50\nold,A,2024-01,1,66.49\nold,A,2024-02,1,6.43\n"
    )
