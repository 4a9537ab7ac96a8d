//! Stacked bars with intervals: one bar per group, one segment per series
//! (e.g. the four keys' mean shares), each segment with its 95% interval.

use std::path::Path;

use anyhow::bail;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{
    BLACK_TEXT, Canvas, Chart, Font, Rect, parse_colour, percent, slot_centre, text_on, value_y,
    write_chart,
};
use super::{Lang, Series};

/// One segment: a mean share and its interval, all as fractions (0-1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share {
    /// Mean share; the segment's height.
    pub mean: f64,
    /// Lower end of the 95% interval of the share.
    pub lo: f64,
    /// Upper end of the 95% interval of the share.
    pub hi: f64,
}

/// Stacked bars, e.g. the key mix per sector with bootstrap intervals.
///
/// Segments stack from the bottom in series order. Each segment's interval is
/// drawn as an error bar around the segment's top edge (from the stack below
/// it plus `lo` to the stack below it plus `hi`), the error bars of a bar set
/// side by side so they do not hide one another.
#[derive(Clone, Debug, PartialEq)]
pub struct StackedBars {
    /// Label language, which sets the direction (first bar on the right in Hebrew).
    pub lang: Lang,
    /// Title at the top.
    pub title: String,
    /// Title of the value axis (e.g. "שיעור ממוצע").
    pub value_title: String,
    /// Title of the group axis (e.g. "סקטור").
    pub group_title: String,
    /// One bar per group, first group first.
    pub groups: Vec<String>,
    /// The segments' names and colours, bottom segment first; also the legend.
    pub series: Vec<Series>,
    /// `bars[group][series]`.
    pub bars: Vec<Vec<Share>>,
}

/// Writes `<out_base>.svg` and `<out_base>.png`.
pub fn stacked_bars(out_base: &Path, data: &StackedBars) -> anyhow::Result<()> {
    if data.groups.is_empty() || data.series.is_empty() {
        bail!(
            "stacked bars {:?} need at least one group and one series",
            data.title
        );
    }
    if data.bars.len() != data.groups.len() {
        bail!(
            "stacked bars {:?}: {} bars for {} groups",
            data.title,
            data.bars.len(),
            data.groups.len()
        );
    }
    for (g, bar) in data.bars.iter().enumerate() {
        if bar.len() != data.series.len() {
            bail!(
                "stacked bars {:?}: group {:?} has {} segments for {} series",
                data.title,
                data.groups[g],
                bar.len(),
                data.series.len()
            );
        }
    }
    for s in &data.series {
        parse_colour(&s.colour)?;
    }
    write_chart(out_base, data.lang, data)
}

/// Horizontal offset, as a fraction of the bar width, of series `k`'s error bar
/// out of `n`: spread evenly over the middle 80% of the bar, in reading order.
fn whisker_offset(k: usize, n: usize, rtl: bool) -> f64 {
    if n <= 1 {
        return 0.0;
    }
    let t = k as f64 / (n - 1) as f64 - 0.5;
    let t = if rtl { -t } else { t };
    t * 0.8
}

/// Where to centre a segment's value label `width` px wide at row `y` inside
/// the bar `x0..x1` so that no error bar (x, top, bottom) crosses it: the bar
/// centre `cx` if free, else the middle of the widest free stretch, or `None`
/// when nothing is wide enough.
fn label_x(
    x0: i32,
    x1: i32,
    cx: i32,
    width: i32,
    y: i32,
    whiskers: &[(i32, i32, i32)],
) -> Option<i32> {
    const HALF_CAP: i32 = 6;
    const HALF_TEXT_HEIGHT: i32 = 9;
    let mut blocked: Vec<(i32, i32)> = whiskers
        .iter()
        .filter(|(_, top, bottom)| *top <= y + HALF_TEXT_HEIGHT && *bottom >= y - HALF_TEXT_HEIGHT)
        .map(|(x, _, _)| (x - HALF_CAP, x + HALF_CAP))
        .collect();
    blocked.sort_unstable();
    let need = width + 6;
    let centre_free = blocked
        .iter()
        .all(|(a, b)| *b < cx - need / 2 || *a > cx + need / 2);
    if centre_free && cx - need / 2 >= x0 && cx + need / 2 <= x1 {
        return Some(cx);
    }
    let mut best: Option<(i32, i32)> = None;
    let mut start = x0;
    for &(a, b) in blocked.iter().chain(std::iter::once(&(x1, x1))) {
        if a - start >= need && best.is_none_or(|(s, e)| a - start > e - s) {
            best = Some((start, a));
        }
        start = start.max(b);
    }
    best.map(|(s, e)| (s + e) / 2)
}

impl Chart for StackedBars {
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
                y0: y + 14,
                x1: c.width - 110,
                y1: c.height - 78,
            }
        } else {
            Rect {
                x0: 110,
                y0: y + 14,
                x1: c.width - 40,
                y1: c.height - 78,
            }
        };
        // The axis reaches 100% and further only if a stack or interval does.
        let reach = self
            .bars
            .iter()
            .map(|bar| {
                let mut base = 0.0;
                let mut top: f64 = 0.0;
                for s in bar {
                    top = top.max(base + s.mean.max(s.hi));
                    base += s.mean;
                }
                top.max(base)
            })
            .fold(1.0, f64::max);
        // Room above 100% only as far as needed; ticks stop at 100%.
        let max = (reach / 0.05 - 1e-9).ceil() * 0.05;
        c.value_axis(
            plot,
            (max, 0.2, 1.0),
            |v| percent(v * 100.0),
            &self.value_title,
        )?;

        let n = self.groups.len();
        let slot = plot.width() as f64 / n as f64;
        let bar_w = (slot * 0.6).min(240.0).round() as i32;
        let seg_font = Font::new(14.0);
        for (g, bar) in self.bars.iter().enumerate() {
            let cx = slot_centre(plot, g, n, rtl);
            let (x0, x1) = (cx - bar_w / 2, cx + bar_w / 2);
            // Error bars: x and the vertical pixel span of each.
            let mut whiskers = Vec::with_capacity(bar.len());
            let mut base = 0.0;
            for (k, share) in bar.iter().enumerate() {
                let wx = cx + (whisker_offset(k, bar.len(), rtl) * bar_w as f64).round() as i32;
                let top = value_y(plot, base + share.hi, max);
                let bottom = value_y(plot, base + share.lo, max);
                whiskers.push((wx, top, bottom));
                base += share.mean;
            }
            let mut base = 0.0;
            for (k, share) in bar.iter().enumerate() {
                let (y_lo, y_hi) = (
                    value_y(plot, base, max),
                    value_y(plot, base + share.mean, max),
                );
                let r = Rect {
                    x0,
                    y0: y_hi,
                    x1,
                    y1: y_lo,
                };
                c.fill(r, colours[k])?;
                c.line(&[(x0, y_hi), (x1, y_hi)], plotters::style::WHITE, 1)?;
                let text = percent(share.mean * 100.0);
                let tw = c.text_width(&text, seg_font)?;
                let ty = (y_lo + y_hi) / 2;
                if r.height() >= 18
                    && let Some(tx) = label_x(x0, x1, cx, tw, ty, &whiskers)
                {
                    let font = seg_font.colour(text_on(colours[k]));
                    c.text(&text, (tx, ty), font, HPos::Center, VPos::Center)?;
                }
                base += share.mean;
            }
            // Error bars over the segments, each with a dot at its segment's top.
            let mut base = 0.0;
            for (share, &(wx, b, a)) in bar.iter().zip(&whiskers) {
                let mid = value_y(plot, base + share.mean, max);
                c.line(&[(wx, a), (wx, b)], BLACK_TEXT, 2)?;
                c.line(&[(wx - 5, a), (wx + 5, a)], BLACK_TEXT, 2)?;
                c.line(&[(wx - 5, b), (wx + 5, b)], BLACK_TEXT, 2)?;
                c.fill(
                    Rect {
                        x0: wx - 3,
                        y0: mid - 3,
                        x1: wx + 3,
                        y1: mid + 3,
                    },
                    BLACK_TEXT,
                )?;
                base += share.mean;
            }
        }
        c.category_axis(plot, &self.groups, &self.group_title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::{check_outputs, out_dir, sample_stacked};

    #[test]
    fn whiskers_spread_in_reading_order() {
        // Four series over the middle 80%: -0.4, -0.133, 0.133, 0.4 of the width.
        assert_eq!(whisker_offset(0, 4, false), -0.4);
        assert_eq!(whisker_offset(3, 4, false), 0.4);
        assert_eq!(whisker_offset(0, 4, true), 0.4);
        assert_eq!(whisker_offset(0, 1, true), 0.0);
    }

    #[test]
    fn value_labels_avoid_error_bars() {
        // Bar 100..200, label 30 px (+6 margin): the centre 150 is free when the
        // only error bar at x=150 spans rows 0..20, far from row 100.
        assert_eq!(label_x(100, 200, 150, 30, 100, &[(150, 0, 20)]), Some(150));
        // An error bar at x=150 crossing row 100 blocks 144..156: the stretches
        // are 100..144 (44 px) and 156..200 (44 px); the first wins the tie.
        assert_eq!(
            label_x(100, 200, 150, 30, 100, &[(150, 90, 110)]),
            Some(122)
        );
        // Bars at 130 and 170 leave 100..124, 136..164 and 176..200: the 28 px
        // middle is too narrow for 36 px, and so are the 24 px sides.
        assert_eq!(
            label_x(100, 200, 150, 30, 100, &[(130, 0, 200), (170, 0, 200)]),
            None
        );
    }

    #[test]
    fn stacked_bars_write_svg_and_png() {
        let base = out_dir("stacked").join("key-mix");
        stacked_bars(&base, &sample_stacked(Lang::He)).unwrap();
        let svg = check_outputs(&base, 1000, 600);
        for label in ["ציבורי", "מגזר שלישי", "ידע", "כוח", "שיעור ממוצע מהיחידות"]
        {
            assert!(svg.contains(label), "SVG lacks {label}");
        }
        // The legend swatch colours are the given ones.
        assert!(svg.contains("#1B9E77") || svg.contains("#1b9e77"));
    }

    #[test]
    fn stacked_bars_reject_a_bad_colour() {
        let mut data = sample_stacked(Lang::En);
        data.series[2].colour = "purple".into();
        let err = stacked_bars(&out_dir("stacked-bad").join("x"), &data).unwrap_err();
        assert!(err.to_string().contains("\"purple\""), "{err}");
    }
}
