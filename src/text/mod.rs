//! Text analysis: Hebrew normalisation, speaker turns, sentences and meaning units.

pub mod chars;
pub mod normalize;
pub mod sentences;
pub mod turns;
pub mod units;
pub mod words;

pub use turns::{Role, Turn};
pub use units::{SegmentOptions, Unit, UnitKind};
