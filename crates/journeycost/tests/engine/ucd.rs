//! The Unit Cost Database importer against the real data in `tests/data/ucd/`
//! (Unit Cost Database v1.4, New Economy / GMCA, CC BY 4.0; see its README).
//!
//! The validations:
//! - v1.4 workbook: every nonzero value of every line, uprated to 2015/16 with the workbook's own
//!   Lookups index by journeycost's rule, gives the workbook's "updated" figure to the penny
//!   (779 values). The one value of zero has no updated figure, as the workbook's formula
//!   `IF(value > 0, …, "")` says.
//! - 2014 CSV export: every usable line, uprated to 2013/14 with the % changes its README gives,
//!   gives its published uprated pound, except SS18.12, whose cost the export prints rounded to
//!   the pound (see `csv_2014_reproduces_the_published_pounds`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::OnceLock;

use journeycost::catalogue::Unit;
use journeycost::io::read_catalogue;
use journeycost::prices::{PriceIndex, PriceYear};
use journeycost::ucd::{
    CSV_2014_UPRATED_YEAR, GdpDeflator, UNIT_TABLE, UcdImport, UcdLine, UcdWorkbook, ValueType, catalogue_csv,
    index_from_changes, open_workbook, read_csv_2014, read_gdp_deflator, read_workbook,
};
use journeycost::{Decimal, ProblemKind};
use proptest::prelude::*;
use rust_decimal::RoundingStrategy;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/ucd")
}

const WORKBOOK: &str = "gmca-unit-cost-database-v1.4.xlsx";

fn workbook() -> &'static UcdWorkbook {
    static WB: OnceLock<UcdWorkbook> = OnceLock::new();
    WB.get_or_init(|| {
        let bytes = std::fs::read(data().join(WORKBOOK)).unwrap();
        read_workbook(WORKBOOK, Cursor::new(bytes)).expect("the v1.4 workbook imports")
    })
}

const CSV_FILES: [&str; 7] = [
    "CRIME.csv",
    "EDUCATION&SKILLS.csv",
    "EMPLOYMENT&ECONOMY.csv",
    "FIRE.csv",
    "HEALTH.csv",
    "HOUSING.csv",
    "SOCIALSERVICES.csv",
];

fn csv_2014() -> &'static UcdImport {
    static CSV: OnceLock<UcdImport> = OnceLock::new();
    CSV.get_or_init(|| {
        let mut all =
            UcdImport { lines: Vec::new(), problems: Vec::new(), updated_year: None, attribution: String::new() };
        for f in CSV_FILES {
            let bytes = std::fs::read(data().join("csv-2014").join(f)).unwrap();
            let one = read_csv_2014(f, bytes.as_slice()).expect("a 2014 CSV file imports");
            all.lines.extend(one.lines);
            all.problems.extend(one.problems);
            all.updated_year = one.updated_year;
            all.attribution = one.attribution;
        }
        all
    })
}

fn fy(y: i32) -> PriceYear {
    PriceYear::Financial(y)
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn code(l: &UcdLine) -> &str {
    l.code.as_deref().unwrap_or("(no code)")
}

#[test]
fn the_workbook_has_684_lines_in_seven_themes() {
    let wb = workbook();
    assert_eq!(wb.lines.len(), 684);
    let mut by_theme: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &wb.lines {
        *by_theme.entry(l.theme.as_str()).or_default() += 1;
    }
    let expected = [
        ("Crime", 185),
        ("Education & Skills", 35),
        ("Employment & Economy", 75),
        ("Fire", 15),
        ("Health", 201),
        ("Housing", 36),
        ("Social Services", 137),
    ];
    assert_eq!(by_theme, expected.into_iter().collect());
    let count = |t: ValueType| wb.lines.iter().filter(|l| l.value(t).is_some()).count();
    assert_eq!((count(ValueType::Fiscal), count(ValueType::Economic), count(ValueType::Social)), (675, 80, 25));

    // The only problem: one line of v1.4 has no cost code (it sits between CR8.0 and CR8.0.2).
    let shown: Vec<String> = wb.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [format!(
            "{WORKBOOK} sheet \"Crime\" row 58, field \"Cost code\": the cost line has no cost code; it is kept without one"
        )]
    );

    let first = &wb.lines[0];
    assert_eq!(first.location.to_string(), format!("{WORKBOOK} sheet \"Crime\" row 3"));
    assert_eq!(first.code.as_deref(), Some("CR1.0"));
    assert_eq!(first.outcome_category.as_deref(), Some("CRIME"));
    assert_eq!(first.outcome_detail.as_deref(), Some("ANTI-SOCIAL BEHAVIOUR"));
    assert_eq!(
        first.description.as_deref(),
        Some("Anti-social behaviour\nfurther action necessary \n(cost of dealing with incident)")
    );
    assert_eq!((first.unit_text.as_deref(), first.unit), (Some("Per incident"), Some(Unit::Event)));
    assert_eq!((first.agency_l1.as_deref(), first.agency_l2.as_deref()), (Some("Police"), Some("Local Authority")));
    assert_eq!(first.agency_l2_text.as_deref(), Some("Local authority"));
    let f = first.fiscal.as_ref().unwrap();
    assert_eq!((f.value, f.price_year, f.updated), (d("500"), fy(2002), Some(d("673.2312183155595"))));
    assert!(
        first.original_source.as_deref().unwrap().starts_with("The Economic and Social Costs of Anti-Social Behaviour")
    );
    assert!(first.comment.as_deref().unwrap().starts_with("Source gives a (non-updated) cost range"));

    // A value the workbook computes (=SUM(H73:H75)) is read through its shortest text.
    let ss71 = wb.lines.iter().find(|l| l.code.as_deref() == Some("SS7.1")).unwrap();
    assert_eq!(ss71.fiscal.as_ref().unwrap().value.to_string(), "767.7333333333333");
    let dv = wb.lines.iter().find(|l| l.code.as_deref() == Some("CR2.0")).unwrap();
    let values: Vec<String> = ValueType::ALL.iter().map(|&t| dv.value(t).unwrap().value.to_string()).collect();
    assert_eq!(values, ["2470", "1473", "6795"]);
}

#[test]
fn the_lookups_table_is_a_financial_year_index_with_forecasts() {
    let g: &GdpDeflator = &workbook().deflator;
    assert_eq!(g.current_year, Some(fy(2015)));
    assert_eq!(g.years.len(), 31);
    assert_eq!(g.index.iter().next(), Some((fy(1989), d("100"))));
    assert_eq!(g.index.latest(), Some(fy(2019)));
    assert_eq!(g.forecasts(), (2014..=2019).map(fy).collect::<Vec<_>>());
    assert!(g.is_forecast(fy(2015)) && !g.is_forecast(fy(2013)));
    assert_eq!(g.index.get(fy(1991)), Some(d("114.62328360000001")));
    assert_eq!(g.index.get(fy(2015)), Some(d("195.9696985671229")));
    assert_eq!(g.years[2].change_percent, Some(d("5.868")));
    // Read on its own, the table gives the same index.
    let bytes = std::fs::read(data().join(WORKBOOK)).unwrap();
    assert_eq!(read_gdp_deflator(WORKBOOK, Cursor::new(bytes)).unwrap(), *g);
}

/// Uprates every value of the workbook to its current year (2015/16) with `index` and
/// journeycost's rule, and returns the number of values that give the penny of the workbook's
/// updated figure, and the values that do not.
fn uprate_workbook(index: &PriceIndex) -> (usize, Vec<String>) {
    let wb = workbook();
    let target = wb.deflator.current_year.unwrap();
    let half_penny = d("0.005");
    let (mut reproduced, mut exceptions) = (0, Vec::new());
    for l in &wb.lines {
        for t in ValueType::ALL {
            let Some(v) = l.value(t) else { continue };
            let ours = index.convert(v.value, v.price_year, target).unwrap();
            match v.updated {
                Some(updated) => {
                    let penny = updated.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
                    if (ours - updated).abs() <= half_penny && ours == penny {
                        reproduced += 1;
                    } else {
                        exceptions.push(format!(
                            "{} {t}: {} in {} gives {ours}, the workbook {updated}",
                            code(l),
                            v.value,
                            v.price_year
                        ));
                    }
                }
                None => exceptions.push(format!(
                    "{} {t}: {} in {} gives {ours}, the workbook nothing",
                    code(l),
                    v.value,
                    v.price_year
                )),
            }
        }
    }
    (reproduced, exceptions)
}

/// The required validation: journeycost reproduces the workbook's own uprating of all 684 lines.
#[test]
fn uprating_reproduces_every_updated_value_of_the_workbook() {
    let (reproduced, exceptions) = uprate_workbook(&workbook().deflator.index);
    assert_eq!(reproduced, 779);
    // The one value of zero: the workbook's updated column is IF(H178>0, …, "") and so blank.
    assert_eq!(exceptions, ["CR8.18.5 fiscal: 0 in 2010/11 gives 0.00, the workbook nothing"]);
}

/// The index rebuilt from the % changes (rounded to 10 decimals a year) reproduces the same
/// pennies: the choice of the cumulative column is not what makes the validation pass.
#[test]
fn the_index_from_the_percentage_changes_reproduces_the_same_pennies() {
    let g = &workbook().deflator;
    let from_changes = g.index_from_changes().unwrap();
    for (y, v) in g.index.iter() {
        let rebuilt = from_changes.get(y).unwrap();
        // within one part in 10^11 of the workbook's floats
        assert!((rebuilt - v).abs() / v < d("0.00000000001"), "{y}: {rebuilt} against {v}");
    }
    let (reproduced, exceptions) = uprate_workbook(&from_changes);
    assert_eq!((reproduced, exceptions.len()), (779, 1));
}

/// The % changes of the 2014 export's README.
const CHANGES_2014: &str = "1990/91 7.14, 1991/92 6.51, 1992/93 2.17, 1993/94 2.16, 1994/95 1.44, 1995/96 2.74, 1996/97 1.96, \
    1997/98 -1.07, 1998/99 1.91, 1999/00 1.97, 2000/01 0.71, 2001/02 2.72, 2002/03 2.33, 2003/04 1.94, 2004/05 2.76, 2005/06 1.83, \
    2006/07 2.87, 2007/08 2.51, 2008/09 2.8, 2009/10 2.76, 2010/11 2.61, 2011/12 2.29, 2012/13 1.5, 2013/14 2.3";

fn changes_2014() -> Vec<(PriceYear, Decimal)> {
    CHANGES_2014
        .split(", ")
        .map(|p| {
            let (y, c) = p.trim().split_once(' ').unwrap();
            (y.parse().unwrap(), d(c))
        })
        .collect()
}

/// The README's own rule: cost × the product of (1 + change) over the years after the price
/// year up to 2013/14, rounded to the pound half away from zero (as a spreadsheet does). The
/// product is formed in `Decimal`, which rounds only past 28 significant digits.
fn readme_uprating(value: Decimal, from: PriceYear) -> Decimal {
    let mut x = value;
    for (y, c) in changes_2014() {
        if y > from && y <= CSV_2014_UPRATED_YEAR {
            x *= Decimal::ONE + c / Decimal::ONE_HUNDRED;
        }
    }
    x.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
}

#[test]
fn csv_2014_reproduces_the_published_pounds() {
    let csv = csv_2014();
    assert_eq!(csv.lines.len(), 673);
    assert_eq!(csv.updated_year, Some(fy(2013)));
    let index = index_from_changes(fy(1989), &changes_2014()).unwrap();
    let half_pound = d("0.5");
    let (mut usable, mut within, mut on_the_half, mut readme_rule) = (0, 0, BTreeSet::new(), 0);
    let mut exceptions = Vec::new();
    let mut unusable = Vec::new();
    for l in &csv.lines {
        let Some(v) = l.fiscal.as_ref().or(l.economic.as_ref()) else {
            unusable.push(code(l).to_owned());
            continue;
        };
        let Some(published) = v.updated else {
            unusable.push(format!("{} cost {}", code(l), v.value));
            continue;
        };
        usable += 1;
        let ours = index.convert(v.value, v.price_year, CSV_2014_UPRATED_YEAR).unwrap();
        let readme = readme_uprating(v.value, v.price_year);
        let ours_ok = (ours - published).abs() <= half_pound;
        if ours_ok {
            within += 1;
        }
        if readme == published {
            readme_rule += 1;
        }
        if ours_ok && (ours - published).abs() == half_pound {
            on_the_half.insert(code(l).to_owned());
        }
        if !ours_ok || readme != published {
            exceptions.push(format!(
                "{}: {} in {} gives {ours} (README rule {readme}), published {published}",
                code(l),
                v.value,
                v.price_year
            ));
        }
    }
    // The line without a usable cost: a shoplifting cost of £0 with a blank uprated column.
    assert_eq!(unusable, ["CR7.17.3 cost 0"]);
    assert_eq!((usable, within, readme_rule), (672, 671, 671));
    // The penny of journeycost's rule lands on a half pound for eleven lines: one true tie
    // (E&E2.0.1: 7,500 × 1.023 = 7,672.50, published 7,673, half away from zero), eight whose
    // exact value is just under a half (CR5.2: 3,861.4987…, published 3,861) and two just over
    // (CR7.3.1: 1,222.5037…, published 1,223). Half a pound either way of such a penny is the
    // pound analogue of the workbook's half penny; the README's rule, from the exact product,
    // gives each of them exactly.
    let expected: BTreeSet<String> = [
        "CR5.2", "CR7.3.1", "CR7.9.3", "CR7.18.2", "E&E2.0.1", "HE1.7", "HE2.10", "HE2.14", "SS1.1.5", "SS1.4.6",
        "SS5.0.2",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(on_the_half, expected);
    // The one exception. The export prints SS18.12's cost as " £45 ", rounded to the pound; the
    // cost is 44.70359572400389 (v1.4, same code and price year), and the uprated £47 was
    // computed from that: 44.7036 × 1.0621 = 47.48, whereas 45 × 1.0621 = 47.80.
    assert_eq!(exceptions, ["SS18.12: 45 in 2010/11 gives 47.80 (README rule 48), published 47"]);
    let v14 = workbook().lines.iter().find(|l| l.code.as_deref() == Some("SS18.12")).unwrap().fiscal.as_ref().unwrap();
    assert_eq!((v14.value, v14.price_year), (d("44.70359572400389"), fy(2010)));
    assert_eq!(index.convert(v14.value, v14.price_year, CSV_2014_UPRATED_YEAR).unwrap(), d("47.48"));
    assert_eq!(readme_uprating(v14.value, v14.price_year), d("47"));
}

#[test]
fn csv_2014_lines_and_their_problems() {
    let csv = csv_2014();
    let first = &csv.lines[0];
    assert_eq!(first.location.to_string(), "CRIME.csv line 1");
    assert_eq!(first.code.as_deref(), Some("CR1.0"));
    assert_eq!(first.theme, "Crime");
    assert_eq!(
        first.description.as_deref(),
        Some("Anti-social behaviour\nfurther action necessary\n(cost of dealing with incident)")
    );
    assert_eq!(first.fiscal.as_ref().unwrap().updated, Some(d("648")));
    assert!(first.url.as_deref().unwrap().starts_with("http://webarchive.nationalarchives.gov.uk/"));
    let money = csv.lines.iter().find(|l| l.code.as_deref() == Some("SS18.12")).unwrap();
    assert_eq!(money.fiscal.as_ref().unwrap().value, d("45"));
    // The economic values of the 2014 edition are marked by the agency "Society / Economic".
    let econ: Vec<&str> = csv.lines.iter().filter(|l| l.economic.is_some()).map(code).collect();
    assert_eq!(econ.len(), 18);
    assert!(econ.contains(&"E&S8.2") && csv.lines.iter().all(|l| l.economic.is_none() || l.fiscal.is_none()));
    // The export repeats 19 codes three times (CR7.0.3 … CR7.18.3): the lines are kept as they
    // are, and the catalogue tells them apart (see below).
    assert!(csv.problems.is_empty(), "{:?}", csv.problems);
    assert_eq!(csv.lines.iter().filter(|l| l.code.as_deref() == Some("CR7.0.3")).count(), 3);
}

#[test]
fn the_2014_export_loses_no_priced_line() {
    // #13: 56 of its 673 priced lines were lost: 38 repeats of a code, 18 economic-only lines.
    let csv = csv_2014();
    let priced = csv.lines.iter().filter(|l| l.fiscal.is_some() || l.economic.is_some() || l.social.is_some()).count();
    assert_eq!((csv.lines.len(), priced), (673, 673));
    let out = catalogue_csv(&csv.lines, ValueType::Fiscal);
    assert_eq!(out.written, 673, "{:?}", out.left_out);
    assert!(out.left_out.is_empty(), "{:?}", out.left_out);
    assert_eq!(out.renamed.len(), 57);
    let file = read_catalogue("c.csv", out.csv.as_slice()).unwrap();
    assert_eq!(file.catalogue.len(), 673);
    // Repeated codes: every line of the code gets `#n`, numbered in file order, and the note
    // says which line became which code.
    assert!(file.catalogue.get("CR7.0.3").is_none());
    let homicide = |n: u32| file.catalogue.get(&format!("CR7.0.3#{n}")).unwrap();
    assert_eq!(homicide(1).description.as_deref(), Some("Homicide - Courts/legal aid"));
    assert_eq!(
        (homicide(2).agency.as_str(), homicide(2).unit_cost),
        ("Prison / Young Offenders Institute", d("135662"))
    );
    assert_eq!(homicide(3).description.as_deref(), Some("Homicide - Other CJS"));
    assert_eq!(
        out.renamed[0].to_string(),
        "CRIME.csv line 150, field \"code\": the code \"CR7.0.3\" is used by 3 lines; this one (Homicide - Courts/legal aid) is written as \"CR7.0.3#1\""
    );
    // Economic-only lines keep their economic value, at £0 fiscal.
    let econ: Vec<_> = file.catalogue.entries().iter().filter(|e| e.economic.is_some()).collect();
    assert_eq!(econ.len(), 18);
    assert!(econ.iter().all(|e| e.unit_cost.is_zero() && e.agency == "Society / Economic"));
    let e82 = file.catalogue.get("E&S8.2").unwrap();
    let original = csv.lines.iter().find(|l| l.code.as_deref() == Some("E&S8.2")).unwrap().economic.as_ref().unwrap();
    assert_eq!(
        (e82.economic.as_ref().unwrap().amount, e82.economic.as_ref().unwrap().price_year),
        (original.value, original.price_year)
    );
    // The import names the edition it read.
    assert!(csv.attribution.contains("2014 CSV export") && !csv.attribution.contains("v1.4"), "{}", csv.attribution);
    assert!(workbook().clone().into_import().0.attribution.contains(WORKBOOK));
}

#[test]
fn every_unit_text_is_mapped_by_the_table() {
    let simplify = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    for l in workbook().lines.iter().chain(&csv_2014().lines) {
        let text = l.unit_text.as_deref().expect("every line has a unit");
        let entry = UNIT_TABLE.iter().find(|(k, _)| *k == simplify(text));
        assert!(entry.is_some(), "{} unit {text:?} is not in the table", code(l));
        assert_eq!(entry.unwrap().1, l.unit);
        if l.unit.is_none() {
            *unmapped.entry(simplify(text)).or_default() += 1;
        }
    }
    // Only texts for which journeycost has no unit are left unmapped.
    assert_eq!(unmapped.keys().map(String::as_str).collect::<Vec<_>>(), ["per fte", "per month"]);
    let wb = workbook();
    let unit_of = |c: &str| wb.lines.iter().find(|l| l.code.as_deref() == Some(c)).unwrap().unit;
    assert_eq!(unit_of("CR3.0"), Some(Unit::Year)); // Per person per year
    assert_eq!(unit_of("HO6.1"), Some(Unit::Week)); // Per client per week
    assert_eq!(unit_of("CR3.1"), None); // Per month
}

#[test]
fn agencies_have_one_spelling() {
    let mut l1 = BTreeSet::new();
    let mut l2 = BTreeSet::new();
    for l in workbook().lines.iter().chain(&csv_2014().lines) {
        l1.extend(l.agency_l1.clone());
        l2.extend(l.agency_l2.clone());
    }
    let lower = |s: &BTreeSet<String>| s.iter().map(|a| a.to_lowercase()).collect::<BTreeSet<_>>().len();
    assert_eq!(lower(&l1), l1.len(), "{l1:?}");
    assert_eq!(lower(&l2), l2.len(), "{l2:?}");
    assert!(l1.contains("Local Authority") && !l1.contains("Local authority"));
    assert!(l2.contains("Court") && !l2.contains("Courts") && !l2.contains("-"));
    assert!(!l2.contains("Primary Care Trust / Clinical Commissioning Group"));
    assert_eq!(l1.len(), 16, "{l1:?}");
}

#[test]
fn the_workbook_renders_as_a_catalogue_that_reads_back() {
    let wb = workbook();
    let out = catalogue_csv(&wb.lines, ValueType::Fiscal);
    // 674 lines with a fiscal value, and nine with only economic and social values (at £0 fiscal)
    assert_eq!(out.written, 683);
    // the line without a code
    assert_eq!(out.left_out.len(), 1);
    assert!(
        out.left_out[0]
            .to_string()
            .ends_with("sheet \"Crime\" row 58: left out of the catalogue: the line has no cost code")
    );
    let file = read_catalogue("catalogue.csv", out.csv.as_slice()).expect("the rendered catalogue reads back");
    assert_eq!(file.catalogue.len(), 683);
    let cr10 = file.catalogue.get("CR1.0").unwrap();
    assert_eq!(
        (cr10.agency.as_str(), cr10.unit_cost, cr10.price_year, cr10.unit),
        ("Police", d("500"), fy(2002), Unit::Event)
    );
    assert_eq!(cr10.agency_detail.as_deref(), Some("Local Authority"));
    assert_eq!(
        cr10.description.as_deref(),
        Some("Anti-social behaviour further action necessary (cost of dealing with incident)")
    );
    let ss71 = file.catalogue.get("SS7.1").unwrap();
    assert_eq!(ss71.unit_cost.to_string(), "767.7333333333333");
    // Uprated through the catalogue, the workbook's figure again.
    let real = wb.deflator.index.convert(ss71.unit_cost, ss71.price_year, fy(2015)).unwrap();
    assert_eq!(real, d("791.72"));
    let text = String::from_utf8(out.csv).unwrap();
    assert!(text.starts_with(
        "code,agency,unit_cost,price_year,unit,description,agency_detail,source,confidence,value_type,theme,"
    ));

    for (t, n) in [(ValueType::Economic, 80), (ValueType::Social, 25)] {
        let out = catalogue_csv(&wb.lines, t);
        assert_eq!(out.written, n);
        let file = read_catalogue("c.csv", out.csv.as_slice()).unwrap();
        assert!(file.catalogue.entries().iter().all(|e| e.agency == "Society / Economic"));
    }
}

#[test]
fn junk_is_a_clear_error_never_a_panic() {
    let err = read_workbook("junk.xlsx", Cursor::new(b"code,agency\nA,B\n".to_vec())).unwrap_err();
    assert_eq!(err.kind(), ProblemKind::Syntax);
    assert!(err.to_string().starts_with("junk.xlsx: cannot read the file as an .xlsx workbook: "), "{err}");
    assert!(read_workbook("empty.xlsx", Cursor::new(Vec::new())).is_err());
    assert!(read_gdp_deflator("empty.xlsx", Cursor::new(Vec::new())).is_err());
    let bytes = std::fs::read(data().join(WORKBOOK)).unwrap();
    for cut in [10, 1000, bytes.len() / 2, bytes.len() - 100] {
        assert!(read_workbook("cut.xlsx", Cursor::new(bytes[..cut].to_vec())).is_err(), "cut at {cut}");
    }
    let err = open_workbook(&data().join("no-such-file.xlsx")).unwrap_err();
    assert_eq!(err.kind(), ProblemKind::Io);
    let err = read_csv_2014("e.csv", b"".as_slice()).unwrap_err();
    assert_eq!(err.to_string(), "e.csv: the file is empty: expected cost lines");
    let import = read_csv_2014("x.csv", b"a,b\n\"unclosed\n".as_slice()).unwrap();
    assert!(import.problems.iter().all(|p| p.kind == ProblemKind::Syntax) && import.lines.is_empty());
}

#[test]
fn csv_2014_problems_name_the_line_and_field() {
    let csv = "FIRE,F,F1,D,Fire Service,,Per incident,-,2010/11, £5 ,S,G,,\n\
               FIRE,F,F2,D,Fire Service,,Per incident,£1,2345,2010/11,,S,X,,\n\
               FIRE,F,F3,D,Fire Service,,Per incident,12,,,S,G,,\n";
    let import = read_csv_2014("FIRE.csv", csv.as_bytes()).unwrap();
    assert_eq!(import.lines.len(), 2);
    let shown: Vec<String> = import.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "FIRE.csv line 1, field \"cost\": expected an amount such as 1234.56 or £1,234, found \"-\"; the value is skipped",
            "FIRE.csv line 2: expected 14 fields, found 15; the line is skipped",
            "FIRE.csv line 3, field \"price_year\": expected a calendar year such as 2019 or a financial year such as 2019/20, found \"\"; the value 12 is skipped",
        ]
    );
}

proptest! {
    #![proptest_config(crate::config(64))]

    #[test]
    fn importers_never_panic_on_raw_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_workbook("w.xlsx", Cursor::new(bytes.clone()));
        let _ = read_csv_2014("c.csv", bytes.as_slice());
    }

    #[test]
    fn the_workbook_importer_never_panics_on_a_damaged_workbook(at in 0usize..365_000, byte in any::<u8>()) {
        static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
        let mut bytes = BYTES.get_or_init(|| std::fs::read(data().join(WORKBOOK)).unwrap()).clone();
        let at = at % bytes.len();
        bytes[at] = byte;
        let _ = read_workbook("w.xlsx", Cursor::new(bytes));
    }
}

/// A workbook of the given parts, built with a zip writer (deflated, as Excel writes them).
fn zipped(parts: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The parts of a workbook with one sheet, `Lookups`, whose XML is `sheet`, and the shared
/// strings `strings`.
fn one_sheet<'a>(sheet: &'a [u8], strings: &'a [u8]) -> Vec<(&'a str, &'a [u8])> {
    vec![
        (
            "[Content_Types].xml",
            &br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#[..],
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Lookups" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", strings),
    ]
}

/// A sheet's XML with `data` inside its `sheetData` and the dimension `dimension`.
fn sheet(dimension: &str, data: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{data}</sheetData></worksheet>"#
    )
    .into_bytes()
}

const STRINGS: &[u8] = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>Year</t></si></sst>"#;

/// The problem of reading `bytes` as the price index of a workbook (which must fail), which
/// the reader of the whole workbook reports too.
fn refused(bytes: Vec<u8>) -> String {
    let err = read_gdp_deflator("w.xlsx", Cursor::new(bytes.clone())).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    let whole = read_workbook("w.xlsx", Cursor::new(bytes)).unwrap_err();
    assert!(whole.problems().contains(&err.problems()[0]), "{whole}");
    err.problems()[0].to_string()
}

/// A workbook whose sheet uses two far corners would make a grid of 2^34 cells (512 GiB): it is
/// refused, naming the range, before any grid is made.
#[test]
fn a_sheet_spanning_the_whole_worksheet_is_refused() {
    for (dimension, data) in [
        (
            "A1:XFD1048576",
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#,
        ),
        // The dimension can lie: the cells decide.
        ("A1", r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#),
        ("A1:A2", r#"<row r="3"><c r="A3"><v>1</v></c></row><row r="900000"><c r="Z900000"><v>2</v></c></row>"#),
    ] {
        let message = refused(zipped(&one_sheet(&sheet(dimension, data), STRINGS)));
        assert!(message.starts_with("w.xlsx sheet \"Lookups\": its used range "), "{message}");
        assert!(message.ends_with(" cells; a sheet may span at most 2097152"), "{message}");
    }
    let message = refused(zipped(&one_sheet(
        &sheet(
            "A1",
            r#"<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row><row r="1048576"><c r="B1048576"><v>2</v></c></row>"#,
        ),
        STRINGS,
    )));
    assert!(message.contains("its used range A1:XFD1048576 spans 17179869184 cells"), "{message}");
}

/// References calamine's arithmetic cannot take (a row past u32, eight letters, a dimension
/// that ends before it starts) and a shared-string count to reserve terabytes for are refused
/// as references outside a worksheet, never a panic.
#[test]
fn references_outside_a_worksheet_are_refused() {
    let cases: [(&str, String, &[u8]); 7] = [
        ("A1", r#"<row r="1"><c r="A99999999999"><v>1</v></c></row>"#.into(), STRINGS),
        ("A1", r#"<row r="1"><c r="AAAAAAAAAAAAAAAA1"><v>1</v></c></row>"#.into(), STRINGS),
        ("A1", r#"<row r="99999999999"><c><v>1</v></c></row>"#.into(), STRINGS),
        ("A1", r#"<row r="1048577"><c><v>1</v></c></row>"#.into(), STRINGS),
        ("B2:A1", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#.into(), STRINGS),
        ("A1:A99999999999", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#.into(), STRINGS),
        (
            "A1",
            r#"<row r="1"><c r="A1"><v>1</v></c></row>"#.into(),
            br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="99999999999999"><si><t>Year</t></si></sst>"#,
        ),
    ];
    for (dimension, data, strings) in cases {
        let message = refused(zipped(&one_sheet(&sheet(dimension, &data), strings)));
        assert!(message.starts_with("w.xlsx: the workbook's part \"xl/"), "{message}");
        assert!(
            message.contains("outside a worksheet (A1 to XFD1048576)")
                || message.contains("which ends before it starts")
                || message.contains("shared strings; it could hold at most"),
            "{message}"
        );
    }
}

/// A zip bomb: a part that would expand past the bound is refused from its declared size,
/// before it is read; a part that declares less than it holds is read only one byte past what
/// it declares.
#[test]
fn a_zip_bomb_is_refused_without_expanding_it() {
    // 129 MiB of one cell's XML over and over compresses to a few hundred kilobytes.
    let row = br#"<row><c t="inlineStr"><is><t>boom</t></is></c></row>"#;
    let mut big = sheet("A1", "");
    let tail = big.split_off(big.len() - "</sheetData></worksheet>".len());
    while big.len() < (129 << 20) {
        big.extend_from_slice(row);
    }
    big.extend_from_slice(&tail);
    let bytes = zipped(&one_sheet(&big, STRINGS));
    assert!(bytes.len() < 4 << 20, "{} bytes", bytes.len());
    let message = refused(bytes);
    assert!(message.contains("\"xl/worksheets/sheet1.xml\" would expand to 13526"), "{message}");
    assert!(message.ends_with("bytes; a part may hold at most 134217728"), "{message}");

    // Declared sizes that lie: the part says 1,000 bytes and holds a megabyte.
    let mut small = sheet("A1", "");
    let tail = small.split_off(small.len() - "</sheetData></worksheet>".len());
    while small.len() < (1 << 20) {
        small.extend_from_slice(row);
    }
    small.extend_from_slice(&tail);
    let actual = small.len() as u32;
    let mut bytes = zipped(&one_sheet(&small, STRINGS));
    // Both the local header (offset 22) and the central directory (offset 24) say 1,000.
    let mut patched = 0;
    for (signature, at) in [(0x0403_4b50u32, 22), (0x0201_4b50, 24)] {
        for i in 0..bytes.len() - 4 {
            if u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) == signature
                && u32::from_le_bytes(bytes[i + at..i + at + 4].try_into().unwrap()) == actual
            {
                bytes[i + at..i + at + 4].copy_from_slice(&1000u32.to_le_bytes());
                patched += 1;
            }
        }
    }
    assert_eq!(patched, 2);
    let message = refused(bytes);
    assert_eq!(
        message,
        "w.xlsx: the workbook's part \"xl/worksheets/sheet1.xml\" holds more than the 1000 bytes it declares"
    );
}

/// A small well-formed workbook of the same shape reads (the crafted ones above fail only for
/// what they are crafted with): its Lookups table has no header.
#[test]
fn the_crafted_workbooks_are_workbooks() {
    let bytes = zipped(&one_sheet(&sheet("A1", r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#), STRINGS));
    let message = read_workbook("w.xlsx", Cursor::new(bytes)).unwrap_err().to_string();
    assert!(!message.contains("part"), "{message}");
    assert!(message.contains("Lookups"), "{message}");
}
