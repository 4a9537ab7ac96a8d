//! `tamlil run`: the whole job on a corpus: segment, code, tally, chart, report.

use super::redaction::{self, RedactArgs};
use super::segment::SegmentArgs;
use crate::corpus::{self, labels::ValueLabels};
use crate::job::{self, JobConfig};
use crate::output::{AtomicFile, StagedDir};
use crate::pipeline;
use crate::report::charts::Lang;
use crate::review::{Conflict, Review};
use crate::tally::stats::DEFAULT_PERMUTATIONS;
use anyhow::Result;
use std::path::PathBuf;

/// Run the whole analysis: transcripts -> units -> codings -> tables, statistics,
/// charts, an HTML report.
///
/// With no arguments, runs on the bundled synthetic sample (`data-sample/`) with
/// the default rights-realization codebook and writes everything into `out/`:
/// units.csv, codings.csv, tables/ (CSV and Parquet), stats.json, charts/ (SVG and
/// PNG), report.html, project.qdpx (for MAXQDA, ATLAS.ti, NVivo) and run.json. The
/// output folder is replaced only when the run succeeds, so a failed run leaves the
/// previous results as they were. A cache beside it (OUT.cache) lets a re-run skip
/// the transcripts that did not change.
///
/// Example:
///
///   tamlil run --corpus interviews/ --manifest interviews/manifest.csv \
///              --codebook my-codebook.toml --by sector --by gender --out results/
#[derive(clap::Args, Debug)]
pub struct Args {
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
    /// Output folder (replaced as a whole when the run succeeds).
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub seg: SegmentArgs,
    /// Manifest attribute to group tables and tests by; repeat for several. The
    /// first one is used for the charts and the quotes.
    #[arg(long = "by", value_name = "ATTRIBUTE", default_value = "sector")]
    pub by: Vec<String>,
    /// Language of labels in the charts and the report.
    #[arg(long, value_enum, default_value_t = LangArg::He)]
    pub lang: LangArg,
    /// Labels for attributes and their values (CSV: attribute,value,label_he,label_en);
    /// default: DIR/labels.csv if present.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Permutations for the interview-level tests.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PERMUTATIONS)]
    pub permutations: usize,
    /// Seed of the permutations.
    #[arg(long, value_name = "N", default_value_t = 20180101)]
    pub seed: u64,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,
    #[command(flatten)]
    pub redaction: RedactArgs,
    /// Cache folder: a re-run does not read, decode or segment an unchanged transcript
    /// again, nor code it again under the same codebook [default: OUT.cache beside
    /// OUT]. It holds the transcripts' text.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Read, segment and code every transcript afresh, with no cache.
    #[arg(long, conflicts_with = "cache")]
    pub no_cache: bool,
    /// Reviewed codings (CSV unit_id,code_id[,coder] or .qdpx, read as `tamlil agree`
    /// reads them): on every document a file covers, its codings replace tamlil's in
    /// every output; the report compares the two per code. Repeat or list several.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub reviewed: Vec<PathBuf>,
    /// When two reviewers code the same document differently: stop with an error,
    /// take the first one's coding (files in the order given), or the union of both.
    #[arg(long, value_enum, value_name = "RULE", default_value_t = Conflict::Error)]
    pub reviewed_conflict: Conflict,
}

/// Label language on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum LangArg {
    He,
    En,
}

/// A progress bar on a terminal (documents, throughput, time left); nothing when
/// standard error is piped or redirected.
fn progress_bar() -> Option<job::Progress> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} interviews  {msg}  ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    Some(Box::new(move |done, total, bytes| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!("{:.1} MB/s", bytes as f64 / 1e6 / secs));
        if done == total {
            bar.finish_and_clear();
        }
    }))
}

/// Named seconds as a JSON object, in their order.
fn seconds_json(named: &[(&'static str, f64)]) -> serde_json::Value {
    named
        .iter()
        .map(|&(k, v)| (k.to_string(), v.into()))
        .collect::<serde_json::Map<String, serde_json::Value>>()
        .into()
}

/// Runs `tamlil run`.
pub fn run(args: Args) -> Result<()> {
    pipeline::set_jobs(args.jobs);
    pipeline::stop_on_ctrl_c();
    let started = std::time::SystemTime::now();
    let mut clock = crate::timing::WallClock::new(std::time::Instant::now());
    let corpus_dir = args.corpus.clone().unwrap_or_else(job::default_corpus);
    let mut manifest = corpus::open_manifest(&corpus_dir, args.manifest.as_deref())?;
    let codebook = match &args.codebook {
        Some(p) => crate::codebook::load(p)?,
        None => crate::codebook::default_codebook(),
    };
    let labels_path = args.labels.clone().or_else(|| {
        let p = corpus_dir.join("labels.csv");
        p.is_file().then_some(p)
    });
    let labels = match &labels_path {
        Some(p) => ValueLabels::read(p)?,
        None => ValueLabels::default(),
    };
    if args.permutations == 0 {
        anyhow::bail!("--permutations must be at least 1");
    }
    let lang = if args.lang == LangArg::He {
        Lang::He
    } else {
        Lang::En
    };
    let placeholders = match lang {
        Lang::He => crate::redact::Lang::Hebrew,
        Lang::En => crate::redact::Lang::English,
    };
    let redactor = args.redaction.redactor(&mut manifest, placeholders)?;
    let mapping_path = match &redactor {
        Some(_) => Some(args.redaction.mapping_path(&args.out)?),
        None => None,
    };
    let cache_dir = match (&args.cache, args.no_cache) {
        (_, true) => None,
        (Some(d), false) => Some(d.clone()),
        (None, false) => Some(crate::output::beside(&args.out, ".cache")),
    };
    if let Some(d) = &cache_dir {
        let (d, out) = (
            crate::output::absolute(d),
            crate::output::absolute(&args.out),
        );
        if d.starts_with(&out) || out.starts_with(&d) {
            return Err(crate::error::InputError::with_kind(
                crate::error::Kind::CantCreate,
                &d,
                "the cache folder must be outside the output folder (it is replaced as a whole)",
            )
            .into());
        }
    }
    let mut cfg = JobConfig {
        manifest,
        codebook,
        seg: args.seg.options(),
        by: args.by.clone(),
        lang,
        labels,
        permutations: args.permutations,
        seed: args.seed,
        progress: progress_bar(),
        redactor,
        cache: None,
        review: None,
    };
    let staged = StagedDir::create(&args.out)?;
    // Opened once the output is known to be usable, so a refused run leaves nothing.
    cfg.cache = cache_dir
        .as_deref()
        .and_then(|d| crate::cache::Cache::open(d, &cfg.codebook.hash(), cfg.codebook.codes.len()));
    if !args.reviewed.is_empty() {
        let (units, auto) = job::automatic_coding(&cfg)?;
        let review = Review::load(
            &args.reviewed,
            &units,
            &auto,
            &cfg.codebook,
            args.reviewed_conflict,
        )?;
        for n in &review.notes {
            eprintln!("tamlil: {n}");
        }
        cfg.review = Some(review);
    }
    let summary = job::run_job(&cfg, staged.path(), &mut clock)?;
    // The cache is brought up to date before run.json is written, so the stage
    // timings cover it.
    if let Some(c) = &cfg.cache {
        c.finish();
    }
    clock.stop("cache");
    let seconds = seconds_json(&clock.seconds());
    let thread_seconds = seconds_json(&summary.document_seconds);
    let mut provenance = serde_json::json!({
        "tool": "tamlil",
        "version": env!("CARGO_PKG_VERSION"),
        "started_unix": started.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        "command": std::env::args().collect::<Vec<_>>(),
        "corpus": corpus_dir.display().to_string(),
        "manifest": cfg.manifest.path.as_ref().map(|p| p.display().to_string()),
        "labels": labels_path.map(|p| p.display().to_string()),
        "codebook": {
            "name": cfg.codebook.name,
            "path": cfg.codebook.path.display().to_string(),
            "sha256": cfg.codebook.hash(),
            "learned_model": cfg.codebook.learned.as_ref().map(|l| serde_json::json!({
                "path": l.path.display().to_string(),
                "sha256": l.sha256(),
                "adds_at": l.adds_at,
            })),
        },
        "options": {
            "segmentation": cfg.seg,
            "by": cfg.by,
            "lang": if cfg.lang == Lang::He { "he" } else { "en" },
            "permutations": cfg.permutations,
            "seed": cfg.seed,
            "threads": rayon::current_num_threads(),
        },
        // (written from `summary.inputs` by `write_provenance`: a file per interview)
        "inputs": null,
        "counts": {
            "documents": summary.documents,
            "units": summary.units,
            "interviewee_units": summary.interviewee_units,
            "interviewee_words": summary.words,
            "codings": summary.codings,
            "learned_codings": summary.learned_codings,
            "bytes": summary.bytes,
        },
        "redaction": mapping_path.as_ref().map(|p| serde_json::json!({
            "names_file": args.redaction.names.as_ref().map(|f| serde_json::json!({
                "file": f.display().to_string(),
                "sha256": std::fs::read(f).map(|b| crate::hash::sha256_hex(&b)).unwrap_or_default(),
            })),
            "names_column": args.redaction.names_column.as_deref().unwrap_or(redaction::DEFAULT_NAMES_COLUMN),
            "mapping": p.display().to_string(),
            "items": summary.redaction.as_ref().map(|m| m.len()).unwrap_or(0),
            "occurrences": summary.redaction.as_ref().map(|m| m.iter().map(|e| e.total()).sum::<usize>()).unwrap_or(0),
        })),
        "reviewed": cfg.review.as_ref().map(|r| serde_json::json!({
            "files": r.files.iter().map(|(p, h)| serde_json::json!({"file": p.display().to_string(), "sha256": h})).collect::<Vec<_>>(),
            "conflict": args.reviewed_conflict,
            "documents": r.documents,
        })),
        "guessed_interviewers": summary.guessed_interviewers.iter().map(|(d, l)| serde_json::json!({"document": d, "label": l})).collect::<Vec<_>>(),
        "cache": cfg.cache.as_ref().map(|c| serde_json::json!({
            "dir": c.dir().display().to_string(),
            "counts": c.stats(),
        })),
        "seconds": seconds,
        "document_thread_seconds": thread_seconds,
    });
    write_provenance(
        &staged.path().join("run.json"),
        &provenance,
        &summary.inputs,
    )?;
    if let (Some(path), Some(entries)) = (&mapping_path, &summary.redaction) {
        redaction::write_mapping(path, entries)?;
    }
    staged.commit()?;
    // Writing run.json and moving the outputs into place (which removes the previous
    // ones: a large folder takes a while) come after the run.json just written: it
    // is replaced by one whose stages cover them too. Should that fail, the first
    // one stands.
    clock.stop("commit");
    provenance["seconds"] = seconds_json(&clock.seconds());
    if let Err(e) = write_provenance(&args.out.join("run.json"), &provenance, &summary.inputs) {
        eprintln!("tamlil: warning: run.json keeps the timings without the last stage: {e}");
    }
    if let Some(r) = &cfg.review {
        eprintln!(
            "tamlil: {} of {} interviews reviewed ({}); their codings replace tamlil's",
            r.documents.len(),
            summary.documents,
            r.coding.name
        );
    }
    eprintln!(
        "tamlil: {} interviews, {} units ({} interviewee), {} codings -> {}",
        summary.documents,
        summary.units,
        summary.interviewee_units,
        summary.codings,
        args.out.display()
    );
    if let (Some(path), Some(entries)) = (&mapping_path, &summary.redaction) {
        eprintln!(
            "tamlil: {} identifiers redacted ({} distinct); private mapping -> {} (keep it as safe as the transcripts)",
            entries.iter().map(|e| e.total()).sum::<usize>(),
            entries.len(),
            path.display()
        );
    }
    Ok(())
}

/// Writes run.json to `path` (atomically): `fields`, an object, with its `inputs`
/// taken from `inputs` (file, SHA-256) as they are written rather than made into
/// JSON values first, as a large corpus has tens of thousands.
fn write_provenance(
    path: &std::path::Path,
    fields: &serde_json::Value,
    inputs: &[(String, String)],
) -> Result<()> {
    use serde::ser::{SerializeMap, Serializer};
    use std::io::Write;
    struct Provenance<'a>(&'a serde_json::Value, &'a [(String, String)]);
    #[derive(serde::Serialize)]
    struct Input<'a> {
        file: &'a str,
        sha256: &'a str,
    }
    struct Inputs<'a>(&'a [(String, String)]);
    impl serde::Serialize for Inputs<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(|(file, sha256)| Input { file, sha256 }))
        }
    }
    impl serde::Serialize for Provenance<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let fields = self.0.as_object().expect("run.json is an object");
            let mut m = s.serialize_map(Some(fields.len()))?;
            for (k, v) in fields {
                if k == "inputs" {
                    m.serialize_entry(k, &Inputs(self.1))?;
                } else {
                    m.serialize_entry(k, v)?;
                }
            }
            m.end()
        }
    }
    let mut file = AtomicFile::create(path)?;
    serde_json::to_writer_pretty(file.writer(), &Provenance(fields, inputs))
        .map_err(std::io::Error::from)
        .and_then(|()| file.writer().write_all(b"\n"))
        .map_err(|e| crate::error::InputError::cannot_write(path, e))?;
    file.commit()
}
