//! SVG charts, drawn with `plotters`' SVG backend.
//!
//! Text is laid out with plotters' built-in size estimate, so no font file is read and the
//! same data gives the same SVG bytes on every machine. The palette and its meaning are the
//! same in every chart: red is the old way (the baseline), blue is the new way (the
//! alternative), and green is a saving.

use plotters::prelude::*;

/// The old way.
pub const RED: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
/// The new way.
pub const BLUE: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
/// A saving.
pub const GREEN: RGBColor = RGBColor(0x2e, 0x7d, 0x32);
const GREY: RGBColor = RGBColor(0x66, 0x66, 0x66);
const LIGHT: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);

const WIDTH: u32 = 760;
const HEIGHT: u32 = 380;

/// A named series of values over ordered category labels.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// One value per category.
    pub values: Vec<f64>,
}

/// Draws into an SVG string; a drawing error (never expected for in-memory SVG) gives an SVG
/// that says so, rather than a panic.
fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), String>) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        let result = root
            .fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(|e| e.to_string()));
        if let Err(e) = result {
            drop(root);
            return format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"40\"><text x=\"4\" y=\"20\">chart unavailable: {}</text></svg>",
                escape(&e)
            );
        }
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Compact money for axis labels: £1.2m, £35k, £900.
#[must_use]
pub fn short_money(v: f64) -> String {
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    if a >= 1e9 {
        format!("{sign}£{:.1}bn", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}£{:.1}m", a / 1e6)
    } else if a >= 1e3 {
        format!("{sign}£{:.0}k", a / 1e3)
    } else {
        format!("{sign}£{a:.0}")
    }
}

fn range(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if (hi - lo).abs() < f64::EPSILON {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.05;
    (if lo < 0.0 { lo - pad } else { lo }, hi + pad)
}

/// Lines over category labels (periods), with an optional marked category (break-even) and
/// optional straight trend lines `(slope, intercept)` per series.
#[must_use]
pub fn lines(
    title: &str,
    labels: &[String],
    series: &[Series],
    marker: Option<(usize, &str)>,
    trends: &[(RGBColor, f64, f64)],
    money: bool,
) -> String {
    svg(|root| {
        let n = labels.len().max(1);
        let (lo, hi) = range(series.iter().flat_map(|s| s.values.iter().copied()), true);
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..(n as f64 - 1.0).max(1.0), lo..hi)
            .map_err(|e| e.to_string())?;
        let step = n.div_ceil(8).max(1);
        chart
            .configure_mesh()
            .light_line_style(LIGHT.mix(0.5))
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round() as usize;
                let whole = (x - x.round()).abs() < 1e-6;
                if whole && i < labels.len() && i % step == 0 { labels[i].clone() } else { String::new() }
            })
            .y_label_formatter(&|y| if money { short_money(*y) } else { format!("{y:.0}") })
            .draw()
            .map_err(|e| e.to_string())?;
        for s in series {
            let color = s.color;
            chart
                .draw_series(LineSeries::new(
                    s.values.iter().enumerate().map(|(i, v)| (i as f64, *v)),
                    color.stroke_width(3),
                ))
                .map_err(|e| e.to_string())?
                .label(s.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3)));
        }
        for &(color, slope, intercept) in trends {
            let end = (n - 1) as f64;
            chart
                .draw_series(LineSeries::new(
                    vec![(0.0, intercept), (end, intercept + slope * end)],
                    color.mix(0.6).stroke_width(1),
                ))
                .map_err(|e| e.to_string())?;
        }
        if let Some((i, text)) = marker {
            let x = i as f64;
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(x, lo), (x, hi)], GREEN.stroke_width(2))))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(std::iter::once(Text::new(
                    text.to_owned(),
                    (x, hi - (hi - lo) * 0.04),
                    ("sans-serif", 13).into_font().color(&GREEN),
                )))
                .map_err(|e| e.to_string())?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .draw()
            .map_err(|e| e.to_string())
    })
}

/// The label of a category axis position.
fn category(labels: &[String], v: &SegmentValue<u32>) -> String {
    match v {
        SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// The vertical axis of a horizontal bar chart of `n` categories, one band each. A range of
/// `0..n - 1` segments into `n` bands; with one category that range is empty and plotters drew
/// neither the bar nor its label (seen in Anna's report: one agency bears the intervention's
/// cost), so one category gets the axis of two, its band at the bottom.
fn bands(n: u32) -> plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordu32> {
    (0..n.max(2) - 1).into_segmented()
}

/// Pixel height of one category of a horizontal bar chart with `n` categories.
fn band(n: usize) -> u32 {
    ((HEIGHT - 100) / n.max(1) as u32).max(4)
}

/// Horizontal bars from zero, positive in `pos` colour and negative in `neg` colour: who pays
/// and who saves. Rows are drawn top to bottom in the order given.
#[must_use]
pub fn diverging_bars(title: &str, rows: &[(String, f64)], pos: RGBColor, neg: RGBColor) -> String {
    svg(|root| {
        let n = rows.len().max(1) as u32;
        let (lo, hi) = range(rows.iter().map(|r| r.1), true);
        let labels: Vec<String> = rows.iter().rev().map(|r| r.0.clone()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(190)
            .build_cartesian_2d(lo..hi, bands(n))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(LIGHT.mix(0.5))
            .y_labels(n as usize)
            .y_label_formatter(&|v| category(&labels, v))
            .x_label_formatter(&|x| short_money(*x))
            .draw()
            .map_err(|e| e.to_string())?;
        let m = band(rows.len()) / 6;
        chart
            .draw_series(rows.iter().rev().enumerate().map(|(i, (_, v))| {
                let color = if *v >= 0.0 { pos } else { neg };
                let i = i as u32;
                let mut r =
                    Rectangle::new([(0.0, SegmentValue::Exact(i)), (*v, SegmentValue::Exact(i + 1))], color.filled());
                r.set_margin(m, m, 0, 0);
                r
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// The triangle of need: one bar per tier, the old way to the left of the centre and the new
/// way to the right; the first row is drawn at the bottom (put tier 1 first, crisis last).
#[must_use]
pub fn pyramid(title: &str, tiers: &[(String, f64, f64)]) -> String {
    pyramid_with(title, tiers, true)
}

/// [`pyramid`] for counts rather than money.
#[must_use]
pub fn pyramid_counts(title: &str, tiers: &[(String, f64, f64)]) -> String {
    pyramid_with(title, tiers, false)
}

fn pyramid_with(title: &str, tiers: &[(String, f64, f64)], money: bool) -> String {
    svg(|root| {
        let n = tiers.len().max(1) as u32;
        // Symmetric about the centre, wide enough for every bar whatever its sign (a refund can
        // make a tier's cost negative: its bar then points the other way, still on the chart).
        let m = tiers.iter().map(|t| t.1.abs().max(t.2.abs())).filter(|v| v.is_finite()).fold(1.0, f64::max) * 1.15;
        let labels: Vec<String> = tiers.iter().map(|t| t.0.clone()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(130)
            .build_cartesian_2d(-m..m, bands(n))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(LIGHT.mix(0.5))
            .y_labels(n as usize)
            .y_label_formatter(&|v| category(&labels, v))
            .x_label_formatter(&|x| if money { short_money(x.abs()) } else { format!("{:.0}", x.abs()) })
            .draw()
            .map_err(|e| e.to_string())?;
        let pad = band(tiers.len()) / 8;
        let bar = |i: usize, from: f64, to: f64, color: RGBColor| {
            let i = i as u32;
            let mut r =
                Rectangle::new([(from, SegmentValue::Exact(i)), (to, SegmentValue::Exact(i + 1))], color.filled());
            r.set_margin(pad, pad, 0, 0);
            r
        };
        chart
            .draw_series(tiers.iter().enumerate().map(|(i, t)| bar(i, -t.1, 0.0, RED)))
            .map_err(|e| e.to_string())?
            .label("old way (left)")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], RED.filled()));
        chart
            .draw_series(tiers.iter().enumerate().map(|(i, t)| bar(i, 0.0, t.2, BLUE)))
            .map_err(|e| e.to_string())?
            .label("new way (right)")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], BLUE.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .draw()
            .map_err(|e| e.to_string())
    })
}

/// Pairs of horizontal bars per category (e.g. failure-demand share by agency): old way in red
/// above, new way in blue below, values from 0 to `max`. Rows are drawn top to bottom.
#[must_use]
pub fn paired_bars(title: &str, rows: &[(String, f64, f64)], max: f64, percent: bool) -> String {
    svg(|root| {
        let n = rows.len().max(1) as u32;
        let labels: Vec<String> = rows.iter().rev().map(|r| r.0.clone()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(190)
            .build_cartesian_2d(
                rows.iter().flat_map(|r| [r.1, r.2]).filter(|v| v.is_finite()).fold(0.0, f64::min)
                    ..rows
                        .iter()
                        .flat_map(|r| [r.1, r.2])
                        .filter(|v| v.is_finite())
                        .fold(max.max(f64::EPSILON), f64::max),
                bands(n),
            )
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(LIGHT.mix(0.5))
            .y_labels(n as usize)
            .y_label_formatter(&|v| category(&labels, v))
            .x_label_formatter(&|x| if percent { format!("{:.0}%", x * 100.0) } else { short_money(*x) })
            .draw()
            .map_err(|e| e.to_string())?;
        let h = band(rows.len());
        let bar = |i: usize, v: f64, top: bool, color: RGBColor| {
            let v = if v.is_finite() { v } else { 0.0 };
            let i = i as u32;
            let mut r =
                Rectangle::new([(0.0, SegmentValue::Exact(i)), (v, SegmentValue::Exact(i + 1))], color.filled());
            if top {
                r.set_margin(h / 10, h / 2, 0, 0);
            } else {
                r.set_margin(h / 2, h / 10, 0, 0);
            }
            r
        };
        chart
            .draw_series(rows.iter().rev().enumerate().map(|(i, r)| bar(i, r.1, true, RED)))
            .map_err(|e| e.to_string())?
            .label("old way")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], RED.filled()));
        chart
            .draw_series(rows.iter().rev().enumerate().map(|(i, r)| bar(i, r.2, false, BLUE)))
            .map_err(|e| e.to_string())?
            .label("new way")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], BLUE.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .draw()
            .map_err(|e| e.to_string())
    })
}

/// A histogram from bins `(from, to, count)`, with an optional vertical line (a threshold).
#[must_use]
pub fn histogram(title: &str, bins: &[(f64, f64, u64)], line: Option<(f64, &str)>) -> String {
    svg(|root| {
        let lo = bins.first().map_or(0.0, |b| b.0).min(line.map_or(f64::INFINITY, |l| l.0));
        let hi = bins.last().map_or(1.0, |b| b.1).max(line.map_or(f64::NEG_INFINITY, |l| l.0));
        let hi = if hi > lo { hi } else { lo + 1.0 };
        let top = bins.iter().map(|b| b.2).max().unwrap_or(1) as f64 * 1.1;
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, 0f64..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(LIGHT.mix(0.5))
            .x_label_formatter(&|x| short_money(*x))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bins.iter().map(|b| Rectangle::new([(b.0, 0.0), (b.1, b.2 as f64)], BLUE.mix(0.8).filled())))
            .map_err(|e| e.to_string())?;
        if let Some((x, text)) = line {
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(x, 0.0), (x, top)], RED.stroke_width(2))))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(std::iter::once(Text::new(
                    text.to_owned(),
                    (x, top * 0.95),
                    ("sans-serif", 13).into_font().color(&RED),
                )))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// A tornado: for each row `(label, at_low, at_high)` a bar between the two values, around a
/// central value; rows top to bottom in the order given (largest swing first).
#[must_use]
pub fn tornado(title: &str, rows: &[(String, f64, f64)], central: f64) -> String {
    svg(|root| {
        let n = rows.len().max(1) as u32;
        let (lo, hi) = range(rows.iter().flat_map(|r| [r.1, r.2]).chain(std::iter::once(central)), false);
        let labels: Vec<String> = rows.iter().rev().map(|r| r.0.clone()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(230)
            .build_cartesian_2d(lo..hi, bands(n))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(LIGHT.mix(0.5))
            .y_labels(n as usize)
            .y_label_formatter(&|v| category(&labels, v))
            .x_label_formatter(&|x| short_money(*x))
            .draw()
            .map_err(|e| e.to_string())?;
        let m = band(rows.len()) / 6;
        chart
            .draw_series(rows.iter().rev().enumerate().map(|(i, r)| {
                let i = i as u32;
                let mut rect = Rectangle::new(
                    [(r.1.min(r.2), SegmentValue::Exact(i)), (r.1.max(r.2), SegmentValue::Exact(i + 1))],
                    BLUE.mix(0.8).filled(),
                );
                rect.set_margin(m, m, 0, 0);
                rect
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(central, SegmentValue::Exact(0)), (central, SegmentValue::Exact(n))],
                GREY.stroke_width(1),
            )))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Money of any sign and size a ledger can hold (refunds included), and counts.
    fn amount() -> impl proptest::strategy::Strategy<Value = f64> {
        use proptest::prelude::*;
        prop_oneof![-1e15f64..1e15, -1e3f64..1e3, Just(0.0), Just(-1e13), Just(1e13)]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, failure_persistence: None, ..Default::default() })]
        /// No chart panics (plotters overflowed on a bar far outside its axis), whatever the values.
        #[test]
        fn no_chart_panics_whatever_the_values(
            values in proptest::collection::vec((amount(), amount()), 1..6),
        ) {
            let labels: Vec<String> = (0..values.len()).map(|i| format!("row {i}")).collect();
            let pairs: Vec<(String, f64, f64)> = labels.iter().cloned().zip(values.iter().copied()).map(|(l, (a, b))| (l, a, b)).collect();
            let singles: Vec<(String, f64)> = pairs.iter().map(|(l, a, _)| (l.clone(), *a)).collect();
            let series = vec![
                Series { label: "old".into(), color: RED, values: values.iter().map(|v| v.0).collect() },
                Series { label: "new".into(), color: BLUE, values: values.iter().map(|v| v.1).collect() },
            ];
            for svg in [
                lines("t", &labels, &series, Some((0, "break-even")), &[(RED, values[0].0, values[0].1)], true),
                diverging_bars("t", &singles, GREEN, RED),
                pyramid("t", &pairs),
                pyramid_counts("t", &pairs),
                paired_bars("t", &pairs, 1.0, true),
                tornado("t", &pairs, values[0].0),
            ] {
                proptest::prop_assert!(svg.starts_with("<svg"));
            }
        }
    }

    #[test]
    fn charts_are_svg_and_deterministic() {
        let labels: Vec<String> = (1..=8).map(|q| format!("2020-Q{q}")).collect();
        let s = vec![
            Series { label: "old".into(), color: RED, values: (0..8).map(|i| f64::from(i) * 1000.0).collect() },
            Series { label: "new".into(), color: BLUE, values: (0..8).map(|i| f64::from(i) * 300.0).collect() },
        ];
        let a = lines("Cumulative cost", &labels, &s, Some((2, "break-even")), &[], true);
        let b = lines("Cumulative cost", &labels, &s, Some((2, "break-even")), &[], true);
        assert_eq!(a, b);
        assert!(a.starts_with("<svg") && a.contains("break-even") && a.contains("2020-Q1"));
        let d = diverging_bars("Savings", &[("Police".into(), 5.0), ("Team <script>".into(), -2.0)], GREEN, RED);
        assert!(d.contains("Team &lt;script&gt;") && !d.contains("<script>"), "{d}");
        assert!(pyramid("t", &[("1".into(), 1.0, 2.0)]).starts_with("<svg"));
        assert!(histogram("h", &[(0.0, 1.0, 3)], Some((0.5, "£16bn"))).contains("£16bn"));
        assert!(tornado("t", &[("x".into(), 1.0, 3.0)], 2.0).starts_with("<svg"));
        assert!(paired_bars("p", &[("a".into(), 0.5, 0.2)], 1.0, true).contains("50%"));
    }

    /// A chart of one category draws its bar and its label (with one agency, plotters drew
    /// an empty axis: the range of the bands was empty).
    #[test]
    fn one_category_is_drawn() {
        let red = format!("#{:02X}{:02X}{:02X}", RED.0, RED.1, RED.2);
        let d = diverging_bars("t", &[("Local Authority".into(), -5042.24)], GREEN, RED);
        assert!(d.contains("Local Authority") && d.contains(&red), "{d}");
        let t = tornado("t", &[("deadweight".into(), 1.0, 3.0)], 2.0);
        assert!(t.contains("deadweight"), "{t}");
        let p = paired_bars("p", &[("Police".into(), 0.5, 0.2)], 1.0, true);
        assert!(p.contains("Police"), "{p}");
    }

    #[test]
    fn short_money_reads_well() {
        assert_eq!(short_money(16.0e9), "£16.0bn");
        assert_eq!(short_money(1_250_000.0), "£1.2m");
        assert_eq!(short_money(-35_000.0), "-£35k");
        assert_eq!(short_money(900.0), "£900");
    }
}
