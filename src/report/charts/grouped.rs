//! Grouped bars: one cluster per code (e.g. the four goals), one bar per group
//! in each cluster, height a percentage.

use std::path::Path;

use anyhow::bail;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{
    Canvas, Chart, Font, GREY_TEXT, Rect, nice_axis, parse_colour, percent, slot_centre, value_y,
    write_chart,
};
use super::{Lang, Series};

/// Codes by groups as clustered bars, e.g. % of each sector's interviews that
/// mention each goal.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupedBars {
    /// Label language, which sets the direction (first cluster and first bar
    /// of each cluster on the right in Hebrew).
    pub lang: Lang,
    /// Title at the top.
    pub title: String,
    /// Title of the value axis (e.g. "% מהראיונות").
    pub value_title: String,
    /// Title of the code axis (e.g. "מטרה").
    pub code_title: String,
    /// One cluster per code, first code first.
    pub codes: Vec<String>,
    /// The bars of each cluster with their colours; also the legend.
    pub groups: Vec<Series>,
    /// `values[code][group]`, percentages (0-100). A value that is not finite
    /// draws no bar.
    pub values: Vec<Vec<f64>>,
}

/// Writes `<out_base>.svg` and `<out_base>.png`.
pub fn grouped_bars(out_base: &Path, data: &GroupedBars) -> anyhow::Result<()> {
    if data.codes.is_empty() || data.groups.is_empty() {
        bail!(
            "grouped bars {:?} need at least one code and one group",
            data.title
        );
    }
    if data.values.len() != data.codes.len() {
        bail!(
            "grouped bars {:?}: {} rows of values for {} codes",
            data.title,
            data.values.len(),
            data.codes.len()
        );
    }
    for (i, row) in data.values.iter().enumerate() {
        if row.len() != data.groups.len() {
            bail!(
                "grouped bars {:?}: code {:?} has {} values for {} groups",
                data.title,
                data.codes[i],
                row.len(),
                data.groups.len()
            );
        }
    }
    for s in &data.groups {
        parse_colour(&s.colour)?;
    }
    write_chart(out_base, data.lang, data)
}

impl Chart for GroupedBars {
    fn size(&self) -> (u32, u32) {
        (1000, 600)
    }

    fn draw<DB: plotters::prelude::DrawingBackend>(&self, c: &Canvas<DB>) -> anyhow::Result<()> {
        let rtl = c.rtl();
        let y = c.title(&self.title)?;
        let colours: Vec<RGBColor> = self
            .groups
            .iter()
            .map(|s| parse_colour(&s.colour))
            .collect::<anyhow::Result<_>>()?;
        let items: Vec<(&str, RGBColor)> = self
            .groups
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
        let highest = self
            .values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let (max, step) = nice_axis(highest, 5);
        c.value_axis(plot, (max, step, max), percent, &self.value_title)?;

        let n_codes = self.codes.len();
        let n_groups = self.groups.len();
        let slot = plot.width() as f64 / n_codes as f64;
        let cluster = slot * 0.8;
        let bar_w = (cluster / n_groups as f64).min(70.0);
        let value_font = Font::new(13.0).colour(GREY_TEXT);
        for (i, row) in self.values.iter().enumerate() {
            let cx = slot_centre(plot, i, n_codes, rtl) as f64;
            for (g, &v) in row.iter().enumerate() {
                if !v.is_finite() {
                    continue;
                }
                let k = if rtl { n_groups - 1 - g } else { g };
                let x0 = (cx + (k as f64 - n_groups as f64 / 2.0) * bar_w).round() as i32;
                let x1 = (cx + (k as f64 + 1.0 - n_groups as f64 / 2.0) * bar_w).round() as i32;
                let top = value_y(plot, v.max(0.0), max);
                let r = Rect {
                    x0: x0 + 1,
                    y0: top,
                    x1: x1 - 1,
                    y1: plot.y1,
                };
                c.fill(r, colours[g])?;
                let text = percent(v);
                if c.text_width(&text, value_font)? <= r.width() + 4 {
                    c.text(
                        &text,
                        ((x0 + x1) / 2, top - 3),
                        value_font,
                        HPos::Center,
                        VPos::Bottom,
                    )?;
                }
            }
        }
        c.category_axis(plot, &self.codes, &self.code_title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::{check_outputs, has_text, out_dir, sample_grouped};

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
    fn grouped_bars_reject_ragged_values() {
        let mut data = sample_grouped(Lang::En);
        data.values.pop();
        let err = grouped_bars(&out_dir("grouped-bad").join("x"), &data).unwrap_err();
        assert!(
            err.to_string().contains("3 rows of values for 4 codes"),
            "{err}"
        );
    }
}
