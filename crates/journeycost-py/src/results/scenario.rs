//! `Scenario`: a scenario file, and the run it describes.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use journeycost::Error;
use journeycost::period::PeriodKind;
use journeycost::run::{Loaded, Run, RunBuilder};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::{Class, ScenarioError};
use crate::inputs::Events;
use crate::work::{Progress, run};

use super::{Appraisal, CompareOrigin, Comparison, Costed, Extrapolation, Ledger, LedgerOrigin, Made};

/// A scenario file (``scenario.toml``): the inputs and every option of a run, so that a
/// notebook, the CLI and a colleague reproduce the same numbers.
///
/// Examples
/// --------
/// >>> import journeycost
/// >>> anna = journeycost.Scenario.load("examples/anna/scenario.toml")
/// >>> anna.title
/// 'Anna: five years of unmet need, the old way and the new'
/// >>> anna.compare().saving
/// Decimal('95376.6255')
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Scenario {
    /// The run the scenario describes, with nothing else given.
    pub(super) run: Run,
    /// The scenario as read when loaded: every run made from this object uses it.
    pub(super) parsed: journeycost::scenario::Scenario,
    pub(super) path: PathBuf,
}

impl Scenario {
    /// The run of this scenario (as loaded) with `more` given too (arguments of a method).
    pub(super) fn with(&self, more: impl FnOnce(RunBuilder) -> RunBuilder) -> Result<Run, Error> {
        more(Run::builder().parsed(self.path.clone(), self.parsed.clone())).build()
    }

    pub(super) fn ledger(slf: &Bound<'_, Self>, progress: Option<bool>) -> PyResult<Ledger> {
        let py = slf.py();
        let me = slf.get();
        let loaded = run(py, Class::Input, Some(Progress { wanted: progress, total: None, what: "costing" }), |_| {
            me.run.load()
        })?;
        let Loaded { inputs, ledger, digests } = loaded;
        let core = std::sync::OnceLock::new();
        let price_base = ledger.price_base();
        let _ = core.set(Arc::new(ledger));
        Ok(Ledger {
            source: Costed {
                journeys: Arc::new(inputs.journeys),
                catalogue: Arc::new(inputs.catalogue),
                index: Arc::new(inputs.index),
                price_base,
                values: me.run.values(),
            },
            core,
            persons: inputs.persons.map(Arc::new),
            inputs: digests,
            origin: LedgerOrigin::Scenario(slf.clone().unbind()),
            cost_files: std::sync::OnceLock::new(),
        })
    }
}

#[pymethods]
impl Scenario {
    /// Reads a scenario file; its paths are relative to the file.
    ///
    /// Raises
    /// ------
    /// ScenarioError
    ///     With the line and key of every problem.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Scenario> {
        // Held as an absolute path, so the scenario (and what is made from it) works from any
        // working directory, and in worker processes.
        let path = std::path::absolute(&path).unwrap_or(path);
        run(py, Class::Input, None, |_| {
            let parsed = journeycost::scenario::Scenario::load(&path)?;
            let r = Run::builder().parsed(path.clone(), parsed.clone()).build()?;
            Ok(Scenario { run: r, parsed, path })
        })
    }

    /// The scenario's title.
    #[getter]
    fn title(&self) -> Option<String> {
        self.run.title().map(str::to_owned)
    }

    /// The scenario file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The input files: ``catalogue`` (a list), ``deflators``, ``events``, ``persons``.
    #[getter]
    fn inputs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let i = self.run.paths();
        d.set_item("catalogue", i.catalogue.clone())?;
        d.set_item("deflators", i.deflators.clone())?;
        d.set_item("events", i.events.clone())?;
        d.set_item("persons", i.persons.clone())?;
        Ok(d)
    }

    /// Whether the scenario has an ``[appraisal]`` section.
    #[getter]
    fn has_appraisal(&self) -> bool {
        self.run.has_appraisal()
    }

    /// Whether the scenario has an ``[extrapolation]`` section.
    #[getter]
    fn has_extrapolation(&self) -> bool {
        self.run.extrapolation_plan().is_some()
    }

    /// The scenario's events, as :class:`Events`.
    fn events(&self, py: Python<'_>) -> PyResult<Py<Events>> {
        let path = self.run.paths().events.clone();
        Events::coerce(py, path.into_pyobject(py)?.as_any())
    }

    /// Costs the scenario's inputs (as ``journeycost validate`` checks them).
    #[pyo3(signature = (progress=None))]
    fn cost(slf: &Bound<'_, Self>, progress: Option<bool>) -> PyResult<Ledger> {
        Scenario::ledger(slf, progress)
    }

    /// Compares as ``journeycost compare scenario.toml`` does, with the same tables.
    fn compare(slf: &Bound<'_, Self>) -> PyResult<Comparison> {
        let ledger = Bound::new(slf.py(), Scenario::ledger(slf, None)?)?;
        let r = &slf.get().run;
        let (sc, options) = (r.compare_section(), r.compare_options(PeriodKind::Month));
        Ledger::comparison(
            &ledger,
            options,
            sc.person.clone(),
            sc.by.clone(),
            CompareOrigin::Scenario(slf.clone().unbind()),
        )
    }

    /// Appraises as ``journeycost appraise scenario.toml`` does.
    fn appraise(slf: &Bound<'_, Self>) -> PyResult<Appraisal> {
        let py = slf.py();
        let me = slf.get();
        let appraised = run(py, Class::Input, None, |_| me.run.appraise())?;
        let files = appraised.files();
        let inner = appraised.appraisal;
        Ok(Appraisal { inner, files, made: Made::Scenario(slf.clone().unbind()) })
    }

    /// Extrapolates as ``journeycost extrapolate scenario.toml`` does. ``draws`` and ``seed``
    /// override the scenario's; ``threads`` (default: every core) never changes the result.
    #[pyo3(signature = (draws=None, seed=None, threads=None, progress=None))]
    fn extrapolate(
        slf: &Bound<'_, Self>,
        draws: Option<u64>,
        seed: Option<u64>,
        threads: Option<usize>,
        progress: Option<bool>,
    ) -> PyResult<Extrapolation> {
        let py = slf.py();
        let me = slf.get();
        if me.run.extrapolation_plan().is_none() {
            return Err(ScenarioError::new_err(
                "extrapolate needs a scenario with an [extrapolation] section (see docs/extrapolation.md)",
            ));
        }
        let with = run(py, Class::Input, None, |_| me.with(|b| RunBuilder { draws, seed, threads, ..b }))?;
        let total = with.draws();
        let (inner, files) =
            run(py, Class::Input, Some(Progress { wanted: progress, total, what: "draws" }), |done| {
                let report = |n: u64| done.store(n, Ordering::Relaxed);
                let x = with.extrapolate(Some(&report))?;
                let files = x.files();
                Ok((x.result, files))
            })?;
        Ok(Extrapolation { inner, files, made: Made::Scenario(slf.clone().unbind()) })
    }

    /// Writes the report of ``journeycost report scenario.toml --out out_dir`` (HTML, Markdown,
    /// charts, CSV and ``results.json``, with disclosure control) and returns the path of its
    /// ``index.html``. Nothing is written if anything fails.
    ///
    /// Parameters
    /// ----------
    /// out_dir : path
    /// suppress_below : int, optional
    ///     Counts below this are suppressed (default: the scenario's, else 5; 0 turns it off).
    /// key : str, optional
    ///     The pseudonym key, at least 16 bytes; default a random key for this report only.
    /// templates : path, optional
    ///     A folder of templates replacing the built-in ones.
    /// timestamp : str, optional
    ///     A timestamp to print (none by default, so reports reproduce byte for byte).
    /// by : str, optional
    ///     A persons column to break the cohort down by (default: the scenario's ``[compare] by``).
    /// protection_margin : float, optional
    ///     No suppressed value may be narrowed, from what the report publishes, to an interval of
    ///     this share of it or less (default 0.5).
    ///
    /// Raises
    /// ------
    /// DisclosureError
    ///     When disclosure control cannot protect the report; nothing is written. Free-text
    ///     notes are never published.
    #[pyo3(signature = (out_dir, suppress_below=None, key=None, templates=None, timestamp=None, by=None, protection_margin=None))]
    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        py: Python<'_>,
        out_dir: PathBuf,
        suppress_below: Option<u64>,
        key: Option<String>,
        templates: Option<PathBuf>,
        timestamp: Option<String>,
        by: Option<String>,
        protection_margin: Option<f64>,
    ) -> PyResult<PathBuf> {
        run(py, Class::Input, None, |_| {
            let with = self.with(|b| RunBuilder { suppress_below, by, ..b })?;
            let inputs: Vec<PathBuf> = with.files().into_iter().chain(templates.clone()).collect();
            let opts = journeycost_report::ReportOptions {
                key: key.map(String::into_bytes),
                protection_margin: protection_margin.unwrap_or(journeycost_report::DEFAULT_PROTECTION_MARGIN),
                template_dir: templates,
                timestamp,
                ..journeycost_report::ReportOptions::of(&with)
            };
            journeycost::io::check_out_dir(&out_dir, &inputs)?;
            journeycost_report::report(&with, opts)?.files.commit(&out_dir, &inputs)
        })?;
        Ok(out_dir.join("index.html"))
    }

    fn __repr__(&self) -> String {
        format!("<Scenario {:?} from {}>", self.run.title().unwrap_or(""), self.path.display())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        Ok((slf.get_type().getattr("load")?, (slf.get().path.clone(),).into_pyobject(py)?))
    }
}
