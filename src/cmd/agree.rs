//! `tamlil agree`: agreement between two codings (or several coders) of the same units.

use crate::agree;
use crate::codebook::{self, Codebook};
use crate::coded::{CodeNames, CoderCodings, Loaded, ReadOptions, Target, UnitTable};
use crate::error::InputError;
use crate::review;
use anyhow::Result;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Measure agreement between two codings of the same units (or among several coders).
///
/// A and B are codings of the units in --units (a units.csv from `tamlil segment` or
/// `tamlil run`): CSV files with `unit_id,code_id` and optionally `coder` (tamlil's
/// codings.csv is one), CSV files of coded spans `doc_id,start,end,code_id`
/// (character offsets into the document, mapped to units like a .qdpx's
/// selections), or REFI-QDA projects (.qdpx) from tamlil, MAXQDA, ATLAS.ti or
/// NVivo, whose coded text selections are mapped to units by character overlap. A is
/// the reference: precision and recall are B's against A. Only the documents both
/// cover are compared: a CSV coder covers the documents they have rows in (a row
/// with an empty code_id marks a unit seen and left uncoded), a .qdpx coder those
/// of its sources, tamlil's codings.csv every document; the summary names the
/// documents left out. A QDA tool's export of tamlil's project (another tool's
/// .qdpx with codings by the user tamlil) is one reviewer, all users together, of
/// the documents whose codings are no longer tamlil's automatic ones, as
/// `tamlil run --reviewed` reads it. For every code, family
/// (any of its codes) and all codes pooled, over the interviewee units, it reports
/// the counts (both, only A, only B, neither), agreement, precision, recall, F1,
/// Cohen's kappa and Krippendorff's alpha (nominal). Sub-codes count as their code.
///
/// With --multi, every coder in the files (a `coder` column, or the users of a
/// .qdpx) is compared at once with Krippendorff's alpha, with missing data (a
/// coder's value is missing on the documents they did not cover).
///
/// Examples:
///
///   tamlil agree --units out/units.csv out/codings.csv reviewed.qdpx
///   tamlil agree --units out/units.csv out/codings.csv human.csv --by sector --out agree.csv
///   tamlil agree --units out/units.csv --multi coders.csv
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The units table (units.csv written by `tamlil segment` or `tamlil run`).
    #[arg(long, value_name = "FILE")]
    pub units: PathBuf,
    /// The codings: A (reference) and B; with --multi, one or more files.
    #[arg(value_name = "CODINGS", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Break the results down by this attribute column of the units table.
    #[arg(long, value_name = "ATTRIBUTE")]
    pub by: Option<String>,
    /// Where to write the agreement table (CSV).
    #[arg(long, value_name = "FILE", default_value = "agree.csv")]
    pub out: PathBuf,
    /// Codebook for the code ids, their order and labels [default: the one recorded
    /// in run.json beside the units table, else the built-in codebook].
    #[arg(long, value_name = "FILE")]
    pub codebook: Option<PathBuf>,
    /// Skip codes that are not in the codebook (reported) instead of failing.
    #[arg(long)]
    pub ignore_unknown: bool,
    /// Compare every coder in the files with Krippendorff's alpha (missing data allowed).
    #[arg(long)]
    pub multi: bool,
    /// The coder of A to use, when A holds several.
    #[arg(long, value_name = "NAME")]
    pub coder_a: Option<String>,
    /// The coder of B to use, when B holds several.
    #[arg(long, value_name = "NAME")]
    pub coder_b: Option<String>,
}

/// Runs `tamlil agree`.
pub fn run(args: Args) -> Result<()> {
    let units = UnitTable::read(&args.units)?;
    let (cb, note) = choose_codebook(args.codebook.as_deref(), &args.units)?;
    if let Some(n) = note {
        eprintln!("tamlil: {n}");
    }
    let names = CodeNames::new(&cb);
    let opts = ReadOptions {
        ignore_unknown: args.ignore_unknown,
        coverage_by_rows: true,
        strict_sources: false,
    };
    let mut loaded = Vec::new();
    let mut auto: Option<CoderCodings> = None;
    for p in &args.inputs {
        let mut l = agree::load_codings(p, &units, &names, &opts)?;
        for n in &l.notes {
            eprintln!("tamlil: {n}");
        }
        if review::is_tool_export(&l) {
            if auto.is_none() {
                auto = Some(automatic_coding(&args.units, &units, &cb)?);
            }
            let auto = auto.as_ref().expect("automatic coding");
            let coders = std::mem::take(&mut l.coders);
            let c = review::tool_export_reviewer(p, coders, &units, auto);
            let n_docs = c.covered.as_ref().map_or(0, |cov| {
                cov.iter()
                    .map(|&u| units.units[u].doc_id.as_str())
                    .collect::<BTreeSet<_>>()
                    .len()
            });
            eprintln!(
                "tamlil: {}: tamlil's project as {} exported it, read as one reviewer ({}) of the {n_docs} document{} whose codings are not tamlil's automatic ones",
                p.display(),
                l.origin
                    .as_deref()
                    .filter(|o| !o.is_empty())
                    .unwrap_or("another tool"),
                c.name,
                crate::coded::plural(n_docs)
            );
            l.coders = vec![c];
        }
        loaded.push(l);
    }
    if args.multi {
        let mut coders: Vec<CoderCodings> = Vec::new();
        for l in loaded {
            for c in l.coders {
                match coders.iter_mut().find(|x| x.name == c.name) {
                    Some(x) => merge_coder(x, c),
                    None => coders.push(c),
                }
            }
        }
        if coders.len() < 2 {
            anyhow::bail!(
                "--multi needs at least two coders; found {}: {}",
                coders.len(),
                coders
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let rows = agree::compare_multi(&units, &cb, &coders, args.by.as_deref())?;
        agree::write_multi_csv(&args.out, &rows)?;
        print!("{}", agree::multi_summary(&coders, &rows));
    } else {
        if args.inputs.len() != 2 {
            anyhow::bail!(
                "give two codings to compare (A and B), or use --multi; got {}",
                args.inputs.len()
            );
        }
        let mut it = loaded.into_iter();
        let a = pick(
            it.next().unwrap_or_default(),
            &args.inputs[0],
            args.coder_a.as_deref(),
            "--coder-a",
        )?;
        let b = pick(
            it.next().unwrap_or_default(),
            &args.inputs[1],
            args.coder_b.as_deref(),
            "--coder-b",
        )?;
        let rows = agree::compare_pair(&units, &cb, &a, &b, args.by.as_deref())?;
        agree::write_pair_csv(&args.out, &rows)?;
        print!("{}", agree::pair_summary(&units, &a, &b, &rows));
    }
    eprintln!("tamlil: agreement table -> {}", args.out.display());
    Ok(())
}

/// tamlil's automatic coding of the units of `units_path` (as `tamlil code` gives
/// it), on the units that are compared.
fn automatic_coding(units_path: &Path, units: &UnitTable, cb: &Codebook) -> Result<CoderCodings> {
    let mut codings = BTreeSet::new();
    crate::cmd::code::code_units(units_path, cb, |id, _, cs| {
        if let Some(u) = units.get(id).filter(|&u| units.is_compared(u)) {
            codings.extend(cs.iter().map(|c| (u, Target::Code(c.code))));
        }
        Ok(())
    })?;
    Ok(CoderCodings {
        name: crate::qda::project::USER_NAME.to_string(),
        source: units_path.to_path_buf(),
        covered: None,
        codings,
    })
}

/// Adds `c`'s codings and coverage to `into` (the same coder in two files).
pub(crate) fn merge_coder(into: &mut CoderCodings, c: CoderCodings) {
    into.codings.extend(c.codings);
    into.covered = match (into.covered.take(), c.covered) {
        (Some(mut x), Some(y)) => {
            x.extend(y);
            Some(x)
        }
        _ => None,
    };
}

/// The one coder of a file, or the one named by `wanted`.
fn pick(l: Loaded, path: &Path, wanted: Option<&str>, flag: &str) -> Result<CoderCodings> {
    let names = || {
        l.coders
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(w) => match l.coders.iter().position(|c| c.name == w) {
            Some(i) => Ok(l.coders[i].clone()),
            None => Err(InputError::file(
                path,
                format!("no coder {w:?} here; coders are: {}", names()),
            )
            .into()),
        },
        None if l.coders.len() == 1 => Ok(l.coders.into_iter().next().expect("one coder")),
        None => Err(InputError::file(
            path,
            format!(
                "holds codings by {} coders ({}); choose one with {flag} NAME, or compare them all with --multi",
                l.coders.len(),
                names()
            ),
        )
        .into()),
    }
}

/// The codebook: `--codebook`, else the one a `tamlil run` recorded in run.json
/// beside the units table (when it is still there, unchanged), else the built-in one.
pub(crate) fn choose_codebook(
    given: Option<&Path>,
    units: &Path,
) -> Result<(Codebook, Option<String>)> {
    if let Some(p) = given {
        return Ok((codebook::load(p)?, None));
    }
    let run_json = units.with_file_name("run.json");
    let recorded = std::fs::read_to_string(&run_json)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|v| {
            let cb = v.get("codebook")?;
            Some((
                cb.get("path")?.as_str()?.to_string(),
                cb.get("sha256")?.as_str()?.to_string(),
            ))
        });
    let default = codebook::default_codebook();
    let Some((path, sha)) = recorded else {
        return Ok((default, None));
    };
    if path == codebook::DEFAULT_PATH || path.starts_with("<embedded>") {
        return Ok((default, None));
    }
    match codebook::load(Path::new(&path)) {
        Ok(cb) if cb.hash() == sha => Ok((
            cb,
            Some(format!(
                "codebook {path} (recorded in {})",
                run_json.display()
            )),
        )),
        _ => Ok((
            default,
            Some(format!(
                "{} names codebook {path}, which is missing or changed; using the built-in codebook (give --codebook)",
                run_json.display()
            )),
        )),
    }
}
