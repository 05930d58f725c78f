//! The appraisal as a linear function of the ledger's lines.
//!
//! Once the sign of each cell's gross benefit is fixed (optimism bias reduces a benefit and
//! enlarges a disbenefit), every flow an appraisal publishes is a sum over ledger lines of the
//! line's cost times a weight, plus constants from the explicit cost items. A report's
//! disclosure audit needs exactly that: each published appraisal figure as a linear form over
//! the same data as its other tables.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{AppraisalSpec, AppraisalTally, Cells, Frame, Key, frame};
use crate::catalogue::{Catalogue, Confidence, ValueType};
use crate::compare::Side;
use crate::error::Error;
use crate::ledger::{Ledger, Line};
use crate::period::Month;

/// How one ledger line enters the appraisal's yearly flows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LineWeights {
    /// The year of the line, as years since the base year (the index into
    /// [`Appraisal::years`](super::Appraisal::years)).
    pub t: usize,
    /// The line's agency (level 1), by name.
    pub agency: String,
    /// Its part of each year's benefit: `(t, w)` adds `w × cost` to `years[t].benefit`
    /// (drop-off years included). Empty for an intervention cost.
    pub benefit: Vec<(usize, Decimal)>,
    /// Its part of `years[t].gross_benefit`: `+1` on the baseline, `-1` on the alternative, `0`
    /// for an intervention cost.
    pub gross: Decimal,
    /// Its part of `years[t].cost`: `w × cost`; zero unless it is an intervention cost.
    pub cost: Decimal,
}

/// The linearisation of one appraisal.
#[derive(Debug, Clone)]
pub struct Linear {
    spec: AppraisalSpec,
    cells: Cells,
    base: i32,
    last_observed: i32,
    factors: Vec<Decimal>,
    intervention_agency: Vec<bool>,
    intervention_code: Vec<bool>,
}

impl Linear {
    /// The linearisation of the appraisal of `ledger` by `spec` (as [`appraise`](super::appraise)
    /// makes it).
    ///
    /// # Errors
    /// The errors of [`appraise`](super::appraise).
    pub fn new(ledger: &Ledger, catalogue: &Catalogue, spec: &AppraisalSpec) -> Result<Linear, Error> {
        Linear::of_tally(&AppraisalTally::of_ledger(ledger, catalogue, spec), catalogue, spec)
    }

    /// The linearisation of the appraisal of a tally (as [`appraise_tally`](super::appraise_tally)
    /// makes it).
    ///
    /// # Errors
    /// The errors of [`appraise_tally`](super::appraise_tally).
    pub fn of_tally(tally: &AppraisalTally, catalogue: &Catalogue, spec: &AppraisalSpec) -> Result<Linear, Error> {
        super::check(spec)?;
        let cells = tally.cells(catalogue, spec)?;
        let Frame { base, last_observed, factors, .. } = frame(&cells, spec)?;
        Ok(Linear {
            intervention_agency: catalogue.agencies().iter().map(|a| spec.intervention_agencies.contains(a)).collect(),
            intervention_code: catalogue.entries().iter().map(|u| spec.intervention_codes.contains(&u.code)).collect(),
            spec: spec.clone(),
            cells,
            base,
            last_observed,
            factors,
        })
    }

    /// The discount factor of each year since the base year.
    #[must_use]
    pub fn factors(&self) -> &[Decimal] {
        &self.factors
    }

    /// How a line of `ledger` enters the flows; `None` for a line on neither pathway.
    #[must_use]
    pub fn line(&self, ledger: &Ledger, catalogue: &Catalogue, line: &Line) -> Option<LineWeights> {
        let side = if Some(line.pathway) == ledger.pathway_id(&self.spec.baseline) {
            Side::Baseline
        } else if Some(line.pathway) == ledger.pathway_id(&self.spec.alternative) {
            Side::Alternative
        } else {
            return None;
        };
        self.weights(catalogue, side, self.year_of(line.month), line.entry, line.value_type)
    }

    /// The appraisal's year of a month: the year it starts in, of the spec's kind.
    #[must_use]
    pub fn year_of(&self, month: Month) -> i32 {
        self.spec.basis.year_of(month)
    }

    /// How a line enters the flows, from what it is: its side, its appraisal year
    /// ([`year_of`](Linear::year_of) its month), its catalogue entry and its value type.
    /// `None` for a year before the base year or an entry not in the catalogue.
    #[must_use]
    pub fn weights(
        &self,
        catalogue: &Catalogue,
        side: Side,
        year: i32,
        entry: u32,
        value_type: ValueType,
    ) -> Option<LineWeights> {
        let sign = match side {
            Side::Baseline => Decimal::ONE,
            Side::Alternative => Decimal::NEGATIVE_ONE,
        };
        let u = catalogue.entries().get(entry as usize)?;
        let t = usize::try_from(year - self.base).ok()?;
        let agency_id = catalogue.agency_index(entry as usize);
        let agency = catalogue.agencies().get(agency_id as usize)?.clone();
        let ob = &self.spec.optimism;
        let intervention = side == Side::Alternative
            && (self.intervention_agency[agency_id as usize]
                || self.intervention_code.get(entry as usize).copied().unwrap_or(false));
        if intervention {
            let w = (Decimal::ONE + ob.grade(u.confidence)) * (Decimal::ONE + ob.intervention);
            return Some(LineWeights { t, agency, benefit: Vec::new(), gross: Decimal::ZERO, cost: w });
        }
        let detail = self.cells.details.iter().position(|d| d.as_ref() == u.agency_detail.as_ref())? as u32;
        let key = Key { year, agency: agency_id, detail, confidence: u.confidence, cashable: u.cashable, value_type };
        let gross = self.cells.amounts.get(&key).map_or(Decimal::ZERO, |c| c.0);
        let grade = ob.grade(u.confidence);
        let kappa = if gross.is_sign_negative() { Decimal::ONE + grade } else { Decimal::ONE - grade }
            * self.spec.adjustments.retained();
        let mut benefit = vec![(t, sign * kappa)];
        if let (Some(d), true) = (self.spec.drop_off, year == self.last_observed) {
            let mut w = sign * kappa;
            for k in 1..=d.horizon as usize {
                w *= Decimal::ONE - d.rate;
                benefit.push((t + k, w));
            }
        }
        Some(LineWeights { t, agency, benefit, gross: sign, cost: Decimal::ZERO })
    }

    /// The explicit cost items after optimism bias, by year since the base year and agency.
    #[must_use]
    pub fn constant_costs(&self) -> BTreeMap<(usize, String), Decimal> {
        let ob = &self.spec.optimism;
        let mut out: BTreeMap<(usize, String), Decimal> = BTreeMap::new();
        for item in &self.spec.costs {
            let grade = ob.grade(Some(item.confidence.unwrap_or(Confidence::Green)));
            let w = (Decimal::ONE + grade) * (Decimal::ONE + ob.intervention);
            let t = usize::try_from(item.year - self.base).unwrap_or(0);
            *out.entry((t, item.agency.clone())).or_default() += item.amount * w;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Adjustments, Combine, CostItem, DropOff, OptimismBias, Schedule, appraise};
    use super::*;
    use crate::catalogue::UnitCost;
    use crate::journey::{Event, Journeys};
    use crate::prices::{PriceIndex, PriceYear};
    use chrono::NaiveDate;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// Three grades, a disbenefit (the new way costs more at Housing), an intervention code, an
    /// agency detail, four years, and an explicit cost item at an agency of its own.
    fn mixed() -> (Ledger, Catalogue, AppraisalSpec) {
        let y = PriceYear::Financial(2022);
        let unit = |code: &str, agency: &str, cost: &str, grade: Option<Confidence>, detail: Option<&str>| {
            let mut u = UnitCost::new(code, agency, d(cost), y);
            u.confidence = grade;
            u.agency_detail = detail.map(str::to_owned);
            u
        };
        let cat = Catalogue::new(vec![
            unit("AE", "NHS", "777.77", Some(Confidence::Green), Some("A&E")),
            unit("GP", "NHS", "39.23", Some(Confidence::Amber), Some("GP")),
            unit("CALL", "Police", "300", Some(Confidence::Red), None),
            unit("RENT", "Housing", "55.50", None, None),
            unit("KEY", "Council", "1000", Some(Confidence::Amber), None),
        ])
        .unwrap();
        let mut idx = PriceIndex::new();
        idx.insert(y, Decimal::ONE_HUNDRED).unwrap();
        let mut j = Journeys::new();
        let day = |yr, m| NaiveDate::from_ymd_opt(yr, m, 1).unwrap();
        for (i, (yr, m)) in
            [(2022, 5), (2022, 9), (2023, 2), (2023, 7), (2024, 1), (2024, 11), (2025, 6)].into_iter().enumerate()
        {
            let p = format!("P{i}");
            for code in ["AE", "GP", "CALL", "CALL"] {
                j.push(Event::new(p.clone(), "old", day(yr, m), code)).unwrap();
            }
            j.push(Event::new(p.clone(), "new", day(yr, m), "GP")).unwrap();
            j.push(Event::new(p.clone(), "new", day(yr, m), "RENT")).unwrap();
            j.push(Event::new(p.clone(), "new", day(yr, m), "KEY")).unwrap();
            if i % 2 == 0 {
                j.push(Event::new(p.clone(), "old", day(yr, m), "RENT")).unwrap();
            }
        }
        let spec = AppraisalSpec {
            schedule: Schedule::GreenBook,
            adjustments: Adjustments { deadweight: d("0.2"), attribution: d("0.1"), ..Adjustments::default() },
            optimism: OptimismBias { intervention: d("0.15"), ..OptimismBias::default() },
            drop_off: Some(DropOff { rate: d("0.3"), horizon: 3 }),
            intervention_codes: vec!["KEY".into()],
            costs: vec![CostItem {
                year: 2023,
                amount: d("2500"),
                agency: "Treasury".into(),
                agency_detail: None,
                description: "set-up".into(),
                confidence: Some(Confidence::Red),
            }],
            ..AppraisalSpec::default()
        };
        (Ledger::build(&j, &cat, &idx, y).unwrap(), cat, spec)
    }

    /// Every yearly flow and every agency's present values, rebuilt from the weights, equal the
    /// appraisal's to a hundred-millionth of a penny.
    #[test]
    fn the_weights_rebuild_every_published_flow() {
        let (ledger, catalogue, base_spec) = mixed();
        for combine in [Combine::Multiplicative, Combine::Additive] {
            let mut s = base_spec.clone();
            s.adjustments.combine = combine;
            let a = appraise(&ledger, &catalogue, &s).unwrap();
            assert!(
                a.years.iter().any(|y| y.gross_benefit.exact() < Decimal::ZERO)
                    || a.who_pays.iter().any(|r| r.saving_received.exact() < Decimal::ZERO),
                "the case has a disbenefit"
            );
            let lin = Linear::new(&ledger, &catalogue, &s).unwrap();
            let n = a.years.len();
            let (mut benefit, mut cost, mut gross) =
                (vec![Decimal::ZERO; n], vec![Decimal::ZERO; n], vec![Decimal::ZERO; n]);
            let mut received: BTreeMap<String, Decimal> = BTreeMap::new();
            let mut borne: BTreeMap<String, Decimal> = BTreeMap::new();
            for l in ledger.lines() {
                let Some(w) = lin.line(&ledger, &catalogue, &l) else { continue };
                let c = l.cost.exact();
                gross[w.t] += w.gross * c;
                cost[w.t] += w.cost * c;
                *borne.entry(w.agency.clone()).or_default() += w.cost * c * lin.factors()[w.t];
                for (t, k) in &w.benefit {
                    benefit[*t] += k * c;
                    *received.entry(w.agency.clone()).or_default() += k * c * lin.factors()[*t];
                }
            }
            for ((t, agency), v) in lin.constant_costs() {
                cost[t] += v;
                *borne.entry(agency).or_default() += v * lin.factors()[t];
            }
            let close = |a: Decimal, b: Decimal| (a - b).abs() < Decimal::new(1, 10);
            for (i, y) in a.years.iter().enumerate() {
                assert!(close(benefit[i], y.benefit.exact()), "{combine:?} benefit {i}: {} {}", benefit[i], y.benefit);
                assert!(close(cost[i], y.cost.exact()), "cost {i}: {} {}", cost[i], y.cost);
                assert!(close(gross[i], y.gross_benefit.exact()), "gross {i}");
            }
            assert!(a.who_pays.len() >= 4);
            for r in &a.who_pays {
                assert!(
                    close(received.get(&r.agency).copied().unwrap_or_default(), r.saving_received.exact()),
                    "{}",
                    r.agency
                );
                assert!(close(borne.get(&r.agency).copied().unwrap_or_default(), r.cost_borne.exact()), "{}", r.agency);
            }
        }
    }
}
