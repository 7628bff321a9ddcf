//! The HTML report: a minijinja page with two SVG charts drawn by plotters (operations per second
//! over time, and latency percentiles by operation).

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use crate::report::Report;

const TEMPLATE: &str = include_str!("../templates/report.html");

pub fn html(report: &Report) -> Result<String> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    let page = env
        .get_template("report.html")?
        .render(minijinja::context! {
            r => report,
            throughput_svg => throughput(report)?,
            latency_svg => latency(report)?,
        })?;
    Ok(page)
}

fn colour(i: usize) -> RGBColor {
    const PALETTE: [RGBColor; 7] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
    ];
    PALETTE[i % PALETTE.len()]
}

/// Completed operations per second over each profile's run, one line per profile.
fn throughput(report: &Report) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
        let x_max = report
            .profiles
            .iter()
            .map(|p| p.stats.per_second.len())
            .max()
            .unwrap_or(1)
            .max(1);
        let y_max = report
            .profiles
            .iter()
            .flat_map(|p| p.stats.per_second.iter().copied())
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption("operations per second", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..x_max as f64, (1f64..y_max * 1.5).log_scale())
            .map_err(|e| anyhow!("{e}"))?;
        chart
            .configure_mesh()
            .x_desc("second of the run")
            .y_desc("ops/s (log)")
            .draw()
            .map_err(|e| anyhow!("{e}"))?;
        for (i, p) in report.profiles.iter().enumerate() {
            let c = colour(i);
            // The last second is partial; leave it out.
            let n = p.stats.per_second.len().saturating_sub(1);
            chart
                .draw_series(LineSeries::new(
                    p.stats.per_second[..n]
                        .iter()
                        .enumerate()
                        .map(|(s, v)| (s as f64 + 0.5, (*v).max(1) as f64)),
                    c.stroke_width(2),
                ))
                .map_err(|e| anyhow!("{e}"))?
                .label(p.profile.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    Ok(svg)
}

/// p50, p90 and p99 of every operation of every profile, as grouped bars on a log scale.
fn latency(report: &Report) -> Result<String> {
    let bars: Vec<(String, [f64; 3])> = report
        .profiles
        .iter()
        .flat_map(|p| {
            p.stats.ops.iter().map(move |o| {
                (
                    format!("{}:{}", p.profile, o.op),
                    [o.p50_ms, o.p90_ms, o.p99_ms],
                )
            })
        })
        .collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
        let y_max = bars
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold(1.0f64, f64::max);
        let n = bars.len().max(1);
        let labels: Vec<String> = bars.iter().map(|(l, _)| l.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption("latency percentiles (p50, p90, p99)", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(90)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, (0.05f64..y_max * 2.0).log_scale())
            .map_err(|e| anyhow!("{e}"))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n + 1)
            .x_label_formatter(&|x| {
                // One label under the middle of each group of bars.
                if (x - x.round()).abs() < 1e-6 && *x >= 0.0 {
                    labels.get(x.round() as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_label_style(
                ("sans-serif", 11)
                    .into_font()
                    .transform(FontTransform::Rotate90),
            )
            .y_desc("ms (log)")
            .draw()
            .map_err(|e| anyhow!("{e}"))?;
        for (k, name) in ["p50", "p90", "p99"].iter().enumerate() {
            let c = colour(k);
            chart
                .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                    let x0 = i as f64 - 0.35 + k as f64 * 0.23;
                    Rectangle::new([(x0, 0.05), (x0 + 0.2, v[k].max(0.05))], c.filled())
                }))
                .map_err(|e| anyhow!("{e}"))?
                .label(*name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    Ok(svg)
}
