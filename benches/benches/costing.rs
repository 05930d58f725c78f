//! Criterion benchmarks of the costing pipeline: parsing events, costing them into a ledger,
//! and aggregating the ledger into the `cost` tables.
//!
//! The data is generated in memory, deterministically (a fixed linear congruential sequence),
//! with the shape of the benchmark workload (`../shared/bench/WORKLOAD.md`): 62 codes over 10
//! agencies, about 50 events per person. `JOURNEYCOST_BENCH_EVENTS` sets the size (default
//! 200,000 events). `JOURNEYCOST_BENCH_DATA=DIR` adds a whole-pipeline benchmark on
//! `DIR/{catalogue,deflators,events}.csv`, e.g. the 10-million-event `large` set of
//! `../shared/bench/gen.py`. `extrapolate/100k draws` times the Monte Carlo engine.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use journeycost::io::{InputPaths, read_catalogue, read_deflators, read_events};
use journeycost::ledger::Ledger;
use journeycost::output::cost_tables;
use journeycost::prices::PriceYear;
use journeycost::run::Inputs;

const AGENCIES: [&str; 10] = [
    "Police",
    "Housing",
    "Adult Social Care",
    "Children's Social Care",
    "Mental Health",
    "Drug & Alcohol Services",
    "Money & Debt Advice",
    "Customer Services",
    "NHS Acute",
    "Courts",
];

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn data(events: usize) -> (String, String, String) {
    let mut rng = Lcg(42);
    let mut catalogue = String::from("code,agency,unit_cost,price_year,unit\n");
    for i in 0..62 {
        let unit = ["event", "event", "day", "week"][i % 4];
        let _ = writeln!(
            catalogue,
            "C{i:02},{},{}.{:02},{},{unit}",
            AGENCIES[i % 10],
            5 + rng.next(5000),
            rng.next(100),
            2010 + rng.next(15)
        );
    }
    let mut deflators = String::from("year,index\n");
    for y in 2010..=2026 {
        let _ = writeln!(deflators, "{y},{}.{:04}", 78 + (y - 2010) * 2, rng.next(10_000));
    }
    let mut ev = String::with_capacity(events * 40);
    ev.push_str("person_id,pathway,date,code,quantity\n");
    let quantities = ["1", "1", "1", "1", "2", "0.5", "1.29", "14"];
    for i in 0..events {
        let person = i / 50;
        let pathway = if rng.next(5) < 3 { "old" } else { "new" };
        let _ = writeln!(
            ev,
            "P{person:07},{pathway},20{:02}-{:02}-{:02},C{:02},{}",
            19 + rng.next(6),
            1 + rng.next(12),
            1 + rng.next(28),
            rng.next(62),
            quantities[rng.next(8) as usize]
        );
    }
    (catalogue, deflators, ev)
}

fn pipeline(c: &mut Criterion) {
    let n: usize = std::env::var("JOURNEYCOST_BENCH_EVENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let (cat_csv, def_csv, ev_csv) = data(n);
    let catalogue = read_catalogue("catalogue.csv", cat_csv.as_bytes()).expect("catalogue").catalogue;
    let index = read_deflators("deflators.csv", def_csv.as_bytes()).expect("deflators");
    let base = PriceYear::Calendar(2024);

    let mut g = c.benchmark_group("cost");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("parse events", |b| {
        b.iter(|| read_events("events.csv", black_box(ev_csv.as_bytes()), Some(&catalogue)).expect("events"));
    });
    let journeys = read_events("events.csv", ev_csv.as_bytes(), Some(&catalogue)).expect("events");
    g.bench_function("cost ledger", |b| {
        b.iter(|| Ledger::build(black_box(&journeys), &catalogue, &index, base).expect("ledger"));
    });
    let ledger = Ledger::build(&journeys, &catalogue, &index, base).expect("ledger");
    g.bench_function("aggregate tables", |b| b.iter(|| cost_tables(black_box(&ledger))));
    for threads in [1, 2] {
        g.bench_function(format!("tables from events, {threads} thread(s)"), |b| {
            b.iter(|| {
                journeycost::run::cost_tables_of(black_box(&journeys), &catalogue, &index, base, threads)
                    .expect("tables")
            });
        });
    }
    // The streaming `cost` job on the same events as files: the fast reader of plain rows
    // against the CSV reader, on one thread (the bytes out are the same).
    let dir = std::env::temp_dir().join(format!("journeycost-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    for (name, text) in [("catalogue.csv", &cat_csv), ("deflators.csv", &def_csv), ("events.csv", &ev_csv)] {
        std::fs::write(dir.join(name), text).expect("a scratch file");
    }
    let paths = InputPaths {
        catalogue: vec![dir.join("catalogue.csv")],
        deflators: Some(dir.join("deflators.csv")),
        events: dir.join("events.csv"),
        persons: None,
    };
    for (label, fast_reader) in [("fast reader", true), ("CSV reader", false)] {
        let options = journeycost::run::StreamOptions { threads: 1, min_split_bytes: 1, fast_reader };
        g.bench_function(format!("stream the file, {label}"), |b| {
            b.iter(|| journeycost::run::cost_streaming_with(&paths, Some(base), options).expect("streamed"));
        });
    }
    // `journeycost compare` on the same file: read on one thread, costed part by part on another.
    g.bench_function("compare the file, streamed", |b| {
        let options = journeycost::compare::CompareOptions::default();
        let fiscal = [journeycost::catalogue::ValueType::Fiscal];
        b.iter(|| {
            journeycost::run::compare_streaming(&paths, Some(base), &fiscal, &options, None, None).expect("compared")
        });
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);

    if let Ok(dir) = std::env::var("JOURNEYCOST_BENCH_DATA") {
        let dir = std::path::PathBuf::from(dir);
        let paths = InputPaths {
            catalogue: vec![dir.join("catalogue.csv")],
            deflators: Some(dir.join("deflators.csv")),
            events: dir.join("events.csv"),
            persons: None,
        };
        let mut g = c.benchmark_group("cost whole file");
        g.sample_size(10);
        g.bench_function("load, cost and render", |b| {
            b.iter(|| {
                let inputs = Inputs::load(&paths, Some(base)).expect("inputs");
                let ledger = Ledger::build(&inputs.journeys, &inputs.catalogue, &inputs.index, base).expect("ledger");
                cost_tables(&ledger)
            });
        });
        for threads in [1, 2] {
            let options = journeycost::run::StreamOptions { threads, min_split_bytes: 1, fast_reader: true };
            g.bench_function(format!("streamed, {threads} thread(s)"), |b| {
                b.iter(|| journeycost::run::cost_streaming_with(&paths, Some(base), options).expect("streamed"));
            });
        }
        g.finish();
    }
}

/// 100,000 Monte Carlo draws of a two-segment national extrapolation, one of whose segments
/// bootstraps a cohort of 50 persons, on all cores.
fn monte_carlo(c: &mut Criterion) {
    use journeycost::extrapolate::{Dist, ExtrapolationSpec, PerCase, Segment, extrapolate};
    let mut rng = Lcg(7);
    let cohort: Vec<f64> = (0..50).map(|_| rng.next(40_000) as f64 - 5_000.0).collect();
    let mut three = Segment::new(
        "three",
        Dist::triangular(50_000.0, 58_000.0, 66_000.0).expect("valid"),
        Dist::beta_mean_sd(0.3, 0.1).expect("valid"),
        PerCase::Cohort { savings: cohort },
        5,
    );
    three.deadweight = Dist::uniform(0.1, 0.4).expect("valid");
    let mut two = Segment::new(
        "two",
        Dist::pert(140_000.0, 164_000.0, 190_000.0).expect("valid"),
        Dist::beta_mean_sd(0.2, 0.08).expect("valid"),
        PerCase::Stated(Dist::lognormal_interval(4_500.0, 1_000.0, 20_000.0).expect("valid")),
        5,
    );
    two.attribution = Dist::normal(0.1, 0.05, Some(0.0), Some(1.0)).expect("valid");
    let spec =
        ExtrapolationSpec { segments: vec![three, two], draws: 100_000, seed: 1, ..ExtrapolationSpec::default() };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut g = c.benchmark_group("extrapolate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(spec.draws));
    g.bench_function("100k draws", |b| b.iter(|| extrapolate(black_box(&spec), threads, None).expect("runs")));
    g.finish();
}

criterion_group!(benches, pipeline, monte_carlo);
criterion_main!(benches);
