//! `tamlil code`: code pre-segmented units from a CSV.

use anyhow::Result;

/// Code pre-segmented units (a CSV with `id,text` and any attribute columns).
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `tamlil code`.
pub fn run(_args: Args) -> Result<()> {
    anyhow::bail!("not available yet")
}
