//! # journeycost
//!
//! Cost a person's journey through public services, exactly, and show what a different way of
//! working saves.
//!
//! A **person** has **events** (a rent-arrears letter, a police call-out) and **spells** (weeks
//! in foster care) with **agencies**, each on a **pathway**: the old way (the baseline, the red
//! line) or the new way (the alternative, the blue line). A [`catalogue`] of unit costs prices
//! each one; a [`prices`] index brings every cost to one price base; [`ledger`] turns journeys
//! into exact costed lines; [`compare`] views the ledger: the cumulative lines, who pays and who
//! saves, failure demand, the triangle of need and demand trends.
//!
//! Money is [`rust_decimal::Decimal`] from input to output ([`money::Money`]); every rounding is
//! named (half-even to the penny). Output is a pure function of the input.
//!
//! ## Example: build a journey in code, cost it, compare
//! ```
//! use journeycost::catalogue::{Catalogue, Unit, UnitCost};
//! use journeycost::compare::{compare, CompareOptions};
//! use journeycost::journey::{Event, Journeys};
//! use journeycost::ledger::Ledger;
//! use journeycost::prices::{PriceIndex, PriceYear};
//! use chrono::NaiveDate;
//! use rust_decimal::Decimal;
//!
//! let (y23, y24) = (PriceYear::Calendar(2023), PriceYear::Calendar(2024));
//! let mut foster = UnitCost::new("FOSTER", "Children's Social Care", Decimal::new(80600, 2), y23);
//! foster.unit = Unit::Week;
//! let visit = UnitCost::new("VISIT", "Locality team", Decimal::new(9000, 2), y24);
//! let catalogue = Catalogue::new(vec![foster, visit]).unwrap();
//!
//! let mut index = PriceIndex::new();
//! index.insert(y23, Decimal::new(9700, 2)).unwrap();
//! index.insert(y24, Decimal::ONE_HUNDRED).unwrap();
//!
//! let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
//! let mut journeys = Journeys::new();
//! journeys.push(Event::new("ANNA", "old", d(1, 1), "FOSTER").until(d(3, 31))).unwrap();
//! for m in 1..=3 {
//!     journeys.push(Event::new("ANNA", "new", d(m, 10), "VISIT")).unwrap();
//! }
//!
//! let ledger = Ledger::build(&journeys, &catalogue, &index, y24).unwrap();
//! let c = compare(&ledger, &CompareOptions::default(), None).unwrap();
//! // 806.00 at 2023 prices is 830.93 at 2024 prices; 91 days is 13 weeks: 10,802.09
//! assert_eq!(c.total.baseline_cost.to_string(), "10802.09");
//! assert_eq!(c.total.saving.to_string(), "10532.09");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod appraisal;
#[cfg(feature = "arrow")]
pub mod arrow;
pub mod builtin;
pub mod catalogue;
pub mod compare;
pub mod error;
pub mod extrapolate;
pub mod hmt;
pub mod io;
pub mod journey;
pub mod ledger;
pub mod money;
pub mod output;
pub mod period;
pub mod prices;
pub mod run;
pub mod scenario;
pub mod ucd;

pub use error::{Error, Problem, ProblemKind};

/// The threads a job uses when not told: every core the system lets this process use (at
/// least one). No result depends on the number of threads.
#[must_use]
pub fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}
pub use money::Money;
pub use rust_decimal::Decimal;
