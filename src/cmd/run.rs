//! `tamlil run`.

use anyhow::Result;

/// (being written)
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `tamlil run`.
pub fn run(_args: Args) -> Result<()> {
    anyhow::bail!("not available yet")
}
