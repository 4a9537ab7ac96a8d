//! What users look at: charts, the HTML report and the QDA export.

pub mod build;
pub mod charts;
pub mod html;
pub mod trust;
pub mod words;
