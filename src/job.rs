//! The main job wired together: documents -> units -> codings -> tallies -> tables, stats, charts, report.

use crate::cache::Cache;
use crate::codebook::Codebook;
use crate::coded::{CoderCodings, Target, UnitRow, UnitTable};
use crate::coding::{Coder, Coding, CodingRows, CodingWriter, SeqUnit, UnitContext};
use crate::corpus::labels::ValueLabels;
use crate::corpus::{self, Entry, Manifest};
use crate::output::{AtomicFile, write_atomic};
use crate::pipeline;
use crate::qda::project::SourceXml;
use crate::qda::{PreparedSource, ProjectWriter};
use crate::redact::{Detection, MappingEntry, Redactor};
use crate::report::build::{self, ReportContext};
use crate::report::charts::Lang;
use crate::review::{self, Review};
use crate::tally::analysis::{self, AnalysisOptions, ContinuumSpec};
use crate::tally::quotes::{Quote, QuoteBook};
use crate::tally::spec::AnalysisSpec;
use crate::tally::{CodeSpec, CodeTree, Tally};
use crate::text::units::segment_document;
use crate::text::{Role, SegmentOptions, Unit};
use crate::timing::{Stage, StageClock, WallClock};
use crate::unitfile::UnitWriter;
use anyhow::Result;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Everything the main job needs.
pub struct JobConfig {
    pub manifest: Manifest,
    pub codebook: Codebook,
    pub seg: SegmentOptions,
    /// Attributes to group by (at least one; the first one drives charts and quotes).
    pub by: Vec<String>,
    pub lang: Lang,
    pub labels: ValueLabels,
    pub permutations: usize,
    pub seed: u64,
    /// Called after each document with (documents done, documents in all, bytes read).
    pub progress: Option<Progress>,
    /// Pseudonymises every output when set (coding still runs on the original text).
    pub redactor: Option<Redactor>,
    /// Reuses the reading, segmentation and coding of unchanged documents.
    pub cache: Option<Cache>,
    /// The reviewed coding that replaces tamlil's on the documents it covers.
    pub review: Option<Review>,
}

/// A progress callback: (documents done, documents in all, bytes read).
pub type Progress = Box<dyn Fn(usize, usize, u64) + Sync>;

/// Counts and stage timings of a finished job.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JobSummary {
    pub documents: usize,
    pub units: usize,
    pub interviewee_units: u64,
    pub words: u64,
    pub codings: usize,
    /// The automatic codings the codebook's learned model added.
    pub learned_codings: usize,
    pub bytes: u64,
    /// Thread seconds of each per-document stage, summed over the worker threads.
    pub document_seconds: Vec<(&'static str, f64)>,
    /// Input files with their sha256, in manifest order.
    pub inputs: Vec<(String, String)>,
    /// The placeholders given and what they replaced, when redacting (private: never
    /// to be written inside the output folder).
    pub redaction: Option<Vec<MappingEntry>>,
    /// Interviews whose interviewer no label named, with the label taken for the
    /// interviewer (see [`crate::text::turns`]), in manifest order.
    pub guessed_interviewers: Vec<(String, String)>,
}

/// One document after the per-document stages.
pub struct DocResult {
    /// The decoded text (the units' offsets count its characters).
    pub text: String,
    pub units: Vec<Unit>,
    /// The codings of each unit (empty for units not coded: every role but the interviewee's).
    pub codings: Vec<Vec<Coding>>,
    pub bytes: u64,
    pub sha256: String,
    /// The identifiers found in `text`, when redacting.
    pub detection: Option<Detection>,
}

impl DocResult {
    /// Replaces the identifiers found in the text with `redactor`'s placeholders and
    /// carries the units and codings over to the redacted text (call in corpus order).
    pub fn redact(&mut self, redactor: &mut Redactor, doc_id: &str) {
        if let Some(det) = self.detection.take() {
            self.text = crate::redact::redact_document(
                redactor,
                doc_id,
                &self.text,
                &det,
                &mut self.units,
                &mut self.codings,
            );
        }
    }
}

/// The per-document stages: read and decode the transcript of `entry`, cut it into
/// units, code its interviewee units with `coder` (attributes named by
/// `attributes`, aligned with the entry's values), and find the identifiers to
/// redact when a `detector` is given. With a `cache`, an unchanged transcript is not
/// read, decoded or segmented again, and is not coded again under the same codebook.
pub fn process_document(
    entry: &Entry,
    coder: &Coder,
    attributes: &[String],
    seg: &SegmentOptions,
    detector: Option<&Redactor>,
    cache: Option<&Cache>,
    clock: Option<&StageClock>,
) -> Result<DocResult> {
    let mut lap = crate::timing::Lap::new(clock);
    let read =
        || std::fs::read(&entry.path).map_err(|e| crate::error::InputError::open(&entry.path, &e));
    // An unchanged file is known by its metadata and not read at all.
    let (sha256, bytes, mut raw) = match cache.and_then(|c| c.known_file(&entry.path)) {
        Some((sha, size)) => (sha, size, None),
        None => {
            let raw = read()?;
            let sha = crate::hash::sha256_hex(&raw);
            if let Some(c) = cache {
                c.note_file(&entry.path, &sha);
            }
            (sha, raw.len() as u64, Some(raw))
        }
    };
    lap.stop(Stage::Read);
    let seg_key = Cache::segment_key(entry, &sha256, seg);
    let (text, units) = match cache.and_then(|c| c.load_segmentation(&seg_key, &entry.id)) {
        Some(hit) => (hit.text, hit.units),
        None => {
            let raw = match raw.take() {
                Some(r) => r,
                None => read()?,
            };
            let doc = corpus::document_from_bytes(entry, &raw)?;
            lap.stop(Stage::Read);
            let units = segment_document(&doc.id, &doc.text, &entry.interviewer_labels, seg);
            if let Some(c) = cache {
                c.store_segmentation(&seg_key, &doc.text, &units);
            }
            (doc.text, units)
        }
    };
    lap.stop(Stage::Segment);
    let pairs: Vec<(&str, &str)> = attributes
        .iter()
        .map(String::as_str)
        .zip(entry.attrs.iter().map(String::as_str))
        .collect();
    let code_key = cache.map(|c| (c, c.coding_key(&seg_key, &pairs)));
    let codings = match code_key
        .as_ref()
        .and_then(|(c, k)| c.load_codings(k, units.len()))
    {
        Some(hit) => hit,
        None => {
            let seq: Vec<SeqUnit> = units
                .iter()
                .map(|u| SeqUnit {
                    text: &u.text,
                    ctx: UnitContext {
                        role: Some(u.role),
                        attrs: &pairs,
                    },
                    turn: u.turn,
                })
                .collect();
            let mut codings: Vec<Vec<Coding>> = Vec::new();
            crate::coding::with_thread_scratch(|s| coder.code_sequence(&seq, s, &mut codings));
            // Only the interviewees' speech is coded, whatever the codebook's roles.
            for (u, c) in units.iter().zip(codings.iter_mut()) {
                if u.role != Role::Interviewee {
                    c.clear();
                }
            }
            if let Some((c, k)) = &code_key {
                c.store_codings(k, &codings);
            }
            codings
        }
    };
    lap.stop(Stage::Code);
    let detection = detector.map(|d| d.detect(&text));
    lap.stop(Stage::Redact);
    Ok(DocResult {
        text,
        units,
        codings,
        bytes,
        sha256,
        detection,
    })
}

/// The units of the corpus and tamlil's automatic coding of their interviewee
/// units, as `tamlil agree` reads a units table and a coder: what reviewed files
/// are read against. The per-document stages run as in [`run_job`] (which then
/// finds them in the cache, when there is one), pseudonymised the same way, so
/// the units are those of the outputs a reviewer worked on.
pub fn automatic_coding(cfg: &JobConfig) -> Result<(UnitTable, CoderCodings)> {
    let coder = Coder::new(&cfg.codebook)?;
    let detector = cfg.redactor.clone();
    let mut redactor = cfg.redactor.clone();
    let mut rows = Vec::new();
    let mut codings = BTreeSet::new();
    pipeline::process_corpus(
        &cfg.manifest,
        pipeline::default_chunk(),
        |_, entry| {
            process_document(
                entry,
                &coder,
                &cfg.manifest.attributes,
                &cfg.seg,
                detector.as_ref(),
                cfg.cache.as_ref(),
                None,
            )
        },
        |_, entry, mut r| {
            if let Some(rd) = redactor.as_mut() {
                r.redact(rd, &entry.id);
            }
            for (u, cs) in r.units.into_iter().zip(r.codings) {
                if u.role == Role::Interviewee {
                    codings.extend(cs.iter().map(|c| (rows.len(), Target::Code(c.code))));
                }
                rows.push(UnitRow {
                    unit_id: u.unit_id,
                    doc_id: u.doc_id,
                    role: u.role.as_str().to_string(),
                    turn: u.turn,
                    start: u.start,
                    end: u.end,
                    text: u.text,
                    attrs: Vec::new(),
                });
            }
            Ok(())
        },
    )?;
    let auto = CoderCodings {
        name: crate::qda::project::USER_NAME.to_string(),
        source: PathBuf::from("codings.csv"),
        covered: None,
        codings,
    };
    Ok((UnitTable::from_rows(Vec::new(), rows), auto))
}

/// The attributes the tables and tests can use: the manifest's, and
/// `coding_source` (reviewed / auto) when documents were reviewed or it is asked for.
fn tally_attributes(cfg: &JobConfig) -> Result<Vec<String>> {
    let mut names = cfg.manifest.attributes.clone();
    let wanted = cfg.review.is_some() || cfg.by.iter().any(|b| b == review::SOURCE_ATTRIBUTE);
    if wanted {
        if names.iter().any(|a| a == review::SOURCE_ATTRIBUTE) {
            anyhow::bail!(
                "the manifest has a column {:?}, the attribute tamlil adds to say whether an interview's coding was reviewed; rename the column",
                review::SOURCE_ATTRIBUTE
            );
        }
        names.push(review::SOURCE_ATTRIBUTE.to_string());
    }
    Ok(names)
}

/// Where the coding of document `doc_id` comes from: `reviewed` or `auto`.
fn coding_source(cfg: &JobConfig, doc_id: &str) -> &'static str {
    match &cfg.review {
        Some(r) if r.covers(doc_id) => review::REVIEWED,
        _ => review::AUTO,
    }
}

/// One document's rows of units.csv and codings.csv and its parts of the project
/// (text and XML, compressed), made on a worker thread.
struct Formatted {
    units: Vec<u8>,
    unit_rows: usize,
    codings: Vec<u8>,
    coding_rows: usize,
    project: PreparedSource,
}

/// Formats the outputs of document `entry` (its reviewed codings already in `r`).
fn format_document(
    cfg: &JobConfig,
    xml: &SourceXml,
    entry: &Entry,
    r: &DocResult,
) -> Result<Formatted> {
    let mut units = Vec::new();
    let unit_rows = crate::unitfile::document_rows(&r.units, &entry.attrs, &mut units);
    let source = coding_source(cfg, &entry.id);
    let mut rows = CodingRows::new(&cfg.codebook);
    for (u, cs) in r.units.iter().zip(&r.codings) {
        if u.role == Role::Interviewee {
            rows.unit(&u.unit_id, &u.text, cs, source)?;
        }
    }
    let (codings, coding_rows) = rows.take();
    let reviewer = cfg.review.as_ref().and_then(|rv| rv.reviewer_of(&entry.id));
    let user = reviewer.map_or_else(
        crate::qda::project::user_guid,
        crate::qda::project::reviewer_guid,
    );
    let mut s = String::new();
    let selections = xml.text_source(&entry.id, &entry.attrs, &user, &r.units, &r.codings, &mut s);
    let project = PreparedSource::new(&entry.id, &r.text, &s, selections)?;
    Ok(Formatted {
        units,
        unit_rows,
        codings,
        coding_rows,
        project,
    })
}

/// Runs the job, writing every output into `out` (an empty folder). `clock` has
/// timed the run's start; the job's stages are added to it.
pub fn run_job(cfg: &JobConfig, out: &Path, clock: &mut WallClock) -> Result<JobSummary> {
    let attr_names = tally_attributes(cfg)?;
    let with_source = attr_names.len() > cfg.manifest.attributes.len();
    let doc_attrs = |e: &Entry| -> Vec<String> {
        let mut a = e.attrs.clone();
        if with_source {
            a.push(coding_source(cfg, &e.id).to_string());
        }
        a
    };
    let by: Vec<(String, usize)> = cfg
        .by
        .iter()
        .map(|a| {
            attr_names
                .iter()
                .position(|n| n == a)
                .map(|i| (a.clone(), i))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--by {a}: the manifest has no such column (its attributes: {})",
                        if attr_names.is_empty() {
                            "none".to_string()
                        } else {
                            attr_names.join(", ")
                        }
                    )
                })
        })
        .collect::<Result<_>>()?;
    let coder = Coder::new(&cfg.codebook)?;
    let tree = code_tree(&cfg.codebook);
    let code_nodes: Vec<usize> = tree
        .code_of_node
        .iter()
        .map(|c| c.unwrap_or(usize::MAX))
        .collect();
    let quote_codes = tree.nodes.len();
    let mut tally = Tally::new(tree);
    let first_by = by.first().map(|b| b.1);
    let mut group_index: HashMap<String, usize> = HashMap::new();
    let mut group_values: Vec<String> = Vec::new();
    for e in &cfg.manifest.entries {
        let v = first_by
            .map(|i| doc_attrs(e)[i].clone())
            .unwrap_or_default();
        if !group_index.contains_key(&v) {
            group_index.insert(v.clone(), group_values.len());
            group_values.push(v);
        }
    }
    let mut quotes = QuoteBook::new(quote_codes, group_values.len(), 3);

    let mut units_out = UnitWriter::create(&out.join("units.csv"), &cfg.manifest)?;
    let mut codings_out = CodingWriter::create(&out.join("codings.csv"), &cfg.codebook)?;
    let reviewers: Vec<String> = cfg
        .review
        .as_ref()
        .map(|r| r.reviewers())
        .unwrap_or_default();
    let mut project = ProjectWriter::create_with_users(
        &out.join("project.qdpx"),
        &crate::qda::project::project_name(&cfg.manifest, &cfg.codebook),
        &cfg.codebook,
        &cfg.manifest,
        &reviewers,
    )?;
    let attributes = &cfg.manifest.attributes;
    let total_docs = cfg.manifest.entries.len();
    let (mut docs, mut bytes, mut order) = (0usize, 0u64, 0u64);
    let mut learned_codings = 0usize;
    let mut inputs = Vec::with_capacity(total_docs);
    let mut guessed_interviewers = Vec::new();
    // Detection runs in parallel on a copy; placeholders are numbered in corpus order.
    let detector = cfg.redactor.clone();
    let mut redactor = cfg.redactor.clone();
    // Without redaction, which numbers placeholders in corpus order, each document's
    // outputs are formatted on the worker threads and only written in order here.
    let source_xml = cfg
        .redactor
        .is_none()
        .then(|| SourceXml::new(&cfg.codebook, &cfg.manifest));
    let doc_clock = StageClock::default();
    clock.stop("setup");
    pipeline::process_corpus(
        &cfg.manifest,
        pipeline::default_chunk(),
        |_, entry| {
            let mut r = process_document(
                entry,
                &coder,
                attributes,
                &cfg.seg,
                detector.as_ref(),
                cfg.cache.as_ref(),
                Some(&doc_clock),
            )?;
            let Some(xml) = &source_xml else {
                return Ok((r, None));
            };
            let t = Instant::now();
            if let Some(rv) = cfg.review.as_ref().filter(|rv| rv.covers(&entry.id)) {
                rv.replace(&r.units, &mut r.codings);
            }
            let f = format_document(cfg, xml, entry, &r)?;
            doc_clock.add(Stage::Format, t.elapsed().as_nanos() as u64);
            Ok((r, Some(f)))
        },
        |_, entry, (mut r, formatted)| {
            let guessed = guessed_unit(&r.units, &entry.interviewer_labels);
            if let Some(rd) = redactor.as_mut() {
                r.redact(rd, &entry.id);
            }
            if let Some(i) = guessed {
                let label = &r.units[i].speaker;
                eprintln!(
                    "tamlil: warning: {}: no speaker label says who the interviewer is; took {label:?}, who mostly asks questions (name the interviewer's label, or -, in the manifest's interviewer column to decide)",
                    entry.id
                );
                guessed_interviewers.push((entry.id.clone(), label.clone()));
            }
            // A document the worker formatted has its codings rows written already.
            let from_worker = formatted.is_some();
            match formatted {
                Some(f) => {
                    units_out.write_rows(&f.units, f.unit_rows)?;
                    codings_out.write_rows(&f.codings, f.coding_rows)?;
                    project.add_prepared(f.project)?;
                }
                None => {
                    let source = coding_source(cfg, &entry.id);
                    if let Some(rv) = cfg.review.as_ref().filter(|rv| rv.covers(&entry.id)) {
                        rv.replace(&r.units, &mut r.codings);
                    }
                    codings_out.set_source(source);
                    units_out.write_document(&r.units, &entry.attrs)?;
                    project.set_user(cfg.review.as_ref().and_then(|rv| rv.reviewer_of(&entry.id)));
                    project.add_document(&entry.id, &entry.attrs, &r.text, &r.units, &r.codings)?;
                }
            }
            let attrs = doc_attrs(entry);
            tally.begin_doc(&entry.id, &attrs);
            let group = first_by.map(|i| group_index[&attrs[i]]).unwrap_or(0);
            let mut codes = Vec::new();
            for (u, cs) in r.units.iter().zip(&r.codings) {
                order += 1;
                if u.role != Role::Interviewee {
                    continue;
                }
                if !from_worker {
                    codings_out.write_unit(&u.unit_id, &u.text, cs)?;
                }
                codes.clear();
                codes.extend(cs.iter().map(|c| c.code));
                tally.add_unit(u.n_words, &codes);
                learned_codings += cs.iter().filter(|c| c.learned).count();
                // Quotes show the rules' codings, whose evidence a reader can check.
                for c in cs.iter().filter(|c| !c.learned) {
                    let node = code_nodes[tally.tree.node_of_code[c.code]];
                    if node != usize::MAX && quotes.wants(node, group, c.score, u.n_words, order) {
                        quotes.offer(
                            node,
                            group,
                            Quote {
                                unit_id: u.unit_id.clone(),
                                doc_id: u.doc_id.clone(),
                                start: u.start,
                                end: u.end,
                                text: u.text.clone(),
                                evidence: cs
                                    .iter()
                                    .filter(|o| code_nodes[tally.tree.node_of_code[o.code]] == node)
                                    .flat_map(|o| o.evidence.iter().map(|e| (e.start, e.end)))
                                    .collect(),
                                score: c.score,
                                n_words: u.n_words,
                                order,
                            },
                        );
                    }
                }
            }
            docs += 1;
            bytes += r.bytes;
            inputs.push((entry.path.display().to_string(), r.sha256));
            if let Some(p) = &cfg.progress {
                p(docs, total_docs, bytes);
            }
            Ok(())
        },
    )?;
    clock.stop("documents");
    // The outputs are finished (flushed, synced, the project's XML copied into its
    // zip) on a thread of their own while the statistics and tables are worked out:
    // the one waits mostly for the disk, the others for the processors.
    let (finished, analysed) = std::thread::scope(|sc| {
        let finishing = sc.spawn(move || -> Result<(usize, usize)> {
            let units = units_out.finish()?;
            let codings = codings_out.finish()?;
            project.finish()?;
            Ok((units, codings))
        });
        let analysed = analyse_and_tabulate(cfg, out, &tally, &attr_names, &by, clock);
        let finished = finishing
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (finished, analysed)
    });
    let (units, codings) = finished?;
    let (result, opts) = analysed?;
    clock.stop("finish_outputs");

    pipeline::check_interrupted()?;
    let charts_dir = out.join("charts");
    create_dir(&charts_dir)?;
    let ctx = ReportContext {
        codebook: &cfg.codebook,
        tally: &tally,
        analysis: &result,
        quotes: &quotes,
        quote_groups: &group_values,
        by: &by,
        labels: &cfg.labels,
        lang: cfg.lang,
        continua: &opts.continua,
        seg: &cfg.seg,
        units,
        codings,
        learned_codings,
        review: cfg.review.as_ref(),
        documents: cfg.manifest.entries.len(),
    };
    let charts = build::charts(&ctx, &charts_dir)?;
    clock.stop("charts");
    let page = build::page(&ctx, charts)?;
    let mut html = AtomicFile::create(&out.join("report.html"))?;
    page.write_to(&mut html)?;
    html.commit()?;
    clock.stop("report");
    Ok(JobSummary {
        documents: docs,
        units,
        interviewee_units: tally.docs.iter().map(|d| d.units).sum(),
        words: tally.docs.iter().map(|d| d.words).sum(),
        codings,
        learned_codings,
        bytes,
        document_seconds: doc_clock.seconds(),
        inputs,
        redaction: redactor.map(|r| r.mapping().to_vec()),
        guessed_interviewers,
    })
}

/// The statistics of the tally (stage `statistics`), its tables (CSV and Parquet,
/// each written as soon as it is made) and stats.json in `out` (stage `tables`).
fn analyse_and_tabulate(
    cfg: &JobConfig,
    out: &Path,
    tally: &Tally,
    attr_names: &[String],
    by: &[(String, usize)],
    clock: &mut WallClock,
) -> Result<(analysis::Analysis, AnalysisOptions)> {
    pipeline::check_interrupted()?;
    let spec = AnalysisSpec::from_codebook_source(&cfg.codebook.source)?;
    let opts = AnalysisOptions {
        by: by.to_vec(),
        mix_family: spec.mix_family.clone(),
        continua: continua(&spec, &tally.tree),
        permutations: cfg.permutations,
        seed: cfg.seed,
    };
    let tables_dir = out.join("tables");
    create_dir(&tables_dir)?;
    // Each table is written, then dropped, as the analysis makes it: on a thread of
    // its own, which takes a table when it has written the one before, so the next
    // is worked out meanwhile. The `statistics` stage is the analysis (with those
    // writes beside it), `tables` the writing still to do when it ends.
    let (result, written) = std::thread::scope(|sc| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<crate::tally::table::Table>(0);
        let dir = tables_dir.as_path();
        let writer = sc.spawn(move || -> Result<()> {
            for t in rx {
                write_table(dir, t)?;
            }
            Ok(())
        });
        let result = analysis::analyse(tally, attr_names, &opts, |t| {
            // The writer is gone only when it failed: its error is the one told.
            tx.send(t)
                .map_err(|_| anyhow::anyhow!("the tables could not be written"))
        });
        drop(tx);
        clock.stop("statistics");
        let written = writer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (result, written)
    });
    written?;
    let result = result?;
    let trust = cfg
        .review
        .as_ref()
        .map(|rv| review::trust::table(&rv.trust));
    if let Some(t) = &trust {
        write_table(&tables_dir, t.clone())?;
    }
    let stats = serde_json::json!({
        "permutations": cfg.permutations,
        "key_mix_interval": "95% Student t on interview shares, clipped to [0, 1]",
        "seed": cfg.seed,
        "tests": result.tests,
        "key_mix": result.mix,
    });
    write_atomic(
        &out.join("stats.json"),
        (serde_json::to_string_pretty(&stats)? + "\n").as_bytes(),
    )?;
    clock.stop("tables");
    Ok((result, opts))
}

/// Writes table `t` into `dir` as CSV and Parquet.
fn write_table(dir: &Path, t: crate::tally::table::Table) -> Result<()> {
    let csv = dir.join(format!("{}.csv", t.name));
    let mut file = AtomicFile::create(&csv)?;
    // (A failed write names the file already: the file's writer says which.)
    t.write_csv(&mut file)?;
    file.commit()?;
    let path = dir.join(format!("{}.parquet", t.name));
    crate::tally::parquet::write_parquet(&path, t)
}

/// The first unit of a guessed interviewer (see [`crate::text::turns::guessed_interviewer`]).
fn guessed_unit(units: &[Unit], extra: &[String]) -> Option<usize> {
    let label = crate::text::turns::guessed_interviewer(units, extra)?;
    units.iter().position(|u| u.speaker == label)
}

fn create_dir(p: &Path) -> Result<()> {
    std::fs::create_dir_all(p).map_err(|e| {
        crate::error::InputError::with_kind(
            crate::error::Kind::CantCreate,
            p,
            format!("cannot create: {e}"),
        )
        .into()
    })
}

/// The tally's code tree from a codebook.
pub fn code_tree(cb: &Codebook) -> CodeTree {
    let specs: Vec<CodeSpec> = cb
        .codes
        .iter()
        .map(|c| CodeSpec {
            id: c.id.clone(),
            family: c.family.clone(),
            parent: c.parent.clone(),
            label_he: c.label_he.clone(),
            label_en: c.label_en.clone(),
            color: c.color.clone(),
        })
        .collect();
    let fams = cb
        .families
        .iter()
        .map(|f| (f.id.clone(), (f.label_he.clone(), f.label_en.clone())))
        .collect();
    CodeTree::new(&specs, &fams)
}

/// The role continua the codebook declares, as tree nodes.
fn continua(spec: &AnalysisSpec, tree: &CodeTree) -> Vec<ContinuumSpec> {
    spec.continua
        .iter()
        .filter_map(|c| {
            Some(ContinuumSpec {
                id: c.id.clone(),
                label_he: c.label_he.clone(),
                label_en: c.label_en.clone(),
                left: tree.find(&c.left)?,
                right: tree.find(&c.right)?,
            })
        })
        .collect()
}

/// The default corpus folder when none is given.
pub fn default_corpus() -> PathBuf {
    let here = Path::new("data-sample");
    if here.is_dir() {
        return here.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample")
}
