//! The exception hierarchy, and the one place library errors and panics become exceptions.

use journeycost::{Error, ProblemKind};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

create_exception!(
    _journeycost,
    JourneyCostError,
    PyValueError,
    "The base of every journeycost error (a ValueError): bad input, or a run that cannot be done exactly."
);
create_exception!(
    _journeycost,
    InputError,
    JourneyCostError,
    "Bad input. `problems` lists every problem found, each a dict with source, line, row, field, kind and message."
);
create_exception!(
    _journeycost,
    CatalogueError,
    InputError,
    "A catalogue (of unit costs) or price index that cannot be read."
);
create_exception!(_journeycost, ScenarioError, InputError, "A scenario file, or an option, that is invalid.");
create_exception!(
    _journeycost,
    DisclosureError,
    JourneyCostError,
    "A report that disclosure control cannot protect: a suppressed figure could be worked out from what it publishes. Nothing was written."
);

/// Which exception a failure becomes when its problems do not choose one themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Input,
    Catalogue,
}

/// Why a call failed: problems with the input, or a bug (a panic, caught before Python sees it).
#[derive(Debug)]
pub(crate) enum Failure {
    Input(Error),
    Bug(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Input(e)
    }
}

impl Failure {
    pub(crate) fn into_py(self, py: Python<'_>, class: Class) -> PyErr {
        match self {
            Failure::Input(e) => to_py(py, &e, class),
            Failure::Bug(m) => JourneyCostError::new_err(format!(
                "internal error in journeycost (a bug: please report it with the inputs that caused it): {m}"
            )),
        }
    }
}

/// Converts a library error into the exception its problems call for, with every problem as a
/// dict. Problems that are all about the scenario or options give `ScenarioError`.
pub(crate) fn to_py(py: Python<'_>, e: &Error, class: Class) -> PyErr {
    let problems = PyList::empty(py);
    for p in e.problems() {
        let d = PyDict::new(py);
        let _ = d.set_item("source", &p.location.source);
        let _ = d.set_item("line", p.location.line);
        let _ = d.set_item("row", p.location.row);
        let _ = d.set_item("field", p.location.field.clone());
        let _ = d.set_item("kind", p.kind.as_str());
        let _ = d.set_item("message", &p.message);
        let _ = problems.append(d);
    }
    let message = e.to_string();
    let err = if e.problems().iter().any(|p| p.kind == ProblemKind::Disclosure) {
        DisclosureError::new_err(message)
    } else if e.problems().iter().all(|p| p.kind == ProblemKind::Scenario) {
        ScenarioError::new_err(message)
    } else if class == Class::Catalogue {
        CatalogueError::new_err(message)
    } else {
        InputError::new_err(message)
    };
    let value = err.value(py);
    let _ = value.setattr("problems", problems);
    let _ = value.setattr("omitted", e.omitted());
    err
}

/// Runs `f`, turning a panic into [`Failure::Bug`] so that no `PanicException` reaches Python.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Failure> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(Failure::Input),
        Err(payload) => Err(Failure::Bug(panic_message(payload.as_ref()))),
    }
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".to_owned())
}
