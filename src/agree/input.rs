//! Reading codings CSV files (the units table and the types read into are in [`crate::coded`]).

use crate::coded::{
    CodeNames, CoderCodings, Loaded, ReadOptions, UnitTable, clean_headers, csv_error, file_stem,
    physical_line, plural,
};
use crate::error::InputError;
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Reads a codings CSV: `unit_id,code_id[,coder]` (tamlil's `codings.csv`, with
/// `family,score,evidence` columns, is one). `code_id` is a code id or a family id
/// of the codebook. Without a `coder` column, the coder is the file's stem.
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
    let (Some(unit_col), Some(code_col)) = (unit_col, code_col) else {
        return Err(InputError::at(
            path,
            1,
            format!(
                "a codings file needs columns `unit_id` and `code_id` (and optionally `coder`); columns are: {}",
                headers.join(",")
            ),
        )
        .into());
    };
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
        let unit_id = rec.get(unit_col).unwrap_or("").trim();
        let code = rec.get(code_col).unwrap_or("").trim();
        let coder = match coder_col.map(|i| rec.get(i).unwrap_or("").trim()) {
            Some(c) if !c.is_empty() => c.to_string(),
            _ => stem.clone(),
        };
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
        let entry = coders.entry(coder.clone()).or_insert_with(|| CoderCodings {
            name: coder.clone(),
            source: path.to_path_buf(),
            covered: (opts.coverage_by_rows && !is_tamlil).then(BTreeSet::new),
            codings: BTreeSet::new(),
        });
        if entry.covered.is_some() {
            docs.entry(coder.clone())
                .or_default()
                .insert(units.units[u].doc_id.as_str());
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
        if !units.is_compared(u) {
            not_compared += 1;
        }
        entry.codings.insert((u, target));
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
