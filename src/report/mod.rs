//! What users look at: charts, the HTML report and the QDA export.

pub mod charts;
pub mod html;
