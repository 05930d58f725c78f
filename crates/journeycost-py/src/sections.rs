//! Keyword arguments as the sections of a scenario file: `Comparison.appraise(**keys)` and
//! `Comparison.extrapolate(**keys)` take the keys of `[appraisal]` and `[extrapolation]`, and
//! the library reads them with the same rules and messages as a file's.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::errors::ScenarioError;

/// The keyword arguments of `call` (e.g. `appraise()`) as the TOML table of `section`: `None`
/// values are left out (a key not given); strings, integers, floats, booleans,
/// `decimal.Decimal` (as its exact text), lists, tuples and dicts with string keys are taken as
/// they are.
pub(crate) fn table(keys: Option<&Bound<'_, PyDict>>, call: &str, section: &str) -> PyResult<toml::Table> {
    let mut t = toml::Table::new();
    if let Some(keys) = keys {
        for (k, v) in keys.iter() {
            let k: String = k.extract()?;
            if !v.is_none() {
                let value = toml_value(&v, &format!("{call}, field \"{section}.{k}"))?;
                t.insert(k, value);
            }
        }
    }
    Ok(t)
}

fn toml_value(v: &Bound<'_, PyAny>, at: &str) -> PyResult<toml::Value> {
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        let i: i64 = v.extract().map_err(|_| ScenarioError::new_err(format!("{at}\": the integer is too large")))?;
        return Ok(toml::Value::Integer(i));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract()?));
    }
    let decimal = v.py().import("decimal")?.getattr("Decimal")?;
    if v.is_instance(&decimal)? {
        return Ok(toml::Value::String(v.str()?.extract()?));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, item) in v.try_iter()?.enumerate() {
            out.push(toml_value(&item?, &format!("{at}[{i}]"))?);
        }
        return Ok(toml::Value::Array(out));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut t = toml::Table::new();
        for (k, item) in d.iter() {
            let k: String = k.extract().map_err(|_| ScenarioError::new_err(format!("{at}\": keys must be strings")))?;
            if !item.is_none() {
                let value = toml_value(&item, &format!("{at}.{k}"))?;
                t.insert(k, value);
            }
        }
        return Ok(toml::Value::Table(t));
    }
    let type_name = v.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string());
    Err(ScenarioError::new_err(format!(
        "{at}\": expected a number, a string, a list or a dict as in a scenario file, found {type_name}"
    )))
}
