//! `tamlil codebook`: check, show, export and import codebooks.

use anyhow::Result;

/// Check, show, export or import a codebook.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `tamlil codebook`.
pub fn run(_args: Args) -> Result<()> {
    anyhow::bail!("not available yet")
}
