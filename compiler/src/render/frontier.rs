//! The throughput–interactivity frontier as text: its JSON view, CSV rows and an SVG chart.
//!
//! The chart is plain SVG (no script, no external reference), so the quote page shows it inline
//! and `millwright frontier --format svg` writes the same drawing. Every user string is escaped for
//! its format; the same points give the same bytes.

use crate::format::{count, num};
use crate::project::throughput::disaggregated::Mode;
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
    /// The table `millwright frontier` prints: a heading line, then one row per point.
    pub fn human(&self, gpus: u32, input_tokens: u32, output_tokens: u32) -> String {
        let mut out = format!(
            "{} on {} GPUs of {} ({}, {input_tokens} in / {output_tokens} out): {} points\n",
            self.model,
            gpus,
            self.system,
            self.precision,
            self.points.len()
        );
        out.push_str(&format!(
            "  {:>10} {:>12} {:>12} {:>9} {:>8}  {:<14} {:>4} {:>3} {:>4} {:>6}\n",
            "tok/s/user", "tok/s/GPU", "tok/s/MW", "TTFT ms", "TPOT ms", "mode", "TP", "PP", "EP", "batch"
        ));
        for p in &self.points {
            out.push_str(&format!(
                "  {:>10.1} {:>12.0} {:>12.0} {:>9.0} {:>8.2}  {:<14} {:>4} {:>3} {:>4} {:>6.0}\n",
                p.tokens_per_second_per_user,
                p.tokens_per_second_per_gpu,
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

/// The frontier laid out for drawing: every coordinate in pixels, every label as text, so the
/// quote's template and [`svg`] draw the same chart without arithmetic.
#[derive(Clone, Debug, Serialize)]
pub struct FrontierChart {
    pub title: String,
    pub width: String,
    pub height: String,
    pub plot_x: String,
    pub plot_y: String,
    pub plot_width: String,
    pub plot_height: String,
    pub plot_bottom: String,
    pub plot_right: String,
    pub x_ticks: Vec<ChartTick>,
    pub y_ticks: Vec<ChartTick>,
    pub x_label_x: String,
    pub x_label_y: String,
    pub y_label_y: String,
    /// `x,y x,y …` of the curve.
    pub polyline: String,
    pub points: Vec<ChartPoint>,
    pub operating: Option<ChartMarker>,
    pub slo: Option<ChartSlo>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChartTick {
    /// Pixel position along its axis.
    pub at: String,
    /// Where its label sits across the axis.
    pub label_at: String,
    pub label: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChartPoint {
    pub cx: String,
    pub cy: String,
    pub fill: &'static str,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChartMarker {
    pub cx: String,
    pub cy: String,
    pub label_x: String,
    pub label_y: String,
    pub label: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChartSlo {
    pub x: String,
    pub label_x: String,
    pub label_y: String,
    pub label: String,
}

/// Lays the frontier out: tokens/s per GPU (y) against tokens/s per user (x), points coloured by
/// serving mode, the operating point, and the SLO's interactivity as a vertical line.
pub fn chart(
    title: &str,
    points: &[Point],
    operating: Option<Marker>,
    slo_tokens_per_user: Option<f64>,
) -> FrontierChart {
    let slo_tokens_per_user = slo_tokens_per_user.filter(|x| x.is_finite() && *x > 0.0);
    let xs: Vec<f64> = points
        .iter()
        .map(|p| p.tokens_per_second_per_user)
        .chain(operating.map(|m| m.tokens_per_second_per_user))
        .chain(slo_tokens_per_user)
        .filter(|x| x.is_finite())
        .collect();
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
    let ticks = |max: f64, step: f64| -> Vec<f64> {
        let n = (max / step).round().max(0.0) as u32;
        (0..=n).map(|k| f64::from(k) * step).collect()
    };
    let x_ticks = ticks(x_max, x_step)
        .into_iter()
        .map(|k| ChartTick { at: px(sx(k)), label_at: px(TOP + plot_h + 14.0), label: count(k) })
        .collect();
    let y_ticks = ticks(y_max, y_step)
        .into_iter()
        .map(|k| ChartTick { at: px(sy(k)), label_at: px(LEFT - 6.0), label: count(k) })
        .collect();
    let polyline = points
        .iter()
        .map(|p| format!("{},{}", px(sx(p.tokens_per_second_per_user)), px(sy(p.tokens_per_second_per_gpu))))
        .collect::<Vec<_>>()
        .join(" ");
    let chart_points = points
        .iter()
        .map(|p| ChartPoint {
            cx: px(sx(p.tokens_per_second_per_user)),
            cy: px(sy(p.tokens_per_second_per_gpu)),
            fill: match p.mode {
                Mode::Aggregated => "#2563eb",
                Mode::Disaggregated => "#16a34a",
            },
            title: format!(
                "{}: {} tok/s/GPU at {} tok/s/user, TP{} PP{} EP{}, batch {}",
                p.mode.name(),
                count(p.tokens_per_second_per_gpu),
                num(p.tokens_per_second_per_user),
                p.parallelism.tensor,
                p.parallelism.pipeline,
                p.parallelism.expert,
                count(p.batch)
            ),
        })
        .collect();
    let operating = operating.map(|m| {
        let (x, y) = (sx(m.tokens_per_second_per_user), sy(m.tokens_per_second_per_gpu));
        ChartMarker {
            cx: px(x),
            cy: px(y),
            label_x: px(x + 8.0),
            label_y: px(y - 8.0),
            label: format!(
                "operating point: {} tok/s/user, {} tok/s/GPU",
                num(m.tokens_per_second_per_user),
                count(m.tokens_per_second_per_gpu)
            ),
        }
    });
    let slo = slo_tokens_per_user.map(|v| ChartSlo {
        x: px(sx(v)),
        label_x: px(sx(v) + 4.0),
        label_y: px(TOP + 12.0),
        label: format!("SLO: {} tok/s/user", num(v)),
    });
    FrontierChart {
        title: title.to_string(),
        width: px(WIDTH),
        height: px(HEIGHT),
        plot_x: px(LEFT),
        plot_y: px(TOP),
        plot_width: px(plot_w),
        plot_height: px(plot_h),
        plot_bottom: px(TOP + plot_h),
        plot_right: px(LEFT + plot_w),
        x_ticks,
        y_ticks,
        x_label_x: px(LEFT + plot_w / 2.0),
        x_label_y: px(HEIGHT - 10.0),
        y_label_y: px(TOP + plot_h / 2.0),
        polyline,
        points: chart_points,
        operating,
        slo,
    }
}

/// The chart as a standalone SVG document (`millwright frontier --format svg`), drawn like the
/// quote's inline chart.
pub fn svg(c: &FrontierChart) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"frontier\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n",
        w = c.width,
        h = c.height,
        t = xml(&c.title)
    ));
    s.push_str(&format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" stroke=\"#cbd5e1\"/>\n",
        c.plot_x, c.plot_y, c.plot_width, c.plot_height
    ));
    for t in &c.x_ticks {
        s.push_str(&format!(
            "<line x1=\"{a}\" y1=\"{y0}\" x2=\"{a}\" y2=\"{y1}\" stroke=\"#e2e8f0\"/><text x=\"{a}\" y=\"{l}\" font-size=\"11\" text-anchor=\"middle\">{v}</text>\n",
            a = t.at,
            y0 = c.plot_y,
            y1 = c.plot_bottom,
            l = t.label_at,
            v = xml(&t.label)
        ));
    }
    for t in &c.y_ticks {
        s.push_str(&format!(
            "<line x1=\"{x0}\" y1=\"{a}\" x2=\"{x1}\" y2=\"{a}\" stroke=\"#e2e8f0\"/><text x=\"{l}\" y=\"{a}\" dy=\"4\" font-size=\"11\" text-anchor=\"end\">{v}</text>\n",
            a = t.at,
            x0 = c.plot_x,
            x1 = c.plot_right,
            l = t.label_at,
            v = xml(&t.label)
        ));
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">tokens/s per user (1000 / TPOT)</text>\n",
        c.x_label_x, c.x_label_y
    ));
    s.push_str(&format!(
        "<text x=\"14\" y=\"{y}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {y})\">output tokens/s per GPU</text>\n",
        y = c.y_label_y
    ));
    if let Some(slo) = &c.slo {
        s.push_str(&format!(
            "<line class=\"slo\" x1=\"{x}\" y1=\"{y0}\" x2=\"{x}\" y2=\"{y1}\" stroke=\"#dc2626\" stroke-dasharray=\"4 3\"/><text x=\"{lx}\" y=\"{ly}\" font-size=\"11\" fill=\"#dc2626\">{l}</text>\n",
            x = slo.x,
            y0 = c.plot_y,
            y1 = c.plot_bottom,
            lx = slo.label_x,
            ly = slo.label_y,
            l = xml(&slo.label)
        ));
    }
    if !c.polyline.is_empty() {
        s.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\" points=\"{}\"/>\n",
            c.polyline
        ));
    }
    for p in &c.points {
        s.push_str(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"><title>{}</title></circle>\n",
            p.cx,
            p.cy,
            p.fill,
            xml(&p.title)
        ));
    }
    if let Some(m) = &c.operating {
        s.push_str(&format!(
            "<circle class=\"operating-point\" cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"none\" stroke=\"#111827\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>\n",
            m.cx,
            m.cy,
            m.label_x,
            m.label_y,
            xml(&m.label)
        ));
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"16\" font-size=\"11\"><tspan fill=\"#2563eb\">● aggregated</tspan> <tspan fill=\"#16a34a\">● disaggregated</tspan></text>\n",
        c.plot_x
    ));
    s.push_str("</svg>\n");
    s
}
