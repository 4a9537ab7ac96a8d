//! REFI-QDA interchange: projects (.qdpx) and codebooks (.qdc) that MAXQDA, ATLAS.ti and NVivo read.

pub mod deflate;
pub mod guid;
pub mod import;
pub mod project;
pub mod qdc;
pub mod xml;

pub use project::{PreparedSource, ProjectCounts, ProjectWriter};
