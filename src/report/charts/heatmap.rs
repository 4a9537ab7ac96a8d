//! Heatmap: groups (rows) by codes (columns), each cell a percentage on a
//! colour scale with its count.

use std::path::Path;

use anyhow::bail;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::Lang;
use super::canvas::{
    Canvas, Chart, Font, GREY_TEXT, Rect, axis_percent, nice_axis, text_on, value_percent, value_y,
    write_chart,
};

/// One heatmap cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeatCell {
    /// The percentage (0-100) that sets the colour and is printed first.
    /// Not finite (NaN) means no data: the cell is grey with a dash.
    pub percent: f64,
    /// The count printed under the percentage, in parentheses.
    pub count: u64,
}

/// A groups-by-codes heatmap, e.g. sectors by the four keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    /// Label language, which sets the direction (columns run right to left in Hebrew).
    pub lang: Lang,
    /// Title at the top.
    pub title: String,
    /// Axis title of the rows (e.g. "סקטור").
    pub row_title: String,
    /// Axis title of the columns (e.g. "מפתח").
    pub column_title: String,
    /// Row labels, top to bottom.
    pub rows: Vec<String>,
    /// Column labels, first column first (rightmost in Hebrew).
    pub columns: Vec<String>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<HeatCell>>,
}

/// Writes `<out_base>.svg` and `<out_base>.png`.
pub fn heatmap(out_base: &Path, data: &Heatmap) -> anyhow::Result<()> {
    if data.rows.is_empty() || data.columns.is_empty() {
        bail!(
            "heatmap {:?} needs at least one row and one column",
            data.title
        );
    }
    if data.cells.len() != data.rows.len() {
        bail!(
            "heatmap {:?}: {} rows of cells for {} row labels",
            data.title,
            data.cells.len(),
            data.rows.len()
        );
    }
    for (i, row) in data.cells.iter().enumerate() {
        if row.len() != data.columns.len() {
            bail!(
                "heatmap {:?}: row {:?} has {} cells for {} columns",
                data.title,
                data.rows[i],
                row.len(),
                data.columns.len()
            );
        }
    }
    write_chart(out_base, data.lang, data)
}

/// Sequential blues (ColorBrewer "Blues", 5 classes), light to dark.
const SCALE: [RGBColor; 5] = [
    RGBColor(0xf7, 0xfb, 0xff),
    RGBColor(0xc6, 0xdb, 0xef),
    RGBColor(0x6b, 0xae, 0xd6),
    RGBColor(0x21, 0x71, 0xb5),
    RGBColor(0x08, 0x30, 0x6b),
];
const NO_DATA: RGBColor = RGBColor(0xee, 0xee, 0xee);

/// The colour of `t` in 0..=1 on [`SCALE`], linearly between stops.
fn scale_colour(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (SCALE.len() - 1) as f64;
    let i = (t.floor() as usize).min(SCALE.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (SCALE[i], SCALE[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Chart for Heatmap {
    fn size(&self) -> (u32, u32) {
        (1000, 600.max(170 + 48 * self.rows.len() as u32))
    }

    fn draw<DB: plotters::prelude::DrawingBackend>(&self, c: &Canvas<DB>) -> anyhow::Result<()> {
        let rtl = c.rtl();
        let (w, h) = (c.width, c.height);
        let mut y = c.title(&self.title)?;

        let max_percent = self
            .cells
            .iter()
            .flatten()
            .map(|cell| cell.percent)
            .filter(|p| p.is_finite())
            .fold(0.0, f64::max);
        let (top, step) = nice_axis(max_percent.min(100.0), 4);

        // Horizontal bands: [edge][row title][row labels] grid [colour bar].
        let row_font = Font::new(15.0);
        let mut row_width = 0;
        for row in &self.rows {
            row_width = row_width.max(c.text_width(row, row_font)?);
        }
        let row_width = row_width.min(260);
        let edge = 24;
        let row_title_band = if self.row_title.is_empty() { 0 } else { 26 };
        let bar_band = 110;
        let (grid_x0, grid_x1) = if rtl {
            (bar_band, w - edge - row_title_band - 12 - row_width - 14)
        } else {
            (edge + row_title_band + 12 + row_width + 14, w - bar_band)
        };

        // Column title and headers above the grid.
        let header_font = Font::new(15.0).bold();
        if !self.column_title.is_empty() {
            let font = Font::new(16.0).colour(GREY_TEXT);
            c.text(
                &self.column_title,
                ((grid_x0 + grid_x1) / 2, y),
                font,
                HPos::Center,
                VPos::Top,
            )?;
            y += 26;
        }
        let n_cols = self.columns.len();
        let col_w = (grid_x1 - grid_x0) / n_cols as i32;
        let mut header_lines = Vec::with_capacity(n_cols);
        for label in &self.columns {
            header_lines.push(c.wrap(label, header_font, col_w - 8)?);
        }
        let max_lines = header_lines.iter().map(Vec::len).max().unwrap_or(1) as i32;
        let col_x0 = |j: usize| {
            let k = if rtl { n_cols - 1 - j } else { j };
            grid_x0 + k as i32 * col_w
        };
        for (j, lines) in header_lines.iter().enumerate() {
            let x = col_x0(j) + col_w / 2;
            let mut ly = y + (max_lines - lines.len() as i32) * 19;
            for line in lines {
                c.text(line, (x, ly), header_font, HPos::Center, VPos::Top)?;
                ly += 19;
            }
        }
        let grid_y0 = y + max_lines * 19 + 8;
        let grid_y1 = h - 30;
        let n_rows = self.rows.len();
        let row_h = (grid_y1 - grid_y0) / n_rows as i32;
        let grid_y1 = grid_y0 + row_h * n_rows as i32;

        // Cells.
        let two_lines = row_h >= 46;
        for (i, row) in self.cells.iter().enumerate() {
            let y0 = grid_y0 + i as i32 * row_h;
            for (j, cell) in row.iter().enumerate() {
                let x0 = col_x0(j);
                let r = Rect {
                    x0,
                    y0,
                    x1: x0 + col_w,
                    y1: y0 + row_h,
                };
                let (fill, main, count) = if cell.percent.is_finite() {
                    (
                        scale_colour(cell.percent / top),
                        value_percent(cell.percent, top),
                        format!("({})", cell.count),
                    )
                } else {
                    (NO_DATA, "–".to_string(), String::new())
                };
                c.fill(r, fill)?;
                c.outline(r, plotters::style::WHITE, 2)?;
                let ink = text_on(fill);
                let (cx, cy) = (x0 + col_w / 2, y0 + row_h / 2);
                if two_lines && !count.is_empty() {
                    let big = Font::new(20.0).bold().colour(ink);
                    let small = Font::new(15.0).colour(ink);
                    c.text(&main, (cx, cy - 2), big, HPos::Center, VPos::Bottom)?;
                    c.text(&count, (cx, cy + 4), small, HPos::Center, VPos::Top)?;
                } else {
                    let one = format!("{main} {count}");
                    let font = Font::new(15.0).colour(ink);
                    c.text(one.trim_end(), (cx, cy), font, HPos::Center, VPos::Center)?;
                }
            }
        }

        // Row labels and the row title.
        for (i, label) in self.rows.iter().enumerate() {
            let cy = grid_y0 + i as i32 * row_h + row_h / 2;
            if rtl {
                c.text(
                    label,
                    (grid_x1 + 14, cy),
                    row_font,
                    HPos::Left,
                    VPos::Center,
                )?;
            } else {
                c.text(
                    label,
                    (grid_x0 - 14, cy),
                    row_font,
                    HPos::Right,
                    VPos::Center,
                )?;
            }
        }
        let title_font = Font::new(16.0).colour(GREY_TEXT);
        let tx = if rtl { w - edge - 8 } else { edge + 8 };
        c.text_up(&self.row_title, (tx, (grid_y0 + grid_y1) / 2), title_font)?;

        // Colour bar on the far side from the row labels.
        let bar = if rtl {
            Rect {
                x0: edge,
                y0: grid_y0,
                x1: edge + 18,
                y1: grid_y1,
            }
        } else {
            Rect {
                x0: w - edge - 18,
                y0: grid_y0,
                x1: w - edge,
                y1: grid_y1,
            }
        };
        // The gradient in bands of 4 px, each the colour at its middle.
        let mut py = bar.y0;
        while py < bar.y1 {
            let band_end = (py + 4).min(bar.y1);
            let t = (bar.y1 as f64 - (py + band_end) as f64 / 2.0) / bar.height() as f64;
            let band = Rect {
                x0: bar.x0,
                y0: py,
                x1: bar.x1,
                y1: band_end,
            };
            c.fill(band, scale_colour(t))?;
            py = band_end;
        }
        c.outline(bar, super::canvas::AXIS, 1)?;
        let tick_font = Font::new(13.0).colour(GREY_TEXT);
        let ticks = (top / step).round() as i64;
        let tick_label = axis_percent(step);
        for k in 0..=ticks {
            let v = k as f64 * step;
            let ty = value_y(bar, v, top);
            if rtl {
                c.line(&[(bar.x1, ty), (bar.x1 + 4, ty)], super::canvas::AXIS, 1)?;
                c.text(
                    &tick_label(v),
                    (bar.x1 + 7, ty),
                    tick_font,
                    HPos::Left,
                    VPos::Center,
                )?;
            } else {
                c.line(&[(bar.x0 - 4, ty), (bar.x0, ty)], super::canvas::AXIS, 1)?;
                c.text(
                    &tick_label(v),
                    (bar.x0 - 7, ty),
                    tick_font,
                    HPos::Right,
                    VPos::Center,
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::{check_outputs, has_text, out_dir, sample_heatmap};

    #[test]
    fn scale_runs_from_the_lightest_to_the_darkest_stop() {
        assert_eq!(scale_colour(0.0), SCALE[0]);
        assert_eq!(scale_colour(1.0), SCALE[4]);
        // Halfway is exactly the middle stop (index 2 of 0..4).
        assert_eq!(scale_colour(0.5), SCALE[2]);
        // An eighth is halfway between stops 0 and 1: (f7+c6)/2 = 0xde.8 -> 0xdf.
        assert_eq!(scale_colour(0.125).0, 0xdf);
    }

    #[test]
    fn heatmap_writes_svg_and_png() {
        let dir = out_dir("heatmap");
        let base = dir.join("sector-key");
        heatmap(&base, &sample_heatmap(Lang::He)).unwrap();
        let svg = check_outputs(&base, 1000, 600);
        for label in ["ציבורי", "עסקי", "מגזר שלישי", "ידע", "קשרים", "רגש", "כוח"]
        {
            assert!(svg.contains(label), "SVG lacks {label}");
        }
        // The (17) count of the public sector's knowledge cell.
        assert!(has_text(&svg, "42%") && has_text(&svg, "(17)"));
    }

    #[test]
    fn small_shares_show_their_real_value() {
        // Cells up to 9.3%: the colour bar runs to 10% in steps of 2.5, whose
        // ticks read 3% and 8% when rounded to whole percents.
        let mut data = sample_heatmap(Lang::He);
        for (row, values) in data.cells.iter_mut().zip([
            [6.3, 5.9, 7.1, 5.6],
            [5.8, 3.1, 3.2, 9.3],
            [8.0, 0.4, 8.6, 0.0],
        ]) {
            for (cell, v) in row.iter_mut().zip(values) {
                cell.percent = v;
            }
        }
        let base = out_dir("heatmap-small").join("keys");
        heatmap(&base, &data).unwrap();
        let svg = check_outputs(&base, 1000, 600);
        for tick in ["0.0%", "2.5%", "5.0%", "7.5%", "10.0%"] {
            assert!(has_text(&svg, tick), "no tick {tick}");
        }
        assert!(!has_text(&svg, "3%") && !has_text(&svg, "8%"));
        // Cells on a scale within 10% keep a decimal: 0.4% is not 0%.
        for cell in ["6.3%", "9.3%", "0.4%"] {
            assert!(has_text(&svg, cell), "no cell {cell}");
        }
        assert!(!has_text(&svg, "0%"));
    }

    #[test]
    fn heatmap_rejects_ragged_cells() {
        let mut data = sample_heatmap(Lang::En);
        data.cells[1].pop();
        let err = heatmap(&out_dir("heatmap-ragged").join("x"), &data).unwrap_err();
        assert!(
            err.to_string().contains("has 3 cells for 4 columns"),
            "{err}"
        );
    }
}
