//! One pass over the events (`compare`, the appraisal's cells, or both) gives the results (or
//! the problems) of loading everything first; appraisal tallies of disjoint persons merge into
//! the tally of their union.

use std::fmt::Write as _;

use journeycost::Decimal;
use journeycost::appraisal::{AppraisalSpec, AppraisalTally, CostItem, DropOff, YearBasis, appraise, appraise_tally};
use journeycost::catalogue::ValueType;
use journeycost::compare::{CompareOptions, compare_run};
use journeycost::io::InputPaths;
use journeycost::ledger::Ledger;
use journeycost::period::PeriodKind;
use journeycost::run::{Inputs, Pass, compare_streaming_in_parts, stream_in_parts};
use proptest::prelude::*;

/// (person, pathway, day offset, code, quantity in hundredths, spell days, probability %, demand)
type Row = (u8, u8, u16, u8, u32, Option<u16>, u8, u8);

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (0u8..7, 0u8..10, 0u16..900, any::<u8>(), 1u32..5000, prop::option::of(0u16..200), 1u8..=100, 0u8..4),
        1..50,
    )
}

/// (pennies, agency, unit, price year offset, tier, demand, economic?, social?)
type Cost = (u32, u8, u8, u8, u8, u8, bool, bool);

fn costs() -> impl Strategy<Value = Vec<Cost>> {
    prop::collection::vec((1u32..2_000_000, 0u8..4, 0u8..4, 0u8..4, 0u8..6, 0u8..3, any::<bool>(), any::<bool>()), 1..7)
}

const AGENCIES: [&str; 4] = ["Housing", "Police", "\"NHS, Acute\"", "Children's Social Care"];
const UNITS: [&str; 4] = ["event", "day", "week", "hour"];

fn write_inputs(dir: &std::path::Path, costs: &[Cost], rows: &[Row], gap: bool) -> InputPaths {
    let mut c = String::from(
        "code,agency,agency_detail,unit_cost,price_year,unit,tier,demand,economic_value,economic_price_year,social_value,social_price_year\n",
    );
    for (i, &(pennies, agency, unit, year, tier, demand, econ, social)) in costs.iter().enumerate() {
        let tier = if tier < 4 { (tier + 1).to_string() } else { String::new() };
        let demand = ["failure", "value", ""][demand as usize];
        let econ = if econ { format!("{}.50,2021", pennies / 3) } else { ",".to_owned() };
        let social = if social { format!("{}.25,2024", pennies / 7) } else { ",".to_owned() };
        let detail = ["", "team A", "team B"][i % 3];
        let _ = writeln!(
            c,
            "C{i},{},{detail},{}.{:02},{},{},{tier},{demand},{econ},{social}",
            AGENCIES[agency as usize],
            pennies / 100,
            pennies % 100,
            2020 + u32::from(year),
            UNITS[unit as usize]
        );
    }
    let mut d = String::from("year,index\n");
    for (y, v) in [(2020, "100"), (2021, "101.5"), (2022, "103.25"), (2023, "106"), (2024, "110")] {
        if !(gap && y == 2022) {
            let _ = writeln!(d, "{y},{v}");
        }
    }
    let mut e = String::from("person_id,pathway,date,code,quantity,end_date,probability,demand\n");
    let start = chrono::NaiveDate::from_ymd_opt(2019, 11, 20).unwrap();
    for &(person, pathway, offset, code, qty, spell, prob, demand) in rows {
        let code = code as usize % costs.len();
        let date = start + chrono::Days::new(u64::from(offset));
        let pathway = ["old", "new", "old", "new", "old", "new", "old", "new", "old", "alt"][pathway as usize];
        let spells = UNITS[costs[code].2 as usize] != "event" && UNITS[costs[code].2 as usize] != "hour";
        let end = match spell {
            Some(days) if spells => (date + chrono::Days::new(u64::from(days))).to_string(),
            _ => String::new(),
        };
        let prob = if prob == 100 { String::new() } else { format!("0.{prob:02}") };
        let demand = ["", "", "failure", "value"][demand as usize];
        let _ = writeln!(e, "P{person},{pathway},{date},C{code},{}.{:02},{end},{prob},{demand}", qty / 100, qty % 100);
    }
    std::fs::write(dir.join("p.csv"), "person_id,area\nP0,North\nP1,South\nP2,North\nP3,\"East, coast\"\nP4,South\n")
        .unwrap();
    InputPaths { persons: Some(dir.join("p.csv")), ..crate::input_files(dir, c, d, e) }
}

proptest! {
    #![proptest_config(crate::config(64))]

    /// Streamed in parts of any size, `compare` gives what loading every event and building the
    /// whole ledger gives: the same run, or the same problems. The runs vary the period, the
    /// agency level, the values counted, one person, a grouping, the pathways, and a price
    /// year missing from the index.
    #[test]
    fn streamed_compare_equals_the_ledger_path(
        costs in costs(),
        rows in rows(),
        period in 0usize..4,
        agency_detail in any::<bool>(),
        public in any::<bool>(),
        person in prop::sample::select(vec![None, None, Some("P1"), Some("P6"), Some("NOBODY")]),
        by in prop::sample::select(vec![None, None, Some("area"), Some("nowhere")]),
        pathways in prop::sample::select(vec![("old", "new"), ("old", "new"), ("new", "old"), ("old", "alt"), ("old", "zzz")]),
        gap in proptest::bool::weighted(0.15),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let paths = write_inputs(dir.path(), &costs, &rows, gap);
        let options = CompareOptions {
            baseline: pathways.0.to_owned(),
            alternative: pathways.1.to_owned(),
            period: [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year, PeriodKind::Fy][period],
            agency_detail,
        };
        let values: &[ValueType] = if public { &ValueType::ALL } else { &[ValueType::Fiscal] };
        let year = Some(journeycost::prices::PriceYear::Calendar(2024));
        let loaded = Inputs::load(&paths, year).and_then(|inputs| {
            let ledger = Ledger::build_with(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base, values)?;
            Ok((compare_run(&ledger, inputs.persons.as_ref(), &options, person, by)?, inputs.price_base))
        });
        for part in [1, 2, 5, journeycost::run::PART] {
            let streamed = compare_streaming_in_parts(&paths, year, values, &options, person, by, part);
            prop_assert_eq!(&streamed, &loaded, "parts of {}", part);
        }
    }
}

/// An appraisal spec between `pathways`, with intervention agencies and codes, explicit cost
/// items (one at an agency with no unit cost, one with an agency detail) and drop-off.
fn spec(pathways: (&str, &str), calendar: bool, intervention: u8, items: bool, drop_off: bool) -> AppraisalSpec {
    let item = |year, amount: i64, agency: &str, detail: Option<&str>| CostItem {
        year,
        amount: Decimal::new(amount, 2),
        agency: agency.to_owned(),
        agency_detail: detail.map(str::to_owned),
        description: "set-up".to_owned(),
        confidence: None,
    };
    AppraisalSpec {
        baseline: pathways.0.to_owned(),
        alternative: pathways.1.to_owned(),
        basis: if calendar { YearBasis::Calendar } else { YearBasis::Fy },
        base_year: None,
        intervention_agencies: if intervention & 1 == 1 { vec!["Housing".to_owned()] } else { Vec::new() },
        intervention_codes: match intervention >> 1 {
            1 => vec!["C0".to_owned()],
            2 => vec!["C0".to_owned(), "NOT-A-CODE".to_owned()],
            _ => Vec::new(),
        },
        costs: if items {
            vec![item(2019, 1_234_567, "Locality team", None), item(2020, 99_901, "Police", Some("team A"))]
        } else {
            Vec::new()
        },
        drop_off: drop_off.then_some(DropOff { rate: Decimal::new(25, 2), horizon: 3 }),
        ..AppraisalSpec::default()
    }
}

proptest! {
    #![proptest_config(crate::config(48))]

    /// One pass that tallies the comparison and the appraisal's cells together, in parts of any
    /// size, gives the comparison and the appraisal of the whole ledger, or the same problems.
    #[test]
    fn one_pass_compares_and_appraises_as_the_ledger_does(
        costs in costs(),
        rows in rows(),
        public in any::<bool>(),
        calendar in any::<bool>(),
        intervention in 0u8..6,
        items in any::<bool>(),
        drop_off in any::<bool>(),
        pathways in prop::sample::select(vec![("old", "new"), ("old", "new"), ("new", "old"), ("old", "alt"), ("old", "zzz")]),
        gap in proptest::bool::weighted(0.1),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let paths = write_inputs(dir.path(), &costs, &rows, gap);
        let options = CompareOptions { baseline: pathways.0.to_owned(), alternative: pathways.1.to_owned(), ..CompareOptions::default() };
        let spec = spec(pathways, calendar, intervention, items, drop_off);
        let values: &[ValueType] = if public { &ValueType::ALL } else { &[ValueType::Fiscal] };
        let year = Some(journeycost::prices::PriceYear::Calendar(2024));
        let ledger = Inputs::load(&paths, year).and_then(|inputs| {
            let ledger = Ledger::build_with(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base, values)?;
            Ok((inputs, ledger))
        });
        let appraised = ledger.as_ref().map_err(ToString::to_string).and_then(|(inputs, ledger)| {
            appraise(ledger, &inputs.catalogue, &spec).map_err(|e| e.to_string())
        });
        let both = ledger.as_ref().map_err(ToString::to_string).and_then(|(inputs, ledger)| {
            let compared = compare_run(ledger, None, &options, None, None).map_err(|e| e.to_string())?;
            Ok((compared, appraise(ledger, &inputs.catalogue, &spec).map_err(|e| e.to_string())))
        });
        for part in [1, 3, journeycost::run::PART] {
            let pass = Pass { compare: Some(&options), appraisal: Some(&spec), each_person: true, ..Pass::default() };
            let passed = stream_in_parts(&paths, year, values, &pass, part).map_err(|e| e.to_string());
            // Each person's own tally is the comparison of that person alone.
            if let (Ok(passed), Ok((_, ledger))) = (&passed, &ledger) {
                prop_assert_eq!(passed.each_person.len(), ledger.persons().len());
                for (person, tally) in &passed.each_person {
                    let alone = compare_run(ledger, None, &options, Some(person), None).unwrap();
                    prop_assert_eq!(&tally.finish(), &alone.groups[0].comparison, "{} in parts of {}", person, part);
                }
            }
            let streamed = passed.map(|p| {
                let appraisal = appraise_tally(p.appraisal.as_ref().unwrap(), &p.catalogue, &spec);
                (p.compare.unwrap(), appraisal.map_err(|e| e.to_string()))
            });
            prop_assert_eq!(&streamed, &both, "parts of {}", part);
            // The appraisal alone, as `journeycost appraise` makes it.
            let pass = Pass { appraisal: Some(&spec), ..Pass::default() };
            let alone = stream_in_parts(&paths, year, values, &pass, part)
                .and_then(|p| appraise_tally(p.appraisal.as_ref().unwrap(), &p.catalogue, &spec))
                .map_err(|e| e.to_string());
            prop_assert_eq!(&alone, &appraised, "parts of {}", part);
        }
    }

    /// Appraisal tallies of any two disjoint sets of persons merge into the tally of all of
    /// them: the appraisal of the merge is the appraisal of the whole, and merging is
    /// commutative.
    #[test]
    fn appraisal_tallies_of_disjoint_persons_merge_into_the_whole(
        costs in costs(),
        rows in rows(),
        split in any::<u8>(),
        intervention in 0u8..2,
        items in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let paths = write_inputs(dir.path(), &costs, &rows, false);
        let spec = spec(("old", "new"), false, intervention, items, true);
        let Ok(inputs) = Inputs::load(&paths, None) else { return Ok(()) };
        let ledger = Ledger::build(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base).unwrap();
        let whole = appraise(&ledger, &inputs.catalogue, &spec);
        // The persons whose bit of `split` is set, and the others.
        let of = |keep: bool| {
            let mut j = journeycost::journey::Journeys::new();
            for e in (0..inputs.journeys.len()).map(|i| inputs.journeys.get(i)) {
                let bit = e.person[1..].parse::<u32>().unwrap() % 8;
                if (split >> bit & 1 == 1) == keep {
                    j.push(e).unwrap();
                }
            }
            let part = Ledger::build(&j, &inputs.catalogue, &inputs.index, inputs.price_base).unwrap();
            AppraisalTally::of_ledger(&part, &inputs.catalogue, &spec)
        };
        let (a, b) = (of(true), of(false));
        let mut ab = a.clone();
        ab.merge(b.clone()).unwrap();
        let mut ba = b;
        ba.merge(a).unwrap();
        prop_assert_eq!(&appraise_tally(&ab, &inputs.catalogue, &spec), &whole);
        prop_assert_eq!(&appraise_tally(&ba, &inputs.catalogue, &spec), &whole);
    }
}

fn loaded(
    paths: &InputPaths,
    values: &[ValueType],
) -> Result<(journeycost::compare::ComparisonRun, journeycost::prices::PriceYear), journeycost::Error> {
    Inputs::load(paths, None).and_then(|inputs| {
        let ledger = Ledger::build_with(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base, values)?;
        Ok((compare_run(&ledger, None, &CompareOptions::default(), None, None)?, inputs.price_base))
    })
}

/// Costs too large to sum exactly: the ledger's problem, not a panic in the tallies.
#[test]
fn costs_too_large_to_sum_are_reported_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut events = String::from("person_id,pathway,date,code\n");
    for i in 0..1001 {
        let _ = writeln!(events, "P{i},old,2024-01-01,BIG");
    }
    let paths = crate::input_files(
        dir.path(),
        "code,agency,unit_cost,price_year\nBIG,Police,999999999999,2000\n",
        "year,index\n2000,0.0000000001\n2024,10000\n",
        &events,
    );
    let expected = loaded(&paths, &[ValueType::Fiscal]);
    assert_eq!(expected.as_ref().unwrap_err().kind(), journeycost::ProblemKind::Overflow);
    for part in [1, 7, 1000] {
        assert_eq!(
            compare_streaming_in_parts(
                &paths,
                None,
                &[ValueType::Fiscal],
                &CompareOptions::default(),
                None,
                None,
                part
            ),
            expected
        );
    }
}

/// With no value type to count, the files' problems still come first, as on the ledger path.
#[test]
fn no_value_types_is_reported_after_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = "code,agency,unit_cost,price_year\nCALL,Police,10,2024\n";
    let deflators = "year,index\n2024,100\n";
    for events in [
        "person_id,pathway,date,code\nP1,old,2024-02-30,CALL\n",
        "person_id,pathway,date,code\nP1,old,2024-02-03,CALL\n",
    ] {
        let paths = crate::input_files(dir.path(), catalogue, deflators, events);
        let streamed = compare_streaming_in_parts(&paths, None, &[], &CompareOptions::default(), None, None, 4);
        assert_eq!(streamed, loaded(&paths, &[]));
        assert!(streamed.is_err());
    }
}
