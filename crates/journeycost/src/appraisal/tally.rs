//! The appraisal's cells, summed line by line as the events are costed: what
//! [`appraise_tally`](super::appraise_tally) appraises, from a ledger in memory or from a
//! stream of parts, with the same result.
//!
//! A line adds its cost to the cell of its year, catalogue entry and value type, on its side.
//! Everything else a cell of the appraisal is keyed by (agency, agency detail, confidence
//! grade, cashable, whether it is the intervention's own cost) is a property of the entry, so
//! it is looked up once per cell when the tally is finished, not once per line. Tallies of
//! disjoint sets of events, made against the same catalogue and spec, [`merge`](AppraisalTally::merge)
//! into the tally of their union, exactly.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::{AppraisalSpec, Cells, Key, YearBasis, problem};
use crate::catalogue::{Catalogue, ValueType};
use crate::compare::Side;
use crate::error::Error;
use crate::ledger::{Ledger, Line};
use crate::prices::PriceYear;

/// The exact costs of the baseline and the alternative, per year, catalogue entry and value
/// type; see the module documentation.
#[derive(Debug, Clone)]
pub struct AppraisalTally {
    basis: YearBasis,
    price_base: PriceYear,
    value_types: Vec<ValueType>,
    /// The catalogue's codes, to refuse a merge with a tally of another catalogue.
    codes: Vec<String>,
    /// Whether any event was on the baseline, the alternative.
    seen: [bool; 2],
    /// (year, entry, value type) → (baseline cost, alternative cost).
    sums: HashMap<(i32, u32, ValueType), [Decimal; 2]>,
}

impl AppraisalTally {
    /// An empty tally of lines costed with `catalogue` at `price_base`, counting `value_types`,
    /// in the years of `basis`.
    #[must_use]
    pub fn new(
        catalogue: &Catalogue,
        basis: YearBasis,
        price_base: PriceYear,
        value_types: &[ValueType],
    ) -> AppraisalTally {
        AppraisalTally {
            basis,
            price_base,
            value_types: value_types.to_vec(),
            codes: catalogue.entries().iter().map(|u| u.code.clone()).collect(),
            seen: [false; 2],
            sums: HashMap::new(),
        }
    }

    /// The tally of a whole ledger, between the spec's pathways.
    #[must_use]
    pub fn of_ledger(ledger: &Ledger, catalogue: &Catalogue, spec: &AppraisalSpec) -> AppraisalTally {
        let mut tally = AppraisalTally::new(catalogue, spec.basis, ledger.price_base(), ledger.value_types());
        let base = ledger.pathway_id(&spec.baseline);
        let alt = ledger.pathway_id(&spec.alternative);
        tally.seen = [base.is_some(), alt.is_some()];
        for line in ledger.lines() {
            let side = if Some(line.pathway) == base {
                Side::Baseline
            } else if Some(line.pathway) == alt {
                Side::Alternative
            } else {
                continue;
            };
            tally.add(side, &line);
        }
        tally
    }

    /// Records that an event is on `side`'s pathway (whether or not it has a line).
    pub fn saw(&mut self, side: Side) {
        self.seen[side as usize] = true;
    }

    /// Adds a line on `side`'s pathway.
    pub fn add(&mut self, side: Side, line: &Line) {
        self.seen[side as usize] = true;
        let key = (self.basis.year_of(line.month), line.entry, line.value_type);
        self.sums.entry(key).or_default()[side as usize] += line.cost.exact();
    }

    /// Adds `other`, a tally of other events made against the same catalogue, price base,
    /// value types and years.
    ///
    /// # Errors
    /// Tallies made against another catalogue, price base, value types or kind of year.
    pub fn merge(&mut self, other: AppraisalTally) -> Result<(), Error> {
        if (self.basis, self.price_base, &self.value_types, &self.codes)
            != (other.basis, other.price_base, &other.value_types, &other.codes)
        {
            return Err(problem(
                "cannot merge appraisal tallies made with another catalogue, price base, value types or kind of year",
            ));
        }
        self.seen[0] |= other.seen[0];
        self.seen[1] |= other.seen[1];
        for (key, [b, a]) in other.sums {
            let sums = self.sums.entry(key).or_default();
            sums[0] += b;
            sums[1] += a;
        }
        Ok(())
    }

    /// The price base of the costs.
    #[must_use]
    pub fn price_base(&self) -> PriceYear {
        self.price_base
    }

    /// The value types counted.
    #[must_use]
    pub fn value_types(&self) -> &[ValueType] {
        &self.value_types
    }

    /// The cells of the appraisal of `spec`: a line's cost is a benefit on the baseline, a
    /// negative benefit on the alternative, or the intervention's own cost when it is on the
    /// alternative at an intervention agency or of an intervention code.
    pub(super) fn cells(&self, catalogue: &Catalogue, spec: &AppraisalSpec) -> Result<Cells, Error> {
        if self.basis != spec.basis || catalogue.entries().iter().map(|u| &u.code).ne(self.codes.iter()) {
            return Err(problem("the catalogue is not the one the ledger was costed with"));
        }
        for (seen, name) in self.seen.iter().zip([&spec.baseline, &spec.alternative]) {
            if !seen {
                return Err(problem(format!(
                    "no event is on pathway {name:?}; the appraisal compares {} with {}",
                    spec.baseline, spec.alternative
                )));
            }
        }
        let mut agencies: Vec<String> = catalogue.agencies().to_vec();
        // A misspelt intervention code or agency would silently count nothing as the intervention.
        let unknown: Vec<String> = spec
            .intervention_codes
            .iter()
            .filter(|c| !self.codes.contains(c))
            .map(|c| format!("code {c:?}"))
            .chain(spec.intervention_agencies.iter().filter(|a| !agencies.contains(a)).map(|a| format!("agency {a:?}")))
            .collect();
        if !unknown.is_empty() {
            return Err(problem(format!("intervention {} not in the catalogue", unknown.join(", "))));
        }
        // Agency details by name, so that the cells do not depend on the order of the lines.
        let mut details: Vec<Option<String>> = catalogue
            .entries()
            .iter()
            .map(|u| &u.agency_detail)
            .chain(spec.costs.iter().map(|c| &c.agency_detail))
            .cloned()
            .chain([None])
            .collect();
        details.sort_unstable();
        details.dedup();
        let detail_id = |d: &Option<String>| details.binary_search(d).map_or(0, |i| i as u32);
        let mut amounts: BTreeMap<Key, (Decimal, Decimal)> = BTreeMap::new();
        // In a fixed order, so that the cells' sums do not depend on the hash map's.
        let mut sums: Vec<_> = self.sums.iter().collect();
        sums.sort_unstable_by_key(|(k, _)| **k);
        for (&(year, entry, value_type), &[baseline, alternative]) in sums {
            let u = &catalogue.entries()[entry as usize];
            let key = Key {
                year,
                agency: catalogue.agency_index(entry as usize),
                detail: detail_id(&u.agency_detail),
                confidence: u.confidence,
                cashable: u.cashable,
                value_type,
            };
            let cell = amounts.entry(key).or_default();
            if spec.intervention_agencies.contains(&u.agency) || spec.intervention_codes.contains(&u.code) {
                cell.0 += baseline;
                cell.1 += alternative;
            } else {
                cell.0 += baseline - alternative;
            }
        }
        let mut ledger_years: Vec<i32> = amounts.keys().map(|k| k.year).collect();
        ledger_years.dedup();
        // Explicit cost items: agencies may be new; they carry no benefit.
        for item in &spec.costs {
            let a = if let Some(i) = agencies.iter().position(|x| *x == item.agency) {
                i as u32
            } else {
                agencies.push(item.agency.clone());
                (agencies.len() - 1) as u32
            };
            let key = Key {
                year: item.year,
                agency: a,
                detail: detail_id(&item.agency_detail),
                confidence: Some(item.confidence.unwrap_or(crate::catalogue::Confidence::Green)),
                cashable: None,
                value_type: ValueType::Fiscal,
            };
            // Marked as explicit by the impossible (intervention) position: stored in `.1` like
            // ledger intervention costs, and raised by the same optimism bias.
            amounts.entry(key).or_default().1 += item.amount;
        }
        Ok(Cells { amounts, ledger_years, agencies, details })
    }
}
