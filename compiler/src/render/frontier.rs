//! The throughput–interactivity frontier as text: its JSON view, CSV rows and an SVG chart.
//!
//! The chart is plain SVG (no script, no external reference), so the quote page shows it inline
//! and `millwright frontier --format svg` writes the same drawing. Every user string is escaped for
//! its format; the same points give the same bytes.

use crate::format::{count, num};
use crate::project::throughput::frontier::Point;
use serde::Serialize;

/// `millwright frontier --format json`.
#[derive(Clone, Debug, Serialize)]
pub struct FrontierView {
    pub system: String,
    pub model: String,
    pub precision: &'static str,
    pub points: Vec<PointView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PointView {
    pub tokens_per_second_per_gpu: f64,
    pub tokens_per_second_per_user: f64,
    pub tokens_per_second_per_mw: f64,
    pub ttft_ms: f64,
    pub tpot_ms: f64,
    pub mode: &'static str,
    pub tp: u32,
    pub pp: u32,
    pub ep: u32,
    pub batch: f64,
}

impl PointView {
    pub fn of(p: &Point) -> PointView {
        PointView {
            tokens_per_second_per_gpu: p.tokens_per_second_per_gpu,
            tokens_per_second_per_user: p.tokens_per_second_per_user,
            tokens_per_second_per_mw: p.tokens_per_second_per_mw,
            ttft_ms: p.ttft_ms,
            tpot_ms: p.tpot_ms,
            mode: p.mode.name(),
            tp: p.parallelism.tensor,
            pp: p.parallelism.pipeline,
            ep: p.parallelism.expert,
            batch: p.batch,
        }
    }
}

impl FrontierView {
    pub fn new(system: &str, model: &str, precision: &'static str, points: &[Point]) -> FrontierView {
        FrontierView {
            system: system.to_string(),
            model: model.to_string(),
            precision,
            points: points.iter().map(PointView::of).collect(),
        }
    }

    /// One header line and one line per point; ids are quoted when they need it (RFC 4180).
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "system,model,precision,tokens_per_second_per_gpu,tokens_per_second_per_user,tokens_per_second_per_mw,ttft_ms,tpot_ms,mode,tp,pp,ep,batch\n",
        );
        for p in &self.points {
            out.push_str(&format!(
                "{},{},{},{:.3},{:.3},{:.1},{:.3},{:.4},{},{},{},{},{}\n",
                csv_field(&self.system),
                csv_field(&self.model),
                self.precision,
                p.tokens_per_second_per_gpu,
                p.tokens_per_second_per_user,
                p.tokens_per_second_per_mw,
                p.ttft_ms,
                p.tpot_ms,
                p.mode,
                p.tp,
                p.pp,
                p.ep,
                p.batch
            ));
        }
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Text escaped for XML character data and attribute values.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A workload's place on its frontier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker {
    pub tokens_per_second_per_user: f64,
    pub tokens_per_second_per_gpu: f64,
}

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 48.0;

/// A round step for axis ticks: 1, 2 or 5 × 10ⁿ, about `span / 5`.
fn tick_step(span: f64) -> f64 {
    let raw = (span / 5.0).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn px(x: f64) -> String {
    format!("{x:.1}")
}

/// The frontier as an SVG chart: tokens/s per GPU (y) against tokens/s per user (x), points by
/// serving mode, the operating point and the SLO's interactivity as a vertical line.
pub fn svg(title: &str, points: &[Point], operating: Option<Marker>, slo_tokens_per_user: Option<f64>) -> String {
    let xs = points.iter().map(|p| p.tokens_per_second_per_user).chain(operating.map(|m| m.tokens_per_second_per_user));
    let xs: Vec<f64> = xs.chain(slo_tokens_per_user).filter(|x| x.is_finite()).collect();
    let ys: Vec<f64> = points
        .iter()
        .map(|p| p.tokens_per_second_per_gpu)
        .chain(operating.map(|m| m.tokens_per_second_per_gpu))
        .filter(|y| y.is_finite())
        .collect();
    let x_max = xs.iter().copied().fold(0.0, f64::max).max(1.0) * 1.05;
    let y_max = ys.iter().copied().fold(0.0, f64::max).max(1.0) * 1.05;
    let (x_step, y_step) = (tick_step(x_max), tick_step(y_max));
    let x_max = (x_max / x_step).ceil() * x_step;
    let y_max = (y_max / y_step).ceil() * y_step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let sx = |x: f64| LEFT + x / x_max * plot_w;
    let sy = |y: f64| TOP + plot_h - y / y_max * plot_h;
    let mut s = String::new();
    s.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"frontier\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\">\n",
        w = WIDTH,
        h = HEIGHT,
        t = xml(title)
    ));
    s.push_str(&format!("<title>{}</title>\n", xml(title)));
    s.push_str(&format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" stroke=\"#cbd5e1\"/>\n",
        px(LEFT),
        px(TOP),
        px(plot_w),
        px(plot_h)
    ));
    let mut k = 0.0;
    while k <= x_max + x_step * 1e-6 {
        let x = sx(k);
        s.push_str(&format!(
            "<line x1=\"{x}\" y1=\"{y0}\" x2=\"{x}\" y2=\"{y1}\" stroke=\"#e2e8f0\"/><text x=\"{x}\" y=\"{ty}\" font-size=\"11\" text-anchor=\"middle\">{v}</text>\n",
            x = px(x),
            y0 = px(TOP),
            y1 = px(TOP + plot_h),
            ty = px(TOP + plot_h + 14.0),
            v = count(k)
        ));
        k += x_step;
    }
    let mut k = 0.0;
    while k <= y_max + y_step * 1e-6 {
        let y = sy(k);
        s.push_str(&format!(
            "<line x1=\"{x0}\" y1=\"{y}\" x2=\"{x1}\" y2=\"{y}\" stroke=\"#e2e8f0\"/><text x=\"{tx}\" y=\"{ty}\" font-size=\"11\" text-anchor=\"end\">{v}</text>\n",
            x0 = px(LEFT),
            x1 = px(LEFT + plot_w),
            y = px(y),
            tx = px(LEFT - 6.0),
            ty = px(y + 4.0),
            v = count(k)
        ));
        k += y_step;
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">tokens/s per user (1000 / TPOT)</text>\n",
        px(LEFT + plot_w / 2.0),
        px(HEIGHT - 10.0)
    ));
    s.push_str(&format!(
        "<text x=\"14\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">output tokens/s per GPU</text>\n",
        px(TOP + plot_h / 2.0),
        px(TOP + plot_h / 2.0)
    ));
    if let Some(slo) = slo_tokens_per_user.filter(|x| x.is_finite() && *x > 0.0) {
        let x = sx(slo);
        s.push_str(&format!(
            "<line class=\"slo\" x1=\"{x}\" y1=\"{y0}\" x2=\"{x}\" y2=\"{y1}\" stroke=\"#dc2626\" stroke-dasharray=\"4 3\"/><text x=\"{tx}\" y=\"{ty}\" font-size=\"11\" fill=\"#dc2626\">SLO: {v} tok/s/user</text>\n",
            x = px(x),
            y0 = px(TOP),
            y1 = px(TOP + plot_h),
            tx = px(x + 4.0),
            ty = px(TOP + 12.0),
            v = num(slo)
        ));
    }
    if !points.is_empty() {
        let path: Vec<String> = points
            .iter()
            .map(|p| format!("{},{}", px(sx(p.tokens_per_second_per_user)), px(sy(p.tokens_per_second_per_gpu))))
            .collect();
        s.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\" points=\"{}\"/>\n",
            path.join(" ")
        ));
        for p in points {
            let fill = match p.mode {
                crate::project::throughput::disaggregated::Mode::Aggregated => "#2563eb",
                crate::project::throughput::disaggregated::Mode::Disaggregated => "#16a34a",
            };
            s.push_str(&format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{fill}\"><title>{}: {} tok/s/GPU at {} tok/s/user, TP{} PP{} EP{}, batch {}</title></circle>\n",
                px(sx(p.tokens_per_second_per_user)),
                px(sy(p.tokens_per_second_per_gpu)),
                p.mode.name(),
                count(p.tokens_per_second_per_gpu),
                num(p.tokens_per_second_per_user),
                p.parallelism.tensor,
                p.parallelism.pipeline,
                p.parallelism.expert,
                count(p.batch)
            ));
        }
    }
    if let Some(m) = operating {
        let (x, y) = (sx(m.tokens_per_second_per_user), sy(m.tokens_per_second_per_gpu));
        s.push_str(&format!(
            "<circle class=\"operating-point\" cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"none\" stroke=\"#111827\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">operating point</text>\n",
            px(x),
            px(y),
            px(x + 8.0),
            px(y - 8.0)
        ));
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"16\" font-size=\"11\"><tspan fill=\"#2563eb\">● aggregated</tspan> <tspan fill=\"#16a34a\">● disaggregated</tspan></text>\n",
        px(LEFT)
    ));
    s.push_str("</svg>\n");
    s
}
