//! Build a journey in code, cost it and compare the old way with the new.
//!
//! Run with `cargo run -p journeycost --example journey_in_code`.
//!
//! A single parent's rent arrears go unanswered (the old way) until they become an eviction,
//! temporary accommodation and a child-protection plan; a locality team (the new way) visits
//! early and resolves the arrears. Unit costs here are round illustrative figures in 2023/24
//! prices; `examples/anna/` has the sourced version.

use chrono::NaiveDate;
use journeycost::Decimal;
use journeycost::catalogue::{Catalogue, DemandKind, Tier, Unit, UnitCost};
use journeycost::compare::{CompareOptions, compare};
use journeycost::journey::{Event, Journeys};
use journeycost::ledger::Ledger;
use journeycost::period::PeriodKind;
use journeycost::prices::{PriceIndex, PriceYear};

fn main() -> Result<(), journeycost::Error> {
    let fy = PriceYear::Financial(2023);
    let unit = |code: &str, agency: &str, pounds: i64, unit: Unit, tier: u8, demand: DemandKind| {
        let mut u = UnitCost::new(code, agency, Decimal::from(pounds), fy);
        u.unit = unit;
        u.tier = Tier::new(tier);
        u.demand = Some(demand);
        u
    };
    let catalogue = Catalogue::new(vec![
        unit("LETTER", "Housing", 6, Unit::Event, 1, DemandKind::Failure),
        unit("EVICTION", "Housing", 7_000, Unit::Event, 4, DemandKind::Failure),
        unit("TEMP-ACCOM", "Housing", 300, Unit::Week, 3, DemandKind::Failure),
        unit("CP-PLAN", "Children's Social Care", 100, Unit::Week, 3, DemandKind::Value),
        unit("KEY-WORKER", "Locality team", 45, Unit::Hour, 2, DemandKind::Value),
    ])?;
    let mut index = PriceIndex::new();
    index.insert(fy, Decimal::ONE_HUNDRED).expect("a positive index");

    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("a real date");
    let mut journeys = Journeys::new();
    let mut add = |e: Event| journeys.push(e).expect("a valid event");
    // The old way: four unanswered letters, an eviction, 20 weeks in temporary accommodation,
    // and a child-protection plan judged 70% likely.
    for m in 1..=4 {
        add(Event::new("ANNA", "old", d(2023, m, 5), "LETTER"));
    }
    add(Event::new("ANNA", "old", d(2023, 6, 1), "EVICTION"));
    add(Event::new("ANNA", "old", d(2023, 6, 1), "TEMP-ACCOM").until(d(2023, 10, 18)));
    add(Event::new("ANNA", "old", d(2023, 9, 1), "CP-PLAN").until(d(2024, 2, 29)).probability(Decimal::new(7, 1)));
    // The new way: one letter, then a key worker, three hours a month for four months.
    add(Event::new("ANNA", "new", d(2023, 1, 5), "LETTER"));
    for m in 1..=4 {
        add(Event::new("ANNA", "new", d(2023, m, 20), "KEY-WORKER").quantity(Decimal::from(3)));
    }

    let ledger = Ledger::build(&journeys, &catalogue, &index, fy)?;
    let options = CompareOptions { period: PeriodKind::Quarter, ..CompareOptions::default() };
    let c = compare(&ledger, &options, None)?;

    println!("price base {}", c.price_base);
    println!("{:<10} {:>10} {:>10}", "quarter", "old (red)", "new (blue)");
    let (old, new): (Vec<_>, Vec<_>) = c.series.iter().partition(|p| p.pathway == "old");
    for (o, n) in old.iter().zip(&new) {
        println!("{:<10} {:>10} {:>10}", o.period, o.cumulative_cost, n.cumulative_cost);
    }
    for a in &c.agencies {
        println!("{:<24} saves {:>10}", a.agency, a.saving);
    }
    println!("total saving {} from {}", c.total.saving, c.break_even.map_or("never".to_owned(), |p| p.to_string()));
    assert_eq!(c.total.saving, c.total.baseline_cost - c.total.alternative_cost);
    Ok(())
}
