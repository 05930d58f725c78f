//! Unit costs: what one contact or one unit of a service costs, and who pays.

use rustc_hash::FxHashMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Location, ProblemKind};
use crate::prices::{PriceIndex, PriceYear};

/// What a unit cost is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// One contact or event (the default).
    #[default]
    Event,
    /// One hour.
    Hour,
    /// One day.
    Day,
    /// One week.
    Week,
    /// One year.
    Year,
}

impl Unit {
    /// For a time rate usable in a spell, the number of days one unit stands for
    /// (`day` 1, `week` 7, `year` 365); `None` for `event` and `hour`.
    #[must_use]
    pub fn spell_days(self) -> Option<u64> {
        match self {
            Unit::Day => Some(1),
            Unit::Week => Some(7),
            Unit::Year => Some(365),
            Unit::Event | Unit::Hour => None,
        }
    }

    /// The lowercase name used in files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Event => "event",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Year => "year",
        }
    }
}

impl FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Unit, String> {
        match s {
            "event" => Ok(Unit::Event),
            "hour" => Ok(Unit::Hour),
            "day" => Ok(Unit::Day),
            "week" => Ok(Unit::Week),
            "year" => Ok(Unit::Year),
            _ => Err(format!("expected event, hour, day, week or year, found {s:?}")),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much to trust a unit cost: the RAG rating of the Unit Cost Database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Green: a robust, recent, well-sourced cost.
    Green,
    /// Amber: reasonable but with caveats.
    Amber,
    /// Red: indicative only.
    Red,
}

impl Confidence {
    /// The lowercase name: green, amber or red.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Green => "green",
            Confidence::Amber => "amber",
            Confidence::Red => "red",
        }
    }
}

impl FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Confidence, String> {
        match s {
            "green" | "G" => Ok(Confidence::Green),
            "amber" | "A" => Ok(Confidence::Amber),
            "red" | "R" => Ok(Confidence::Red),
            _ => Err(format!("expected green, amber, red, G, A or R, found {s:?}")),
        }
    }
}

/// A level on the triangle of need, from universal services (1) to crisis services (4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Tier(u8);

impl Tier {
    /// Universal and community services.
    pub const UNIVERSAL: Tier = Tier(1);
    /// Early help.
    pub const EARLY_HELP: Tier = Tier(2);
    /// Specialist and statutory services.
    pub const SPECIALIST: Tier = Tier(3);
    /// Crisis and acute services.
    pub const CRISIS: Tier = Tier(4);

    /// A tier from its number, 1 to 4.
    #[must_use]
    pub fn new(level: u8) -> Option<Tier> {
        (1..=4).contains(&level).then_some(Tier(level))
    }

    /// The tier's number, 1 to 4.
    #[must_use]
    pub fn level(self) -> u8 {
        self.0
    }

    /// A short name: universal, early help, specialist, crisis.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "universal",
            2 => "early help",
            3 => "specialist",
            _ => "crisis",
        }
    }
}

impl FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Tier, String> {
        match s {
            "1" => Ok(Tier(1)),
            "2" => Ok(Tier(2)),
            "3" => Ok(Tier(3)),
            "4" => Ok(Tier(4)),
            _ => Err(format!("expected a tier 1, 2, 3 or 4, found {s:?}")),
        }
    }
}

/// Whether demand is value demand (what the service exists for) or failure demand (caused by a
/// failure to do something, or to do it right, the first time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DemandKind {
    /// Demand the service exists to meet.
    Value,
    /// Demand caused by a failure to help properly the first time.
    Failure,
}

impl DemandKind {
    /// The lowercase name used in files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            DemandKind::Value => "value",
            DemandKind::Failure => "failure",
        }
    }
}

impl FromStr for DemandKind {
    type Err = String;
    fn from_str(s: &str) -> Result<DemandKind, String> {
        match s {
            "value" => Ok(DemandKind::Value),
            "failure" => Ok(DemandKind::Failure),
            _ => Err(format!("expected value or failure, found {s:?}")),
        }
    }
}

/// The kind of value a unit cost measures, after the Unit Cost Database: the cost to the public
/// purse (fiscal), the wider economic cost, and the social cost (e.g. to victims' wellbeing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    /// The cost to the public purse: the financial case.
    #[default]
    Fiscal,
    /// Wider economic costs.
    Economic,
    /// Social costs.
    Social,
}

impl ValueType {
    /// Every value type, in order.
    pub const ALL: [ValueType; 3] = [ValueType::Fiscal, ValueType::Economic, ValueType::Social];

    /// The lowercase name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Fiscal => "fiscal",
            ValueType::Economic => "economic",
            ValueType::Social => "social",
        }
    }

    /// The value types of a named case: `fiscal` (the financial case, fiscal values only) or
    /// `public` (the public-value case: fiscal, economic and social).
    ///
    /// # Errors
    /// A message for any other name.
    pub fn case(name: &str) -> Result<&'static [ValueType], String> {
        match name {
            "fiscal" => Ok(&[ValueType::Fiscal]),
            "public" => Ok(&ValueType::ALL),
            _ => Err(format!(
                "expected fiscal (the financial case) or public (fiscal, economic and social values), found {name:?}"
            )),
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ValueType {
    type Err = String;
    fn from_str(s: &str) -> Result<ValueType, String> {
        ValueType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| format!("expected fiscal, economic or social, found {s:?}"))
    }
}

/// An amount of money in a price year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Amount {
    /// The amount in pounds.
    pub amount: Decimal,
    /// The year it is priced in.
    pub price_year: PriceYear,
}

/// One unit cost of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitCost {
    /// The unique code events refer to, e.g. `POL-ARREST` or `CR1.0`.
    pub code: String,
    /// The agency that bears the cost (who pays; who saves when it is avoided).
    pub agency: String,
    /// A finer description of the agency, e.g. a team or department.
    pub agency_detail: Option<String>,
    /// What the unit is.
    pub description: Option<String>,
    /// The cost of one unit, in pounds, in `price_year` prices.
    pub unit_cost: Decimal,
    /// What one unit is.
    pub unit: Unit,
    /// The year `unit_cost` is priced in.
    pub price_year: PriceYear,
    /// Where the figure comes from.
    pub source: Option<String>,
    /// How far the figure can be trusted.
    pub confidence: Option<Confidence>,
    /// Its level on the triangle of need.
    pub tier: Option<Tier>,
    /// The default demand kind of this kind of contact.
    pub demand: Option<DemandKind>,
    /// Whether avoiding it releases cash (as opposed to freeing capacity).
    pub cashable: Option<bool>,
    /// The wider economic cost of one unit, if known.
    pub economic: Option<Amount>,
    /// The social cost of one unit, if known.
    pub social: Option<Amount>,
    /// A grouping such as the Unit Cost Database's theme (`Crime`, `Health`, ...).
    pub theme: Option<String>,
}

impl UnitCost {
    /// A unit cost per event with only the required fields set.
    ///
    /// # Example
    /// ```
    /// use journeycost::catalogue::{UnitCost, Unit};
    /// use journeycost::prices::PriceYear;
    /// use rust_decimal::Decimal;
    ///
    /// let mut c = UnitCost::new("POL-CALL", "Police", Decimal::new(34127, 2), PriceYear::Calendar(2016));
    /// c.unit = Unit::Event;
    /// assert_eq!(c.code, "POL-CALL");
    /// ```
    #[must_use]
    pub fn new(
        code: impl Into<String>,
        agency: impl Into<String>,
        unit_cost: Decimal,
        price_year: PriceYear,
    ) -> UnitCost {
        UnitCost {
            code: code.into(),
            agency: agency.into(),
            agency_detail: None,
            description: None,
            unit_cost,
            unit: Unit::Event,
            price_year,
            source: None,
            confidence: None,
            tier: None,
            demand: None,
            cashable: None,
            economic: None,
            social: None,
            theme: None,
        }
    }

    /// The amount and price year of one value type, if the unit cost has it (the fiscal value
    /// is `unit_cost` in `price_year`).
    #[must_use]
    pub fn value(&self, t: ValueType) -> Option<Amount> {
        match t {
            ValueType::Fiscal => Some(Amount { amount: self.unit_cost, price_year: self.price_year }),
            ValueType::Economic => self.economic,
            ValueType::Social => self.social,
        }
    }
}

/// The catalogue of unit costs, looked up by code.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<UnitCost>,
    by_code: FxHashMap<String, usize>,
    /// Distinct agencies in byte order.
    agencies: Vec<String>,
    /// For each entry, its agency's position in `agencies`.
    agency_of: Vec<u32>,
}

impl Catalogue {
    /// A catalogue of the given unit costs, in the given order.
    ///
    /// # Errors
    /// A [`ProblemKind::DuplicateCode`] problem for each code that appears more than once.
    pub fn new(entries: Vec<UnitCost>) -> Result<Catalogue, Error> {
        let mut by_code = FxHashMap::with_capacity_and_hasher(entries.len(), rustc_hash::FxBuildHasher);
        let mut problems = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            if by_code.insert(e.code.clone(), i).is_some() {
                problems.push(crate::error::Problem::new(
                    Location::source("catalogue").in_field("code"),
                    ProblemKind::DuplicateCode,
                    format!("code {:?} appears more than once", e.code),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::from_problems(problems, 0));
        }
        let mut agencies: Vec<String> = entries.iter().map(|e| e.agency.clone()).collect();
        agencies.sort_unstable();
        agencies.dedup();
        let agency_of = entries.iter().map(|e| agencies.binary_search(&e.agency).map_or(0, |i| i as u32)).collect();
        Ok(Catalogue { entries, by_code, agencies, agency_of })
    }

    /// The unit cost with this code.
    #[must_use]
    pub fn get(&self, code: &str) -> Option<&UnitCost> {
        self.by_code.get(code).map(|&i| &self.entries[i])
    }

    /// The position of the unit cost with this code.
    #[must_use]
    pub fn position(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// Every unit cost, in catalogue order.
    #[must_use]
    pub fn entries(&self) -> &[UnitCost] {
        &self.entries
    }

    /// The number of unit costs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no unit costs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The distinct agencies, in byte order.
    #[must_use]
    pub fn agencies(&self) -> &[String] {
        &self.agencies
    }

    /// The unit costs whose code, agency, agency detail, description or source contains `text`,
    /// ignoring case, in catalogue order.
    ///
    /// # Example
    /// ```
    /// use journeycost::catalogue::{Catalogue, UnitCost};
    /// use journeycost::prices::PriceYear;
    /// use journeycost::Decimal;
    ///
    /// let mut u = UnitCost::new("CR1.0", "Police", Decimal::from(500), PriceYear::Financial(2002));
    /// u.description = Some("Anti-social behaviour incident".into());
    /// let c = Catalogue::new(vec![u]).unwrap();
    /// assert_eq!(c.search("ANTI-SOCIAL").len(), 1);
    /// assert!(c.search("foster").is_empty());
    /// ```
    #[must_use]
    pub fn search(&self, text: &str) -> Vec<&UnitCost> {
        let needle = text.to_lowercase();
        let has = |s: &str| s.to_lowercase().contains(&needle);
        let opt = |s: &Option<String>| s.as_deref().is_some_and(has);
        self.entries
            .iter()
            .filter(|u| {
                has(&u.code) || has(&u.agency) || opt(&u.agency_detail) || opt(&u.description) || opt(&u.source)
            })
            .collect()
    }

    /// The position in [`agencies`](Catalogue::agencies) of the agency of entry `i`.
    #[must_use]
    pub fn agency_index(&self, i: usize) -> u32 {
        self.agency_of[i]
    }
}

/// The catalogue with one value type brought to a price year: each entry's `unit_cost` becomes
/// that value uprated to `to` (half-even to the penny, exactly) and its `price_year` becomes `to`;
/// the economic and social columns are cleared. Entries without that value are left out and
/// counted.
///
/// # Errors
/// Every entry whose price year (or `to`) is missing from the index, by code.
pub fn uprated(
    catalogue: &Catalogue,
    index: &PriceIndex,
    to: PriceYear,
    value: ValueType,
) -> Result<(Vec<UnitCost>, usize), Error> {
    if index.get(to).is_none() {
        return Err(Error::new(
            Location::source("price index"),
            ProblemKind::MissingPriceYear,
            format!("the target price year {to} is not in the price index (it has {})", index.coverage()),
        ));
    }
    let mut out = Vec::with_capacity(catalogue.len());
    let mut skipped = 0;
    let mut problems = Vec::new();
    let mut missing = MissingYears::default();
    let field =
        if value == ValueType::Fiscal { "price_year".to_owned() } else { format!("{}_price_year", value.as_str()) };
    for u in catalogue.entries() {
        let Some(v) = u.value(value) else {
            skipped += 1;
            continue;
        };
        if index.get(v.price_year).is_none() {
            missing.add(v.price_year, &u.code, Location::source("catalogue").in_field(field.clone()));
            continue;
        }
        match index.convert(v.amount, v.price_year, to) {
            Ok(real) => {
                let mut e = u.clone();
                e.unit_cost = real;
                e.price_year = to;
                e.economic = None;
                e.social = None;
                out.push(e);
            }
            Err(err) => problems.push(crate::error::Problem::new(
                Location::source("catalogue").in_field(field.clone()),
                ProblemKind::Overflow,
                format!("code {:?}: {err}", u.code),
            )),
        }
    }
    let problems: Vec<_> = missing.problems(index, "the price index").chain(problems).collect();
    if problems.is_empty() { Ok((out, skipped)) } else { Err(Error::from_problems(problems, 0)) }
}

/// Unit costs priced in years a price index lacks, gathered into one problem per year: the
/// year, the index's span, how many unit costs use the year and the first few codes, located
/// at the first of them. (One missing year used to print one error per unit cost.)
#[derive(Debug, Default)]
pub(crate) struct MissingYears {
    by_year: std::collections::BTreeMap<PriceYear, (Location, Vec<String>, usize)>,
}

impl MissingYears {
    /// How many codes a problem names.
    const SHOWN: usize = 5;

    /// Notes that the unit cost `code`, at `at`, is priced in `year`, which the index lacks.
    pub(crate) fn add(&mut self, year: PriceYear, code: &str, at: Location) {
        let (_, codes, count) = self.by_year.entry(year).or_insert_with(|| (at, Vec::new(), 0));
        if codes.len() < Self::SHOWN {
            codes.push(code.to_owned());
        }
        *count += 1;
    }

    /// Whether no year is missing.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_year.is_empty()
    }

    /// One problem per missing year, in chronological order.
    pub(crate) fn problems<'a>(
        self,
        index: &'a PriceIndex,
        index_name: &'a str,
    ) -> impl Iterator<Item = crate::error::Problem> + 'a {
        self.by_year.into_iter().map(move |(year, (at, codes, count))| {
            let shown: Vec<String> = codes.iter().map(|c| format!("{c:?}")).collect();
            let rest = count - codes.len();
            let which = match (count, rest) {
                (1, _) => format!("1 unit cost is priced in it: code {}", shown[0]),
                (_, 0) => format!("{count} unit costs are priced in it: codes {}", shown.join(", ")),
                _ => format!("{count} unit costs are priced in it: codes {} and {rest} more", shown.join(", ")),
            };
            // A calendar year against an index of financial years only (the built-in one): say how.
            let hint = if matches!(year, PriceYear::Calendar(_)) && index.iter().all(|(y, _)| matches!(y, PriceYear::Financial(_))) {
                let old = if index_name.starts_with("builtin:") {
                    ", such as the index built in before #13 (--deflators builtin:hmt-2025-12-derived)"
                } else {
                    ""
                };
                format!("; the index has financial years only: price the unit costs in financial years, or use an index with calendar years{old}")
            } else {
                String::new()
            };
            crate::error::Problem::new(
                at,
                ProblemKind::MissingPriceYear,
                format!("price year {year} is not in {index_name} (it has {}); {which}{hint}", index.coverage()),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_codes_are_refused() {
        let c = |code: &str| UnitCost::new(code, "A", Decimal::ONE, PriceYear::Calendar(2020));
        let err = Catalogue::new(vec![c("X"), c("Y"), c("X")]).unwrap_err();
        assert_eq!(err.kind(), ProblemKind::DuplicateCode);
    }

    #[test]
    fn problems_are_capped_per_source_wherever_they_are_listed() {
        // #13: every list of problems holds at most 100 per source, and counts the rest.
        let c = |code: String| UnitCost::new(code, "A", Decimal::ONE, PriceYear::Calendar(2020));
        let err = Catalogue::new((0..300).map(|i| c(format!("C{}", i % 150))).collect()).unwrap_err();
        assert_eq!((err.problems().len(), err.omitted()), (crate::error::MAX_PROBLEMS_PER_FILE, 50));
        // Per source: two sources of 150 problems each list 100 of each.
        let p = |src: &str| crate::error::Problem::new(Location::source(src), ProblemKind::InvalidValue, "x");
        let err = Error::from_problems((0..300).map(|i| p(if i % 2 == 0 { "a.csv" } else { "b.csv" })).collect(), 0);
        assert_eq!((err.problems().len(), err.omitted()), (200, 100));
    }

    #[test]
    fn agencies_are_sorted_by_bytes() {
        let c = |code: &str, a: &str| UnitCost::new(code, a, Decimal::ONE, PriceYear::Calendar(2020));
        let cat = Catalogue::new(vec![c("1", "police"), c("2", "Police"), c("3", "Housing")]).unwrap();
        assert_eq!(cat.agencies(), ["Housing", "Police", "police"]);
        assert_eq!(cat.agency_index(0), 2);
    }

    #[test]
    fn parses_enumerations() {
        assert_eq!("G".parse::<Confidence>(), Ok(Confidence::Green));
        assert_eq!("amber".parse::<Confidence>(), Ok(Confidence::Amber));
        assert!("Green".parse::<Confidence>().is_err());
        assert_eq!("4".parse::<Tier>().map(Tier::level), Ok(4));
        assert!("5".parse::<Tier>().is_err());
        assert_eq!(Unit::Week.spell_days(), Some(7));
        assert_eq!(Unit::Hour.spell_days(), None);
    }
}
