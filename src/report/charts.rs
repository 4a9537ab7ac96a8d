//! Charts as SVG and PNG with Hebrew labels laid out right to left.
//!
//! Each chart function takes plain data with labels already in the chosen
//! language and writes `<out_base>.svg` and `<out_base>.png` (about 1000x600
//! pixels). Text is drawn in the bundled DejaVu Sans, which has Hebrew glyphs.
//! With [`Lang::He`] the layout reads right to left: the first category, legend
//! entry and continuum pole are on the right, and value axes stand on the
//! right. The PNG gets each label in visual order (see [`visual_order`]); the
//! SVG keeps the text in logical order inside `<text>` elements, wrapping
//! right-to-left labels in an RLI...PDI isolate so that a browser's own bidi
//! lays them out. Output is deterministic: same data, same bytes.

mod bidi;
mod canvas;
mod dots;
mod grouped;
mod heatmap;
mod svgstream;

pub use bidi::visual_order;
pub use dots::{Continuum, Dot, DotPlot, dot_plot};
pub use grouped::{GroupedBars, grouped_bars};
pub use heatmap::{HeatCell, Heatmap, heatmap};

/// The language of a chart's labels, which sets the reading direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Hebrew: right-to-left layout.
    #[default]
    He,
    /// English: left-to-right layout.
    En,
}

/// A named data series (a code, a key, a group) and its colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The label shown in the legend.
    pub name: String,
    /// Fill colour as `#rrggbb`.
    pub colour: String,
}

impl Series {
    /// A series from a name and a `#rrggbb` colour.
    pub fn new(name: impl Into<String>, colour: impl Into<String>) -> Self {
        Series {
            name: name.into(),
            colour: colour.into(),
        }
    }
}

#[cfg(test)]
mod test_support;
