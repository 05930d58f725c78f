//! Long work: run without the GIL, on a worker thread, with a progress bar for runs that take
//! more than a second (when the caller asks for one, or by default in an interactive session).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use journeycost::Error;
use pyo3::prelude::*;

use crate::errors::{Class, Failure, guard, panic_message};

/// How long a run goes before a bar is shown, unless `journeycost._progress.QUIET_SECONDS` says.
const QUIET_FOR: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(50);

/// A progress request from Python: `None` (the default: a bar when interactive), `True` or `False`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progress {
    pub(crate) wanted: Option<bool>,
    pub(crate) total: Option<u64>,
    pub(crate) what: &'static str,
}

/// Runs `work` without the GIL. `work` reports how far it has got through the counter it is
/// given (out of `progress.total`). Panics become [`Failure::Bug`]; errors become exceptions of
/// `class`.
pub(crate) fn run<T: Send>(
    py: Python<'_>,
    class: Class,
    progress: Option<Progress>,
    work: impl FnOnce(&AtomicU64) -> Result<T, Error> + Send,
) -> PyResult<T> {
    let done = AtomicU64::new(0);
    let result = match progress {
        None | Some(Progress { wanted: Some(false), .. }) => py.detach(|| guard(|| work(&done))),
        Some(p) => {
            let quiet = quiet_for(py);
            py.detach(|| {
                std::thread::scope(|s| {
                    // The worker says when it is done, so a quick run returns at once.
                    let (finished, wait) = std::sync::mpsc::channel::<()>();
                    let done = &done;
                    let worker = s.spawn(move || {
                        let r = guard(|| work(done));
                        let _ = finished.send(());
                        r
                    });
                    let started = Instant::now();
                    let mut bar: Option<Py<PyAny>> = None;
                    let mut asked = false;
                    while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(POLL) {
                        if started.elapsed() < quiet {
                            continue;
                        }
                        Python::attach(|py| {
                            if !asked {
                                asked = true;
                                bar = make_bar(py, p).ok().flatten();
                            }
                            if let Some(b) = &bar {
                                let _ = b.call_method1(py, "update_to", (done.load(Ordering::Relaxed),));
                            }
                        });
                    }
                    if let Some(b) = bar {
                        Python::attach(|py| {
                            let _ = b.call_method1(py, "update_to", (done.load(Ordering::Relaxed),));
                            let _ = b.call_method0(py, "close");
                        });
                    }
                    worker.join().unwrap_or_else(|payload| Err(Failure::Bug(panic_message(payload.as_ref()))))
                })
            })
        }
    };
    result.map_err(|f| f.into_py(py, class))
}

fn quiet_for(py: Python<'_>) -> Duration {
    py.import("journeycost._progress")
        .and_then(|m| m.getattr("QUIET_SECONDS"))
        .and_then(|v| v.extract::<f64>())
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .unwrap_or(QUIET_FOR)
}

/// Asks `journeycost._progress.bar` for a bar (it decides whether the session is interactive
/// and whether tqdm is installed); `None` for no bar.
fn make_bar(py: Python<'_>, p: Progress) -> PyResult<Option<Py<PyAny>>> {
    let bar = py.import("journeycost._progress")?.getattr("bar")?.call1((p.wanted, p.total, p.what))?;
    Ok(if bar.is_none() { None } else { Some(bar.unbind()) })
}
