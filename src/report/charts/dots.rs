//! Dot plot of role continua: one line per continuum from -1 to 1 between its
//! two poles, one dot per interview coloured by group.

use std::path::Path;

use anyhow::bail;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{AXIS, Canvas, Chart, Font, GREY_TEXT, parse_colour, write_chart};
use super::{Lang, Series};

/// One interview's position on one continuum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dot {
    /// Index into [`DotPlot::groups`].
    pub group: usize,
    /// Position from -1 (the low pole) to 1 (the high pole); values outside
    /// are drawn at the nearer end, a value that is not finite is not drawn.
    pub position: f64,
}

/// One continuum: a line between two poles and the interviews on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Continuum {
    /// Shown small above the line; may be empty.
    pub name: String,
    /// The pole at -1 (e.g. "ממוקדת"); on the right in Hebrew, on the left in English.
    pub low_pole: String,
    /// The pole at +1 (e.g. "הוליסטית").
    pub high_pole: String,
    /// One dot per interview.
    pub dots: Vec<Dot>,
}

/// Several continua stacked top to bottom, e.g. the four role continua.
///
/// Dots are spread up and down around the line by a fixed sequence (the
/// golden-ratio sequence over the dot's index in its continuum), so equal
/// positions stay visible and the output does not change between runs.
#[derive(Clone, Debug, PartialEq)]
pub struct DotPlot {
    /// Label language, which sets the direction (the low pole on the right in Hebrew).
    pub lang: Lang,
    /// Title at the top.
    pub title: String,
    /// Groups (e.g. sectors) with their dot colours; also the legend.
    pub groups: Vec<Series>,
    /// The continua, top to bottom.
    pub continua: Vec<Continuum>,
}

/// Writes `<out_base>.svg` and `<out_base>.png`.
pub fn dot_plot(out_base: &Path, data: &DotPlot) -> anyhow::Result<()> {
    if data.continua.is_empty() {
        bail!("dot plot {:?} needs at least one continuum", data.title);
    }
    for s in &data.groups {
        parse_colour(&s.colour)?;
    }
    for cont in &data.continua {
        if let Some(dot) = cont.dots.iter().find(|d| d.group >= data.groups.len()) {
            bail!(
                "dot plot {:?}: continuum {:?}-{:?} has a dot of group {} but there are {} groups",
                data.title,
                cont.low_pole,
                cont.high_pole,
                dot.group,
                data.groups.len()
            );
        }
    }
    write_chart(out_base, data.lang, data)
}

/// Vertical offset of dot `i`, in -1..1, from the golden-ratio sequence:
/// consecutive dots land far apart and no two coincide.
fn jitter(i: usize) -> f64 {
    const PHI_FRAC: f64 = 0.618_033_988_749_895;
    ((i as f64 + 0.5) * PHI_FRAC).fract() * 2.0 - 1.0
}

/// The x of `position` on a line from `x_left` to `x_right`; -1 is at the
/// right end when `rtl`.
fn position_x(position: f64, x_left: i32, x_right: i32, rtl: bool) -> i32 {
    let t = (position.clamp(-1.0, 1.0) + 1.0) / 2.0;
    let t = if rtl { 1.0 - t } else { t };
    (x_left as f64 + t * (x_right - x_left) as f64).round() as i32
}

impl Chart for DotPlot {
    fn size(&self) -> (u32, u32) {
        (1000, 600.max(140 + 110 * self.continua.len() as u32))
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
        let top = c.legend(&items, y)? + 4;

        // Pole labels, wrapped to at most 200 px, decide the line's ends.
        let pole_font = Font::new(16.0);
        let max_pole = 200;
        let mut poles = Vec::with_capacity(self.continua.len());
        let (mut left_w, mut right_w) = (0, 0);
        for cont in &self.continua {
            let low = c.wrap(&cont.low_pole, pole_font, max_pole)?;
            let high = c.wrap(&cont.high_pole, pole_font, max_pole)?;
            let (left, right) = if rtl { (high, low) } else { (low, high) };
            for line in &left {
                left_w = left_w.max(c.text_width(line, pole_font)?);
            }
            for line in &right {
                right_w = right_w.max(c.text_width(line, pole_font)?);
            }
            poles.push((left, right));
        }
        let edge = 24;
        let x_left = edge + left_w + 18;
        let x_right = c.width - edge - right_w - 18;

        let n = self.continua.len() as i32;
        let band = (c.height - top - 16) / n;
        let spread = (band as f64 * 0.2).min(22.0);
        let name_font = Font::new(14.0).colour(GREY_TEXT);
        for (k, (cont, (left, right))) in self.continua.iter().zip(&poles).enumerate() {
            let y0 = top + k as i32 * band;
            let line_y = y0 + band / 2 + 8;
            c.text(
                &cont.name,
                ((x_left + x_right) / 2, y0 + 4),
                name_font,
                HPos::Center,
                VPos::Top,
            )?;
            c.line(&[(x_left, line_y), (x_right, line_y)], AXIS, 2)?;
            for (tick, half) in [(-1.0, 8), (-0.5, 4), (0.0, 8), (0.5, 4), (1.0, 8)] {
                let tx = position_x(tick, x_left, x_right, rtl);
                c.line(&[(tx, line_y - half), (tx, line_y + half)], AXIS, 2)?;
            }
            let pole_lines = |lines: &Vec<String>, x: i32, h: HPos| -> anyhow::Result<()> {
                let mut ly = line_y - (lines.len() as i32 - 1) * 10;
                for line in lines {
                    c.text(line, (x, ly), pole_font, h, VPos::Center)?;
                    ly += 20;
                }
                Ok(())
            };
            pole_lines(left, x_left - 16, HPos::Right)?;
            pole_lines(right, x_right + 16, HPos::Left)?;
            for (i, dot) in cont.dots.iter().enumerate() {
                if !dot.position.is_finite() {
                    continue;
                }
                let x = position_x(dot.position, x_left, x_right, rtl);
                let dy = (jitter(i) * spread).round() as i32;
                c.dot(
                    (x, line_y + dy),
                    7,
                    colours[dot.group],
                    0.8,
                    plotters::style::WHITE,
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::{check_outputs, out_dir, sample_dots};

    #[test]
    fn jitter_is_fixed_and_spread() {
        // (0.5 * 0.6180339887).fract() * 2 - 1 = -0.381966...; (1.5 * phi').fract() = 0.927050...
        assert!((jitter(0) + 0.381_966_011).abs() < 1e-8);
        assert!((jitter(1) - 0.854_101_966).abs() < 1e-8);
        let first: Vec<f64> = (0..20).map(jitter).collect();
        assert!(first.iter().all(|j| (-1.0..1.0).contains(j)));
        for (a, i) in first.iter().zip(0..) {
            for b in &first[i + 1..] {
                assert!((a - b).abs() > 0.01, "jitters {a} and {b} nearly coincide");
            }
        }
    }

    #[test]
    fn low_pole_is_on_the_right_in_hebrew() {
        assert_eq!(position_x(-1.0, 100, 300, true), 300);
        assert_eq!(position_x(-1.0, 100, 300, false), 100);
        assert_eq!(position_x(0.5, 100, 300, false), 250);
        assert_eq!(position_x(7.0, 100, 300, true), 100);
    }

    #[test]
    fn dot_plot_writes_svg_and_png() {
        let base = out_dir("dots").join("role-continua");
        dot_plot(&base, &sample_dots(Lang::He)).unwrap();
        let svg = check_outputs(&base, 1000, 600);
        for label in [
            "ממוקדת",
            "הוליסטית",
            "מומחה ייעודי",
            "שגר ושכח",
            "טכנית",
            "עסקי",
        ] {
            assert!(svg.contains(label), "SVG lacks {label}");
        }
        // One <circle> fill and one outline per drawn dot.
        let dots: usize = sample_dots(Lang::He)
            .continua
            .iter()
            .map(|c| c.dots.len())
            .sum();
        assert_eq!(svg.matches("<circle").count(), 2 * dots);
    }

    #[test]
    fn dot_plot_rejects_an_unknown_group() {
        let mut data = sample_dots(Lang::En);
        data.continua[0].dots[0].group = 9;
        let err = dot_plot(&out_dir("dots-bad").join("x"), &data).unwrap_err();
        assert!(err.to_string().contains("group 9"), "{err}");
    }
}
