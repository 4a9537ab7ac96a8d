//! `tamlil segment`: transcripts -> meaning units (`units.csv`).

use crate::corpus::{self, Manifest};
use crate::pipeline;
use crate::text::turns::guessed_interviewer;
use crate::text::units::segment_document;
use crate::text::{SegmentOptions, UnitKind};
use crate::unitfile::{UnitWriter, document_rows};
use anyhow::Result;
use std::path::PathBuf;

/// Split transcripts into speaker turns and meaning units, and write them to a CSV.
///
/// Every unit row has its id, document, turn number, speaker label, role
/// (interviewer, interviewee, or other for headers), character offsets into the
/// document's decoded text, word count, text, and the document's manifest
/// attributes. Example:
///
///   tamlil segment --corpus interviews/ --out units.csv
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder of transcripts (.txt in UTF-8 or Windows-1255, .docx).
    #[arg(long, value_name = "DIR")]
    pub corpus: PathBuf,
    /// Manifest CSV (id,file,attributes...); default: DIR/manifest.csv if present,
    /// otherwise every .txt and .docx in DIR.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    #[command(flatten)]
    pub seg: SegmentArgs,
    /// Where to write the units table.
    #[arg(long, value_name = "FILE", default_value = "units.csv")]
    pub out: PathBuf,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,
}

/// Options for cutting transcripts into meaning units, shared by `segment` and `run`.
#[derive(clap::Args, Debug, Clone)]
pub struct SegmentArgs {
    /// What a meaning unit is: interviewee sentences (short ones merged, long ones
    /// split at clauses), paragraphs, or whole speaker turns.
    #[arg(long, value_enum, default_value_t = UnitKind::Sentence)]
    pub unit: UnitKind,
    /// Sentences with fewer words are merged into a neighbouring sentence.
    #[arg(long, value_name = "N", default_value_t = SegmentOptions::default().min_words)]
    pub min_words: usize,
    /// Sentences with more words are split at a clause boundary (comma, colon, dash).
    #[arg(long, value_name = "N", default_value_t = SegmentOptions::default().max_words)]
    pub max_words: usize,
}

impl SegmentArgs {
    /// The segmentation options these arguments ask for.
    pub fn options(&self) -> SegmentOptions {
        SegmentOptions {
            unit: self.unit,
            min_words: self.min_words,
            max_words: self.max_words.max(self.min_words.max(1) * 2),
        }
    }
}

/// Runs `tamlil segment`.
pub fn run(args: Args) -> Result<()> {
    pipeline::set_jobs(args.jobs);
    pipeline::stop_on_ctrl_c();
    let manifest = corpus::open_manifest(&args.corpus, args.manifest.as_deref())?;
    let (docs, units) = write_units(&manifest, &args.seg.options(), &args.out)?;
    eprintln!(
        "tamlil: {units} units from {docs} documents -> {}",
        args.out.display()
    );
    Ok(())
}

/// Segments every document of the manifest and writes `units.csv`; returns the
/// number of documents and units.
pub fn write_units(
    manifest: &Manifest,
    opts: &SegmentOptions,
    out: &std::path::Path,
) -> Result<(usize, usize)> {
    let mut writer = UnitWriter::create(out, manifest)?;
    let mut docs = 0;
    // Each document's rows are formatted on the worker that segmented it; the
    // calling thread only writes them in order.
    pipeline::process_corpus(
        manifest,
        pipeline::default_chunk(),
        |_, entry| {
            let doc = corpus::load_document(entry)?;
            let units = segment_document(&doc.id, &doc.text, &entry.interviewer_labels, opts);
            let guessed = guessed_interviewer(&units, &entry.interviewer_labels).map(String::from);
            let mut rows = Vec::new();
            let n = document_rows(&units, &entry.attrs, &mut rows);
            Ok((guessed, rows, n))
        },
        |_, entry, (guessed, rows, n)| {
            if let Some(label) = guessed {
                eprintln!(
                    "tamlil: warning: {}: no speaker label says who the interviewer is; took {label:?}, who mostly asks questions (name the interviewer's label, or -, in the manifest's interviewer column to decide)",
                    entry.id
                );
            }
            docs += 1;
            writer.write_rows(&rows, n)
        },
    )?;
    let units = writer.finish()?;
    Ok((docs, units))
}
