//! `tamlil export`: the coded corpus as a REFI-QDA project (.qdpx) for MAXQDA, ATLAS.ti or NVivo.

use super::redaction::{self, RedactArgs};
use super::segment::SegmentArgs;
use crate::coding::Coder;
use crate::corpus;
use crate::job;
use crate::pipeline;
use crate::qda::ProjectWriter;
use crate::qda::project::project_name;
use anyhow::Result;
use std::path::PathBuf;

/// Export the corpus, coded, for a QDA tool.
///
/// Segments and codes the transcripts exactly as `tamlil run` does and writes a
/// REFI-QDA 1.0 project: every transcript as a text source (named by its interview
/// id), the codebook as the code tree, the manifest's attributes as variables of a
/// case per interview, and every coding of an interviewee unit as a coded
/// selection over the unit's text, by the user "tamlil". Open it in MAXQDA,
/// ATLAS.ti or NVivo to review the coding. Example:
///
///   tamlil export qdpx --corpus interviews/ --codebook my-codebook.toml --out project.qdpx
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub format: Format,
}

/// The export format.
#[derive(clap::Subcommand, Debug)]
pub enum Format {
    /// A REFI-QDA project (.qdpx): sources, codebook, variables and codings.
    Qdpx(QdpxArgs),
}

/// Arguments of `tamlil export qdpx`.
#[derive(clap::Args, Debug)]
pub struct QdpxArgs {
    /// Folder of transcripts (.txt in UTF-8 or Windows-1255, .docx) [default: the
    /// bundled sample, data-sample/].
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// Manifest CSV (id,file,attributes...); default: DIR/manifest.csv if present.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Codebook (TOML or CSV); default: the built-in rights-realization codebook.
    #[arg(long, value_name = "FILE")]
    pub codebook: Option<PathBuf>,
    #[command(flatten)]
    pub seg: SegmentArgs,
    /// Where to write the project (replaced only when the export succeeds).
    #[arg(long, value_name = "FILE", default_value = "project.qdpx")]
    pub out: PathBuf,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,
    #[command(flatten)]
    pub redaction: RedactArgs,
}

/// Runs `tamlil export`.
pub fn run(args: Args) -> Result<()> {
    match args.format {
        Format::Qdpx(a) => qdpx(a),
    }
}

fn qdpx(args: QdpxArgs) -> Result<()> {
    pipeline::set_jobs(args.jobs);
    let corpus_dir = args.corpus.clone().unwrap_or_else(job::default_corpus);
    let mut manifest = corpus::open_manifest(&corpus_dir, args.manifest.as_deref())?;
    let mut redactor = args
        .redaction
        .redactor(&mut manifest, crate::redact::Lang::Hebrew)?;
    let mapping_path = match &redactor {
        Some(_) => Some(args.redaction.mapping_path(&args.out)?),
        None => None,
    };
    let detector = redactor.clone();
    let codebook = match &args.codebook {
        Some(p) => crate::codebook::load(p)?,
        None => crate::codebook::default_codebook(),
    };
    let seg = args.seg.options();
    let coder = Coder::new(&codebook)?;
    let mut project = ProjectWriter::create(
        &args.out,
        &project_name(&manifest, &codebook),
        &codebook,
        &manifest,
    )?;
    pipeline::process_corpus(
        &manifest,
        pipeline::default_chunk(),
        |_, entry| {
            job::process_document(
                entry,
                &coder,
                &manifest.attributes,
                &seg,
                detector.as_ref(),
                None,
                None,
            )
        },
        |_, entry, mut r| {
            if let Some(rd) = redactor.as_mut() {
                r.redact(rd, &entry.id);
            }
            project.add_document(&entry.id, &entry.attrs, &r.text, &r.units, &r.codings)
        },
    )?;
    if let (Some(path), Some(rd)) = (&mapping_path, &redactor) {
        redaction::write_mapping(path, rd.mapping())?;
        eprintln!("tamlil: private redaction mapping -> {}", path.display());
    }
    let counts = project.finish()?;
    eprintln!(
        "tamlil: {} interviews, {} codings -> {}",
        counts.sources,
        counts.codings,
        args.out.display()
    );
    Ok(())
}

/// `tamlil codebook export --qdc`: writes `file` (default: the embedded codebook) as a .qdc.
pub fn codebook_to_qdc(file: Option<&std::path::Path>, out: &std::path::Path) -> Result<()> {
    let cb = match file {
        Some(f) => crate::codebook::load(f)?,
        None => crate::codebook::default_codebook(),
    };
    crate::qda::qdc::write_qdc(&cb, out)?;
    eprintln!(
        "tamlil: {} codes in {} families -> {}",
        cb.codes.len(),
        cb.families.len(),
        out.display()
    );
    Ok(())
}

/// `tamlil codebook import`: writes the code tree of a .qdc (or .qdpx) as a TOML
/// codebook skeleton; an existing `out` is kept unless `force`.
pub fn qdc_to_codebook(file: &std::path::Path, out: &std::path::Path, force: bool) -> Result<()> {
    if out.exists() && !force {
        return Err(crate::error::InputError::with_kind(
            crate::error::Kind::CantCreate,
            out,
            "already exists; choose another --out or add --force to replace it",
        )
        .into());
    }
    let (toml, families, codes) = crate::qda::qdc::import_file(file)?;
    crate::output::write_atomic(out, toml.as_bytes())?;
    eprintln!(
        "tamlil: {codes} codes in {families} families -> {} (add terms to each code without \
         sub-codes, then run `tamlil codebook check {}`)",
        out.display(),
        out.display()
    );
    Ok(())
}
