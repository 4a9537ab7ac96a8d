//! The drawing surface the charts share: font, text direction, shapes, axes,
//! legends, and writing one chart as both SVG and PNG.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontTransform, register_font};

use super::Lang;
use super::bidi::{first_strong_is_rtl, has_rtl, visual_order_with, without_controls};
use super::svgstream::SvgStream;
use crate::error::InputError;
use plotters_backend::DrawingErrorKind;

/// The family name under which DejaVu Sans is registered with plotters. It is
/// also what the SVG's `font-family` says, hence the fallbacks.
pub(super) const FONT: &str = "DejaVu Sans, Arial, sans-serif";

/// Right-to-left isolate and pop directional isolate (UAX #9).
const RLI: char = '\u{2067}';
const PDI: char = '\u{2069}';

pub(super) const BLACK_TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const GREY_TEXT: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
pub(super) const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);

pub(super) fn ensure_font() -> anyhow::Result<()> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "the bundled DejaVu Sans is not a readable font".to_string())?;
            register_font(FONT, FontStyle::Bold, dejavu::sans::bold())
                .map_err(|_| "the bundled DejaVu Sans Bold is not a readable font".to_string())
        })
        .clone()
        .map_err(|e| anyhow!(e))
}

fn drawing<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing the chart failed: {e}")
}

/// Where the drawing goes, which decides how text is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    /// Glyphs are drawn one after another left to right: text must be in
    /// visual order.
    Bitmap,
    /// `<text>` elements that the viewer lays out with its own bidi: text stays
    /// in logical order, right-to-left labels wrapped in an RLI...PDI isolate.
    Svg,
}

/// A text style: size in pixels, colour, weight.
#[derive(Clone, Copy, Debug)]
pub(super) struct Font {
    pub size: f64,
    pub colour: RGBColor,
    pub bold: bool,
}

impl Font {
    pub fn new(size: f64) -> Self {
        Font {
            size,
            colour: BLACK_TEXT,
            bold: false,
        }
    }
    pub fn bold(self) -> Self {
        Font { bold: true, ..self }
    }
    pub fn colour(self, colour: RGBColor) -> Self {
        Font { colour, ..self }
    }
    fn desc(&self) -> FontDesc<'static> {
        let style = if self.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        FontDesc::new(FontFamily::Name(FONT), self.size, style)
    }
}

/// A rectangle in pixels, `x0 <= x1`, `y0 <= y1`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Rect {
    pub x0: i32,
    pub y0: i32,
    pub x1: i32,
    pub y1: i32,
}

impl Rect {
    pub fn width(&self) -> i32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> i32 {
        self.y1 - self.y0
    }
}

/// A chart that can draw itself on any plotters backend.
pub(super) trait Chart {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> anyhow::Result<()>;
}

/// A plotters drawing area plus what text needs: the target and the language.
pub(super) struct Canvas<DB: DrawingBackend> {
    area: DrawingArea<DB, Shift>,
    target: Target,
    pub lang: Lang,
    pub width: i32,
    pub height: i32,
}

impl<DB: DrawingBackend> Canvas<DB> {
    /// Whether the layout runs right to left (Hebrew).
    pub fn rtl(&self) -> bool {
        self.lang == Lang::He
    }

    /// Whether one label is a right-to-left paragraph: in Hebrew charts every
    /// label with a Hebrew letter; otherwise by its first strong character.
    fn label_rtl(&self, label: &str) -> bool {
        match self.lang {
            Lang::He => has_rtl(label),
            Lang::En => first_strong_is_rtl(label),
        }
    }

    /// The string to hand to the backend for this label.
    fn shown(&self, label: &str) -> String {
        let label = &*without_controls(label);
        let rtl = self.label_rtl(label);
        match self.target {
            Target::Bitmap => visual_order_with(label, Some(rtl)),
            Target::Svg if rtl => format!("{RLI}{label}{PDI}"),
            Target::Svg => label.to_string(),
        }
    }

    /// Width of a label in pixels as the bundled font lays it out.
    pub fn text_width(&self, label: &str, font: Font) -> anyhow::Result<i32> {
        if label.is_empty() {
            return Ok(0);
        }
        let style = TextStyle::from(font.desc());
        let (w, _) = self
            .area
            .estimate_text_size(&without_controls(label), &style)
            .map_err(drawing)?;
        Ok(w as i32)
    }

    /// Draws a label with its anchor point at `(x, y)`.
    pub fn text(
        &self,
        label: &str,
        (x, y): (i32, i32),
        font: Font,
        h: HPos,
        v: VPos,
    ) -> anyhow::Result<()> {
        if label.is_empty() {
            return Ok(());
        }
        let style = TextStyle::from(font.desc())
            .color(&font.colour)
            .pos(Pos::new(h, v));
        self.area
            .draw_text(&self.shown(label), &style, (x, y))
            .map_err(drawing)
    }

    /// Draws a label rotated to read bottom to top, centred on `(x, y)`.
    pub fn text_up(&self, label: &str, (x, y): (i32, i32), font: Font) -> anyhow::Result<()> {
        if label.is_empty() {
            return Ok(());
        }
        let style = TextStyle::from(font.desc())
            .color(&font.colour)
            .pos(Pos::new(HPos::Center, VPos::Center))
            .transform(FontTransform::Rotate270);
        self.area
            .draw_text(&self.shown(label), &style, (x, y))
            .map_err(drawing)
    }

    /// Fills a rectangle.
    pub fn fill(&self, r: Rect, colour: RGBColor) -> anyhow::Result<()> {
        self.area
            .draw(&Rectangle::new(
                [(r.x0, r.y0), (r.x1, r.y1)],
                colour.filled(),
            ))
            .map_err(drawing)
    }

    /// Outlines a rectangle.
    pub fn outline(&self, r: Rect, colour: RGBColor, width: u32) -> anyhow::Result<()> {
        self.area
            .draw(&Rectangle::new(
                [(r.x0, r.y0), (r.x1, r.y1)],
                colour.stroke_width(width),
            ))
            .map_err(drawing)
    }

    /// Draws a polyline.
    pub fn line(&self, points: &[(i32, i32)], colour: RGBColor, width: u32) -> anyhow::Result<()> {
        self.area
            .draw(&PathElement::new(
                points.to_vec(),
                colour.stroke_width(width),
            ))
            .map_err(drawing)
    }

    /// Draws a filled circle with a thin outline; `opacity` applies to the fill.
    pub fn dot(
        &self,
        (x, y): (i32, i32),
        radius: i32,
        colour: RGBColor,
        opacity: f64,
        outline: RGBColor,
    ) -> anyhow::Result<()> {
        self.area
            .draw(&Circle::new((x, y), radius, colour.mix(opacity).filled()))
            .map_err(drawing)?;
        self.area
            .draw(&Circle::new((x, y), radius, outline.stroke_width(1)))
            .map_err(drawing)
    }

    /// The chart title, centred at the top; returns the y below it.
    pub fn title(&self, title: &str) -> anyhow::Result<i32> {
        if title.is_empty() {
            return Ok(16);
        }
        let font = Font::new(24.0).bold();
        self.text(title, (self.width / 2, 14), font, HPos::Center, VPos::Top)?;
        Ok(52)
    }

    /// Splits a label into lines no wider than `max_width` (at spaces, in
    /// logical order, so a right-to-left reader meets the first words on the
    /// first line). A single word wider than the limit stays whole.
    pub fn wrap(&self, label: &str, font: Font, max_width: i32) -> anyhow::Result<Vec<String>> {
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for word in label.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if current.is_empty() || self.text_width(&candidate, font)? <= max_width {
                current = candidate;
            } else {
                lines.push(std::mem::take(&mut current));
                current = word.to_string();
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        Ok(lines)
    }

    /// A legend: one row (or more, when it does not fit) of colour swatches and
    /// names, centred at the top `y`, running right to left in Hebrew. Returns
    /// the y below it.
    pub fn legend(&self, items: &[(&str, RGBColor)], y: i32) -> anyhow::Result<i32> {
        let font = Font::new(15.0);
        let swatch = 14;
        let gap = 6;
        let spacing = 26;
        let row_height = 24;
        let max_row = self.width - 40;
        let mut rows: Vec<Vec<(usize, i32)>> = vec![Vec::new()];
        let mut row_width = 0;
        for (i, (name, _)) in items.iter().enumerate() {
            let w = swatch + gap + self.text_width(name, font)?;
            let add = if row_width == 0 { w } else { w + spacing };
            if row_width > 0 && row_width + add > max_row {
                rows.push(Vec::new());
                row_width = 0;
            }
            row_width += if row_width == 0 { w } else { w + spacing };
            rows.last_mut().expect("a row exists").push((i, w));
        }
        let mut y_row = y;
        for row in &rows {
            let total: i32 =
                row.iter().map(|(_, w)| w).sum::<i32>() + spacing * (row.len() as i32 - 1).max(0);
            let mid = y_row + row_height / 2;
            let mut cursor = if self.rtl() {
                (self.width + total) / 2
            } else {
                (self.width - total) / 2
            };
            for &(i, w) in row {
                let (name, colour) = items[i];
                let (swatch_x0, text_x, h) = if self.rtl() {
                    (cursor - swatch, cursor - swatch - gap, HPos::Right)
                } else {
                    (cursor, cursor + swatch + gap, HPos::Left)
                };
                let sw = Rect {
                    x0: swatch_x0,
                    y0: mid - swatch / 2,
                    x1: swatch_x0 + swatch,
                    y1: mid + swatch / 2,
                };
                self.fill(sw, colour)?;
                self.text(name, (text_x, mid), font, h, VPos::Center)?;
                cursor += if self.rtl() {
                    -(w + spacing)
                } else {
                    w + spacing
                };
            }
            y_row += row_height;
        }
        Ok(y_row + 6)
    }

    /// A value axis for `plot`, which spans 0 to `max`: horizontal grid lines
    /// at every `step` up to `ticks_to` (and `max`), tick labels made by
    /// `label`, and the axis title rotated beside them; all on the right in
    /// Hebrew, on the left otherwise.
    pub fn value_axis(
        &self,
        plot: Rect,
        (max, step, ticks_to): (f64, f64, f64),
        label: impl Fn(f64) -> String,
        title: &str,
    ) -> anyhow::Result<()> {
        let font = Font::new(14.0).colour(GREY_TEXT);
        let n = (max.min(ticks_to) / step + 1e-9).floor() as i64;
        let mut widest = 0;
        for k in 0..=n {
            let v = k as f64 * step;
            let y = value_y(plot, v, max);
            let colour = if k == 0 { AXIS } else { GRID };
            self.line(&[(plot.x0, y), (plot.x1, y)], colour, 1)?;
            let text = label(v);
            widest = widest.max(self.text_width(&text, font)?);
            if self.rtl() {
                self.text(&text, (plot.x1 + 8, y), font, HPos::Left, VPos::Center)?;
            } else {
                self.text(&text, (plot.x0 - 8, y), font, HPos::Right, VPos::Center)?;
            }
        }
        let title_font = Font::new(16.0).colour(GREY_TEXT);
        let mid = (plot.y0 + plot.y1) / 2;
        let x = if self.rtl() {
            plot.x1 + 8 + widest + 16
        } else {
            plot.x0 - 8 - widest - 16
        };
        self.text_up(title, (x, mid), title_font)
    }

    /// Category labels centred under the slots of `plot` (wrapped to the slot
    /// width), then the axis title under them.
    pub fn category_axis(&self, plot: Rect, labels: &[String], title: &str) -> anyhow::Result<()> {
        let font = Font::new(15.0);
        let n = labels.len();
        let slot = plot.width() / n.max(1) as i32;
        let mut lowest = plot.y1 + 8;
        for (i, label) in labels.iter().enumerate() {
            let x = slot_centre(plot, i, n, self.rtl());
            let mut y = plot.y1 + 8;
            for line in self.wrap(label, font, slot - 8)? {
                self.text(&line, (x, y), font, HPos::Center, VPos::Top)?;
                y += 19;
            }
            lowest = lowest.max(y);
        }
        let title_font = Font::new(16.0).colour(GREY_TEXT);
        self.text(
            title,
            ((plot.x0 + plot.x1) / 2, lowest + 6),
            title_font,
            HPos::Center,
            VPos::Top,
        )
    }
}

/// The pixel row of value `v` on an axis from 0 (bottom of `plot`) to `max` (top).
pub(super) fn value_y(plot: Rect, v: f64, max: f64) -> i32 {
    let frac = if max > 0.0 { v / max } else { 0.0 };
    (plot.y1 as f64 - frac * plot.height() as f64).round() as i32
}

/// The centre x of slot `i` of `n` equal slots across `plot`; slot 0 is the
/// leftmost, or the rightmost when `rtl`.
pub(super) fn slot_centre(plot: Rect, i: usize, n: usize, rtl: bool) -> i32 {
    let j = if rtl { n - 1 - i } else { i };
    let w = plot.width() as f64 / n.max(1) as f64;
    (plot.x0 as f64 + (j as f64 + 0.5) * w).round() as i32
}

/// A step of 1, 2, 2.5 or 5 times a power of ten giving at most `ticks`
/// intervals up to `max`, and the axis top (a multiple of the step >= max).
pub(super) fn nice_axis(max: f64, ticks: usize) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / ticks.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw - 1e-12)
        .unwrap_or(10.0 * power);
    let top = (max / step - 1e-9).ceil().max(1.0) * step;
    (top, step)
}

/// Parses `#rrggbb` (the `#` optional) into a colour.
pub(super) fn parse_colour(hex: &str) -> anyhow::Result<RGBColor> {
    let digits = hex.strip_prefix('#').unwrap_or(hex);
    if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        anyhow::bail!("colour {hex:?} is not of the form #rrggbb");
    }
    let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).expect("checked hex digits");
    Ok(RGBColor(byte(0), byte(2), byte(4)))
}

/// Relative luminance (0 black .. 1 white), to pick a readable text colour.
pub(super) fn luminance(c: RGBColor) -> f64 {
    (0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64) / 255.0
}

/// Black or white text, whichever reads better on `background`.
pub(super) fn text_on(background: RGBColor) -> RGBColor {
    if luminance(background) < 0.5 {
        WHITE
    } else {
        BLACK_TEXT
    }
}

/// Formats a percentage with `decimals` decimals, halves rounded up as in print
/// (12.5 -> `13%` with none, 0.25 -> `0.3%` with one; Rust's own formatting
/// would round half to even).
pub(super) fn percent_fixed(p: f64, decimals: usize) -> String {
    let scale = 10f64.powi(decimals as i32);
    // The nudge makes 0.25 * 10 = 2.4999999... round up as the printed 0.25 does.
    let x = p * scale;
    let rounded = (x + x.signum() * 1e-9).round() / scale;
    // Avoid "-0%" for tiny negative values.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded:.decimals$}%")
}

/// The decimals that show every multiple of an axis `step` (in percent) at its
/// real value: 0 for 1, 2, 5, 10, ...; 1 for 0.5 or 2.5; 2 for 0.25.
pub(super) fn step_decimals(step: f64) -> usize {
    (0..=3)
        .find(|&d| {
            let x = step * 10f64.powi(d as i32);
            (x - x.round()).abs() < 1e-6 * x.abs().max(1.0)
        })
        .unwrap_or(3)
}

/// Tick labels for a percentage axis with ticks every `step`: each tick at its
/// real value, all with the same decimals (`0.00%`, `0.25%`, ...).
pub(super) fn axis_percent(step: f64) -> impl Fn(f64) -> String {
    let decimals = step_decimals(step);
    move |v| percent_fixed(v, decimals)
}

/// The label of a value `p` (percent) on an axis up to `axis_max`: one decimal
/// when the axis stays within 10%, else none; a value that is neither 0 nor
/// 100 never reads as `0%` or `100%` (`0.4%`, `<0.1%`, `99.6%`, `>99.9%`).
pub(super) fn value_percent(p: f64, axis_max: f64) -> String {
    if !p.is_finite() {
        return String::new();
    }
    let decimals = if axis_max <= 10.0 + 1e-9 { 1 } else { 0 };
    let text = percent_fixed(p, decimals);
    let at_an_end = text == percent_fixed(0.0, decimals) || text == percent_fixed(100.0, decimals);
    if p > 0.0 && p < 100.0 && at_an_end {
        let finer = percent_fixed(p, 1);
        return match finer.as_str() {
            "0.0%" => "<0.1%".to_string(),
            "100.0%" => ">99.9%".to_string(),
            _ => finer,
        };
    }
    text
}

fn with_extension(out_base: &Path, ext: &str) -> PathBuf {
    let mut s = out_base.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Draws `chart` twice: into `<out_base>.svg` and `<out_base>.png`.
pub(super) fn write_chart(out_base: &Path, lang: Lang, chart: &impl Chart) -> anyhow::Result<()> {
    ensure_font()?;
    let (w, h) = chart.size();

    // The SVG goes to its file as it is drawn (the chart with a dot per interview
    // is tens of megabytes on a large corpus). Its base direction is pinned so
    // that, inlined into a right-to-left HTML page, it keeps its text anchors;
    // right-to-left labels carry their own isolates.
    let svg_path = with_extension(out_base, "svg");
    let file =
        std::fs::File::create(&svg_path).map_err(|e| InputError::cannot_write(&svg_path, e))?;
    let svg = SvgStream::new(std::io::BufWriter::new(file), (w, h), "direction=\"ltr\" ");
    draw_into(svg, Target::Svg, lang, chart, &svg_path)?;
    // The PNG is drawn in memory and written when presented.
    let png_path = with_extension(out_base, "png");
    let png = BitMapBackend::new(&png_path, (w, h));
    draw_into(png, Target::Bitmap, lang, chart, &png_path)
}

/// Draws `chart` on `backend` and presents it. What fails in presenting is
/// writing the file at `path` (a full disk, say).
fn draw_into<DB: DrawingBackend>(
    backend: DB,
    target: Target,
    lang: Lang,
    chart: &impl Chart,
    path: &Path,
) -> anyhow::Result<()> {
    let (w, h) = backend.get_size();
    let area = backend.into_drawing_area();
    area.fill(&WHITE).map_err(drawing)?;
    let canvas = Canvas {
        area,
        target,
        lang,
        width: w as i32,
        height: h as i32,
    };
    chart.draw(&canvas)?;
    canvas.area.present().map_err(|e| {
        match e {
            DrawingAreaErrorKind::BackendError(DrawingErrorKind::DrawingError(e)) => {
                InputError::cannot_write(path, e)
            }
            other => InputError::cannot_write(path, other),
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chart with nothing on it.
    struct Blank;

    impl Chart for Blank {
        fn size(&self) -> (u32, u32) {
            (40, 30)
        }
        fn draw<DB: DrawingBackend>(&self, _: &Canvas<DB>) -> anyhow::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_chart_that_cannot_be_written_is_an_output_failure_naming_it() {
        let dir = std::env::temp_dir().join(format!("tamlil-chart-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        write_chart(&dir.join("blank"), Lang::He, &Blank).unwrap();
        assert!(dir.join("blank.svg").is_file() && dir.join("blank.png").is_file());
        // The SVG's folder is missing; then the PNG's path is a folder.
        let err = write_chart(&dir.join("gone").join("blank"), Lang::He, &Blank).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 74, "{err:#}");
        assert!(
            format!("{err:#}").contains("gone/blank.svg: cannot write"),
            "{err:#}"
        );
        std::fs::create_dir_all(dir.join("png.png")).unwrap();
        let err = write_chart(&dir.join("png"), Lang::He, &Blank).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 74, "{err:#}");
        assert!(
            format!("{err:#}").contains("png.png: cannot write"),
            "{err:#}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn nice_axis_rounds_up_to_a_round_step() {
        // By hand: 47/5 = 9.4 -> step 10, top 50; 0.93/5 = 0.186 -> step 0.2, top 1.0;
        // 100/5 = 20 -> step 20, top 100; 12/5 = 2.4 -> step 2.5, top 12.5.
        assert_eq!(nice_axis(47.0, 5), (50.0, 10.0));
        let (top, step) = nice_axis(0.93, 5);
        assert!((top - 1.0).abs() < 1e-12 && (step - 0.2).abs() < 1e-12);
        assert_eq!(nice_axis(100.0, 5), (100.0, 20.0));
        assert_eq!(nice_axis(12.0, 5), (12.5, 2.5));
        assert_eq!(nice_axis(0.0, 5), (1.0, 0.2));
    }

    #[test]
    fn percentages_round_half_up() {
        assert_eq!(percent_fixed(12.5, 0), "13%");
        assert_eq!(percent_fixed(62.5, 0), "63%");
        assert_eq!(percent_fixed(41.7, 0), "42%");
        assert_eq!(percent_fixed(-0.2, 0), "0%");
        assert_eq!(percent_fixed(100.0, 0), "100%");
        assert_eq!(percent_fixed(0.25, 1), "0.3%");
        assert_eq!(percent_fixed(0.25, 2), "0.25%");
        assert_eq!(percent_fixed(7.5, 1), "7.5%");
        assert_eq!(percent_fixed(0.0, 1), "0.0%");
        assert_eq!(percent_fixed(-0.01, 1), "0.0%");
    }

    #[test]
    fn axis_ticks_show_their_real_value() {
        // Quarter-percent gridlines (an axis to 1%: step 0.25) were all rounded to
        // whole percents: 0%, 0%, 1%, 1%, 1%.
        let (top, step) = nice_axis(0.9, 4);
        assert_eq!((top, step), (1.0, 0.25));
        let label = axis_percent(step);
        let ticks: Vec<String> = (0..=4).map(|k| label(k as f64 * step)).collect();
        assert_eq!(ticks, ["0.00%", "0.25%", "0.50%", "0.75%", "1.00%"]);
        // A colour scale to 10% in steps of 2.5: 2.5% and 7.5%, not 3% and 8%.
        let (top, step) = nice_axis(9.3, 4);
        assert_eq!((top, step), (10.0, 2.5));
        let label = axis_percent(step);
        let ticks: Vec<String> = (0..=4).map(|k| label(k as f64 * step)).collect();
        assert_eq!(ticks, ["0.0%", "2.5%", "5.0%", "7.5%", "10.0%"]);
        // Whole steps keep whole labels.
        assert_eq!(axis_percent(20.0)(60.0), "60%");
        assert_eq!(step_decimals(0.5), 1);
        assert_eq!(step_decimals(1.0), 0);
        assert_eq!(step_decimals(0.02), 2);
    }

    #[test]
    fn value_labels_never_read_zero_for_a_non_zero_value() {
        // An axis within 10%: one decimal everywhere.
        assert_eq!(value_percent(0.4, 4.0), "0.4%");
        assert_eq!(value_percent(3.24, 4.0), "3.2%");
        assert_eq!(value_percent(0.0, 4.0), "0.0%");
        assert_eq!(value_percent(0.02, 1.0), "<0.1%");
        // A wider axis: whole percents, but small values keep a decimal.
        assert_eq!(value_percent(41.7, 60.0), "42%");
        assert_eq!(value_percent(0.3, 60.0), "0.3%");
        assert_eq!(value_percent(0.0, 60.0), "0%");
        assert_eq!(value_percent(99.6, 100.0), "99.6%");
        assert_eq!(value_percent(99.97, 100.0), ">99.9%");
        assert_eq!(value_percent(100.0, 100.0), "100%");
        assert_eq!(value_percent(f64::NAN, 100.0), "");
    }

    #[test]
    fn slots_run_right_to_left_in_rtl() {
        let plot = Rect {
            x0: 100,
            y0: 0,
            x1: 400,
            y1: 100,
        };
        // Three slots of 100 px: centres 150, 250, 350.
        assert_eq!(slot_centre(plot, 0, 3, false), 150);
        assert_eq!(slot_centre(plot, 0, 3, true), 350);
        assert_eq!(slot_centre(plot, 2, 3, true), 150);
        assert_eq!(value_y(plot, 25.0, 100.0), 75);
    }

    #[test]
    fn colours_parse_and_pick_contrasting_text() {
        assert_eq!(parse_colour("#1b9e77").unwrap(), RGBColor(0x1b, 0x9e, 0x77));
        assert_eq!(parse_colour("FFFFFF").unwrap(), WHITE);
        assert!(parse_colour("#12345").is_err());
        assert!(parse_colour("#12345g").is_err());
        assert_eq!(text_on(RGBColor(0x08, 0x30, 0x6b)), WHITE);
        assert_eq!(text_on(RGBColor(0xf7, 0xfb, 0xff)), BLACK_TEXT);
    }

    #[test]
    fn output_names_append_the_extension() {
        let p = with_extension(Path::new("/tmp/key.mix"), "svg");
        assert_eq!(p, PathBuf::from("/tmp/key.mix.svg"));
    }
}
