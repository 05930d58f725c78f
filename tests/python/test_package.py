"""The Python package against the CLI: the same inputs give the same files, to the byte where
the CLI writes a file, and to the penny in every table.

Also: errors are specific classes carrying every problem; objects pickle; notebooks get HTML.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import pickle
import shutil
from decimal import Decimal
from pathlib import Path

import journeycost as jc
import pytest

REPO = Path(__file__).resolve().parents[2]
ANNA = REPO / "examples" / "anna"
SEVEN = REPO / "examples" / "seven-cases"
NATIONAL = REPO / "examples" / "national"
SCENARIOS = [ANNA, SEVEN, REPO / "examples" / "family-visits", REPO / "examples" / "rent-arrears"]


def as_text(v) -> str:
    """A table value as the CLI's CSV writes it."""
    if v is None:
        return ""
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def table_csv(t: jc.Table) -> str:
    """A table rendered back to CSV text: equal to the CLI's file iff every value is."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(t.columns)
    for row in t.rows():
        w.writerow([as_text(row[c]) for c in t.columns])
    return out.getvalue()


def same_value(v, text: str) -> bool:
    """A table value equals a CSV field: the same text, or (for a decimal column whose fields
    have different numbers of decimals, held at one scale) the same number exactly, or (for a
    float column, such as a percentile's level) the float the text reads as."""
    if as_text(v) == text:
        return True
    if isinstance(v, Decimal) and text != "":
        return Decimal(text) == v
    return isinstance(v, float) and text != "" and float(text) == v


def assert_same_csv(t: jc.Table, path: Path) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert t.columns == rows[0], f"{t.name}: columns differ from {path.name}"
    assert len(t) == len(rows) - 1, f"{t.name}: row count differs from {path.name}"
    for i, (mine, theirs) in enumerate(zip(t.rows(), rows[1:])):
        for c, text in zip(t.columns, theirs):
            assert same_value(mine[c], text), f"{t.name} row {i} column {c}: {mine[c]!r} != {text!r} in {path.name}"
    money = [c for c in t.columns if c.endswith("cost") or c == "saving"]
    assert all(dict(t.types)[c] == "Decimal128(38, 2)" for c in money), "money columns are decimal128(38, 2)"
    for mine, theirs in zip(t.rows(), csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))):
        assert all(as_text(mine[c]) == theirs[c] for c in money), "money is to the penny, as printed"


@pytest.mark.parametrize("example", SCENARIOS, ids=lambda p: p.name)
def test_compare_equals_the_cli(example: Path, journeycost, tmp_path: Path):
    journeycost("compare", example / "scenario.toml", "--out", tmp_path)
    c = jc.Scenario.load(example / "scenario.toml").compare()
    for name in ("series", "agencies", "demand", "failure", "tiers", "trend", "persons"):
        assert_same_csv(getattr(c, name), tmp_path / f"{name}.csv")
    assert c.to_json() == (tmp_path / "comparison.json").read_text(encoding="utf-8")
    cli = json.loads((tmp_path / "comparison.json").read_text())
    for mine, theirs in zip(c.totals, cli["groups"]):
        assert mine["group"] == theirs["group"]
        assert f"{mine['saving'].quantize(Decimal('0.01'))}" == theirs["comparison"]["total"]["saving"]
        assert mine["saving"] == mine["baseline_cost"] - mine["alternative_cost"]


def test_a_comparison_from_files_carries_their_provenance(journeycost, tmp_path: Path):
    files = [
        "--catalogue",
        ANNA / "catalogue.csv",
        "--deflators",
        ANNA / "deflators.csv",
        "--events",
        ANNA / "events.csv",
    ]
    journeycost("compare", *files, "--period", "quarter", "--out", tmp_path)
    ledger = jc.cost(ANNA / "events.csv", catalogue=ANNA / "catalogue.csv", prices=ANNA / "deflators.csv")
    c = ledger.compare(period="quarter")
    assert c.to_json() == (tmp_path / "comparison.json").read_text(encoding="utf-8")
    assert pickle.loads(pickle.dumps(c)).to_json() == c.to_json()
    roles = [i["role"] for i in json.loads(c.to_json())["inputs"]]
    assert roles == ["catalogue", "deflators", "events"]
    in_memory = jc.cost(
        jc.Events.from_csv(ANNA / "events.csv").to_polars(),
        catalogue=ANNA / "catalogue.csv",
        prices=ANNA / "deflators.csv",
    )
    assert [i["role"] for i in json.loads(in_memory.compare().to_json())["inputs"]] == ["catalogue", "deflators"]


def test_cost_equals_the_cli(journeycost, tmp_path: Path):
    journeycost(
        "cost",
        "--catalogue",
        SEVEN / "catalogue.csv",
        "--deflators",
        SEVEN / "deflators.csv",
        "--events",
        SEVEN / "events.csv",
        "--out",
        tmp_path,
    )
    ledger = jc.cost(SEVEN / "events.csv", catalogue=SEVEN / "catalogue.csv", prices=SEVEN / "deflators.csv")
    assert_same_csv(ledger.monthly(), tmp_path / "monthly.csv")
    assert_same_csv(ledger.persons(), tmp_path / "persons.csv")
    assert_same_csv(ledger.summary(), tmp_path / "summary.csv")
    lines = ledger.lines()
    assert sum(lines.column("cost")) == ledger.total
    assert dict(lines.types)["cost"].startswith("Decimal128(38, ")


def test_the_builtin_catalogue_and_deflator_are_the_clis(journeycost, tmp_path: Path):
    events = tmp_path / "events.csv"
    events.write_text("person_id,pathway,date,code,quantity\nA,old,2015-06-01,CR1.0,2\nA,new,2015-06-01,CR2.0,1.5\n")
    out = tmp_path / "out"
    journeycost("cost", "--events", events, "--out", out)
    ledger = jc.cost(events)
    assert ledger.price_base == "2024/25"  # the built-in index's latest outturn year (#13)
    assert_same_csv(ledger.summary(), out / "summary.csv")
    assert jc.Catalogue.builtin().attribution == jc.UCD_ATTRIBUTION
    assert jc.PriceIndex.builtin().attribution == jc.HMT_DEFLATOR_ATTRIBUTION
    assert "CC BY 4.0" in jc.UCD_ATTRIBUTION and "Open Government Licence" in jc.HMT_DEFLATOR_ATTRIBUTION


def test_appraisal_equals_the_cli(journeycost, tmp_path: Path):
    journeycost("appraise", ANNA / "scenario.toml", "--out", tmp_path)
    a = jc.Scenario.load(ANNA / "scenario.toml").appraise()
    assert a.to_json() == (tmp_path / "appraisal.json").read_text(encoding="utf-8")
    for name, table in a.tables:
        assert_same_csv(table, tmp_path / f"{name}.csv")
    cli = json.loads((tmp_path / "appraisal.json").read_text())
    assert f"{a.npv.quantize(Decimal('0.01'))}" == cli["appraisal"]["npv"]
    penny = Decimal("0.01")
    assert a.npv.quantize(penny) == (a.pv_benefits - a.pv_costs).quantize(penny)


def test_extrapolation_equals_the_cli(journeycost, tmp_path: Path):
    journeycost(
        "extrapolate", NATIONAL / "scenario.toml", "--draws", "2000", "--seed", "7", "--threads", "2", "--out", tmp_path
    )
    x = jc.Scenario.load(NATIONAL / "scenario.toml").extrapolate(draws=2000, seed=7, threads=1)
    # The same run, except that the assumptions log says where draws and seed came from.
    python = (
        x.to_json()
        .replace('"argument draws"', '"command line --draws"')
        .replace('"argument seed"', '"command line --seed"')
    )
    assert '"argument draws"' in x.to_json()
    assert python == (tmp_path / "extrapolation.json").read_text(encoding="utf-8")
    for name, table in x.tables:
        if name == "assumptions":
            continue  # the same but for the origin of draws and seed, checked through the JSON above
        assert_same_csv(table, tmp_path / f"{name}.csv")
    assert x.draws == 2000 and x.seed == 7
    assert x.net_annual["percentiles"][5.0] <= x.net_annual["median"] <= x.net_annual["percentiles"][95.0]


def test_report_equals_the_cli(journeycost, tmp_path: Path):
    journeycost("report", ANNA / "scenario.toml", "--key", "a python test key", "--out", tmp_path / "cli")
    index = jc.Scenario.load(ANNA / "scenario.toml").report(tmp_path / "py", key="a python test key")
    assert index == tmp_path / "py" / "index.html"
    cli = sorted(p.relative_to(tmp_path / "cli") for p in (tmp_path / "cli").rglob("*") if p.is_file())
    py = sorted(p.relative_to(tmp_path / "py") for p in (tmp_path / "py").rglob("*") if p.is_file())
    assert cli == py and len(cli) > 5
    for rel in cli:
        assert (tmp_path / "cli" / rel).read_bytes() == (tmp_path / "py" / rel).read_bytes(), rel


def test_a_failed_report_writes_nothing(tmp_path: Path):
    bad = tmp_path / "scenario.toml"
    bad.write_text('[inputs]\nevents = "missing.csv"\n')
    with pytest.raises(jc.InputError) as info:
        jc.Scenario.load(bad).report(tmp_path / "out")
    assert info.value.problems[0]["kind"] == "io"
    assert not (tmp_path / "out").exists()


def test_write_replaces_its_own_folder_whole_and_never_an_input(tmp_path: Path):
    anna = tmp_path / "anna"
    shutil.copytree(ANNA, anna)
    before = {p.name: p.read_bytes() for p in anna.iterdir()}
    s = jc.Scenario.load(anna / "scenario.toml")
    writers = (
        lambda out: s.compare().write(out),
        lambda out: s.appraise().write(out),
        lambda out: s.report(out, key="a python test key"),
    )
    for write in writers:
        with pytest.raises(jc.InputError) as info:
            write(anna)
        assert "holds the input" in str(info.value)
    assert {p.name: p.read_bytes() for p in anna.iterdir()} == before
    out = tmp_path / "out"
    written = s.compare().write(out)
    assert sorted(p.name for p in written) == sorted(
        p.name for p in out.iterdir() if p.name != ".journeycost-manifest.json"
    )
    s.appraise().write(out)
    assert not (out / "series.csv").exists(), "the comparison's files are gone: the folder is replaced whole"
    (out / "notes.txt").write_text("mine")
    with pytest.raises(jc.InputError, match=r"notes\.txt"):
        s.compare().write(out)
    assert (out / "notes.txt").read_text() == "mine"


def test_errors_are_specific_and_carry_every_problem(tmp_path: Path):
    bad = tmp_path / "events.csv"
    bad.write_text("person_id,pathway,date,code\nP1,old,31/01/2024,CR1.0\nP1,old,2024-01-01,NOPE\n")
    with pytest.raises(jc.InputError) as info:
        jc.cost(jc.Events.from_csv(bad))
    assert [(p["line"], p["field"], p["kind"]) for p in info.value.problems] == [(2, "date", "invalid_value")]
    assert isinstance(info.value, jc.JourneyCostError) and isinstance(info.value, ValueError)
    good_dates = tmp_path / "events2.csv"
    good_dates.write_text("person_id,pathway,date,code\nP1,old,2024-01-01,NOPE\n")
    with pytest.raises(jc.InputError, match='code "NOPE" is not in the catalogue') as info:
        jc.cost(good_dates)
    assert info.value.problems[0]["kind"] == "unknown_code"
    with pytest.raises(jc.InputError, match='no event is on pathway "blue"'):
        jc.cost(ANNA / "events.csv", catalogue=ANNA / "catalogue.csv", prices=ANNA / "deflators.csv").compare(
            alternative="blue"
        )


def test_catalogue_and_scenario_errors(tmp_path: Path):
    cat = tmp_path / "catalogue.csv"
    cat.write_text("code,agency,unit_cost,price_year\nA,Police,12x,2024\nA,Police,1,2024\n")
    with pytest.raises(jc.CatalogueError) as info:
        jc.Catalogue.from_csv(cat)
    assert {p["kind"] for p in info.value.problems} == {"invalid_value", "duplicate_code"}
    assert isinstance(info.value, jc.InputError)
    with pytest.raises(jc.CatalogueError, match=r"Catalogue\.from_workbook"):
        jc.Catalogue.from_csv(
            REPO / "tests" / "data" / "ucd" / next(p.name for p in (REPO / "tests" / "data" / "ucd").glob("*.xlsx"))
        )
    sc = tmp_path / "scenario.toml"
    sc.write_text('[inputs]\nevents = "e.csv"\n[compare]\nperiod = "fortnight"\n')
    with pytest.raises(jc.ScenarioError) as info:
        jc.Scenario.load(sc)
    assert info.value.problems[0]["line"] == 4
    with pytest.raises(jc.ScenarioError):
        jc.cost(
            ANNA / "events.csv", catalogue=ANNA / "catalogue.csv", prices=ANNA / "deflators.csv", price_year="2024-25"
        )
    with pytest.raises(jc.ScenarioError, match="extrapolation"):
        jc.Scenario.load(ANNA / "scenario.toml").extrapolate()
    with pytest.raises(TypeError, match="events: expected Events"):
        jc.cost(42)


def test_a_missing_price_year_names_the_code():
    events = jc.Events.from_records([{"person_id": "A", "pathway": "old", "date": "2024-01-01", "code": "CR1.0"}])
    with pytest.raises(jc.InputError) as info:
        jc.cost(events, price_year="1850")
    assert info.value.problems[0]["kind"] == "missing_price_year"


def test_the_workbook_catalogue_is_the_builtin_one():
    wb = next((REPO / "tests" / "data" / "ucd").glob("*.xlsx"))
    imported = jc.Catalogue.from_workbook(wb)
    builtin = jc.Catalogue.builtin()
    assert len(imported) == len(builtin)
    assert imported["CR1.0"]["unit_cost"] == builtin["CR1.0"]["unit_cost"]
    layered = jc.Catalogue.layered(builtin, jc.Catalogue.from_csv(ANNA / "catalogue.csv"))
    assert layered.sources == ["builtin:ucd-v1.4", str(ANNA / "catalogue.csv")]
    assert len(layered) >= len(builtin)


def test_price_index():
    idx = jc.PriceIndex.from_csv(ANNA / "deflators.csv")
    assert idx.latest == "2023/24" and "2023/24" in idx and "1850" not in idx
    assert isinstance(idx["2023/24"], Decimal)
    assert idx.convert(Decimal("100"), "2023/24", "2023/24") == Decimal("100")
    with pytest.raises(KeyError):
        idx["1850"]
    assert idx.to_table().columns == ["year", "index"]


def test_objects_pickle_and_give_the_same_results():
    ledger = jc.cost(ANNA / "events.csv", catalogue=ANNA / "catalogue.csv", prices=ANNA / "deflators.csv")
    c = ledger.compare(period="quarter")
    sc = jc.Scenario.load(ANNA / "scenario.toml")
    for obj in (
        ledger,
        c,
        sc,
        sc.compare(),
        sc.appraise(),
        c.series,
        jc.Catalogue.builtin(),
        jc.PriceIndex.builtin(),
        jc.Events.from_csv(ANNA / "events.csv"),
    ):
        back = pickle.loads(pickle.dumps(obj))
        assert type(back) is type(obj)
        assert repr(back) == repr(obj)
    back = pickle.loads(pickle.dumps(c))
    assert table_csv(back.series) == table_csv(c.series) and back.saving == c.saving
    events = jc.Events.from_csv(ANNA / "events.csv")
    assert table_csv(pickle.loads(pickle.dumps(events)).to_table()) == table_csv(events.to_table())


def _saving_in_a_worker(ledger: jc.Ledger) -> Decimal:
    return ledger.compare().saving


def test_a_ledger_goes_to_a_worker_process():
    import concurrent.futures
    import multiprocessing

    ledger = jc.cost(ANNA / "events.csv", catalogue=ANNA / "catalogue.csv", prices=ANNA / "deflators.csv")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert pool.submit(_saving_in_a_worker, ledger).result(timeout=120) == ledger.compare().saving


def test_notebook_html_shows_a_table_and_the_red_and_blue_lines():
    c = jc.Scenario.load(ANNA / "scenario.toml").compare()
    html = c._repr_html_()
    assert "<table>" in html and "<svg" in html and "break-even" in html
    assert html.count("<svg") == 1
    assert "#" in c.to_svg()
    table_html = c.agencies._repr_html_()
    assert table_html.count("<tr>") == len(c.agencies) + 1
    events = jc.Events.from_csv(ANNA / "events.csv")
    assert "note" not in events._repr_html_(), "free-text notes may be sensitive: not shown in previews"
    assert "Council housing income team" not in events._repr_html_()
    for obj in (
        jc.cost(events, catalogue=ANNA / "catalogue.csv", prices=ANNA / "deflators.csv"),
        jc.Catalogue.builtin(),
    ):
        assert obj._repr_html_().startswith("<p>&lt;")
    assert repr(c).startswith("<Comparison old £101374.60 vs new £5997.98")


def test_tables_escape_html():
    events = jc.Events.from_records([{"person_id": "<b>A</b>", "pathway": "old", "date": "2024-01-01", "code": "X"}])
    assert "<b>" not in events._repr_html_() and "&lt;b&gt;" in events._repr_html_()


def test_grouped_comparisons_have_one_total_per_group():
    c = jc.Scenario.load(REPO / "examples" / "rent-arrears" / "scenario.toml").compare()
    assert c.by == "reason"
    groups = [t["group"] for t in c.totals]
    assert groups == sorted(groups) and len(groups) > 1
    assert c.agencies.columns[0] == "reason"
    with pytest.raises(jc.JourneyCostError, match="grouped by"):
        _ = c.saving
    assert "<h4>reason = " in c._repr_html_()


def test_plots(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    c = jc.Scenario.load(ANNA / "scenario.toml").compare()
    fig = c.plot()
    lines = fig.axes[0].get_lines()
    assert [line.get_color() for line in lines[:2]] == ["#c0392b", "#1f5fa8"]
    assert float(lines[0].get_ydata()[-1]) == float(c.series.rows()[-1]["cumulative_cost"])
    assert len(c.plot_agencies().axes[0].patches) == len(c.agencies) - 1
    tiers = c.plot_tiers().axes[0]
    # The tiers are named as the library names them, every label the tiers table uses.
    assert [t.get_text() for t in tiers.get_yticklabels()] == [name for _, name in jc._journeycost.TIERS]
    assert [label for label, _ in jc._journeycost.TIERS] == [r["tier"] for r in c.tiers.rows()][:5]
    assert jc._journeycost.TIERS[0] == ("1", "1 universal")
    x = jc.Scenario.load(NATIONAL / "scenario.toml").extrapolate(draws=500, seed=1)
    assert x.plot().axes[0].patches
    import matplotlib.pyplot as plt

    plt.close("all")
    monkeypatch.setitem(__import__("sys").modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"journeycost\[plot\]"):
        c.plot()


def test_progress_bars_only_when_asked_or_interactive(monkeypatch):
    from journeycost import _progress

    assert _progress.bar(False, 10, "x") is None
    monkeypatch.setattr(_progress, "interactive", lambda: False)
    assert _progress.bar(None, 10, "x") is None
    bar = _progress.bar(True, 10, "draws")
    assert bar is not None
    bar.update_to(4)
    bar.update_to(10)
    bar.close()


def test_a_long_run_shows_a_bar_and_gives_the_same_result(monkeypatch):
    from journeycost import _progress

    calls = []

    class Recorder:
        def __init__(self, total):
            calls.append(("open", total))

        def update_to(self, done):
            calls.append(("at", done))

        def close(self):
            calls.append(("close", None))

    monkeypatch.setattr(_progress, "bar", lambda wanted, total, what: Recorder(total))
    # A bar appears once a run has gone on for QUIET_SECONDS (one second); here, at once.
    monkeypatch.setattr(_progress, "QUIET_SECONDS", 0.0)
    sc = jc.Scenario.load(NATIONAL / "scenario.toml")
    draws = 200_000
    x = sc.extrapolate(draws=draws, seed=3, progress=True)
    assert calls[0] == ("open", draws) and calls[-1] == ("close", None)
    assert calls[-2] == ("at", draws)
    assert all(a[1] <= b[1] for a, b in zip(calls[1:-2], calls[2:-1])), "the bar only moves forward"
    calls.clear()
    quiet = sc.extrapolate(draws=draws, seed=3, progress=False)
    assert calls == [] and x.to_json() == quiet.to_json()
