"""A small, deliberately plain reference implementation of journeycost's costing rules.

Written from the stated semantics (crates/journeycost/src/ledger.rs module docs,
tests/data/oracle/README.md), never from the Rust code paths, and never calling Rust.
Every amount is an exact ``fractions.Fraction``; the only roundings are the named ones:

1. ``real_unit_cost = round_half_even(unit_cost * index[T] / index[price_year], 2)``; a row's own
   ``cost`` replaces ``unit_cost`` and is converted with the catalogue line's price year.
2. A point event costs ``real_unit_cost * quantity * probability`` (exact, unrounded).
3. A spell (``end_date`` given) of ``days = end - date + 1`` costs
   ``round_half_even(real_unit_cost * quantity * probability * days / D, 2)`` with D = 1, 7, 365
   for day, week, year; that total is apportioned to calendar months by days with the
   largest-remainder method at the penny (ties to the earlier month; a negative total is
   apportioned as the negation of the positive one).
4. In the ``events`` column a point event counts once; a spell counts once in every period (of the
   kind being reported) it touches.

Money is printed with two decimals, rounded half-even from the exact sum, never ``-0.00``.
Only the standard library is used.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

SPELL_DAYS = {"day": 1, "week": 7, "year": 365}
DEMAND_ORDER = ("failure", "value", None)
TIER_ORDER = (1, 2, 3, 4, None)


# --------------------------------------------------------------------------- numbers


def num(text: str) -> Fraction:
    """An exact decimal from its text (``"12.3456"``, ``"-0.5"``)."""
    return Fraction(text)


def round_half_even(x: Fraction, places: int = 2) -> Fraction:
    """``x`` rounded to ``places`` decimals, ties to the even last digit, exactly."""
    scale = 10**places
    scaled = Fraction(x) * scale
    q, r = divmod(scaled.numerator, scaled.denominator)  # floor; 0 <= r < denominator
    if 2 * r > scaled.denominator or (2 * r == scaled.denominator and q % 2 == 1):
        q += 1
    return Fraction(q, scale)


def fixed(x: Fraction, places: int) -> str:
    """``x`` rounded half-even to ``places`` decimals and printed; a zero is never negative."""
    units = round_half_even(x, places) * 10**places
    assert units.denominator == 1
    n = units.numerator
    sign = "-" if n < 0 else ""
    n = abs(n)
    whole, frac = divmod(n, 10**places)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


def money(x: Fraction) -> str:
    return fixed(x, 2)


# --------------------------------------------------------------------------- price years and periods


def price_year_key(label: str) -> tuple[int, int]:
    """Chronological key of ``2019`` (calendar) or ``2019/20`` (financial, April to March).

    For the same starting year a calendar year sorts before the financial year starting in it.
    """
    if "/" in label:
        start, end = label.split("/")
        assert len(start) == 4 and len(end) == 2 and int(end) == (int(start) + 1) % 100, label
        return (int(start), 1)
    assert len(label) == 4 and label.isdigit(), label
    return (int(label), 0)


def price_year_label(key: tuple[int, int]) -> str:
    y, fy = key
    return f"{y:04d}/{(y + 1) % 100:02d}" if fy else f"{y:04d}"


PERIOD_KINDS = ("month", "quarter", "year", "fy")


def period_of(kind: str, month: tuple[int, int]) -> int:
    """The sequential index of the period of ``kind`` containing calendar ``month`` (y, m)."""
    y, m = month
    if kind == "month":
        return y * 12 + m - 1
    if kind == "quarter":
        return (y * 12 + m - 1) // 3
    if kind == "year":
        return y
    if kind == "fy":
        return y if m >= 4 else y - 1
    raise ValueError(kind)


def period_label(kind: str, index: int) -> str:
    if kind == "month":
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if kind == "quarter":
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    if kind == "year":
        return f"{index:04d}"
    if kind == "fy":
        return f"{index:04d}/{(index + 1) % 100:02d}"
    raise ValueError(kind)


def month_days(start: dt.date, end: dt.date) -> list[tuple[tuple[int, int], int]]:
    """Days of the inclusive spell ``start..end`` in each calendar month it touches, in order."""
    out = []
    cursor = start
    while cursor <= end:
        next_first = dt.date(cursor.year + 1, 1, 1) if cursor.month == 12 else dt.date(cursor.year, cursor.month + 1, 1)
        last = min(end, next_first - dt.timedelta(days=1))
        out.append(((cursor.year, cursor.month), (last - cursor).days + 1))
        cursor = last + dt.timedelta(days=1)
    return out


def apportion(total: Fraction, weights: list[int]) -> list[Fraction]:
    """Split a whole-penny ``total`` over ``weights``: largest remainder, ties to the earlier part."""
    pennies = total * 100
    assert pennies.denominator == 1, total
    pennies = pennies.numerator
    if sum(weights) == 0:
        return [Fraction(0)] * len(weights)
    sign = -1 if pennies < 0 else 1
    magnitude = abs(pennies)
    whole = sum(weights)
    parts = [magnitude * w // whole for w in weights]
    remainders = [magnitude * w % whole for w in weights]
    left = magnitude - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        parts[i] += 1
    return [Fraction(sign * p, 100) for p in parts]


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Line:
    """One catalogue line."""

    code: str
    agency: str
    unit_cost: Fraction
    price_year: tuple[int, int]
    unit: str
    tier: int | None
    demand: str | None


@dataclass(frozen=True)
class Event:
    row: int
    person: str
    pathway: str
    date: dt.date
    code: str
    quantity: Fraction
    end: dt.date | None
    cost: Fraction | None
    probability: Fraction | None
    demand: str | None


@dataclass(frozen=True)
class Piece:
    """The part of one event's cost that falls in one calendar month."""

    event: int
    person: str
    pathway: str
    agency: str
    month: tuple[int, int]
    cost: Fraction
    tier: int | None
    demand: str | None


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _date(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def read_catalogue(path: Path) -> dict[str, Line]:
    out = {}
    for r in _rows(path):
        tier = r.get("tier") or ""
        out[r["code"]] = Line(
            code=r["code"],
            agency=r["agency"],
            unit_cost=num(r["unit_cost"]),
            price_year=price_year_key(r["price_year"]),
            unit=(r.get("unit") or "event"),
            tier=int(tier) if tier else None,
            demand=(r.get("demand") or None),
        )
    return out


def read_deflators(path: Path) -> dict[tuple[int, int], Fraction]:
    return {price_year_key(r["year"]): num(r["index"]) for r in _rows(path)}


def read_events(path: Path) -> list[Event]:
    out = []
    for i, r in enumerate(_rows(path)):
        get = lambda k, r=r: r.get(k) or ""  # noqa: E731 - absent column and empty field alike
        out.append(
            Event(
                row=i,
                person=r["person_id"],
                pathway=r["pathway"],
                date=_date(r["date"]),
                code=r["code"],
                quantity=num(get("quantity")) if get("quantity") else Fraction(1),
                end=_date(get("end_date")) if get("end_date") else None,
                cost=num(get("cost")) if get("cost") else None,
                probability=num(get("probability")) if get("probability") else None,
                demand=get("demand") or None,
            )
        )
    return out


@dataclass
class Inputs:
    catalogue: dict[str, Line]
    index: dict[tuple[int, int], Fraction]
    events: list[Event]

    @classmethod
    def load(cls, catalogue: Path, deflators: Path, events: Path) -> Inputs:
        return cls(read_catalogue(catalogue), read_deflators(deflators), read_events(events))

    def price_base(self, price_year: str | None) -> tuple[int, int]:
        """The requested price year, or the latest year of the index."""
        return price_year_key(price_year) if price_year else max(self.index)


# --------------------------------------------------------------------------- costing


def real_unit_cost(amount: Fraction, from_year, to_year, index) -> Fraction:
    """Rule 1."""
    return round_half_even(amount * index[to_year] / index[from_year], 2)


def cost_pieces(inputs: Inputs, price_base: tuple[int, int]) -> list[Piece]:
    """Every event costed (rules 1-3): one piece per point event, one per month of a spell."""
    pieces = []
    for ev in inputs.events:
        line = inputs.catalogue[ev.code]
        amount = line.unit_cost if ev.cost is None else ev.cost
        real = real_unit_cost(amount, line.price_year, price_base, inputs.index)
        probability = Fraction(1) if ev.probability is None else ev.probability
        rate = real * ev.quantity * probability
        demand = ev.demand if ev.demand is not None else line.demand

        def piece(month, cost, ev=ev, line=line, demand=demand):
            return Piece(ev.row, ev.person, ev.pathway, line.agency, month, cost, line.tier, demand)

        if ev.end is None:
            pieces.append(piece((ev.date.year, ev.date.month), rate))
        else:
            d = SPELL_DAYS[line.unit]
            days = (ev.end - ev.date).days + 1
            total = round_half_even(rate * days / d, 2)
            parts = month_days(ev.date, ev.end)
            assert sum(n for _, n in parts) == days
            for (month, _), share in zip(parts, apportion(total, [n for _, n in parts])):
                pieces.append(piece(month, share))
    return pieces


@dataclass(frozen=True)
class Occurrence:
    """An event seen in one period: counts 1 in the events column; cost = its pieces there."""

    person: str
    pathway: str
    agency: str
    period: int
    cost: Fraction
    tier: int | None
    demand: str | None


def occurrences(pieces: list[Piece], kind: str) -> list[Occurrence]:
    """Rule 4: one occurrence per (event, period of ``kind`` it touches)."""
    grouped: dict[tuple[int, int], list[Piece]] = {}
    for p in pieces:
        grouped.setdefault((p.event, period_of(kind, p.month)), []).append(p)
    out = []
    for (_, period), ps in grouped.items():
        p = ps[0]
        out.append(
            Occurrence(p.person, p.pathway, p.agency, period, sum((q.cost for q in ps), Fraction(0)), p.tier, p.demand)
        )
    return out


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """RFC 4180 minimal quoting, LF line ends, UTF-8 without BOM."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _bytes_key(s: str) -> bytes:
    return s.encode("utf-8")


def cost_tables(inputs: Inputs, price_year: str | None = None) -> dict[str, bytes]:
    """The three files of ``journeycost cost``: monthly.csv, persons.csv, summary.csv."""
    pieces = cost_pieces(inputs, inputs.price_base(price_year))
    occ = occurrences(pieces, "month")

    monthly: dict[tuple[str, str, int], list] = {}
    for o in occ:
        t = monthly.setdefault((o.pathway, o.agency, o.period), [0, Fraction(0)])
        t[0] += 1
        t[1] += o.cost
    keys = sorted(monthly, key=lambda k: (_bytes_key(k[0]), _bytes_key(k[1]), k[2]))
    monthly_rows = [
        [pw, ag, period_label("month", m), str(monthly[(pw, ag, m)][0]), money(monthly[(pw, ag, m)][1])]
        for pw, ag, m in keys
    ]

    person_cost: dict[str, dict[str, Fraction]] = {}
    for ev in inputs.events:
        person_cost.setdefault(ev.person, {"old": Fraction(0), "new": Fraction(0)})
    agencies = sorted({line.agency for line in inputs.catalogue.values()}, key=_bytes_key)
    agency_cost = {a: {"old": Fraction(0), "new": Fraction(0)} for a in agencies}
    for p in pieces:
        if p.pathway in ("old", "new"):
            person_cost[p.person][p.pathway] += p.cost
            agency_cost[p.agency][p.pathway] += p.cost
    persons_rows = []
    for person in sorted(person_cost, key=_bytes_key):
        o, n = person_cost[person]["old"], person_cost[person]["new"]
        persons_rows.append([person, money(o), money(n), money(o - n)])
    summary_rows = []
    for a in agencies:
        o, n = agency_cost[a]["old"], agency_cost[a]["new"]
        summary_rows.append([a, money(o), money(n), money(o - n)])
    to = sum((c["old"] for c in agency_cost.values()), Fraction(0))
    tn = sum((c["new"] for c in agency_cost.values()), Fraction(0))
    summary_rows.append(["TOTAL", money(to), money(tn), money(to - tn)])
    return {
        "monthly.csv": to_csv(["pathway", "agency", "month", "events", "cost"], monthly_rows),
        "persons.csv": to_csv(["person_id", "old_cost", "new_cost", "saving"], persons_rows),
        "summary.csv": to_csv(["agency", "old_cost", "new_cost", "saving"], summary_rows),
    }


# --------------------------------------------------------------------------- comparing


def share(part: Fraction, whole: Fraction) -> Fraction | None:
    return None if whole == 0 else round_half_even(part / whole, 4)


def quantile(sorted_values: list[Fraction], q: Fraction) -> Fraction:
    """Hyndman and Fan type 7 (linear between order statistics), exact, then to the penny."""
    n = len(sorted_values)
    if n == 0:
        return Fraction(0)
    h = (n - 1) * q
    lo = h.numerator // h.denominator
    frac = h - lo
    nxt = sorted_values[min(lo + 1, n - 1)]
    return round_half_even(sorted_values[lo] + (nxt - sorted_values[lo]) * frac, 2)


def least_squares(ys: list[int]) -> tuple[Fraction, Fraction]:
    """Exact ordinary least squares of ys against x = 0, 1, ...: (slope, intercept)."""
    n = len(ys)
    if n == 0:
        return Fraction(0), Fraction(0)
    mean_x = Fraction(n - 1, 2)
    mean_y = Fraction(sum(ys), n)
    sxy = sum(((i - mean_x) * (y - mean_y) for i, y in enumerate(ys)), Fraction(0))
    sxx = sum(((i - mean_x) ** 2 for i in range(n)), Fraction(0))
    slope = Fraction(0) if sxx == 0 else sxy / sxx
    return slope, mean_y - slope * mean_x


@dataclass
class Comparison:
    """What ``journeycost compare`` should produce, exactly."""

    files: dict[str, bytes]  # series, agencies, demand, failure, tiers, persons (.csv)
    baseline: str
    alternative: str
    period: str
    price_base: str
    persons_in_ledger: int
    total: tuple[Fraction, Fraction]
    saving_share: Fraction | None
    break_even: str | None
    periods: list[str]
    cumulative: dict[str, list[Fraction]]
    trend: list[tuple[str, int, Fraction, Fraction]]
    savings: dict[str, object]


def compare(
    inputs: Inputs,
    baseline: str = "old",
    alternative: str = "new",
    period: str = "month",
    price_year: str | None = None,
) -> Comparison:
    base_year = inputs.price_base(price_year)
    pieces = cost_pieces(inputs, base_year)
    occ = [o for o in occurrences(pieces, period) if o.pathway in (baseline, alternative)]
    sides = sorted({baseline, alternative}, key=_bytes_key)
    assert len(sides) == 2
    zero = Fraction(0)

    # series: every period from the first to the last with data on either side
    periods = list(range(min(o.period for o in occ), max(o.period for o in occ) + 1)) if occ else []
    series_rows, cumulative, counts = [], {}, {}
    for s in sides:
        running = zero
        cumulative[s], counts[s] = [], []
        for p in periods:
            here = [o for o in occ if o.pathway == s and o.period == p]
            cost = sum((o.cost for o in here), zero)
            running += cost
            cumulative[s].append(running)
            counts[s].append(len(here))
            series_rows.append([s, period_label(period, p), str(len(here)), money(cost), money(running)])
    break_even = None
    for i in reversed(range(len(periods))):
        if cumulative[alternative][i] <= cumulative[baseline][i]:
            break_even = period_label(period, periods[i])
        else:
            break

    # who pays and who saves
    total = {s: sum((o.cost for o in occ if o.pathway == s), zero) for s in (baseline, alternative)}
    agency_rows = []
    for a in sorted({o.agency for o in occ}, key=_bytes_key):
        b = sum((o.cost for o in occ if o.agency == a and o.pathway == baseline), zero)
        n = sum((o.cost for o in occ if o.agency == a and o.pathway == alternative), zero)
        agency_rows.append([a, money(b), money(n), money(b - n)])
    agency_rows.append(
        ["TOTAL", money(total[baseline]), money(total[alternative]), money(total[baseline] - total[alternative])]
    )

    demand_rows, tier_rows = [], []
    for s in sides:
        for kind in DEMAND_ORDER:
            here = [o for o in occ if o.pathway == s and o.demand == kind]
            cost = sum((o.cost for o in here), zero)
            sh = share(cost, total[s])
            demand_rows.append(
                [s, kind or "unclassified", str(len(here)), money(cost), "" if sh is None else fixed(sh, 4)]
            )
        for tier in TIER_ORDER:
            here = [o for o in occ if o.pathway == s and o.tier == tier]
            tier_rows.append(
                [
                    s,
                    "unassigned" if tier is None else str(tier),
                    str(len(here)),
                    money(sum((o.cost for o in here), zero)),
                ]
            )

    # failure demand by agency: a row per agency and pathway with an event there, baseline first
    failure_rows = []
    for a in sorted({o.agency for o in occ}, key=_bytes_key):
        for s in (baseline, alternative):
            here = [o for o in occ if o.agency == a and o.pathway == s]
            if not here:
                continue
            fail = [o for o in here if o.demand == "failure"]
            cost, fail_cost = sum((o.cost for o in here), zero), sum((o.cost for o in fail), zero)
            cost_share = share(fail_cost, cost)
            failure_rows.append(
                [
                    a,
                    s,
                    str(len(here)),
                    str(len(fail)),
                    money(cost),
                    money(fail_cost),
                    "" if cost_share is None else fixed(cost_share, 4),
                    fixed(Fraction(len(fail), len(here)), 4),
                ]
            )

    person_cost: dict[str, dict[str, Fraction]] = {}
    for o in occ:
        c = person_cost.setdefault(o.person, {baseline: zero, alternative: zero})
        c[o.pathway] += o.cost
    person_rows, savings = [], []
    for person in sorted(person_cost, key=_bytes_key):
        b, n = person_cost[person][baseline], person_cost[person][alternative]
        person_rows.append([person, money(b), money(n), money(b - n)])
        savings.append(b - n)
    savings.sort()
    k = len(savings)
    distribution = {
        "persons": k,
        "persons_saving": sum(1 for x in savings if x > 0),
        "persons_costing_more": sum(1 for x in savings if x < 0),
        "mean": money(round_half_even(sum(savings, zero) / k, 2)) if k else "0.00",
        "min": money(savings[0]) if k else "0.00",
        "p25": money(quantile(savings, Fraction(1, 4))),
        "median": money(quantile(savings, Fraction(1, 2))),
        "p75": money(quantile(savings, Fraction(3, 4))),
        "max": money(savings[-1]) if k else "0.00",
    }

    trend = [(s, len(periods), *least_squares(counts[s])) for s in sides]
    files = {
        "series.csv": to_csv(["pathway", "period", "events", "cost", "cumulative_cost"], series_rows),
        "agencies.csv": to_csv(["agency", "baseline_cost", "alternative_cost", "saving"], agency_rows),
        "demand.csv": to_csv(["pathway", "demand", "events", "cost", "cost_share"], demand_rows),
        "failure.csv": to_csv(
            [
                "agency",
                "pathway",
                "events",
                "failure_events",
                "cost",
                "failure_cost",
                "failure_cost_share",
                "failure_contact_share",
            ],
            failure_rows,
        ),
        "tiers.csv": to_csv(["pathway", "tier", "events", "cost"], tier_rows),
        "persons.csv": to_csv(["person_id", "baseline_cost", "alternative_cost", "saving"], person_rows),
    }
    return Comparison(
        files=files,
        baseline=baseline,
        alternative=alternative,
        period=period,
        price_base=price_year_label(base_year),
        persons_in_ledger=len({ev.person for ev in inputs.events}),
        total=(total[baseline], total[alternative]),
        saving_share=share(total[baseline] - total[alternative], total[baseline]),
        break_even=break_even,
        periods=[period_label(period, p) for p in periods],
        cumulative=cumulative,
        trend=trend,
        savings=distribution,
    )
