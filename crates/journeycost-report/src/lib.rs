//! Reports for journeycost results: self-contained HTML and Markdown with SVG charts.
#![forbid(unsafe_code)]

pub mod charts;
