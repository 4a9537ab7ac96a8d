//! Codings read back from files and the units they code, shared by agreement, the REFI-QDA reader and the review loop.
//!
//! The units table ([`UnitTable`]), what a coding names ([`Target`], looked up by
//! [`CodeNames`]), one coder's codings ([`CoderCodings`]) and how codings files
//! are read ([`ReadOptions`], [`Loaded`]). [`crate::agree`], [`crate::qda::import`]
//! and [`crate::review`] build on these; this module uses none of them.

use crate::codebook::Codebook;
use crate::error::InputError;
use anyhow::Result;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What a coding names: a code of the codebook or a whole family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// Index into `codebook.codes`.
    Code(usize),
    /// Index into `codebook.families`; counts for the family only.
    Family(usize),
}

/// Looks up codes of a codebook by id or by label.
#[derive(Debug, Clone, Copy)]
pub struct CodeNames<'a> {
    pub codebook: &'a Codebook,
}

impl<'a> CodeNames<'a> {
    /// Lookups in `codebook`.
    pub fn new(codebook: &'a Codebook) -> CodeNames<'a> {
        CodeNames { codebook }
    }

    /// The code with id `s`, else the family with id `s` (surrounding space ignored).
    pub fn by_id(&self, s: &str) -> Option<Target> {
        let s = s.trim();
        self.codebook.code_index(s).map(Target::Code).or_else(|| {
            self.codebook
                .families
                .iter()
                .position(|f| f.id == s)
                .map(Target::Family)
        })
    }

    /// The code whose Hebrew or English label is `s`, else such a family; `None`
    /// when no label or several different ones match.
    pub fn by_label(&self, s: &str) -> Option<Target> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let codes: Vec<usize> = (0..self.codebook.codes.len())
            .filter(|&i| {
                let c = &self.codebook.codes[i];
                c.label_he.trim() == s || c.label_en.trim() == s
            })
            .collect();
        if codes.len() == 1 {
            return Some(Target::Code(codes[0]));
        }
        if codes.len() > 1 {
            return None;
        }
        let fams: Vec<usize> = (0..self.codebook.families.len())
            .filter(|&i| {
                let f = &self.codebook.families[i];
                f.label_he.trim() == s || f.label_en.trim() == s
            })
            .collect();
        (fams.len() == 1).then(|| Target::Family(fams[0]))
    }

    /// The codebook's name, for messages.
    pub fn codebook_name(&self) -> &str {
        &self.codebook.name
    }
}

/// One coder's codings of the units of a [`UnitTable`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoderCodings {
    /// The coder's name (a `coder` column, a QDA user, or the file's stem).
    pub name: String,
    /// The file the codings were read from.
    pub source: PathBuf,
    /// The units (indices into the table) the coder covered; `None` = every unit.
    /// A covered unit without a coding is a unit the coder left uncoded; a unit
    /// not covered is missing data.
    pub covered: Option<BTreeSet<usize>>,
    /// (unit index, what it was coded with).
    pub codings: BTreeSet<(usize, Target)>,
}

impl CoderCodings {
    /// Whether the coder covered unit `u`.
    pub fn covers(&self, u: usize) -> bool {
        self.covered.as_ref().is_none_or(|c| c.contains(&u))
    }
}

/// One row of `units.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub unit_id: String,
    pub doc_id: String,
    /// The speaker's role (`interviewee`, `interviewer`, `other`); empty if the
    /// file has no role column.
    pub role: String,
    /// The speaker turn (units of one turn share it; 0 when the file has none).
    pub turn: u32,
    /// Character offsets into the document text (0 when the file has none).
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Values of [`UnitTable::attributes`], in that order.
    pub attrs: Vec<String>,
}

/// The units of `units.csv` (as `tamlil segment` and `tamlil run` write it), in file order.
#[derive(Debug, Clone, Default)]
pub struct UnitTable {
    /// The columns after the fixed ones: the documents' attributes.
    pub attributes: Vec<String>,
    pub units: Vec<UnitRow>,
    index: HashMap<String, usize>,
}

impl UnitTable {
    /// Reads a units CSV. It needs `unit_id` (or `id`) and `doc_id`; `role`,
    /// `start`, `end` and `text` are used when present; every column that is not
    /// one of tamlil's unit columns is an attribute.
    pub fn read(path: &Path) -> Result<UnitTable> {
        let file = std::fs::File::open(path).map_err(|e| InputError::open(path, &e))?;
        let mut rdr = csv::ReaderBuilder::new().from_reader(std::io::BufReader::new(file));
        // The physical line of a record, found in the file only when there is an error.
        let line_of = |pos: Option<&csv::Position>| match std::fs::read(path) {
            Ok(bytes) => physical_line(&bytes, pos),
            Err(_) => pos.map_or(0, |p| p.line() as usize),
        };
        let headers = clean_headers(path, &mut rdr)?;
        let find = |name: &str| headers.iter().position(|h| h == name);
        let id_col = find("unit_id").or_else(|| find("id"));
        let (Some(id_col), Some(doc_col)) = (id_col, find("doc_id")) else {
            return Err(InputError::at(
                path,
                1,
                format!(
                    "a units table needs columns `unit_id` and `doc_id` (as `tamlil segment` writes); columns are: {}",
                    headers.join(",")
                ),
            )
            .into());
        };
        let (role_col, start_col, end_col, text_col, turn_col) = (
            find("role"),
            find("start"),
            find("end"),
            find("text"),
            find("turn"),
        );
        let attr_cols: Vec<usize> = (0..headers.len())
            .filter(|&i| {
                !crate::unitfile::UNIT_COLUMNS.contains(&headers[i].as_str()) && headers[i] != "id"
            })
            .collect();
        let mut t = UnitTable {
            attributes: attr_cols.iter().map(|&i| headers[i].clone()).collect(),
            ..UnitTable::default()
        };
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_error(path, &e, line_of(e.position())))?;
            let line = || line_of(rec.position());
            let field = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("");
            let num = |i: Option<usize>, what: &str| -> Result<usize> {
                let v = field(i).trim();
                if i.is_none() {
                    return Ok(0);
                }
                v.parse().map_err(|_| {
                    InputError::at(path, line(), format!("`{what}` is not a number: {v:?}")).into()
                })
            };
            let row = UnitRow {
                unit_id: field(Some(id_col)).trim().to_string(),
                doc_id: field(Some(doc_col)).trim().to_string(),
                role: field(role_col).trim().to_string(),
                turn: num(turn_col, "turn")? as u32,
                start: num(start_col, "start")?,
                end: num(end_col, "end")?,
                text: field(text_col).to_string(),
                attrs: attr_cols
                    .iter()
                    .map(|&i| field(Some(i)).trim().to_string())
                    .collect(),
            };
            if row.unit_id.is_empty() {
                return Err(InputError::at(path, line(), "empty unit_id").into());
            }
            if t.index.insert(row.unit_id.clone(), t.units.len()).is_some() {
                return Err(InputError::at(
                    path,
                    line(),
                    format!("unit {:?} appears twice", row.unit_id),
                )
                .into());
            }
            t.units.push(row);
        }
        Ok(t)
    }

    /// Builds a table from rows (for tests and callers that have units in memory).
    pub fn from_rows(attributes: Vec<String>, units: Vec<UnitRow>) -> UnitTable {
        let index = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.unit_id.clone(), i))
            .collect();
        UnitTable {
            attributes,
            units,
            index,
        }
    }

    /// The index of the unit with `unit_id`.
    pub fn get(&self, unit_id: &str) -> Option<usize> {
        self.index.get(unit_id).copied()
    }

    /// Whether unit `i` is compared: interviewee units (every unit when the table
    /// has no roles).
    pub fn is_compared(&self, i: usize) -> bool {
        let r = &self.units[i].role;
        r.is_empty() || r == "interviewee"
    }

    /// The position of attribute `name` in [`UnitRow::attrs`].
    pub fn attribute(&self, name: &str) -> Option<usize> {
        self.attributes.iter().position(|a| a == name)
    }

    /// The document ids, in order of first appearance.
    pub fn doc_ids(&self) -> Vec<&str> {
        let mut seen = BTreeSet::new();
        self.units
            .iter()
            .filter(|u| seen.insert(u.doc_id.as_str()))
            .map(|u| u.doc_id.as_str())
            .collect()
    }
}

pub(crate) fn clean_headers<R: std::io::Read>(
    path: &Path,
    rdr: &mut csv::Reader<R>,
) -> Result<Vec<String>> {
    Ok(rdr
        .headers()
        .map_err(|e| InputError::at(path, 1, format!("bad CSV header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').trim().to_string())
        .collect())
}

/// A CSV reading error at `line`, in words that do not repeat the csv crate's own
/// (record-counted) position.
pub(crate) fn csv_error(path: &Path, e: &csv::Error, line: usize) -> InputError {
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("bad CSV: a row of {len} fields where the rows before it have {expected_len}"),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("bad CSV: field {} is not valid UTF-8", err.field() + 1)
        }
        _ => format!("bad CSV: {e}"),
    };
    InputError::at(path, line, message)
}

/// The physical line (from 1) at which the record at `pos` starts in `bytes`.
///
/// The csv reader's own line count is off for some files: it counts a CRLF line
/// end or a lone CR differently from LF and skips blank lines without counting
/// them, so a row of an Excel-saved CSV was reported a line (or more) early.
/// Here a line ends at LF, CRLF or a lone CR, as editors count them, and a
/// record's start is moved past the blank lines the reader skipped.
pub(crate) fn physical_line(bytes: &[u8], pos: Option<&csv::Position>) -> usize {
    let Some(pos) = pos else {
        return 0;
    };
    let mut at = (pos.byte() as usize).min(bytes.len());
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        at += 1;
    }
    let before = &bytes[..at];
    let mut line = 1;
    for (i, &b) in before.iter().enumerate() {
        match b {
            b'\n' => line += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => line += 1,
            _ => {}
        }
    }
    line
}

/// How codings files are read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Skip codes that are not in the codebook (reported in the notes) instead of failing.
    pub ignore_unknown: bool,
    /// A coder covers only the documents in which they have a row (a row with an
    /// empty `code_id` marks a unit seen without a code); otherwise a CSV coder
    /// covers every unit. tamlil's own codings.csv always covers every unit.
    /// `tamlil agree` sets it in both modes, so a coder of a subsample is not
    /// taken to have left the other documents uncoded.
    pub coverage_by_rows: bool,
    /// A `.qdpx` source that matches no document of the units table is an error
    /// (as `tamlil run --reviewed` needs) instead of a note.
    pub strict_sources: bool,
}

/// Codings read from one file, and notes for the user (skipped codes, units that
/// are not compared).
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub coders: Vec<CoderCodings>,
    pub notes: Vec<String>,
    /// The tool that wrote a `.qdpx` (its Project's `origin`, empty when unsaid);
    /// `None` for a CSV.
    pub origin: Option<String>,
}

/// `s` for counts other than one.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A file's name without its extension.
pub(crate) fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The physical line of every record of `text`, as the reader finds them.
    fn lines(text: &str) -> Vec<usize> {
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        rdr.records()
            .map(|r| physical_line(text.as_bytes(), r.unwrap().position()))
            .collect()
    }

    #[test]
    fn records_are_located_at_their_physical_line() {
        // Header on line 1, records on lines 2 and 3, whatever ends the lines.
        assert_eq!(lines("a,b\nx,1\ny,2\n"), [2, 3]);
        assert_eq!(lines("a,b\r\nx,1\r\ny,2\r\n"), [2, 3]);
        assert_eq!(lines("a,b\rx,1\ry,2\r"), [2, 3]);
        assert_eq!(lines("\u{FEFF}a,b\r\nx,1\r\ny,2"), [2, 3]);
        // Blank lines are skipped by the reader but still count: lines 3 and 6.
        assert_eq!(lines("a,b\n\nx,1\n\n\ny,2\n"), [3, 6]);
        assert_eq!(lines("a,b\r\n\r\nx,1\r\n\r\ny,2\r\n"), [3, 5]);
        // A quoted field over two lines: the next record starts on line 4.
        assert_eq!(lines("a,b\nx,\"one\ntwo\"\ny,2\n"), [2, 4]);
        assert_eq!(lines("a,b\r\nx,\"one\r\ntwo\"\r\ny,2\r\n"), [2, 4]);
    }

    #[test]
    fn units_table_errors_name_the_physical_line() {
        let dir = std::env::temp_dir().join(format!("tamlil-agree-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("units.csv");
        // A CRLF file (as spreadsheets save it) whose bad `start` is on line 4.
        std::fs::write(
            &path,
            "unit_id,doc_id,start,end\r\nA-1,A,0,4\r\nA-2,A,5,9\r\nA-3,A,x,12\r\n",
        )
        .unwrap();
        let err = UnitTable::read(&path).unwrap_err().to_string();
        assert!(err.contains("units.csv:4:"), "{err}");
        assert!(err.contains("`start` is not a number"), "{err}");
        // A row with a field too many on line 3, after a blank line.
        std::fs::write(&path, "unit_id,doc_id\r\n\r\nA-1,A,extra\r\n").unwrap();
        let err = UnitTable::read(&path).unwrap_err().to_string();
        assert!(err.contains("units.csv:3:"), "{err}");
        assert!(err.contains("a row of 3 fields"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
