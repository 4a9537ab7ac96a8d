//! Reading codings CSV files (the units table and the types read into are in [`crate::coded`]).

use crate::coded::{
    CodeNames, CoderCodings, Loaded, ReadOptions, UnitTable, clean_headers, csv_error, file_stem,
    physical_line, plural,
};
use crate::error::InputError;
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// A document's units: their indices in the units table and their character spans.
type DocUnits = (Vec<usize>, Vec<(usize, usize)>);

/// Reads a codings CSV: `unit_id,code_id[,coder]` (tamlil's `codings.csv`, with
/// `family,score,evidence` columns, is one). `code_id` is a code id or a family id
/// of the codebook. Without a `coder` column, the coder is the file's stem. Without a
/// `unit_id` column, a row may give a span of a document instead,
/// `doc_id,start,end,code_id` (character offsets into the document's text, as in
/// units.csv): it codes the units the span covers by the overlap rule of REFI-QDA
/// selections ([`crate::qda::import::units_coded_by`]).
pub fn read_codings_csv(
    path: &Path,
    units: &UnitTable,
    names: &CodeNames,
    opts: &ReadOptions,
) -> Result<Loaded> {
    let bytes = std::fs::read(path).map_err(|e| InputError::open(path, &e))?;
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(InputError::file(
            path,
            "this is a zip file, not a CSV; name a REFI-QDA project .qdpx to read it as one",
        )
        .into());
    }
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let headers = clean_headers(path, &mut rdr)?;
    let find = |name: &str| headers.iter().position(|h| h == name);
    let unit_col = find("unit_id").or_else(|| find("unit"));
    let code_col = find("code_id").or_else(|| find("code"));
    // Without a unit column, a row may name a span of a document instead.
    let span_cols = match (find("doc_id"), find("start"), find("end")) {
        (Some(d), Some(s), Some(e)) if unit_col.is_none() => Some((d, s, e)),
        _ => None,
    };
    let (Some(code_col), true) = (code_col, unit_col.is_some() || span_cols.is_some()) else {
        return Err(InputError::at(
            path,
            1,
            format!(
                "a codings file needs columns `unit_id` and `code_id` (or `doc_id,start,end,code_id`; and optionally `coder`); columns are: {}",
                headers.join(",")
            ),
        )
        .into());
    };
    // Per document: its units' indices and character spans, in order.
    let mut doc_units: HashMap<&str, DocUnits> = HashMap::new();
    if span_cols.is_some() {
        for (i, r) in units.units.iter().enumerate() {
            let e = doc_units.entry(r.doc_id.as_str()).or_default();
            e.0.push(i);
            e.1.push((r.start, r.end));
        }
    }
    let mut unmapped = 0usize;
    let mut coded: Vec<usize> = Vec::new();
    let coder_col = find("coder");
    let is_tamlil = find("score").is_some();
    let stem = file_stem(path);
    let mut coders: BTreeMap<String, CoderCodings> = BTreeMap::new();
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    let mut not_compared = 0usize;
    let mut docs: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(path, &e, physical_line(&bytes, e.position())))?;
        let line = physical_line(&bytes, rec.position());
        let code = rec.get(code_col).unwrap_or("").trim();
        let coder = match coder_col.map(|i| rec.get(i).unwrap_or("").trim()) {
            Some(c) if !c.is_empty() => c.to_string(),
            _ => stem.clone(),
        };
        coded.clear();
        // The document the row is about, and the units it codes.
        let doc: &str = if let Some(unit_col) = unit_col {
            let unit_id = rec.get(unit_col).unwrap_or("").trim();
            if unit_id.is_empty() {
                return Err(InputError::at(path, line, "empty unit_id").into());
            }
            let Some(u) = units.get(unit_id) else {
                return Err(InputError::at(
                    path,
                    line,
                    format!("unit {unit_id:?} is not in the units table"),
                )
                .into());
            };
            coded.push(u);
            units.units[u].doc_id.as_str()
        } else {
            let (d, s, e) = span_cols.expect("a unit or a span column");
            let doc = rec.get(d).unwrap_or("").trim();
            let Some((&doc, (ids, spans))) = doc_units.get_key_value(doc) else {
                return Err(InputError::at(
                    path,
                    line,
                    format!("document {doc:?} is not in the units table"),
                )
                .into());
            };
            let offset = |i: usize, name: &str| -> Result<usize> {
                rec.get(i).unwrap_or("").trim().parse().map_err(|_| {
                    InputError::at(path, line, format!("{name} is not a character offset")).into()
                })
            };
            let (start, end) = (offset(s, "start")?, offset(e, "end")?);
            if start >= end {
                return Err(InputError::at(path, line, "start must be before end").into());
            }
            coded.extend(
                crate::qda::import::units_coded_by(spans, start, end)
                    .into_iter()
                    .map(|k| ids[k]),
            );
            doc
        };
        let entry = coders.entry(coder.clone()).or_insert_with(|| CoderCodings {
            name: coder.clone(),
            source: path.to_path_buf(),
            covered: (opts.coverage_by_rows && !is_tamlil).then(BTreeSet::new),
            codings: BTreeSet::new(),
        });
        if entry.covered.is_some() {
            docs.entry(coder.clone()).or_default().insert(doc);
        }
        if code.is_empty() {
            continue;
        }
        let Some(target) = names.by_id(code) else {
            if opts.ignore_unknown {
                *unknown.entry(code.to_string()).or_insert(0) += 1;
                continue;
            }
            return Err(InputError::at(
                path,
                line,
                format!(
                    "unknown code {code:?}: not a code or family id of the codebook {} (use --ignore-unknown to skip such codings)",
                    names.codebook_name()
                ),
            )
            .into());
        };
        if coded.is_empty() {
            unmapped += 1;
            continue;
        }
        for &u in &coded {
            if !units.is_compared(u) {
                not_compared += 1;
            }
            entry.codings.insert((u, target));
        }
    }
    for (name, c) in coders.iter_mut() {
        if let Some(cov) = &mut c.covered {
            let d = docs.remove(name).unwrap_or_default();
            cov.extend(
                (0..units.units.len()).filter(|&i| d.contains(units.units[i].doc_id.as_str())),
            );
        }
    }
    let mut notes = Vec::new();
    for (code, n) in &unknown {
        notes.push(format!(
            "{}: skipped {n} coding{} with unknown code {code:?}",
            path.display(),
            plural(*n)
        ));
    }
    if unmapped > 0 {
        notes.push(format!(
            "{}: {unmapped} span{} that {} no unit (overlap under half of every unit and of the span)",
            path.display(),
            plural(unmapped),
            if unmapped == 1 { "codes" } else { "code" }
        ));
    }
    if not_compared > 0 {
        notes.push(format!(
            "{}: {not_compared} coding{} of units that are not interviewee units, not compared",
            path.display(),
            plural(not_compared)
        ));
    }
    if coders.is_empty() {
        coders.insert(
            stem.clone(),
            CoderCodings {
                name: stem,
                source: path.to_path_buf(),
                covered: None,
                codings: BTreeSet::new(),
            },
        );
    }
    Ok(Loaded {
        coders: coders.into_values().collect(),
        notes,
        origin: None,
    })
}
