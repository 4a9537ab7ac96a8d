//! Tallies of codings: tables by attribute, per interview, and their statistics.

pub mod stats;
