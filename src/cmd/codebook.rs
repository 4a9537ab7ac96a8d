//! `tamlil codebook`: check and show codebooks, export them to REFI-QDA (.qdc) and import them back.

use crate::codebook::{self, Codebook, RuleKind};
use crate::coded::{CodeNames, CoderCodings, ReadOptions, UnitTable};
use crate::error::ErrorList;
use crate::output::{OUTPUT_MARKER, StagedDir, write_atomic};
use anyhow::Result;
use std::path::PathBuf;

/// Check or show a codebook.
///
///   tamlil codebook check my-codebook.toml
///   tamlil codebook show --lang en
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

/// What to do with the codebook.
#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Report every problem of a codebook (with file:line); exit 65 if there is any.
    Check {
        /// The codebook (.toml or .csv).
        file: PathBuf,
    },
    /// Print the codebook as a tree of families, codes and sub-codes with labels.
    Show {
        /// The codebook (.toml or .csv); default: the embedded one.
        file: Option<PathBuf>,
        /// Language of the labels.
        #[arg(long, value_enum, default_value_t = Lang::He)]
        lang: Lang,
    },
    /// Write the codebook as a REFI-QDA codebook (.qdc) for MAXQDA, ATLAS.ti or NVivo:
    /// families > codes > sub-codes with colours and definitions.
    ///
    ///   tamlil codebook export --qdc my-codebook.toml --out codebook.qdc
    Export {
        /// Write REFI-QDA .qdc (the only format, and the default).
        #[arg(long)]
        qdc: bool,
        /// The codebook (.toml or .csv); default: the embedded one.
        file: Option<PathBuf>,
        /// Where to write the .qdc.
        #[arg(long, value_name = "FILE", default_value = "codebook.qdc")]
        out: PathBuf,
    },
    /// Turn a codebook exported from a QDA tool (.qdc, or the code tree of a .qdpx)
    /// into a tamlil TOML codebook: the hierarchy, names, descriptions and colours,
    /// with an empty `terms = []` for each code to fill in.
    ///
    ///   tamlil codebook import maxqda-codes.qdc --out codebook.toml
    Import {
        /// The .qdc (or .qdpx) file.
        file: PathBuf,
        /// Where to write the TOML codebook (an existing file is kept unless --force).
        #[arg(long, value_name = "FILE", default_value = "codebook.toml")]
        out: PathBuf,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// A workbench for editing a codebook: per code and term, the units where it
    /// fired, where a negation or an `exclude` stopped it, the units the code got
    /// only because of it, and keyword-in-context lines. With --reference (a
    /// reviewer's or pilot coding), only the documents it covers count, and it adds
    /// per term precision, per code precision, recall and kappa, the terms behind
    /// the false positives, the missed units, and suggested terms (words and word
    /// pairs over-represented in the reference's units of a code). Writes CSV
    /// tables and diagnose.html (right to left, self-contained) into --out.
    ///
    ///   tamlil codebook diagnose --units out/units.csv --reference pilot.qdpx --out diag
    Diagnose(DiagnoseArgs),
}

/// The inputs of `tamlil codebook diagnose`.
#[derive(clap::Args, Debug)]
pub struct DiagnoseArgs {
    /// The units table (units.csv written by `tamlil segment` or `tamlil run`).
    #[arg(long, value_name = "FILE")]
    pub units: PathBuf,
    /// The codebook (.toml or .csv) [default: the one recorded in run.json beside
    /// the units table, else the built-in codebook].
    #[arg(long, value_name = "FILE")]
    pub codebook: Option<PathBuf>,
    /// Reference codings: CSV files (`unit_id,code_id`) or REFI-QDA projects
    /// (.qdpx), read as `tamlil agree` reads them; a coder covers the documents in
    /// which they have rows.
    #[arg(long, value_name = "CODINGS", num_args = 1..)]
    pub reference: Vec<PathBuf>,
    /// The reference coder to use, when the files hold several.
    #[arg(long, value_name = "NAME")]
    pub coder: Option<String>,
    /// Skip reference codes that are not in the codebook (reported) instead of failing.
    #[arg(long)]
    pub ignore_unknown: bool,
    /// The output folder (replaced if it is a previous output).
    #[arg(long, value_name = "DIR", default_value = "diagnose")]
    pub out: PathBuf,
}

/// Label language.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    He,
    En,
}

/// Runs `tamlil codebook`.
pub fn run(args: Args) -> Result<()> {
    match args.action {
        Action::Check { file } => {
            let (cb, problems) = codebook::check_file(&file)?;
            if !problems.is_empty() {
                return Err(ErrorList(problems).into());
            }
            if let Some(cb) = cb {
                let terms: usize = cb.codes.iter().map(term_count).sum();
                println!(
                    "{}: ok: {} codes in {} families, {} terms (sha256 {})",
                    file.display(),
                    cb.codes.len(),
                    cb.families.len(),
                    terms,
                    &cb.hash()[..12]
                );
            }
            Ok(())
        }
        Action::Show { file, lang } => {
            let cb = match file {
                Some(f) => codebook::load(&f)?,
                None => codebook::default_codebook(),
            };
            print!("{}", tree(&cb, lang));
            Ok(())
        }
        Action::Export { qdc: _, file, out } => {
            super::export::codebook_to_qdc(file.as_deref(), &out)
        }
        Action::Import { file, out, force } => super::export::qdc_to_codebook(&file, &out, force),
        Action::Diagnose(a) => diagnose(a),
    }
}

/// Runs `tamlil codebook diagnose`.
fn diagnose(a: DiagnoseArgs) -> Result<()> {
    use crate::diagnose::{self, Reference};
    let units = UnitTable::read(&a.units)?;
    let (cb, note) = super::agree::choose_codebook(a.codebook.as_deref(), &a.units)?;
    if let Some(n) = note {
        eprintln!("tamlil: {n}");
    }
    let reference = match a.reference.is_empty() {
        true => None,
        false => Some(Reference::new(
            &units,
            &cb,
            &reference_coder(&a, &units, &cb)?,
        )),
    };
    let d = diagnose::analyse(&units, &cb, reference.as_ref())?;
    let staged = StagedDir::create(&a.out)?;
    let files = diagnose::write::write_all(staged.path(), &d, &cb, &units)?;
    let html = diagnose::html::render(&d, &cb, &units);
    write_atomic(&staged.path().join("diagnose.html"), html.as_bytes())?;
    let run = serde_json::json!({
        "command": "codebook diagnose",
        "units": a.units.display().to_string(),
        "codebook": { "path": cb.path.display().to_string(), "sha256": cb.hash() },
        "reference": a.reference.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    });
    let run = serde_json::to_string_pretty(&run)? + "\n";
    write_atomic(&staged.path().join(OUTPUT_MARKER), run.as_bytes())?;
    staged.commit()?;
    print!("{}", diagnose_summary(&d, &cb));
    eprintln!(
        "tamlil: {} units in {} documents; {} and diagnose.html -> {}",
        d.evaluated,
        d.documents,
        files.join(", "),
        a.out.display()
    );
    Ok(())
}

/// The one reference coder of the --reference files (or the one named by --coder),
/// the same coder's codings in several files merged.
fn reference_coder(a: &DiagnoseArgs, units: &UnitTable, cb: &Codebook) -> Result<CoderCodings> {
    let names = CodeNames::new(cb);
    let opts = ReadOptions {
        ignore_unknown: a.ignore_unknown,
        coverage_by_rows: true,
        strict_sources: false,
    };
    let mut coders: Vec<CoderCodings> = Vec::new();
    for p in &a.reference {
        let l = crate::agree::load_codings(p, units, &names, &opts)?;
        for n in &l.notes {
            eprintln!("tamlil: {n}");
        }
        for c in l.coders {
            match coders.iter_mut().find(|x| x.name == c.name) {
                Some(x) => super::agree::merge_coder(x, c),
                None => coders.push(c),
            }
        }
    }
    let list = |cs: &[CoderCodings]| {
        cs.iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &a.coder {
        Some(w) => match coders.iter().position(|c| &c.name == w) {
            Some(i) => Ok(coders.swap_remove(i)),
            None => anyhow::bail!(
                "--coder {w:?}: the references hold coders {}",
                list(&coders)
            ),
        },
        None if coders.len() == 1 => Ok(coders.remove(0)),
        None => anyhow::bail!(
            "the references hold {} coders ({}); choose one with --coder NAME",
            coders.len(),
            list(&coders)
        ),
    }
}

/// Per code with reference units: precision, recall and kappa; or the units coded.
fn diagnose_summary(d: &crate::diagnose::Diagnosis, cb: &Codebook) -> String {
    use crate::agree::{aligned, show_number};
    let with_ref = d.reference.is_some();
    let header: Vec<String> = if with_ref {
        ["code", "coded", "reference", "precision", "recall", "kappa"]
    } else {
        ["code", "coded", "", "", "", ""]
    }
    .iter()
    .filter(|s| !s.is_empty())
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<String>> = d
        .codes
        .iter()
        .filter_map(|r| {
            let id = cb.codes[r.code].id.clone();
            match &r.counts {
                Some(k) if k.both + k.only_a > 0 => Some(vec![
                    id,
                    r.coded.to_string(),
                    (k.both + k.only_a).to_string(),
                    show_number(k.precision()),
                    show_number(k.recall()),
                    show_number(k.kappa()),
                ]),
                None if r.coded > 0 => Some(vec![id, r.coded.to_string()]),
                _ => None,
            }
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    aligned(&header, &rows)
}

fn term_count(c: &codebook::Code) -> usize {
    c.rules.iter().map(|r| r.kind.terms().count()).sum()
}

/// The codebook as an indented tree: families, codes, sub-codes, with labels and
/// the number of terms behind each code.
pub fn tree(cb: &Codebook, lang: Lang) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({} codes, sha256 {})",
        cb.name,
        cb.codes.len(),
        &cb.hash()[..12]
    );
    for f in &cb.families {
        let label = if lang == Lang::He {
            &f.label_he
        } else {
            &f.label_en
        };
        let _ = writeln!(s, "{}  {}", f.id, label);
        for (i, c) in cb.codes.iter().enumerate() {
            if c.family != f.id {
                continue;
            }
            let depth = cb.depth(i) + 1;
            let label = if lang == Lang::He {
                &c.label_he
            } else {
                &c.label_en
            };
            let rules: Vec<&str> = c
                .rules
                .iter()
                .filter(|r| !matches!(r.kind, RuleKind::Any(_)))
                .map(|r| r.kind.name())
                .collect();
            let extra = if rules.is_empty() {
                String::new()
            } else {
                format!(", {}", rules.join(" "))
            };
            let _ = writeln!(
                s,
                "{}{}  {}  [{} terms{}]",
                "  ".repeat(depth),
                c.id,
                label,
                term_count(c),
                extra
            );
        }
    }
    s
}
