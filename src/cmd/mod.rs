//! One module per subcommand; each has an `Args` struct (its usage text) and a `run` function.

pub mod agree;
pub mod code;
pub mod codebook;
pub mod export;
pub mod learn;
pub mod redaction;
pub mod run;
pub mod segment;
