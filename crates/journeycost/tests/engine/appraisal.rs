use chrono::NaiveDate;
use journeycost::Decimal;
use journeycost::appraisal::{AppraisalSpec, Convention, CostItem, DropOff, Schedule, appraise, npv};
use journeycost::catalogue::{Catalogue, Confidence, UnitCost};
use journeycost::journey::{Event, Journeys};
use journeycost::ledger::Ledger;
use journeycost::prices::{PriceIndex, PriceYear};
use proptest::prelude::*;

fn flows() -> impl Strategy<Value = Vec<Decimal>> {
    prop::collection::vec((-10_000_000i64..10_000_000).prop_map(|p| Decimal::new(p, 2)), 1..40)
}

fn schedule() -> impl Strategy<Value = Schedule> {
    prop_oneof![
        Just(Schedule::GreenBook),
        Just(Schedule::Health),
        Just(Schedule::Undiscounted),
        (0i64..200).prop_map(|r| Schedule::Constant(Decimal::new(r, 3))),
    ]
}

/// A cohort: (person, old?, year offset, quantity) of one £ cost, priced in 2024/25.
fn ledger(rows: &[(u8, bool, u8, u16)], scale: u16) -> (Ledger, Catalogue) {
    let y = PriceYear::Financial(2024);
    let mut care = UnitCost::new("CARE", "Children's Social Care", Decimal::new(80_000, 2), y);
    care.confidence = Some(Confidence::Amber);
    let mut visit = UnitCost::new("VISIT", "Locality team", Decimal::new(4_500, 2), y);
    visit.confidence = Some(Confidence::Green);
    let cat = Catalogue::new(vec![care, visit]).unwrap();
    let mut idx = PriceIndex::new();
    idx.insert(y, Decimal::ONE_HUNDRED).unwrap();
    let mut j = Journeys::new();
    for &(p, old, year, q) in rows {
        let date = NaiveDate::from_ymd_opt(2020 + i32::from(year % 6), 5, 1).unwrap();
        let code = if old { "CARE" } else { "VISIT" };
        j.push(
            Event::new(format!("P{p}"), if old { "old" } else { "new" }, date, code)
                .quantity(Decimal::from(q) * Decimal::from(scale)),
        )
        .unwrap();
    }
    j.push(
        Event::new("P0", "old", NaiveDate::from_ymd_opt(2020, 5, 1).unwrap(), "CARE").quantity(Decimal::from(scale)),
    )
    .unwrap();
    j.push(
        Event::new("P0", "new", NaiveDate::from_ymd_opt(2020, 5, 1).unwrap(), "VISIT").quantity(Decimal::from(scale)),
    )
    .unwrap();
    (Ledger::build(&j, &cat, &idx, y).unwrap(), cat)
}

fn cohort() -> impl Strategy<Value = Vec<(u8, bool, u8, u16)>> {
    prop::collection::vec((0u8..20, any::<bool>(), 0u8..6, 0u16..50), 0..40)
}

proptest! {
    #![proptest_config(crate::config(64))]

    #[test]
    fn zero_rates_give_undiscounted_sums(f in flows()) {
        let sum: Decimal = f.iter().sum();
        prop_assert_eq!(npv(&f, Schedule::Undiscounted, Convention::GreenBook), sum);
        prop_assert_eq!(npv(&f, Schedule::Constant(Decimal::ZERO), Convention::Excel), sum);
    }

    #[test]
    fn npv_is_linear_in_the_flows(a in flows(), b in flows(), k in -50i64..50, s in schedule()) {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        let combined: Vec<Decimal> = a.iter().zip(b).map(|(x, y)| x * Decimal::from(k) + y).collect();
        let lhs = npv(&combined, s, Convention::GreenBook);
        let rhs = npv(a, s, Convention::GreenBook) * Decimal::from(k) + npv(b, s, Convention::GreenBook);
        // 28-significant-digit factors: equal to far below a penny
        prop_assert!((lhs - rhs).abs() < Decimal::new(1, 12), "{} vs {}", lhs, rhs);
    }

    #[test]
    fn benefits_scale_with_the_benefit_stream(rows in cohort(), k in 1u16..20) {
        let spec = AppraisalSpec { intervention_codes: vec!["VISIT".into()], ..AppraisalSpec::default() };
        let (l1, c1) = ledger(&rows, 1);
        let (lk, ck) = ledger(&rows, k);
        let a1 = appraise(&l1, &c1, &spec).unwrap();
        let ak = appraise(&lk, &ck, &spec).unwrap();
        let scaled = a1.pv_benefits.exact() * Decimal::from(k);
        prop_assert!((ak.pv_benefits.exact() - scaled).abs() < Decimal::new(1, 10));
        let scaled_npv = a1.npv.exact() * Decimal::from(k);
        prop_assert!((ak.npv.exact() - scaled_npv).abs() < Decimal::new(1, 10));
    }

    #[test]
    fn raising_deadweight_never_raises_npv(rows in cohort(), lo in 0u32..=100, step in 0u32..=100, additive in any::<bool>(), drop in any::<bool>()) {
        let (l, c) = ledger(&rows, 1);
        let hi = (lo + step).min(100);
        let at = |dw: u32| {
            let mut spec = AppraisalSpec {
                // every new-way row is the intervention's own cost, so each benefit cell is an
                // avoided old-way cost: never negative
                intervention_codes: vec!["VISIT".into()],
                costs: vec![CostItem { year: 2020, amount: Decimal::from(5000), agency: "Council".into(), agency_detail: None, description: "set-up".into(), confidence: None }],
                drop_off: drop.then_some(DropOff { rate: Decimal::new(3, 1), horizon: 4 }),
                ..AppraisalSpec::default()
            };
            spec.adjustments.deadweight = Decimal::new(i64::from(dw), 2);
            if additive {
                spec.adjustments.combine = journeycost::appraisal::Combine::Additive;
            }
            appraise(&l, &c, &spec).unwrap().npv
        };
        let (n_lo, n_hi) = (at(lo), at(hi));
        prop_assert!(n_hi <= n_lo, "deadweight {} gives {}, {} gives {}", lo, n_lo, hi, n_hi);
    }
}
