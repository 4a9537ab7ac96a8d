//! `tamlil code`: code pre-segmented units from a CSV.

use crate::codebook::{self, Codebook};
use crate::coding::{Coder, Coding, CodingWriter, SeqUnit, UnitContext};
use crate::error::InputError;
use crate::pipeline;
use crate::text::Role;
use crate::unitfile::records::{Record, Records};
use anyhow::Result;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Code pre-segmented units (a CSV with `id,text` and any attribute columns).
///
/// The units file needs an id column (`id` or `unit_id`) and a `text` column. A
/// `role` column (interviewer / interviewee / other), if present, is respected:
/// the default codebook codes interviewee units only (and units of unknown role).
/// Every other column is a document attribute that codebook rules can require or
/// forbid (e.g. `sector`). Writes one row per (unit, code):
/// `unit_id,code_id,family,score,evidence,source`, where evidence lists the matched
/// words as `start-end:word` with character offsets into the unit text. Example:
///
///   tamlil code --units answers.csv --codebook my-codebook.toml --out codings.csv
#[derive(clap::Args, Debug)]
pub struct Args {
    /// CSV of units: id (or unit_id), text, and any attribute columns.
    #[arg(long, value_name = "FILE")]
    pub units: PathBuf,
    /// Codebook (.toml or .csv); default: the embedded rights-realization codebook.
    #[arg(long, value_name = "FILE")]
    pub codebook: Option<PathBuf>,
    /// Where to write the codings.
    #[arg(long, value_name = "FILE", default_value = "codings.csv")]
    pub out: PathBuf,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,
}

/// Runs `tamlil code`.
pub fn run(args: Args) -> Result<()> {
    pipeline::set_jobs(args.jobs);
    let cb = match &args.codebook {
        Some(p) => codebook::load(p)?,
        None => codebook::default_codebook(),
    };
    let (units, rows) = code_file(&args.units, &cb, &args.out)?;
    eprintln!(
        "tamlil: {units} units, {rows} codings ({} codes) -> {}",
        cb.codes.len(),
        args.out.display()
    );
    Ok(())
}

/// One unit read from the CSV: its fields as byte ranges into its [`Chunk`]'s text.
struct Row {
    id: std::ops::Range<usize>,
    text: std::ops::Range<usize>,
    role: Option<Role>,
    /// The document (from `doc_id`), empty when the file has no such column.
    doc: std::ops::Range<usize>,
    /// The speaker turn (from `turn`), 0 when the file has no such column.
    turn: u32,
    /// The attribute values: a range of [`Chunk::attrs`].
    attrs: std::ops::Range<usize>,
}

/// Units read from the CSV, their fields held in one buffer.
#[derive(Default)]
struct Chunk {
    buf: String,
    /// Attribute values of every row (byte ranges of `buf`), row after row.
    attrs: Vec<std::ops::Range<usize>>,
    rows: Vec<Row>,
}

impl Chunk {
    fn get(&self, r: &std::ops::Range<usize>) -> &str {
        &self.buf[r.clone()]
    }

    /// Appends `s` to the buffer and returns its range.
    fn push(&mut self, s: &str) -> std::ops::Range<usize> {
        let a = self.buf.len();
        self.buf.push_str(s);
        a..self.buf.len()
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// How many units are read, coded in parallel and written at a time.
const CHUNK: usize = 4096;

/// Codes the units of `units_path` with `cb` and writes `out` atomically; returns
/// the number of units and of codings written.
pub fn code_file(units_path: &Path, cb: &Codebook, out: &Path) -> Result<(usize, usize)> {
    let mut writer = CodingWriter::create(out, cb)?;
    let n_units = code_units(units_path, cb, |id, text, codings| {
        writer.write_unit(id, text, codings)
    })?;
    let rows = writer.finish()?;
    Ok((n_units, rows))
}

/// Codes the units of `units_path` with `cb`, as `tamlil code` does, handing each
/// unit's id, text and codings to `sink` in file order; returns the number of units.
pub fn code_units(
    units_path: &Path,
    cb: &Codebook,
    mut sink: impl FnMut(&str, &str, &[Coding]) -> Result<()> + Send,
) -> Result<usize> {
    let mut rdr = Records::open(units_path).map_err(|e| InputError::open(units_path, &e))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| InputError::at(units_path, 1, format!("bad CSV header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').trim().to_string())
        .collect();
    let find = |name: &str| headers.iter().position(|h| h == name);
    let id_col = find("id").or_else(|| find("unit_id")).ok_or_else(|| {
        InputError::at(
            units_path,
            1,
            format!(
                "missing column `id` (or `unit_id`); columns are: {}",
                headers.join(",")
            ),
        )
    })?;
    let text_col = find("text").ok_or_else(|| {
        InputError::at(
            units_path,
            1,
            format!("missing column `text`; columns are: {}", headers.join(",")),
        )
    })?;
    let role_col = find("role");
    let doc_col = find("doc_id");
    let turn_col = find("turn");
    let attr_cols: Vec<usize> = (0..headers.len())
        .filter(|&i| i != id_col && i != text_col && Some(i) != role_col)
        .filter(|&i| Some(i) != doc_col && Some(i) != turn_col)
        .collect();
    let attr_names: Vec<&str> = attr_cols.iter().map(|&i| headers[i].as_str()).collect();

    let coder = Coder::new(cb)?;
    let mut n_units = 0;
    // One record serves every row; it keeps the first row of the next chunk when
    // the current one is full (`pending`).
    let mut rec = Record::default();
    let mut pending = false;
    // Reads the next chunk: up to CHUNK units, ending between documents.
    let mut read_chunk = |mut chunk: Chunk| -> Result<Chunk> {
        chunk.buf.clear();
        chunk.attrs.clear();
        chunk.rows.clear();
        loop {
            if !std::mem::take(&mut pending) {
                let more = rdr.read(&mut rec).map_err(|e| {
                    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                    InputError::at(units_path, line, format!("bad CSV: {e}"))
                })?;
                if !more {
                    break;
                }
            }
            let line = rec.position().line() as usize;
            let all = record_text(&rec).map_err(|(line, e)| {
                InputError::at(units_path, line as usize, format!("bad CSV: {e}"))
            })?;
            let field = |i: usize| rec.range(i).and_then(|r| all.get(r)).unwrap_or("");
            let role = match role_col.map(field).map(str::trim) {
                None | Some("") => None,
                Some(r) => Some(Role::parse(r).ok_or_else(|| {
                    InputError::at(
                        units_path,
                        line,
                        format!("unknown role {r:?} (expected interviewer, interviewee or other)"),
                    )
                })?),
            };
            let turn = match turn_col.map(field).map(str::trim) {
                None | Some("") => 0,
                Some(t) => t.parse().map_err(|_| {
                    InputError::at(
                        units_path,
                        line,
                        format!("turn {t:?} is not a whole number"),
                    )
                })?,
            };
            let doc = doc_col.map(field).unwrap_or("");
            // A chunk ends between documents, so each document is coded whole.
            let full = chunk.len() >= CHUNK
                && (doc_col.is_none()
                    || chunk.rows.last().is_some_and(|r| chunk.get(&r.doc) != doc));
            if full {
                pending = true;
                break;
            }
            let doc = chunk.push(doc);
            let id = chunk.push(field(id_col));
            let text = chunk.push(field(text_col));
            let a = chunk.attrs.len();
            for &i in &attr_cols {
                let v = chunk.push(field(i));
                chunk.attrs.push(v);
            }
            chunk.rows.push(Row {
                id,
                text,
                role,
                doc,
                turn,
                attrs: a..chunk.attrs.len(),
            });
        }
        Ok(chunk)
    };
    let mut write = |chunk: &Chunk, coded: &[Vec<Coding>]| -> Result<()> {
        for (row, codings) in chunk.rows.iter().zip(coded) {
            sink(chunk.get(&row.id), chunk.get(&row.text), codings)?;
        }
        Ok(())
    };
    let mut chunk = read_chunk(Chunk::default())?;
    // The chunk coded last, with its codings: written while the next one is coded,
    // then its buffers take the chunk after that.
    let mut done: Option<(Chunk, Vec<Vec<Coding>>)> = None;
    while !chunk.is_empty() {
        let (coded, next) = rayon::join(
            || code_chunk(&coder, &chunk, doc_col.is_some(), &attr_names),
            || {
                let spare = match done.take() {
                    Some((c, coded)) => {
                        write(&c, &coded)?;
                        c
                    }
                    None => Chunk::default(),
                };
                read_chunk(spare)
            },
        );
        n_units += chunk.len();
        done = Some((std::mem::replace(&mut chunk, next?), coded));
    }
    if let Some((c, coded)) = done {
        write(&c, &coded)?;
    }
    Ok(n_units)
}

/// The text of `rec` (its fields one after the other: [`Record::range`]), checked
/// as UTF-8 with a SIMD validator; fails as reading the record into a
/// `csv::StringRecord` would, with the line and the message of the error.
fn record_text(rec: &Record) -> Result<&str, (u64, String)> {
    if let Ok(all) = simdutf8::basic::from_utf8(rec.as_slice())
        // Fields that are not UTF-8 can join into text that is: each must start
        // on a character.
        && (0..rec.len()).all(|i| rec.range(i).is_some_and(|r| all.is_char_boundary(r.start)))
    {
        return Ok(all);
    }
    let pos = rec.position().clone();
    let message = match csv::StringRecord::from_byte_record(rec.to_byte_record()) {
        Err(e) => {
            let e = e.utf8_error();
            format!(
                "CSV parse error: record {} (line {}, field: {}, byte: {}): {e}",
                pos.record(),
                pos.line(),
                e.field(),
                pos.byte()
            )
        }
        Ok(_) => "invalid UTF-8".to_string(),
    };
    Err((pos.line(), message))
}

/// Codes a chunk of units in parallel, document by document (`by_doc`: the rows
/// carry their document; otherwise each unit is a document of its own).
fn code_chunk(coder: &Coder, chunk: &Chunk, by_doc: bool, attr_names: &[&str]) -> Vec<Vec<Coding>> {
    // Units of one document are coded together (the context of a unit is its
    // document); a file without `doc_id` is one document per unit.
    let mut docs: Vec<&[Row]> = Vec::new();
    let mut rest = &chunk.rows[..];
    while let Some(first) = rest.first() {
        let n = if by_doc {
            let doc = chunk.get(&first.doc);
            rest.iter().take_while(|r| chunk.get(&r.doc) == doc).count()
        } else {
            1
        };
        docs.push(&rest[..n]);
        rest = &rest[n..];
    }
    docs.par_iter()
        .map(|rows| {
            // The attribute pairs of the rows, one list per distinct run of values
            // (a document's rows usually share theirs): ranges of `pairs`.
            let mut pairs: Vec<(&str, &str)> = Vec::new();
            let mut spans: Vec<std::ops::Range<usize>> = Vec::with_capacity(rows.len());
            for row in rows.iter() {
                let values = chunk.attrs[row.attrs.clone()].iter().map(|r| chunk.get(r));
                if let Some(last) = spans.last()
                    && pairs[last.clone()].iter().map(|p| p.1).eq(values.clone())
                {
                    spans.push(last.clone());
                    continue;
                }
                let a = pairs.len();
                pairs.extend(attr_names.iter().copied().zip(values));
                spans.push(a..pairs.len());
            }
            let seq: Vec<SeqUnit> = rows
                .iter()
                .zip(&spans)
                .map(|(row, span)| SeqUnit {
                    text: chunk.get(&row.text),
                    ctx: UnitContext {
                        role: row.role,
                        attrs: &pairs[span.clone()],
                    },
                    turn: row.turn,
                })
                .collect();
            let mut out = Vec::new();
            crate::coding::with_thread_scratch(|s| coder.code_sequence(&seq, s, &mut out));
            out
        })
        .flatten()
        .collect()
}
