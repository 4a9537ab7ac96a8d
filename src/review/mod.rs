//! Reviewed codings: a reviewer's files read against the run's units, replacing the automatic coding of the documents they cover.
//!
//! A reviewed file is read as `tamlil agree` reads a coder (see [`crate::agree`]):
//! a codings CSV (`unit_id,code_id[,coder]`) or a `.qdpx`. It is the complete
//! coding of the documents it covers: a unit of such a document has exactly the
//! codes the reviewer gave it (none when the reviewer gave none), whatever tamlil
//! coded. The documents a file covers:
//!
//! - a CSV: for each coder, the documents they have a row in (a row with an empty
//!   `code_id` marks a unit seen and left uncoded);
//! - a `.qdpx`: the documents of its sources, all users together (the codings a
//!   reviewer kept under tamlil's user, and those they added under any name), except
//!   the documents whose codings are exactly tamlil's automatic ones: a QDA tool
//!   exports every source of the project, and a document nobody changed is not
//!   counted as reviewed.
//!
//! A reviewed file that names a code or family the codebook lacks, a unit or
//! document the corpus lacks, or that codes a family instead of a code, is an
//! error naming the file (and the line, in a CSV). So are two reviewers who
//! cover the same document and code it differently, unless [`Conflict`] says which
//! coding to take.

pub mod trust;

use crate::agree;
use crate::codebook::Codebook;
use crate::coded::{CodeNames, CoderCodings, Loaded, ReadOptions, Target, UnitTable};
use crate::coding::Coding;
use crate::error::InputError;
use crate::text::{Role, Unit};
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The name of the attribute that says where a document's coding came from.
pub const SOURCE_ATTRIBUTE: &str = "coding_source";
/// The value of [`SOURCE_ATTRIBUTE`] (and codings.csv's `source`) for reviewed documents.
pub const REVIEWED: &str = "reviewed";
/// The same for documents that keep tamlil's automatic coding.
pub const AUTO: &str = "auto";
/// codings.csv's `source` of an automatic coding the codebook's learned model added.
pub const LEARNED: &str = "learned";

/// What to do when two reviewers cover the same document and code it differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Conflict {
    /// Stop with an error naming the file and line.
    #[default]
    Error,
    /// Take the first reviewer's coding (in the order the files are given, then by
    /// coder name within a CSV).
    First,
    /// Take every code either reviewer gave.
    Union,
}

/// One reviewer: a coder of one file.
struct Reviewer {
    coder: CoderCodings,
    /// The documents this reviewer covers.
    docs: BTreeSet<String>,
    is_csv: bool,
}

/// The reviewed coding of a run, ready to replace the automatic one.
#[derive(Debug, Clone, Default)]
pub struct Review {
    /// The reviewed files with their sha256, in the order given.
    pub files: Vec<(PathBuf, String)>,
    /// Reviewed document -> the reviewers whose coding it has (names joined by ", ").
    pub documents: BTreeMap<String, String>,
    /// The codes (indices into the codebook, ascending) of every unit of a reviewed document.
    unit_codes: HashMap<String, Vec<usize>>,
    /// Notes for the user (codings on units that are not interviewee units, ...).
    pub notes: Vec<String>,
    /// The reviewed coding as a coder of the units (for the trust comparison).
    pub coding: CoderCodings,
    /// tamlil's automatic coding against the reviewer's, per code (see [`trust`]).
    pub trust: Vec<trust::TrustRow>,
}

impl Review {
    /// Reads `paths` against the run's `units`; `auto` is tamlil's automatic coding
    /// of those units (a `.qdpx` document left as tamlil coded it is not reviewed).
    pub fn load(
        paths: &[PathBuf],
        units: &UnitTable,
        auto: &CoderCodings,
        cb: &Codebook,
        conflict: Conflict,
    ) -> Result<Review> {
        let names = CodeNames::new(cb);
        let opts = ReadOptions {
            ignore_unknown: false,
            coverage_by_rows: true,
            strict_sources: true,
        };
        let mut review = Review::default();
        let mut reviewers: Vec<Reviewer> = Vec::new();
        for path in paths {
            let bytes = std::fs::read(path).map_err(|e| InputError::open(path, &e))?;
            review
                .files
                .push((path.clone(), crate::hash::sha256_hex(&bytes)));
            let loaded = agree::load_codings(path, units, &names, &opts)?;
            review.notes.extend(loaded.notes);
            let is_csv = !is_qdpx(path);
            let coders = if is_csv {
                loaded.coders
            } else {
                vec![merge_users(path, loaded.coders)]
            };
            for coder in coders {
                refuse_families(path, &coder, cb, units, is_csv)?;
                let docs = if is_csv {
                    covered_docs(units, &coder)
                } else {
                    changed_docs(units, &coder, auto)
                };
                reviewers.push(Reviewer {
                    coder,
                    docs,
                    is_csv,
                });
            }
        }
        review.resolve(units, &reviewers, conflict)?;
        review.trust = trust::compare(units, cb, &review.coding, auto)?;
        Ok(review)
    }

    /// Picks, for every reviewed document, the coding to use.
    fn resolve(
        &mut self,
        units: &UnitTable,
        reviewers: &[Reviewer],
        conflict: Conflict,
    ) -> Result<()> {
        let mut by_doc: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, r) in reviewers.iter().enumerate() {
            for d in &r.docs {
                by_doc.entry(d.as_str()).or_default().push(i);
            }
        }
        let mut coding = CoderCodings {
            name: String::new(),
            source: PathBuf::new(),
            covered: Some(BTreeSet::new()),
            codings: BTreeSet::new(),
        };
        let members = doc_members(units);
        for (doc, who) in by_doc {
            let doc_units = &members[doc];
            let on_doc = |r: usize| -> BTreeSet<(usize, Target)> {
                reviewers[r]
                    .coder
                    .codings
                    .iter()
                    .filter(|(u, _)| units.units[*u].doc_id == doc)
                    .copied()
                    .collect()
            };
            let first = on_doc(who[0]);
            let mut chosen = first.clone();
            let mut takers = vec![who[0]];
            for &other in &who[1..] {
                let theirs = on_doc(other);
                if theirs == first {
                    takers.push(other);
                    continue;
                }
                match conflict {
                    Conflict::Error => {
                        return Err(conflict_error(units, reviewers, who[0], other, doc));
                    }
                    Conflict::First => {}
                    Conflict::Union => {
                        chosen.extend(theirs);
                        takers.push(other);
                    }
                }
            }
            let cov = coding.covered.as_mut().expect("covered set");
            cov.extend(doc_units.iter().copied());
            for &u in doc_units {
                let codes: Vec<usize> = chosen
                    .iter()
                    .filter(|(x, _)| *x == u)
                    .filter_map(|(_, t)| match t {
                        Target::Code(c) => Some(*c),
                        Target::Family(_) => None,
                    })
                    .collect();
                self.unit_codes
                    .insert(units.units[u].unit_id.clone(), codes);
            }
            coding.codings.extend(chosen);
            let mut names: Vec<&str> = takers
                .iter()
                .map(|&r| reviewers[r].coder.name.as_str())
                .collect();
            names.dedup();
            self.documents.insert(doc.to_string(), names.join(", "));
        }
        coding.name = reviewer_names(reviewers);
        coding.source = self
            .files
            .first()
            .map(|(p, _)| p.clone())
            .unwrap_or_default();
        self.coding = coding;
        Ok(())
    }

    /// Gives the units of a reviewed document the reviewer's codes: `codings[i]`
    /// becomes the codes of `units[i]` (score 1, no evidence span); units that are
    /// not interviewee units keep none.
    pub fn replace(&self, units: &[Unit], codings: &mut [Vec<Coding>]) {
        for (u, cs) in units.iter().zip(codings.iter_mut()) {
            cs.clear();
            if u.role != Role::Interviewee {
                continue;
            }
            if let Some(codes) = self.codes_of(&u.unit_id) {
                cs.extend(codes.iter().map(|&code| Coding {
                    code,
                    score: 1.0,
                    evidence: Vec::new(),
                    learned: false,
                }));
            }
        }
    }

    /// The reviewers' names (as a reviewed document's codings are attributed), each once, sorted.
    pub fn reviewers(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self.documents.values().collect();
        set.into_iter().cloned().collect()
    }

    /// The reviewer(s) of document `doc_id`, if it was reviewed.
    pub fn reviewer_of(&self, doc_id: &str) -> Option<&str> {
        self.documents.get(doc_id).map(String::as_str)
    }

    /// Whether document `doc_id` was reviewed.
    pub fn covers(&self, doc_id: &str) -> bool {
        self.documents.contains_key(doc_id)
    }

    /// The reviewed codes of unit `unit_id` (a unit of a reviewed document), in
    /// codebook order; `None` for a unit of a document not reviewed.
    pub fn codes_of(&self, unit_id: &str) -> Option<&[usize]> {
        self.unit_codes.get(unit_id).map(Vec::as_slice)
    }
}

/// Whether `path` is read as a REFI-QDA project.
fn is_qdpx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("qdpx"))
}

/// Whether codings read from a `.qdpx` are tamlil's project as a QDA tool exported
/// it after a review: written by another tool (its origin does not name tamlil) and
/// holding codings by the user tamlil. Such a file holds every document of the
/// project, reviewed or not.
pub fn is_tool_export(loaded: &Loaded) -> bool {
    loaded
        .origin
        .as_deref()
        .is_some_and(|o| !o.starts_with(crate::qda::project::USER_NAME))
        && loaded
            .coders
            .iter()
            .any(|c| c.name == crate::qda::project::USER_NAME)
}

/// A QDA tool's export of tamlil's project (see [`is_tool_export`]) as one
/// reviewer: every user together (named after the users other than tamlil, else
/// the file), covering the documents whose codings are not exactly tamlil's
/// automatic ones, `auto` (a document nobody changed is not reviewed).
pub fn tool_export_reviewer(
    path: &Path,
    coders: Vec<CoderCodings>,
    units: &UnitTable,
    auto: &CoderCodings,
) -> CoderCodings {
    let mut c = merge_users(path, coders);
    let docs = changed_docs(units, &c, auto);
    c.covered = Some(
        (0..units.units.len())
            .filter(|&u| docs.contains(&units.units[u].doc_id))
            .collect(),
    );
    c
}

/// The documents `c` covers whose codings differ from `auto`'s.
fn changed_docs(units: &UnitTable, c: &CoderCodings, auto: &CoderCodings) -> BTreeSet<String> {
    let mut docs = covered_docs(units, c);
    docs.retain(|d| !same_on_doc(units, d, c, auto));
    docs
}

/// All users of one `.qdpx` as one reviewer, named after the users other than
/// tamlil (else the file).
fn merge_users(path: &Path, coders: Vec<CoderCodings>) -> CoderCodings {
    let mut out = CoderCodings {
        name: String::new(),
        source: path.to_path_buf(),
        covered: Some(BTreeSet::new()),
        codings: BTreeSet::new(),
    };
    let mut names = Vec::new();
    for c in coders {
        if c.name != crate::qda::project::USER_NAME {
            names.push(c.name.clone());
        }
        out.codings.extend(c.codings);
        if let (Some(into), Some(from)) = (out.covered.as_mut(), c.covered) {
            into.extend(from);
        }
    }
    out.name = if names.is_empty() {
        crate::coded::file_stem(path)
    } else {
        names.join("+")
    };
    out
}

/// The documents a coder covers (any of their units).
fn covered_docs(units: &UnitTable, c: &CoderCodings) -> BTreeSet<String> {
    match &c.covered {
        None => units.doc_ids().into_iter().map(str::to_string).collect(),
        Some(cov) => cov.iter().map(|&u| units.units[u].doc_id.clone()).collect(),
    }
}

/// Whether `c` codes document `doc` exactly as tamlil's automatic coding does.
fn same_on_doc(units: &UnitTable, doc: &str, c: &CoderCodings, auto: &CoderCodings) -> bool {
    let on = |x: &CoderCodings| -> BTreeSet<(usize, Target)> {
        x.codings
            .iter()
            .filter(|(u, _)| units.units[*u].doc_id == doc)
            .copied()
            .collect()
    };
    on(c) == on(auto)
}

/// The units of every document, by document id.
fn doc_members(units: &UnitTable) -> HashMap<&str, Vec<usize>> {
    let mut m: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, u) in units.units.iter().enumerate() {
        m.entry(u.doc_id.as_str()).or_default().push(i);
    }
    m
}

/// The reviewers' names, once each, joined by ", ".
fn reviewer_names(reviewers: &[Reviewer]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for r in reviewers {
        if !r.docs.is_empty() && !names.contains(&r.coder.name.as_str()) {
            names.push(&r.coder.name);
        }
    }
    names.join(", ")
}

/// A reviewed coding names a family: tamlil codes units with codes only.
fn refuse_families(
    path: &Path,
    c: &CoderCodings,
    cb: &Codebook,
    units: &UnitTable,
    is_csv: bool,
) -> Result<()> {
    let Some(&(u, Target::Family(f))) = c
        .codings
        .iter()
        .find(|(_, t)| matches!(t, Target::Family(_)))
    else {
        return Ok(());
    };
    let fam = &cb.families[f].id;
    let message = format!(
        "unit {:?} is coded with the family {fam:?}; a reviewed coding names a code of the family (one of: {})",
        units.units[u].unit_id,
        cb.codes
            .iter()
            .filter(|x| &x.family == fam)
            .map(|x| x.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let line = is_csv
        .then(|| {
            csv_line(path, |unit, code, _| {
                unit == units.units[u].unit_id && code == fam
            })
        })
        .flatten();
    Err(match line {
        Some(l) => InputError::at(path, l, message),
        None => InputError::file(path, message),
    }
    .into())
}

/// The error for two reviewers who code document `doc` differently.
fn conflict_error(
    units: &UnitTable,
    reviewers: &[Reviewer],
    first: usize,
    other: usize,
    doc: &str,
) -> anyhow::Error {
    let (a, b) = (&reviewers[first], &reviewers[other]);
    let message = format!(
        "document {doc:?} is reviewed here by {:?} and in {} by {:?}, who code it differently; keep one review of each document, or choose with --reviewed-conflict first|union",
        b.coder.name,
        a.coder.source.display(),
        a.coder.name
    );
    let path = &b.coder.source;
    let line = b
        .is_csv
        .then(|| {
            csv_line(path, |unit, _, coder| {
                units
                    .get(unit)
                    .is_some_and(|u| units.units[u].doc_id == doc)
                    && (coder.is_empty() || coder == b.coder.name)
            })
        })
        .flatten();
    match line {
        Some(l) => InputError::at(path, l, message),
        None => InputError::file(path, message),
    }
    .into()
}

/// The line of the first row of a codings CSV for which `pick(unit_id, code_id,
/// coder)` holds.
fn csv_line(path: &Path, pick: impl Fn(&str, &str, &str) -> bool) -> Option<usize> {
    let bytes = std::fs::read(path).ok()?;
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let headers: Vec<String> = rdr
        .headers()
        .ok()?
        .iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').trim().to_string())
        .collect();
    let find = |n: &str| headers.iter().position(|h| h == n);
    let unit = find("unit_id").or_else(|| find("unit"))?;
    let code = find("code_id").or_else(|| find("code"))?;
    let coder = find("coder");
    for rec in rdr.records() {
        let rec = rec.ok()?;
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").trim();
        if pick(get(Some(unit)), get(Some(code)), get(coder)) {
            return Some(crate::coded::physical_line(&bytes, rec.position()));
        }
    }
    None
}
