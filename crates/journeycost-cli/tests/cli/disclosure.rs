//! An attacker against published reports.
//!
//! Each test crafts a cohort with a few people (1 to 4) in an agency, a period, a tier, a group,
//! a segment or an appraisal year, writes its report with the binary, and then attacks it the
//! way a reader with the public catalogue would, written separately from the report's own
//! disclosure control:
//! - every figure of every published CSV file and of `results.json` becomes a linear equation
//!   over the cohort's atoms (side × quarter × agency × detail × tier × demand × group, which
//!   the public catalogue lets anyone lay out);
//! - exact elimination finds every sum of atoms those equations determine, across all tables
//!   at once (differencing totals, linked tables, a cell shown in two places), counts and money
//!   apart and together (the catalogue's unit costs are public, so money is events × unit cost);
//! - each sensitive figure (known to the test from the events) must not be one of them, in
//!   money or in counts, nor appear anywhere in any file;
//! - quantiles must not be any person's own saving while fewer than the threshold of persons
//!   lie on either side.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use crate::util::{fixture, run_in, stderr};

const KEY: &str = "an attacker's test key";

/// One event of a crafted cohort.
#[derive(Debug, Clone)]
struct Ev {
    person: String,
    side: usize,
    /// Days from 2024-01-01 (within 2024: quarters Q1..Q4).
    month: u32,
    code: &'static str,
}

/// The public catalogue of the crafted cohorts: (code, agency, detail, unit cost in pennies,
/// tier, demand).
const CODES: [(&str, &str, &str, i64, u8, &str); 7] = [
    ("AE", "NHS", "A&E", 77_777, 4, "failure"),
    ("GP", "NHS", "GP", 3_923, 1, "value"),
    ("AEX", "NHS / A&E", "", 12_345, 4, "failure"),
    ("CALL", "Police", "", 10_000, 4, "failure"),
    ("RENT", "Housing", "", 2_200, 2, "value"),
    ("VISIT", "Team", "", 9_000, 2, "value"),
    ("CARE", "Social care", "", 55_511, 3, "value"),
];

fn code(c: &str) -> (&'static str, &'static str, &'static str, i64, u8, &'static str) {
    *CODES.iter().find(|x| x.0 == c).unwrap_or_else(|| panic!("{c}"))
}

fn catalogue_csv() -> String {
    let mut s = String::from("code,agency,agency_detail,unit_cost,price_year,tier,demand,confidence\n");
    for (c, a, d, p, t, k) in CODES {
        s += &[
            c,
            ",",
            a,
            ",",
            d,
            ",",
            &format!("{}.{:02}", p / 100, p % 100),
            ",2024,",
            &t.to_string(),
            ",",
            k,
            ",amber\n",
        ]
        .concat();
    }
    s
}

fn events_csv(events: &[Ev]) -> String {
    let mut s = String::from("person_id,pathway,date,code\n");
    for e in events {
        let pathway = if e.side == 0 { "old" } else { "new" };
        let _ = writeln!(s, "{},{pathway},2024-{:02}-15,{}", e.person, e.month, e.code);
    }
    s
}

/// A healthy cohort of `n` persons: Police and Housing on the old way, the team on the new,
/// every quarter busy.
fn background(n: usize) -> Vec<Ev> {
    let mut v = Vec::new();
    for i in 0..n {
        let p = format!("P{i:02}");
        for (month, c) in [
            (1 + (i % 3) as u32, "CALL"),
            (4 + (i % 3) as u32, "CALL"),
            (7 + (i % 3) as u32, "RENT"),
            (10 + (i % 3) as u32, "CALL"),
        ] {
            v.push(Ev { person: p.clone(), side: 0, month, code: c });
        }
        for month in [2 + (i % 3) as u32, 5 + (i % 3) as u32, 8 + (i % 3) as u32, 11] {
            v.push(Ev { person: p.clone(), side: 1, month, code: "VISIT" });
        }
        v.push(Ev { person: p.clone(), side: 0, month: 3, code: "GP" });
        v.push(Ev { person: p, side: 1, month: 9, code: "GP" });
    }
    v
}

/// The atom of an event, as the attacker lays the cohort out from the public catalogue.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Atom {
    side: usize,
    quarter: u32,
    agency: &'static str,
    detail: &'static str,
    tier: u8,
    failure: bool,
    group: String,
}

struct Cohort {
    events: Vec<Ev>,
    group_of: BTreeMap<String, String>,
    /// The reports' options.
    level2: bool,
}

impl Cohort {
    /// The atom of an event.
    fn atom(&self, e: &Ev) -> Atom {
        let (_, agency, detail, _, tier, demand) = code(e.code);
        Atom {
            side: e.side,
            quarter: (e.month - 1) / 3 + 1,
            agency,
            detail,
            tier,
            failure: demand == "failure",
            group: self.group_of.get(&e.person).cloned().unwrap_or_default(),
        }
    }

    fn atoms(&self) -> BTreeMap<Atom, (i64, i64)> {
        let mut out: BTreeMap<Atom, (i64, i64)> = BTreeMap::new();
        for e in &self.events {
            let x = out.entry(self.atom(e)).or_default();
            x.0 += 1;
            x.1 += code(e.code).3;
        }
        out
    }
}

/// What the report publishes about the atoms, as equations: (atoms with coefficients, value);
/// counts and money separately. Money in pennies.
#[derive(Default)]
struct Published {
    count: Vec<(Vec<(usize, f64)>, f64)>,
    money: Vec<(Vec<(usize, f64)>, f64)>,
}

fn parse_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .skip(1)
        .map(|l| {
            // The crafted names have no commas or quotes.
            l.split(',').map(str::to_owned).collect()
        })
        .collect()
}

fn pennies(s: &str) -> Option<f64> {
    if s == "[c]" || s.is_empty() {
        return None;
    }
    s.parse::<f64>().ok().map(|v| (v * 100.0).round())
}

/// Reads every equation the report's files give.
fn published(dir: &Path, atoms: &[Atom], values: &[(i64, i64)], by: Option<&str>) -> Published {
    let mut p = Published::default();
    let sum = |pick: &dyn Fn(&Atom) -> Option<f64>| -> Vec<(usize, f64)> {
        atoms.iter().enumerate().filter_map(|(i, a)| pick(a).map(|c| (i, c))).collect()
    };
    let side_of = |s: &str| usize::from(s != "old");
    let quarter_of = |s: &str| s.rsplit('Q').next().and_then(|q| q.parse::<u32>().ok()).unwrap_or(0);
    let label = |a: &Atom, level2: bool| {
        if level2 && !a.detail.is_empty() { format!("{} / {}", a.agency, a.detail) } else { a.agency.to_owned() }
    };
    let level2 = std::fs::read_to_string(dir.join("data/who-pays.csv")).unwrap_or_default().contains(" / A&E [");
    // the series
    for r in parse_csv(&dir.join("data/red-blue-cohort.csv")) {
        let (side, q) = (side_of(&r[0]), quarter_of(&r[1]));
        let f = sum(&|a: &Atom| (a.side == side && a.quarter == q).then_some(1.0));
        if let Ok(n) = r[2].parse::<f64>() {
            p.count.push((f.clone(), n));
        }
        if let Some(m) = pennies(&r[3]) {
            p.money.push((f, m));
        }
        if let Some(m) = pennies(&r[4]) {
            p.money.push((sum(&|a: &Atom| (a.side == side && a.quarter <= q).then_some(1.0)), m));
        }
    }
    for r in parse_csv(&dir.join("data/demand-over-time.csv")) {
        let q = quarter_of(&r[0]);
        for side in 0..2 {
            if let Ok(n) = r[1 + side].parse::<f64>() {
                p.count.push((sum(&|a: &Atom| (a.side == side && a.quarter == q).then_some(1.0)), n));
            }
        }
    }
    // who pays
    for r in parse_csv(&dir.join("data/who-pays.csv")) {
        let name = r[0].split(" [").next().unwrap_or_default().to_owned();
        // Colliding labels are numbered in the catalogue's order of agencies (docs/report.md):
        // NHS's detail A&E is [1], the agency "NHS / A&E" is [2].
        let which = r[0].split_once(" [").and_then(|x| x.1.trim_end_matches(']').parse::<u32>().ok());
        let of = |a: &Atom| -> bool {
            let l = label(a, level2);
            match which {
                None => l == name,
                Some(1) => l == name && !a.detail.is_empty(),
                Some(_) => l == name && a.detail.is_empty(),
            }
        };
        for side in 0..2 {
            if let Some(m) = pennies(&r[1 + side]) {
                p.money.push((sum(&|a: &Atom| (of(a) && a.side == side).then_some(1.0)), m));
            }
        }
        if let Some(m) = pennies(&r[3]) {
            p.money.push((sum(&|a: &Atom| of(a).then_some(if a.side == 0 { 1.0 } else { -1.0 })), m));
        }
    }
    // the triangle
    for r in parse_csv(&dir.join("data/triangle.csv")) {
        let side = side_of(&r[0]);
        let tier: u8 = r[1].parse().unwrap_or(0);
        let f = sum(&|a: &Atom| (a.side == side && a.tier == tier).then_some(1.0));
        if let Ok(n) = r[2].parse::<f64>() {
            p.count.push((f.clone(), n));
        }
        if let Some(m) = pennies(&r[3]) {
            p.money.push((f, m));
        }
    }
    // failure demand, by agency (level 1)
    for r in parse_csv(&dir.join("data/failure-demand.csv")) {
        let side = side_of(&r[1]);
        let all = sum(&|a: &Atom| (a.agency == r[0] && a.side == side).then_some(1.0));
        let fail = sum(&|a: &Atom| (a.agency == r[0] && a.side == side && a.failure).then_some(1.0));
        for (f, i) in [(&all, 2), (&fail, 3)] {
            if let Ok(n) = r[i].parse::<f64>() {
                p.count.push((f.clone(), n));
            }
        }
        for (f, i) in [(&all, 4), (&fail, 5)] {
            if let Some(m) = pennies(&r[i]) {
                p.money.push((f.clone(), m));
            }
        }
    }
    // groups
    if by.is_some() {
        for r in parse_csv(&dir.join("data/groups.csv")) {
            for side in 0..2 {
                let f = sum(&|a: &Atom| (a.group == r[0] && a.side == side).then_some(1.0));
                if let Ok(n) = r[2 + side].parse::<f64>() {
                    p.count.push((f.clone(), n));
                }
                if let Some(m) = pennies(&r[4 + side]) {
                    p.money.push((f, m));
                }
            }
            if let Some(m) = pennies(&r[6]) {
                p.money.push((sum(&|a: &Atom| (a.group == r[0]).then_some(if a.side == 0 { 1.0 } else { -1.0 })), m));
            }
        }
    }
    // the appraisal (undiscounted, amber optimism bias 0.25, no adjustments): a year's benefit
    // is 0.75 of each cell's gross benefit, or 1.25 of a disbenefit; the attacker is given the
    // sign of every cell (agency, detail, financial year), which only makes it stronger
    let fy = |a: &Atom| if a.quarter == 1 { "2023/24" } else { "2024/25" };
    let mut gross: BTreeMap<(&str, &str, &str), f64> = BTreeMap::new();
    for (a, v) in atoms.iter().zip(values) {
        *gross.entry((a.agency, a.detail, fy(a))).or_default() += if a.side == 0 { v.1 as f64 } else { -(v.1 as f64) };
    }
    let kappa = |a: &Atom| {
        let g = gross.get(&(a.agency, a.detail, fy(a))).copied().unwrap_or(0.0);
        let k = if g < 0.0 { 1.25 } else { 0.75 };
        if a.side == 0 { k } else { -k }
    };
    for r in parse_csv(&dir.join("data/appraisal.csv")) {
        for col in [1usize, 3] {
            if let Some(m) = pennies(&r[col]) {
                p.money.push((sum(&|a: &Atom| (fy(a) == r[0]).then(|| kappa(a))), m));
            }
        }
    }
    for r in parse_csv(&dir.join("data/intervention-cost.csv")) {
        for col in [2usize, 3] {
            if let Some(m) = pennies(&r[col]) {
                p.money.push((sum(&|a: &Atom| (a.agency == r[0]).then(|| kappa(a))), m));
            }
        }
    }
    // the headline totals of results.json
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    let totals = &json["totals"];
    for (key, f) in [
        ("baseline", sum(&|a: &Atom| (a.side == 0).then_some(1.0))),
        ("alternative", sum(&|a: &Atom| (a.side == 1).then_some(1.0))),
        ("saving", sum(&|a: &Atom| Some(if a.side == 0 { 1.0 } else { -1.0 }))),
    ] {
        if let Some(m) = totals[key].as_str().and_then(pennies) {
            p.money.push((f, m));
        }
    }
    p
}

/// Gaussian elimination: the row-reduced equations (floating point, on small integer systems).
fn reduce(eqs: &[(Vec<(usize, f64)>, f64)], n: usize) -> Vec<(Vec<f64>, f64)> {
    let mut rows: Vec<(Vec<f64>, f64)> = eqs
        .iter()
        .map(|(f, v)| {
            let mut r = vec![0.0; n];
            for (i, c) in f {
                r[*i] += c;
            }
            (r, *v)
        })
        .collect();
    let mut pivots = Vec::new();
    let mut row = 0;
    for col in 0..n {
        let Some(p) = (row..rows.len()).max_by(|a, b| rows[*a].0[col].abs().total_cmp(&rows[*b].0[col].abs())) else {
            break;
        };
        if rows[p].0[col].abs() < 1e-9 {
            continue;
        }
        rows.swap(row, p);
        let (pr, pv) = rows[row].clone();
        let k = pr[col];
        let pr: Vec<f64> = pr.iter().map(|x| x / k).collect();
        let pv = pv / k;
        rows[row] = (pr.clone(), pv);
        for (j, r) in rows.iter_mut().enumerate() {
            if j != row && r.0[col].abs() > 1e-12 {
                let f = r.0[col];
                for (x, y) in r.0.iter_mut().zip(&pr) {
                    *x -= f * y;
                }
                r.1 -= f * pv;
            }
        }
        pivots.push(col);
        row += 1;
    }
    rows.truncate(row);
    rows
}

/// The value of a form if the reduced equations determine it.
fn determined(reduced: &[(Vec<f64>, f64)], form: &[f64]) -> Option<f64> {
    let mut rest = form.to_vec();
    let mut value = 0.0;
    for (r, v) in reduced {
        let Some(col) = r.iter().position(|x| (x - 1.0).abs() < 1e-9) else { continue };
        let f = rest[col];
        if f.abs() > 1e-12 {
            for (x, y) in rest.iter_mut().zip(r) {
                *x -= f * y;
            }
            value += f * v;
        }
    }
    rest.iter().all(|x| x.abs() < 1e-6).then_some(value)
}

/// A sensitive figure: a form over atoms and its true count and money.
struct Secret {
    what: String,
    form: Vec<f64>,
    count: f64,
    money: f64,
}

/// Every cell of the published tables that rests on 1 to 4 events or persons: by agency (and
/// detail), failure demand by agency, tier, quarter and group, each per side.
fn secrets(cohort: &Cohort, atoms: &[Atom], values: &[(i64, i64)], threshold: usize) -> Vec<Secret> {
    let mut out = Vec::new();
    let persons_of = |pick: &dyn Fn(&Atom) -> bool| -> usize {
        cohort.events.iter().filter(|e| pick(&cohort.atom(e))).map(|e| e.person.as_str()).collect::<BTreeSet<_>>().len()
    };
    let mut consider = |what: String, pick: &dyn Fn(&Atom) -> bool| {
        let form: Vec<f64> = atoms.iter().map(|a| if pick(a) { 1.0 } else { 0.0 }).collect();
        let count: f64 = atoms.iter().zip(values).filter(|(a, _)| pick(a)).map(|(_, v)| v.0 as f64).sum();
        let money: f64 = atoms.iter().zip(values).filter(|(a, _)| pick(a)).map(|(_, v)| v.1 as f64).sum();
        let persons = persons_of(pick);
        let small = |n: usize| n > 0 && n < threshold;
        if small(count as usize) || small(persons) {
            out.push(Secret { what, form, count, money });
        }
    };
    let agencies: BTreeSet<(&str, &str)> = atoms.iter().map(|a| (a.agency, a.detail)).collect();
    let groups: BTreeSet<String> = atoms.iter().map(|a| a.group.clone()).collect();
    for side in 0..2 {
        // The cells of the tables a report publishes: who pays (at either agency level), the
        // failure demand by agency, the triangle, the series, the groups.
        for (ag, det) in &agencies {
            consider(format!("{ag} / {det} on side {side}"), &|a: &Atom| {
                a.side == side && a.agency == *ag && a.detail == *det
            });
        }
        let names: BTreeSet<&str> = agencies.iter().map(|x| x.0).collect();
        for ag in names {
            consider(format!("{ag} on side {side}"), &|a: &Atom| a.side == side && a.agency == ag);
            consider(format!("failure demand at {ag} on side {side}"), &|a: &Atom| {
                a.side == side && a.agency == ag && a.failure
            });
        }
        for tier in 0..=4 {
            consider(format!("tier {tier} on side {side}"), &|a: &Atom| a.side == side && a.tier == tier);
        }
        for q in 1..=4 {
            consider(format!("Q{q} on side {side}"), &|a: &Atom| a.side == side && a.quarter == q);
        }
        for g in &groups {
            consider(format!("group {g} on side {side}"), &|a: &Atom| a.side == side && a.group == *g);
        }
    }
    out
}

/// Runs a report on the cohort and attacks it; returns the report's folder.
fn attack(name: &str, cohort: &Cohort, extra: &[&str], scenario: Option<&str>) -> (tempfile::TempDir, usize) {
    let mut persons = String::from("person_id,group\n");
    for (p, g) in &cohort.group_of {
        persons += &[p.as_str(), ",", g.as_str(), "\n"].concat();
    }
    let dir = fixture(&[
        ("c.csv", catalogue_csv().as_bytes()),
        ("d.csv", b"year,index\n2024,100\n"),
        ("e.csv", events_csv(&cohort.events).as_bytes()),
        ("p.csv", persons.as_bytes()),
        ("s.toml", format!("[inputs]\nevents = \"e.csv\"\n{}", scenario.unwrap_or("")).as_bytes()),
    ]);
    let mut args: Vec<&str> = vec!["report"];
    if scenario.is_some() {
        args.push("s.toml");
    }
    args.extend([
        "--catalogue",
        "c.csv",
        "--deflators",
        "d.csv",
        "--events",
        "e.csv",
        "--persons",
        "p.csv",
        "--key",
        KEY,
        "--out",
        "r",
    ]);
    if cohort.level2 {
        args.extend(["--agency-level", "2"]);
    }
    args.extend(extra);
    let o = run_in(dir.path(), &args);
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    let out = dir.path().join("r");

    let table = cohort.atoms();
    let atoms: Vec<Atom> = table.keys().cloned().collect();
    let values: Vec<(i64, i64)> = table.values().copied().collect();
    let by = extra.iter().position(|a| *a == "--by").map(|_| "group");
    let eqs = published(&out, &atoms, &values, by);
    let n = atoms.len();
    let counts = reduce(&eqs.count, n);
    let money = reduce(&eqs.money, n);
    // The catalogue is public and every atom here holds one code: its money is its events times
    // the code's unit cost. Counts and money then make one system over the counts.
    let price: Vec<f64> = values.iter().map(|v| v.1 as f64 / v.0 as f64).collect();
    let joint_eqs: Vec<(Vec<(usize, f64)>, f64)> = eqs
        .count
        .iter()
        .cloned()
        .chain(eqs.money.iter().map(|(f, v)| (f.iter().map(|(i, c)| (*i, c * price[*i])).collect(), *v)))
        .collect();
    let joint = reduce(&joint_eqs, n);
    // Every published equation holds for the true data: the attacker reads the files right.
    for (f, v) in &eqs.money {
        let truth: f64 = f.iter().map(|(i, c)| c * values[*i].1 as f64).sum();
        assert!((truth - v).abs() <= 0.51, "{name}: the attacker misread a published figure ({truth} against {v})");
    }
    let secrets = secrets(cohort, &atoms, &values, 5);
    for s in &secrets {
        if let Some(v) = determined(&money, &s.form) {
            panic!(
                "{name}: the attacker recovers the money of {} ({}) from the published figures: {}",
                s.what,
                s.money / 100.0,
                v / 100.0
            );
        }
        if let Some(v) = determined(&joint, &s.form) {
            panic!(
                "{name}: with the public unit costs, the attacker recovers the count of {} ({}) from the published figures: {v}",
                s.what, s.count
            );
        }
        if let Some(v) = determined(&counts, &s.form) {
            panic!(
                "{name}: the attacker recovers the count of {} ({}) from the published figures: {v}",
                s.what, s.count
            );
        }
        // Published anywhere else (HTML, Markdown, JSON, charts) than the equations read above?
        let parsed: BTreeSet<i64> = eqs.money.iter().map(|(_, v)| *v as i64).collect();
        let secret = s.money as i64;
        if secret != 0 && !parsed.contains(&secret) {
            for f in walk(&out) {
                let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
                if amounts(&text).contains(&secret) {
                    let kept = dir.keep();
                    panic!(
                        "{name}: the money of {} ({}) is published in {} (kept in {})",
                        s.what,
                        s.money / 100.0,
                        f.display(),
                        kept.display()
                    );
                }
            }
        }
    }
    (dir, secrets.len())
}

/// Every amount with pennies in a text (`1,234.56` or `1234.56`, with a sign), in pennies.
fn amounts(text: &str) -> BTreeSet<i64> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < b.len() {
        if !digit(i) || (i > 0 && (digit(i - 1) || b[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let start = i;
        let mut whole = String::new();
        while digit(i) {
            whole.push(b[i] as char);
            i += 1;
        }
        // thousands: a comma and exactly three digits
        while b.get(i) == Some(&b',') && digit(i + 1) && digit(i + 2) && digit(i + 3) && !digit(i + 4) {
            whole.push_str(&text[i + 1..i + 4]);
            i += 4;
        }
        if b.get(i) == Some(&b'.') && digit(i + 1) && digit(i + 2) && !digit(i + 3) {
            let negative = start > 0 && b[start - 1] == b'-';
            if let Ok(v) = format!("{whole}{}", &text[i + 1..i + 3]).parse::<i64>() {
                out.insert(if negative { -v } else { v });
            }
            i += 3;
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    crate::util::files_under(dir).into_iter().map(|f| dir.join(f)).collect()
}

fn cohort(events: Vec<Ev>) -> Cohort {
    let group_of = events.iter().map(|e| (e.person.clone(), "main".to_owned())).collect();
    Cohort { events, group_of, level2: false }
}

#[test]
fn few_people_at_an_agency_cannot_be_recovered() {
    // The review's case: five people, two A&E attendances; and 1 to 4 of them.
    for k in 1..=4 {
        let mut events = background(5);
        for i in 0..k {
            events.push(Ev { person: format!("P{i:02}"), side: 0, month: 2 + i as u32 * 3, code: "AE" });
        }
        let (_, secrets) = attack(&format!("{k} at NHS"), &cohort(events), &[], None);
        assert!(secrets > 0);
    }
}

#[test]
fn few_events_in_a_period_a_tier_or_on_the_new_way_cannot_be_recovered() {
    for k in 1..=4u32 {
        // a quarter with k events on the old way: everything else happens in Q1..Q3
        let mut events: Vec<Ev> = background(8).into_iter().filter(|e| e.month <= 9).collect();
        for i in 0..k {
            events.push(Ev { person: format!("P{i:02}"), side: 0, month: 10 + i % 3, code: "CALL" });
        }
        attack(&format!("{k} in Q4"), &cohort(events), &[], None);
        // a tier (3, social care) with k events, spread over persons and quarters
        let mut events = background(8);
        for i in 0..k {
            events.push(Ev { person: format!("P{:02}", i * 2), side: 0, month: 1 + i * 3, code: "CARE" });
        }
        attack(&format!("{k} in tier 3"), &cohort(events), &[], None);
        // k people meet the team on the new way
        let mut events: Vec<Ev> = background(8).into_iter().filter(|e| e.side == 0).collect();
        for i in 0..k {
            events.push(Ev { person: format!("P{i:02}"), side: 1, month: 5, code: "VISIT" });
        }
        attack(&format!("{k} on the new way"), &cohort(events), &[], None);
    }
}

#[test]
fn a_small_group_cannot_be_recovered_from_the_group_table() {
    for k in 1..=4 {
        let mut c = cohort(background(10));
        for i in 0..k {
            c.group_of.insert(format!("P{i:02}"), "rare".to_owned());
        }
        let (dir, _) = attack(&format!("a group of {k}"), &c, &["--by", "group"], None);
        let groups = std::fs::read_to_string(dir.path().join("r/data/groups.csv")).unwrap();
        assert!(groups.lines().any(|l| l.starts_with("rare,[c],")), "{groups}");
    }
}

#[test]
fn labels_that_collide_are_counted_by_identity() {
    // "NHS / A&E" the agency (2 events) and NHS with detail "A&E" (24 events) share a label at
    // level 2: the small one must be judged by its own 2 events.
    let mut events = background(6);
    for i in 0..24 {
        events.push(Ev { person: format!("P{:02}", i % 6), side: 0, month: 1 + (i % 12) as u32, code: "AE" });
    }
    events.push(Ev { person: "P00".into(), side: 0, month: 5, code: "AEX" });
    events.push(Ev { person: "P01".into(), side: 0, month: 8, code: "AEX" });
    let mut c = cohort(events);
    c.level2 = true;
    let (dir, _) = attack("colliding labels", &c, &[], None);
    let who = std::fs::read_to_string(dir.path().join("r/data/who-pays.csv")).unwrap();
    assert!(who.contains("NHS / A&E [2],[c],"), "the agency of 2 events is suppressed: {who}");
    assert!(who.contains("NHS / A&E [1],"), "NHS's detail A&E has a row of its own: {who}");
}

#[test]
fn quantiles_are_not_one_persons_saving_with_few_on_either_side() {
    for n in [5usize, 7, 9, 11, 20] {
        let c = cohort(background(n));
        let (dir, _) = attack(&format!("{n} persons"), &c, &[], None);
        let dist = std::fs::read_to_string(dir.path().join("r/data/savings-distribution.csv")).unwrap();
        let row: Vec<&str> = dist.lines().nth(1).unwrap().split(',').collect();
        // type 7: h = (n-1)q; needs 5 below and 5 above
        for (col, q) in [(4usize, 0.25f64), (5, 0.5), (6, 0.75)] {
            let h = (n - 1) as f64 * q;
            let safe = h.floor() >= 5.0 && (n as f64 - 1.0 - h.ceil()) >= 5.0;
            assert_eq!(row[col] != "[c]", safe, "{n} persons, q = {q}: {dist}");
        }
    }
}

#[test]
fn an_appraisal_year_of_few_events_cannot_be_recovered() {
    // The year 2025/26 holds only k events (old way, January 2025 is 2024/25; 2025 April on is
    // 2025/26): its benefit must not give them back, scaled by optimism bias or not.
    for k in 1..=3u32 {
        let mut events = background(8);
        for i in 0..k {
            events.push(Ev { person: format!("P{i:02}"), side: 0, month: 12, code: "CARE" });
        }
        let scenario = "[appraisal]\nschedule = \"none\"\n[appraisal.optimism_bias]\namber = 0.25\n";
        let (dir, _) = attack(&format!("{k} in the last appraisal year"), &cohort(events), &[], Some(scenario));
        assert!(dir.path().join("r/data/appraisal.csv").exists());
    }
}

#[test]
fn a_cohort_segment_of_few_persons_withholds_the_extrapolation() {
    let mut c = cohort(background(10));
    for i in 0..3 {
        c.group_of.insert(format!("P{i:02}"), "rare".to_owned());
    }
    let scenario = r#"
[extrapolation]
draws = 200
seed = 1
[[extrapolation.segments]]
name = "rare"
horizon = 1
count = 1000
reach = 0.5
per_case = { dist = "cohort", years = 1, column = "group", equals = "rare" }
"#;
    let (dir, _) = attack("a segment of 3", &c, &[], Some(scenario));
    let html = std::fs::read_to_string(dir.path().join("r/index.html")).unwrap();
    assert!(html.contains("The national extrapolation is withheld"), "the extrapolation rests on 3 persons");
    assert!(!dir.path().join("r/data/extrapolation.csv").exists());
    // 12 persons (above the threshold of 5): resamples of so few can repeat one person's saving,
    // so the draws' extremes would be the cohort's own: still withheld.
    let mut c = cohort(background(14));
    for i in 0..12 {
        c.group_of.insert(format!("P{i:02}"), "rare".to_owned());
    }
    let (dir, _) = attack("a segment of 12", &c, &[], Some(scenario));
    let html = std::fs::read_to_string(dir.path().join("r/index.html")).unwrap();
    assert!(html.contains("draws on 12 persons of the cohort, fewer than the 20 it needs"));
    // 24 persons: published, but not the histogram, which runs from the smallest draw to the
    // largest.
    let mut c = cohort(background(26));
    for i in 0..24 {
        c.group_of.insert(format!("P{i:02}"), "rare".to_owned());
    }
    let (dir, _) = attack("a segment of 24", &c, &[], Some(scenario));
    let html = std::fs::read_to_string(dir.path().join("r/index.html")).unwrap();
    assert!(!html.contains("The national extrapolation is withheld"));
    let hist = std::fs::read_to_string(dir.path().join("r/data/extrapolation.csv")).unwrap();
    assert_eq!(hist, "from,to,count\n[c],[c],[c]\n");
    assert!(!dir.path().join("r/charts/extrapolation.svg").exists());
}

/// Random small cohorts: the attacker recovers nothing from any of them.
mod random {
    use proptest::prelude::*;

    use super::{Ev, attack, background, cohort};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn random_small_cells_cannot_be_recovered(
            n in 5usize..9,
            extra in proptest::collection::vec((0usize..8, 0usize..2, 1u32..13, 0usize..4), 1..5),
        ) {
            let mut events = background(n);
            let codes = ["AE", "CARE", "GP", "CALL"];
            for (p, side, month, c) in extra {
                events.push(Ev { person: format!("P{:02}", p % n), side, month, code: codes[c] });
            }
            attack("random", &cohort(events), &[], None);
        }
    }
}
