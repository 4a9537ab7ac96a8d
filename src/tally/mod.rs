//! Tallies of codings: tables by attribute, per interview, and their statistics.

pub mod accumulate;
pub mod analysis;
pub mod parquet;
pub mod quotes;
pub mod spec;
pub mod stats;
pub mod table;
pub mod tables;
pub mod tree;

pub use accumulate::{DocTally, Tally};
pub use table::{Table, Values};
pub use tree::{CodeSpec, CodeTree};
