//! Grouped bars: one cluster per category (e.g. the four goals, or the sectors),
//! one bar per series in each cluster, height a percentage, optionally with an
//! interval (e.g. a 95% t interval) drawn as an error bar on each bar.

use std::path::Path;

use anyhow::bail;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{
    BLACK_TEXT, Canvas, Chart, Font, GREY_TEXT, Rect, axis_percent, nice_axis, parse_colour,
    slot_centre, value_percent, value_y, write_chart,
};
use super::{Lang, Series};

/// Categories by series as clustered bars, e.g. % of each sector's units that
/// mention each goal (clusters: goals, series: sectors), or each key's mean
/// share of a sector's key codings with its interval (clusters: sectors,
/// series: keys).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupedBars {
    /// Label language, which sets the direction (first cluster and first bar
    /// of each cluster on the right in Hebrew).
    pub lang: Lang,
    /// Title at the top.
    pub title: String,
    /// Title of the value axis (e.g. "% מהיחידות").
    pub value_title: String,
    /// Title of the cluster axis (e.g. "מטרה").
    pub cluster_title: String,
    /// One cluster per category, first first.
    pub clusters: Vec<String>,
    /// The bars of each cluster with their colours; also the legend.
    pub series: Vec<Series>,
    /// `values[cluster][series]`, percentages (0-100). A value that is not
    /// finite draws no bar.
    pub values: Vec<Vec<f64>>,
    /// Intervals, `intervals[cluster][series] = (low, high)` in percent, drawn as
    /// error bars; empty for none, `None` for a bar without one.
    pub intervals: Vec<Vec<Option<(f64, f64)>>>,
}

/// An error unless `rows` rows of `what` match the clusters, each with a value per series.
fn check_shape(
    data: &GroupedBars,
    what: &str,
    rows: usize,
    row_len: impl Fn(usize) -> usize,
) -> anyhow::Result<()> {
    if rows != data.clusters.len() {
        bail!(
            "grouped bars {:?}: {rows} rows of {what} for {} clusters",
            data.title,
            data.clusters.len()
        );
    }
    for i in 0..rows {
        if row_len(i) != data.series.len() {
            bail!(
                "grouped bars {:?}: cluster {:?} has {} {what} for {} series",
                data.title,
                data.clusters[i],
                row_len(i),
                data.series.len()
            );
        }
    }
    Ok(())
}

/// Writes `<out_base>.svg` and `<out_base>.png`.
pub fn grouped_bars(out_base: &Path, data: &GroupedBars) -> anyhow::Result<()> {
    if data.clusters.is_empty() || data.series.is_empty() {
        bail!(
            "grouped bars {:?} need at least one cluster and one series",
            data.title
        );
    }
    check_shape(data, "values", data.values.len(), |i| data.values[i].len())?;
    if !data.intervals.is_empty() {
        check_shape(data, "intervals", data.intervals.len(), |i| {
            data.intervals[i].len()
        })?;
    }
    for s in &data.series {
        parse_colour(&s.colour)?;
    }
    write_chart(out_base, data.lang, data)
}

impl GroupedBars {
    /// The interval of bar (cluster `i`, series `g`), if it has a usable one.
    fn interval(&self, i: usize, g: usize) -> Option<(f64, f64)> {
        let (lo, hi) = self.intervals.get(i)?.get(g).copied().flatten()?;
        (lo.is_finite() && hi.is_finite()).then_some((lo.min(hi), lo.max(hi)))
    }

    /// The top of the value axis and its step: the highest bar or interval end,
    /// rounded up to a tick, never beyond 100%.
    fn axis(&self) -> (f64, f64) {
        let mut highest: f64 = 0.0;
        for (i, row) in self.values.iter().enumerate() {
            for (g, &v) in row.iter().enumerate() {
                if v.is_finite() {
                    highest = highest.max(v);
                }
                if let Some((_, hi)) = self.interval(i, g) {
                    highest = highest.max(hi);
                }
            }
        }
        nice_axis(highest.min(100.0), 5)
    }
}

impl Chart for GroupedBars {
    fn size(&self) -> (u32, u32) {
        (1000, 600)
    }

    fn draw<DB: plotters::prelude::DrawingBackend>(&self, c: &Canvas<DB>) -> anyhow::Result<()> {
        let rtl = c.rtl();
        let y = c.title(&self.title)?;
        let colours: Vec<RGBColor> = self
            .series
            .iter()
            .map(|s| parse_colour(&s.colour))
            .collect::<anyhow::Result<_>>()?;
        let items: Vec<(&str, RGBColor)> = self
            .series
            .iter()
            .zip(&colours)
            .map(|(s, c)| (s.name.as_str(), *c))
            .collect();
        let y = c.legend(&items, y)?;
        let plot = if rtl {
            Rect {
                x0: 40,
                y0: y + 22,
                x1: c.width - 100,
                y1: c.height - 92,
            }
        } else {
            Rect {
                x0: 100,
                y0: y + 22,
                x1: c.width - 40,
                y1: c.height - 92,
            }
        };
        let (max, step) = self.axis();
        c.value_axis(
            plot,
            (max, step, max),
            axis_percent(step),
            &self.value_title,
        )?;

        let n_clusters = self.clusters.len();
        let n_series = self.series.len();
        let slot = plot.width() as f64 / n_clusters as f64;
        let cluster = slot * 0.8;
        let bar_w = (cluster / n_series as f64).min(70.0);
        let value_font = Font::new(13.0).colour(GREY_TEXT);
        let small_font = Font::new(11.0).colour(GREY_TEXT);
        for (i, row) in self.values.iter().enumerate() {
            let cx = slot_centre(plot, i, n_clusters, rtl) as f64;
            for (g, &v) in row.iter().enumerate() {
                if !v.is_finite() {
                    continue;
                }
                let k = if rtl { n_series - 1 - g } else { g };
                let x0 = (cx + (k as f64 - n_series as f64 / 2.0) * bar_w).round() as i32;
                let x1 = (cx + (k as f64 + 1.0 - n_series as f64 / 2.0) * bar_w).round() as i32;
                let top = value_y(plot, v.clamp(0.0, max), max);
                let r = Rect {
                    x0: x0 + 1,
                    y0: top,
                    x1: x1 - 1,
                    y1: plot.y1,
                };
                c.fill(r, colours[g])?;
                // The error bar, capped, centred on the bar.
                let mut label_y = top;
                if let Some((lo, hi)) = self.interval(i, g) {
                    let xm = (x0 + x1) / 2;
                    let cap = (r.width() / 4).clamp(3, 7);
                    let (y_lo, y_hi) = (
                        value_y(plot, lo.clamp(0.0, max), max),
                        value_y(plot, hi.clamp(0.0, max), max),
                    );
                    c.line(&[(xm, y_lo), (xm, y_hi)], BLACK_TEXT, 2)?;
                    c.line(&[(xm - cap, y_lo), (xm + cap, y_lo)], BLACK_TEXT, 2)?;
                    c.line(&[(xm - cap, y_hi), (xm + cap, y_hi)], BLACK_TEXT, 2)?;
                    label_y = label_y.min(y_hi - 2);
                }
                // The value over the bar, smaller on a narrow bar so that
                // neighbouring labels keep apart; none if even that is too wide.
                let text = value_percent(v, max);
                for font in [value_font, small_font] {
                    if c.text_width(&text, font)? <= x1 - x0 - 3 {
                        c.text(
                            &text,
                            ((x0 + x1) / 2, label_y - 3),
                            font,
                            HPos::Center,
                            VPos::Bottom,
                        )?;
                        break;
                    }
                }
            }
        }
        c.category_axis(plot, &self.clusters, &self.cluster_title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::{
        check_outputs, has_text, out_dir, sample_grouped, sample_intervals,
    };

    #[test]
    fn grouped_bars_write_svg_and_png() {
        let base = out_dir("grouped").join("goals");
        grouped_bars(&base, &sample_grouped(Lang::He)).unwrap();
        let svg = check_outputs(&base, 1000, 600);
        // Long goal names are wrapped at spaces, so look for single words too.
        for label in [
            "מיצוי זכויות הלקוח",
            "חברתית",
            "עוול",
            "מגזר שלישי",
            "% מהראיונות",
        ] {
            assert!(svg.contains(label), "SVG lacks {label}");
        }
        // Bar values: the highest is 92%; 62.5 rounds up to 63%.
        assert!(has_text(&svg, "92%") && has_text(&svg, "63%"));
    }

    #[test]
    fn small_percentages_keep_their_decimals() {
        // Values around 1%, as the linkage and role codes have per sector: the
        // axis runs to 1.25% in quarter steps (which read 0%, 0%, 1%, 1%, 1%, 1%
        // when rounded to whole percents) and every bar shows its own value.
        let mut data = sample_grouped(Lang::He);
        data.values = vec![
            vec![0.4, 0.2, 1.1],
            vec![0.3, 0.0, 0.25],
            vec![0.6, 0.1, 0.5],
            vec![0.8, 0.35, 0.7],
        ];
        assert_eq!(data.axis(), (1.25, 0.25));
        let base = out_dir("grouped-small").join("linkage");
        grouped_bars(&base, &data).unwrap();
        let svg = check_outputs(&base, 1000, 600);
        for tick in ["0.00%", "0.25%", "0.50%", "0.75%", "1.00%", "1.25%"] {
            assert!(has_text(&svg, tick), "no tick {tick}");
        }
        for bar in ["0.4%", "0.2%", "1.1%", "0.3%", "0.1%", "0.0%"] {
            assert!(has_text(&svg, bar), "no bar label {bar}");
        }
        // 0.25 and 0.35 round half up.
        assert!(has_text(&svg, "0.4%") && !has_text(&svg, "0%"));
    }

    #[test]
    fn intervals_stay_on_their_own_bar_within_100_percent() {
        let data = sample_intervals(Lang::He);
        // The highest interval end is 66%: the axis stops at 80%, not above 100%.
        assert_eq!(data.axis(), (80.0, 20.0));
        let base = out_dir("grouped-intervals").join("key-mix");
        grouped_bars(&base, &data).unwrap();
        let svg = check_outputs(&base, 1000, 600);
        assert!(has_text(&svg, "80%") && !has_text(&svg, "100%"));
        // Each bar shows its own mean share: 55% for the business sector's knowledge.
        assert!(has_text(&svg, "55%") && has_text(&svg, "15%"));
        // Shares that are a whole never push the axis past 100%.
        let mut full = data.clone();
        full.intervals[0][0] = Some((90.0, 100.0));
        assert_eq!(full.axis(), (100.0, 20.0));
    }

    #[test]
    fn grouped_bars_reject_ragged_values() {
        let mut data = sample_grouped(Lang::En);
        data.values.pop();
        let err = grouped_bars(&out_dir("grouped-bad").join("x"), &data).unwrap_err();
        assert!(
            err.to_string().contains("3 rows of values for 4 clusters"),
            "{err}"
        );
        let mut data = sample_intervals(Lang::En);
        data.intervals[1].pop();
        let err = grouped_bars(&out_dir("grouped-bad").join("y"), &data).unwrap_err();
        assert!(
            err.to_string().contains("has 3 intervals for 4 series"),
            "{err}"
        );
    }
}
