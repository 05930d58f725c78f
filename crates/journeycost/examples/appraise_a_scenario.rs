//! Appraise a scenario in a few lines, as `journeycost appraise` does, and write its files.
//!
//! Run from the repository's root with
//! `cargo run -p journeycost --example appraise_a_scenario [SCENARIO.toml] [OUT]`
//! (default: `examples/anna/scenario.toml`, printing only).
//!
//! [`Run`] resolves every option once (what the program gives, then the scenario, then the
//! defaults) and has the steps of every command: `cost`, `compare`, `appraise`, `extrapolate`.

use journeycost::run::Run;

fn main() -> Result<(), journeycost::Error> {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().unwrap_or_else(|| "examples/anna/scenario.toml".to_owned());
    let out = args.next();

    // Given in code: the comparison by financial year. The rest comes from the scenario.
    let run = Run::builder().scenario(&scenario).period(journeycost::period::PeriodKind::Fy).build()?;

    let compared = run.compare()?;
    let whole = &compared.run.groups[0].comparison;
    println!("{}: {}", scenario, run.title().unwrap_or("(no title)"));
    println!(
        "the old way {}, the new way {}, saving {} at {} prices",
        whole.total.baseline_cost, whole.total.alternative_cost, whole.total.saving, compared.price_base
    );

    let appraised = run.appraise()?;
    let a = &appraised.appraisal;
    println!(
        "appraisal: NPV {}, BCR {}, discounting {} from {}",
        a.npv,
        a.bcr.map_or_else(|| "n/a".to_owned(), |r| r.to_string()),
        a.schedule,
        a.base_year
    );
    for assumption in appraised.spec.assumptions.iter().take(3) {
        println!("  assumed {} = {} ({})", assumption.name, assumption.value, assumption.origin);
    }

    if let Some(out) = out {
        // Nothing is written unless every file is ready; the inputs are never overwritten.
        appraised.files().commit(out.as_ref(), &run.files())?;
        println!("written to {out}");
    }
    Ok(())
}
