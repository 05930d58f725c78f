use chrono::NaiveDate;
use journeycost::catalogue::{Catalogue, Unit, UnitCost};
use journeycost::compare::{CompareOptions, compare};
use journeycost::journey::{Event, Journeys};
use journeycost::ledger::Ledger;
use journeycost::money::{Money, apportion};
use journeycost::period::PeriodKind;
use journeycost::prices::{PriceIndex, PriceYear};
use journeycost::{Decimal, output};
use proptest::prelude::*;

const AGENCIES: [&str; 4] = ["Housing", "Police", "Children's Social Care", "NHS, Acute"];
const UNITS: [Unit; 5] = [Unit::Event, Unit::Hour, Unit::Day, Unit::Week, Unit::Year];

fn catalogue(costs: &[(u32, u8, u8)]) -> Catalogue {
    let entries = costs
        .iter()
        .enumerate()
        .map(|(i, &(pennies, agency, unit))| {
            let mut u = UnitCost::new(
                format!("C{i}"),
                AGENCIES[agency as usize % 4],
                Decimal::new(i64::from(pennies), 2),
                PriceYear::Calendar(2020 + i32::from(unit % 3)),
            );
            u.unit = UNITS[unit as usize % 5];
            u
        })
        .collect();
    Catalogue::new(entries).unwrap()
}

fn index(ratio_ten_thousandths: u32) -> PriceIndex {
    let mut idx = PriceIndex::new();
    idx.insert(PriceYear::Calendar(2020), Decimal::new(10000, 2)).unwrap();
    idx.insert(PriceYear::Calendar(2021), Decimal::new(i64::from(ratio_ten_thousandths), 2)).unwrap();
    idx.insert(PriceYear::Calendar(2022), Decimal::new(10550, 2)).unwrap();
    idx.insert(PriceYear::Calendar(2024), Decimal::new(11000, 2)).unwrap();
    idx
}

/// (person, old?, day offset, code, quantity in hundredths, spell days, probability in %)
type Row = (u8, bool, u16, u8, u32, Option<u16>, u8);

fn journeys(cat: &Catalogue, rows: &[Row]) -> Journeys {
    let start = NaiveDate::from_ymd_opt(2019, 11, 20).unwrap();
    let mut j = Journeys::new();
    for &(person, old, offset, code, qty, spell, prob) in rows {
        let code = code as usize % cat.len();
        let date = start + chrono::Days::new(u64::from(offset));
        let mut e = Event::new(format!("P{person}"), if old { "old" } else { "new" }, date, format!("C{code}"))
            .quantity(Decimal::new(i64::from(qty), 2))
            .probability(Decimal::new(i64::from(prob.min(100)), 2));
        if let (Some(days), Some(_)) = (spell, cat.entries()[code].unit.spell_days()) {
            e = e.until(date + chrono::Days::new(u64::from(days)));
        }
        j.push(e).unwrap();
    }
    j
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (0u8..6, any::<bool>(), 0u16..900, any::<u8>(), 0u32..5000, prop::option::of(0u16..400), 0u8..=100),
        1..60,
    )
}

fn costs() -> impl Strategy<Value = Vec<(u32, u8, u8)>> {
    prop::collection::vec((1u32..2_000_000, any::<u8>(), any::<u8>()), 1..8)
}

proptest! {
    #![proptest_config(crate::config(64))]

    #[test]
    fn agency_savings_sum_to_the_total_and_saving_is_old_minus_new(costs in costs(), rows in rows(), r in 9000u32..12000) {
        let cat = catalogue(&costs);
        let ledger = Ledger::build(&journeys(&cat, &rows), &cat, &index(r), PriceYear::Calendar(2024)).unwrap();
        let Ok(c) = compare(&ledger, &CompareOptions::default(), None) else { return Ok(()) };
        let base: Money = c.agencies.iter().map(|a| a.baseline_cost).sum();
        let alt: Money = c.agencies.iter().map(|a| a.alternative_cost).sum();
        let saving: Money = c.agencies.iter().map(|a| a.saving).sum();
        prop_assert_eq!(base, c.total.baseline_cost);
        prop_assert_eq!(alt, c.total.alternative_cost);
        prop_assert_eq!(saving, c.total.saving);
        prop_assert_eq!(c.total.saving, c.total.baseline_cost - c.total.alternative_cost);
        let persons: Money = c.persons.iter().map(|p| p.saving).sum();
        prop_assert_eq!(persons, c.total.saving);
        prop_assert_eq!(c.total.baseline_cost + c.total.alternative_cost, ledger.total());
        // demand and tier views conserve too
        let by_demand: Money = c.demand.iter().map(|d| d.cost).sum();
        let by_tier: Money = c.tiers.iter().map(|d| d.cost).sum();
        prop_assert_eq!(by_demand, ledger.total());
        prop_assert_eq!(by_tier, ledger.total());
        // the last cumulative point of each line is its total
        let last = |p: &str| c.series.iter().rev().find(|s| s.pathway == p).map(|s| s.cumulative_cost);
        prop_assert_eq!(last("old").unwrap_or(Money::ZERO), c.total.baseline_cost);
        prop_assert_eq!(last("new").unwrap_or(Money::ZERO), c.total.alternative_cost);
    }

    #[test]
    fn row_order_does_not_matter(costs in costs(), rows in rows(), seed in any::<u64>()) {
        let cat = catalogue(&costs);
        let idx = index(10300);
        let mut shuffled = rows.clone();
        // a deterministic permutation from the seed
        let n = shuffled.len();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let a = Ledger::build(&journeys(&cat, &rows), &cat, &idx, PriceYear::Calendar(2024)).unwrap();
        let b = Ledger::build(&journeys(&cat, &shuffled), &cat, &idx, PriceYear::Calendar(2024)).unwrap();
        prop_assert_eq!(output::cost_tables(&a), output::cost_tables(&b));
        for period in [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Fy] {
            let opts = CompareOptions { period, ..CompareOptions::default() };
            prop_assert_eq!(compare(&a, &opts, None).ok(), compare(&b, &opts, None).ok());
        }
    }

    #[test]
    fn an_index_ratio_of_one_returns_the_catalogue_cost(pennies in 0i64..10_000_000_000, scale in 0u32..5, index_value in 1i64..100_000_000) {
        let mut idx = PriceIndex::new();
        let y = PriceYear::Financial(2019);
        idx.insert(y, Decimal::new(index_value, 4)).unwrap();
        let cost = Decimal::new(pennies, 2);
        prop_assert_eq!(idx.convert(cost, y, y).unwrap(), cost);
        let precise = Decimal::new(pennies, scale + 2);
        prop_assert_eq!(idx.convert(precise, y, y).unwrap(), precise.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven));
    }

    #[test]
    fn apportioned_parts_sum_to_the_total(pennies in -100_000_000i64..100_000_000, weights in prop::collection::vec(0u64..400, 1..40)) {
        let total = Money::new(Decimal::new(pennies, 2));
        let parts = apportion(total, &weights);
        prop_assert_eq!(parts.len(), weights.len());
        if weights.iter().any(|w| *w > 0) {
            prop_assert_eq!(parts.iter().copied().sum::<Money>(), total);
        }
        for (p, w) in parts.iter().zip(&weights) {
            if *w == 0 { prop_assert!(p.is_zero()); }
        }
    }

    #[test]
    fn a_spells_month_parts_sum_to_its_total(offset in 0u16..2000, days in 0u16..1200, pennies in 1i64..50_000_000, unit in 2u8..5) {
        let mut u = UnitCost::new("S", "A", Decimal::new(pennies, 2), PriceYear::Calendar(2024));
        u.unit = UNITS[unit as usize];
        let cat = Catalogue::new(vec![u.clone()]).unwrap();
        let mut idx = PriceIndex::new();
        idx.insert(PriceYear::Calendar(2024), Decimal::ONE).unwrap();
        let start = NaiveDate::from_ymd_opt(2018, 1, 1).unwrap() + chrono::Days::new(u64::from(offset));
        let end = start + chrono::Days::new(u64::from(days));
        let mut j = Journeys::new();
        j.push(Event::new("P", "old", start, "S").until(end)).unwrap();
        let ledger = Ledger::build(&j, &cat, &idx, PriceYear::Calendar(2024)).unwrap();
        let d = Decimal::from(u.unit.spell_days().unwrap());
        let expected = (u.unit_cost * Decimal::from(u64::from(days) + 1) / d).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
        prop_assert_eq!(ledger.total().exact(), expected);
        prop_assert_eq!(ledger.lines().filter(|l| !l.continuation).count(), 1);
        let by_year = ledger.aggregate(PeriodKind::Year, |_, p| Some(p));
        prop_assert_eq!(by_year.values().map(|t| t.events).sum::<u64>(), by_year.len() as u64);
    }
}

proptest! {
    #![proptest_config(crate::config(48))]

    /// The streamed `cost` job gives the same bytes as costing a stored ledger.
    #[test]
    fn streaming_equals_the_ledger(costs in costs(), rows in rows(), r in 9000u32..12000) {
        use std::fmt::Write as _;
        let cat = catalogue(&costs);
        let idx = index(r);
        let j = journeys(&cat, &rows);
        let dir = tempfile::tempdir().unwrap();
        let mut c = String::from("code,agency,unit_cost,price_year,unit\n");
        for u in cat.entries() {
            let _ = writeln!(c, "{},\"{}\",{},{},{}", u.code, u.agency, u.unit_cost, u.price_year, u.unit);
        }
        let mut d = String::from("year,index\n");
        for (y, v) in idx.iter() {
            let _ = writeln!(d, "{y},{v}");
        }
        let mut e = String::from("person_id,pathway,date,code,quantity,end_date,probability\n");
        for i in 0..j.len() {
            let ev = j.get(i);
            let end = ev.end_date.map(|x| x.to_string()).unwrap_or_default();
            let p = ev.probability.map(|x| x.to_string()).unwrap_or_default();
            let _ = writeln!(e, "{},{},{},{},{},{end},{p}", ev.person, ev.pathway, ev.date, ev.code, ev.quantity);
        }
        let paths = crate::input_files(dir.path(), &c, &d, &e);
        let streamed = journeycost::run::cost_streaming(&paths, Some(PriceYear::Calendar(2024))).unwrap();
        let ledger = Ledger::build(&j, &cat, &idx, PriceYear::Calendar(2024)).unwrap();
        prop_assert_eq!(&streamed, &output::cost_tables(&ledger));
        // The same tables from the events in memory, on one thread or several.
        for threads in [1, 2, 3] {
            prop_assert_eq!(&journeycost::run::cost_tables_of(&j, &cat, &idx, PriceYear::Calendar(2024), threads).unwrap(), &streamed);
        }
        // Read by up to five threads, each from its own stretch of lines: the same bytes.
        for threads in [2, 3, 5] {
            let split = journeycost::run::StreamOptions { threads, min_split_bytes: 1, fast_reader: true };
            prop_assert_eq!(&journeycost::run::cost_streaming_with(&paths, Some(PriceYear::Calendar(2024)), split).unwrap(), &streamed);
        }
    }

    /// Bad rows are reported with their lines in the whole file, however many threads read
    /// it; a file with quotes (which could hide a line end) gives the same answer too.
    #[test]
    fn streaming_problems_do_not_depend_on_threads(
        rows in proptest::collection::vec((0usize..5, 0u8..6), 1..60),
        quoted in proptest::bool::ANY,
    ) {
        use std::fmt::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let mut e = String::from("person_id,pathway,date,code,quantity,end_date,note\n");
        for (i, (kind, person)) in rows.iter().enumerate() {
            let note = if quoted && i % 7 == 3 { "\"a, \"\"quoted\"\"\nnote\"" } else { "" };
            let _ = match kind {
                0 => writeln!(e, "P{person},old,2024-01-{:02},A,2,,{note}", 1 + i % 28),
                1 => writeln!(e, "P{person},new,2024-02-30,A,1,,{note}"),
                2 => writeln!(e, "P{person},new,2024-03-01,NOPE,1,,{note}"),
                3 => writeln!(e, "P{person},old,2024-03-01,D,1,2024-04-02,{note}"),
                _ => writeln!(e),
            };
        }
        let catalogue = "code,agency,unit_cost,price_year,unit\nA,Police,10.5,2024,event\nD,NHS,3,2024,day\n";
        let paths = crate::input_files(dir.path(), catalogue, "year,index\n2024,100\n", &e);
        let one = journeycost::run::cost_streaming_with(&paths, None, journeycost::run::StreamOptions { threads: 1, min_split_bytes: 1, fast_reader: false });
        for threads in [2, 4] {
            let many = journeycost::run::cost_streaming_with(&paths, None, journeycost::run::StreamOptions { threads, min_split_bytes: 1, fast_reader: true });
            prop_assert_eq!(&many, &one);
        }
    }
}

/// One field of a generated row: a good value most of the time, now and then a bad one.
fn pick(good: &[&str], bad: &[&str], r: u16) -> String {
    let r = usize::from(r);
    if (230..256).contains(&r) && !bad.is_empty() {
        bad[r % bad.len()].to_owned()
    } else {
        good[r % good.len()].to_owned()
    }
}

/// The value of column `column` of a generated row.
/// (`r` of 256 or more: always a good one.)
fn field_of(column: &str, r: u16) -> String {
    match column {
        "person_id" => pick(&["P1", "P2", "P10", "P2", "Zoë", "a-very-long-person-identifier-001"], &[""], r),
        "pathway" => pick(&["old", "new", "old", "new", "alt"], &["", " old"], r),
        "date" => {
            pick(&["2024-01-15", "2024-02-29", "2023-12-31", "2024-03-01"], &["2024-02-30", "2024-1-5", "20240101"], r)
        }
        "code" => pick(&["A", "D", "W", "A", "LONG-CODE-FOR-A-VISIT"], &["NOPE", "", "M"], r),
        "quantity" => pick(
            &["", "1", "2", "0.5", "1.25", "007", "1.000001", "99999"],
            &["999999999999", "-1", "1.0000001", "abc", "1000000000000", "1e3"],
            r,
        ),
        "end_date" => pick(&["", "", "", "", "", "", "2024-03-02"], &["2023-01-01", "bad"], r),
        "probability" => pick(&["", "", "", "", "0.5"], &["1.5"], r),
        "demand" => pick(&["", "", "", "failure", "value"], &["bogus"], r),
        "cost" => pick(&["", "", "", "", "", "12.50"], &["x"], r),
        "note" => pick(&["", "hello", "ünïcode", "a;b"], &[], r),
        _ => String::new(),
    }
}

proptest! {
    #![proptest_config(crate::config(96))]

    /// The fast reader of plain rows gives exactly what the CSV reader gives, on one thread or
    /// several: the same bytes, or the same problems at the same lines. The files mix plain
    /// rows with spells, own costs, probabilities, demands, notes, columns in any order, CRLF
    /// line ends, blank lines, a missing last line end, and the occasional bad field, ragged
    /// row, quote, lone carriage return or byte that is not UTF-8. Before the header there may
    /// be a UTF-8 byte order mark and blank lines, and after it a run of blank lines long enough
    /// to fill the first stretch.
    #[test]
    fn the_fast_reader_reads_as_the_csv_reader_does(
        optional in proptest::collection::vec(proptest::bool::ANY, 6),
        order in Just((0..10usize).collect::<Vec<_>>()).prop_shuffle(),
        rows in proptest::collection::vec((proptest::collection::vec(any::<u8>(), 10), 0u8..=255), 1..80),
        crlf in proptest::bool::ANY,
        last_line_end in proptest::bool::ANY,
        clean in proptest::bool::weighted(0.7),
        (lead, blank_run) in (0usize..LEADS.len(), prop_oneof![Just(0usize), 1usize..4, 20usize..200]),
    ) {
        let all = ["person_id", "pathway", "date", "code", "quantity", "end_date", "probability", "demand", "cost", "note"];
        let columns: Vec<&str> = order.iter().map(|&i| all[i]).filter(|c| match all.iter().position(|a| a == c) {
            Some(i) if i >= 4 => optional[i - 4],
            _ => true,
        }).collect();
        let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let mut e = LEADS[lead].to_vec();
        e.extend_from_slice(columns.join(",").as_bytes());
        e.extend_from_slice(end);
        for _ in 0..blank_run {
            e.extend_from_slice(end);
        }
        for (values, shape) in &rows {
            // A clean file has only good fields, and no row of a bad shape.
            let (r, shape) = match (clean, *shape) {
                (false, shape) => (0, shape),
                (true, blank @ 6..=8) => (256, blank),
                (true, _) => (256, 255),
            };
            let mut fields: Vec<Vec<u8>> = columns.iter().zip(values).map(|(c, v)| field_of(c, u16::from(*v) + r).into_bytes()).collect();
            // Only codes priced per day or week can be spells (in a clean file).
            let at = |name: &str| columns.iter().position(|c| *c == name);
            if let (true, Some(code), Some(end)) = (clean, at("code"), at("end_date")) {
                if !matches!(&fields[code][..], b"D" | b"W") {
                    fields[end].clear();
                }
            }
            match shape {
                0..=3 => fields.truncate(fields.len() - 1),
                4..=5 => fields.push(b"extra".to_vec()),
                6..=8 => fields = Vec::new(),
                9 => fields[0].extend_from_slice(b"\"q\""),
                10 => fields[0].extend_from_slice(b"a\rb"),
                11 => fields[0].push(0xff),
                12..=13 => e.extend_from_slice(b"\r"),
                _ => {}
            }
            e.extend_from_slice(&fields.join(&b","[..]));
            e.extend_from_slice(end);
        }
        if !last_line_end {
            e.truncate(e.len() - end.len());
        }
        let dir = tempfile::tempdir().unwrap();
        let paths = crate::input_files(
            dir.path(),
            "code,agency,unit_cost,price_year,unit\nA,Police,10.5,2024,event\nD,NHS,3.333,2024,day\nW,Housing,700,2019,week\nM,Police,5,2003,event\nLONG-CODE-FOR-A-VISIT,Social care,123.45,2020,event\n",
            "year,index\n2019,90.5\n2020,91.25\n2021,93\n2022,95.5\n2023,98.125\n2024,100\n",
            &e,
        );
        let options = |threads, fast_reader| journeycost::run::StreamOptions { threads, min_split_bytes: 1, fast_reader };
        let csv = journeycost::run::cost_streaming_with(&paths, None, options(1, false));
        if clean {
            prop_assert!(csv.is_ok(), "{:?}", csv);
        }
        for threads in [1, 2, 3, 5] {
            prop_assert_eq!(&journeycost::run::cost_streaming_with(&paths, None, options(threads, true)), &csv, "{} thread(s)", threads);
            prop_assert_eq!(&journeycost::run::cost_streaming_with(&paths, None, options(threads, false)), &csv, "{} thread(s), CSV reader", threads);
        }
    }
}

/// What may come before a header: nothing, a UTF-8 byte order mark, blank lines (LF, CRLF or
/// a lone CR), or a mark and then blank lines.
const LEADS: [&[u8]; 8] = [b"", b"\xEF\xBB\xBF", b"\n", b"\r\n", b"\n\n\n", b"\r", b"\xEF\xBB\xBF\n", b"\r\n\n"];

/// A file of over 4 MiB that starts with a blank line, read on every thread count with the
/// default options (so it is split): the same bytes as on one thread. (Each thread once took
/// the first row of its stretch for the header.)
#[test]
fn a_large_file_starting_with_a_blank_line_reads_the_same_on_any_threads() {
    let dir = tempfile::tempdir().unwrap();
    for lead in [&b"\n"[..], b"\r\n\r\n", b"\xEF\xBB\xBF"] {
        let mut e = lead.to_vec();
        e.extend_from_slice(b"person_id,pathway,date,code,quantity\n");
        let mut i = 0;
        while e.len() < 5 << 20 {
            e.extend_from_slice(
                format!("P{},{},2024-{:02}-01,CALL,{}\n", i % 1000, ["old", "new"][i % 2], 1 + i % 12, 1 + i % 3)
                    .as_bytes(),
            );
            i += 1;
        }
        let paths = crate::input_files(
            dir.path(),
            "code,agency,unit_cost,price_year\nCALL,Police,10,2024\n",
            "year,index\n2024,100\n",
            &e,
        );
        let one = journeycost::run::cost_streaming_with(
            &paths,
            None,
            journeycost::run::StreamOptions { threads: 1, ..Default::default() },
        )
        .unwrap();
        for threads in [2, 3, 4] {
            let many = journeycost::run::cost_streaming_with(
                &paths,
                None,
                journeycost::run::StreamOptions { threads, ..Default::default() },
            );
            match many {
                Ok(many) => assert!(many == one, "{threads} threads, lead {lead:?}: other bytes"),
                Err(e) => panic!("{threads} threads, lead {lead:?}: {e}"),
            }
        }
    }
}

/// A carriage return alone ends a record, even on the header's line: the rows after it are
/// read by every reader, on any number of threads (the fast reader must not take the line for
/// the header alone).
#[test]
fn a_header_ended_by_a_lone_carriage_return_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let paths = crate::input_files(
        dir.path(),
        "code,agency,unit_cost,price_year\nCALL,Police,10,2024\n",
        "year,index\n2024,100\n",
        "person_id,pathway,date,code\rP1,old,2024-01-01,CALL\nP2,new,2024-01-02,CALL\n",
    );
    let options = |threads, fast_reader| journeycost::run::StreamOptions { threads, min_split_bytes: 1, fast_reader };
    let csv = journeycost::run::cost_streaming_with(&paths, None, options(1, false)).unwrap();
    let persons = String::from_utf8(csv.files().iter().find(|f| f.0 == "persons.csv").unwrap().1.clone()).unwrap();
    assert_eq!(persons, "person_id,old_cost,new_cost,saving\nP1,10.00,0.00,10.00\nP2,0.00,10.00,-10.00\n");
    for threads in [1, 2, 3] {
        assert_eq!(
            journeycost::run::cost_streaming_with(&paths, None, options(threads, true)).unwrap(),
            csv,
            "{threads} thread(s)"
        );
    }
}

/// Sums too large to keep are one problem, whichever sum overflows (here an agency's, across
/// two months whose own sums fit).
#[test]
fn sums_too_large_are_one_problem() {
    let dir = tempfile::tempdir().unwrap();
    let paths = crate::input_files(
        dir.path(),
        "code,agency,unit_cost,price_year\nBIG,Police,1000000000000,2024\n",
        "year,index\n2024,100\n",
        "person_id,pathway,date,code,quantity\nP1,old,2024-01-01,BIG,1000000000000\nP2,old,2024-02-01,BIG,1000000000000\n",
    );
    for fast_reader in [false, true] {
        let options = journeycost::run::StreamOptions { threads: 1, min_split_bytes: 1, fast_reader };
        let err = journeycost::run::cost_streaming_with(&paths, None, options).unwrap_err();
        assert_eq!(err.kind(), journeycost::ProblemKind::Overflow);
        assert!(err.to_string().contains("too large, or too precise, to be summed exactly"), "{err}");
    }
}

/// `cat` with failure, value and unclassified demand, every tier and none, and agency details,
/// so that every view of a tally has keys.
fn with_demand_tiers_and_details(cat: &Catalogue) -> Catalogue {
    use journeycost::catalogue::{DemandKind, Tier};
    let entries = cat
        .entries()
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, mut u)| {
            u.demand = [None, Some(DemandKind::Failure), Some(DemandKind::Value)][i % 3];
            u.tier = Tier::new((i % 5) as u8);
            u.agency_detail = (i % 2 == 0).then(|| format!("team {}", i % 3));
            u
        })
        .collect();
    Catalogue::new(entries).unwrap()
}

proptest! {
    #![proptest_config(crate::config(96))]

    /// The merge law: the tallies of two disjoint sets of persons, each costed on its own (as on
    /// two machines), merge into the tally of the whole cohort, exactly; through their serialised
    /// form too; and the finished tally is the comparison.
    #[test]
    fn tallies_of_disjoint_persons_merge_into_the_tally_of_the_union(
        costs in costs(),
        rows in rows(),
        r in 9000u32..12000,
        in_a in prop::collection::vec(any::<bool>(), 6),
        period in prop::sample::select(vec![PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year, PeriodKind::Fy]),
        detail in any::<bool>(),
    ) {
        use journeycost::compare::{CompareTally, tally};
        let cat = with_demand_tiers_and_details(&catalogue(&costs));
        let idx = index(r);
        let base = PriceYear::Calendar(2024);
        let options = CompareOptions { period, agency_detail: detail, ..CompareOptions::default() };
        let part = |keep: bool| -> CompareTally {
            let rows: Vec<Row> = rows.iter().copied().filter(|row| in_a[row.0 as usize] == keep).collect();
            if rows.is_empty() {
                return CompareTally::empty(&options, base, &[journeycost::catalogue::ValueType::Fiscal]);
            }
            let ledger = Ledger::build(&journeys(&cat, &rows), &cat, &idx, base).unwrap();
            tally(&ledger, &options, None).unwrap()
        };
        let whole = Ledger::build(&journeys(&cat, &rows), &cat, &idx, base).unwrap();
        let expected = tally(&whole, &options, None).unwrap();

        let mut merged = part(true);
        merged.merge(part(false)).unwrap();
        prop_assert_eq!(&merged, &expected);

        let mut wired = CompareTally::from_bytes(&part(false).to_bytes()).unwrap();
        wired.merge(CompareTally::from_bytes(&part(true).to_bytes()).unwrap()).unwrap();
        prop_assert_eq!(&wired, &expected);
        prop_assert_eq!(CompareTally::from_bytes(&expected.to_bytes()).unwrap().to_bytes(), expected.to_bytes());

        if let Ok(c) = compare(&whole, &options, None) {
            prop_assert_eq!(merged.finish(), c);
        }
    }
}

/// A CBOR map's entries, as `ciborium` holds them.
type CborMap = Vec<(ciborium::Value, ciborium::Value)>;

#[test]
fn tallies_refuse_what_would_not_add_up() {
    use journeycost::compare::{CompareTally, tally};
    let cat = catalogue(&[(1000, 0, 0), (2500, 1, 1)]);
    let rows: Vec<Row> = vec![(0, true, 10, 0, 100, None, 100), (0, false, 20, 1, 100, None, 100)];
    let ledger = Ledger::build(&journeys(&cat, &rows), &cat, &index(10000), PriceYear::Calendar(2024)).unwrap();
    let t = tally(&ledger, &CompareOptions::default(), None).unwrap();
    // A person in both tallies would count twice.
    let mut twice = t.clone();
    let e = twice.merge(t.clone()).unwrap_err();
    assert!(e.to_string().contains("person \"P0\" is in both tallies"), "{e}");
    // Tallies of other settings.
    let quarterly = tally(&ledger, &CompareOptions { period: PeriodKind::Quarter, ..CompareOptions::default() }, None);
    let mut other = CompareTally::empty(
        &CompareOptions::default(),
        PriceYear::Calendar(2024),
        &[journeycost::catalogue::ValueType::Fiscal],
    );
    let e = other.merge(quarterly.unwrap()).unwrap_err();
    assert!(e.to_string().contains("by month") && e.to_string().contains("by quarter"), "{e}");
    // Bytes that are not a tally, or of another version, are refused with a message.
    assert!(CompareTally::from_bytes(b"not cbor at all").is_err());
    let mut bytes = t.to_bytes();
    let at = bytes.windows(7).position(|w| w == b"version").unwrap() + 7;
    bytes[at] = 0x02; // CBOR small integer 2
    let e = CompareTally::from_bytes(&bytes).unwrap_err();
    assert!(e.to_string().contains("version 2; this journeycost reads"), "{e}");
    // Every truncation is an error, never a panic.
    let good = t.to_bytes();
    for n in 0..good.len() {
        assert!(CompareTally::from_bytes(&good[..n]).is_err());
    }
    // Two tallies appended are not one.
    let two = [good.clone(), good.clone()].concat();
    assert!(CompareTally::from_bytes(&two).unwrap_err().to_string().contains("bytes follow the tally"));
    // Tallies of other value types do not merge.
    let public = journeycost::catalogue::ValueType::case("public").unwrap();
    let ledger_all =
        Ledger::build_with(&journeys(&cat, &rows), &cat, &index(10000), PriceYear::Calendar(2024), public).unwrap();
    let rows_q: Vec<Row> = vec![(1, true, 10, 0, 100, None, 100)];
    let other_person = Ledger::build(&journeys(&cat, &rows_q), &cat, &index(10000), PriceYear::Calendar(2024)).unwrap();
    let mut all = tally(&ledger_all, &CompareOptions::default(), None).unwrap();
    let e = all.merge(tally(&other_person, &CompareOptions::default(), None).unwrap()).unwrap_err();
    assert!(
        e.to_string().contains("fiscal+economic+social values") && e.to_string().contains(", fiscal values"),
        "{e}"
    );
    // Hostile values in well-formed bytes: refused, never a panic or a hang in `finish`.
    let edit = |f: &dyn Fn(&mut CborMap)| {
        let mut v: ciborium::Value = ciborium::from_reader(good.as_slice()).unwrap();
        f(v.as_map_mut().unwrap());
        let mut out = Vec::new();
        ciborium::into_writer(&v, &mut out).unwrap();
        CompareTally::from_bytes(&out)
    };
    let field =
        |m: &mut CborMap, name: &str| -> usize { m.iter().position(|(k, _)| k.as_text() == Some(name)).unwrap() };
    let e = edit(&|m| {
        let i = field(m, "periods");
        let rows = m[i].1.as_array_mut().unwrap();
        rows[0].as_array_mut().unwrap()[1] = ciborium::Value::Integer(i32::MAX.into());
    })
    .unwrap_err();
    assert!(e.to_string().contains("outside years 0 to 9999"), "{e}");
    let e = edit(&|m| {
        let i = field(m, "persons");
        let rows = m[i].1.as_array_mut().unwrap();
        let first = rows[0].clone();
        rows.push(first);
    })
    .unwrap_err();
    assert!(e.to_string().contains("is in the tally twice"), "{e}");
    let e = edit(&|m| {
        let i = field(m, "agencies");
        for row in m[i].1.as_array_mut().unwrap() {
            let totals = row.as_array_mut().unwrap()[3].as_array_mut().unwrap();
            totals[1] = ciborium::Value::Text("50000000000000000000000000000".into());
        }
    })
    .unwrap_err();
    assert!(e.to_string().contains("too large to keep exactly"), "{e}");
    let e = edit(&|m| {
        let i = field(m, "value_types");
        m[i].1 = ciborium::Value::Array(vec![ciborium::Value::Text("economic".into())]);
    })
    .unwrap_err();
    assert!(e.to_string().contains("neither fiscal nor all three"), "{e}");
}
