//! `tamlil codebook`: check and show codebooks, export them to REFI-QDA (.qdc) and import them back.

use crate::codebook::{self, Codebook, RuleKind};
use crate::error::ErrorList;
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
    }
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
