//! `tamlil learn`: a model of the codes a researcher gave by hand, for a codebook's `[learned]` section.

use crate::agree;
use crate::agree::metrics::Counts;
use crate::codebook::{self, Codebook};
use crate::coded::{CodeNames, ReadOptions, Target, UnitTable};
use crate::coding::{Coding, continues_question};
use crate::error::InputError;
use crate::learn::{self, features, fit};
use crate::text::Role;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Learn from hand-coded units which codes go with which words, to add codes the rules miss.
///
/// CODED holds a researcher's codes of the units in --units (a units.csv from
/// `tamlil segment` or `tamlil run`): a CSV with `unit_id,code_id` (a row with an
/// empty code_id marks a unit read and left uncoded), a CSV of coded spans
/// (`doc_id,start,end,code_id`, character offsets into the documents, mapped to units
/// as a .qdpx's selections are) or a REFI-QDA project (.qdpx).
/// Every answer (a unit of the interviewee) of the documents the coder covered is an
/// example. The codebook's rules code the units first; for each
/// code the coder gave at least --min-examples times, a logistic regression learns
/// weights for the unit's words (each also without its clitic prefix), the words of
/// the question it answers, the codes the rules gave with their scores, and the
/// attributes named with --attribute. Words in fewer than --min-count examples are
/// left out. The model is written to --out; name it in the codebook's `[learned]`
/// section (see codebooks/README.md) and the coder adds a code where the model's
/// probability reaches `adds_at` and the rules did not give it. Before writing it, a
/// check by --folds groups of documents reports the agreement with the hand coding of
/// the rules alone and of the rules with the model (kept as a comment in the file).
///
/// Examples:
///
///   tamlil learn --units out/units.csv hand.csv --out my.learned.tsv
///   tamlil learn --units out/units.csv hand.csv --codebook my.toml --attribute site --out my.learned.tsv
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The units table (units.csv written by `tamlil segment` or `tamlil run`).
    #[arg(long, value_name = "FILE")]
    pub units: PathBuf,
    /// The hand coding: a codings CSV (`unit_id,code_id` or `doc_id,start,end,code_id`)
    /// or a REFI-QDA project.
    #[arg(value_name = "CODED")]
    pub coded: PathBuf,
    /// Codebook whose rules code the units first [default: the built-in codebook].
    #[arg(long, value_name = "FILE")]
    pub codebook: Option<PathBuf>,
    /// Where to write the model.
    #[arg(long, value_name = "FILE", default_value = "learned.tsv")]
    pub out: PathBuf,
    /// An attribute column of the units table whose values the model weighs
    /// (repeatable). Not one the study compares groups by: the model would lean each
    /// group towards how often its training interviews had each code.
    #[arg(long = "attribute", value_name = "NAME")]
    pub attributes: Vec<String>,
    /// The fewest examples a word must occur in to be weighed.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_count: usize,
    /// The fewest examples of a code for it to be learned.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub min_examples: usize,
    /// Inverse strength of the L2 penalty on the weights (LIBLINEAR's C).
    #[arg(long, value_name = "C", default_value_t = 1.0)]
    pub c: f64,
    /// Check the model by cross-validation: learn from all documents but one group
    /// of them, code that group, over this many groups, and report the agreement
    /// with the hand coding with and without the model (0: no check).
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub folds: usize,
    /// The probability from which the check adds a code [default: the codebook's
    /// `[learned] adds_at`, else 0.5].
    #[arg(long, value_name = "P")]
    pub adds_at: Option<f32>,
    /// Skip codings of codes that are not in the codebook (reported) instead of failing.
    #[arg(long)]
    pub ignore_unknown: bool,
    /// The coder of CODED to learn from, when it holds several.
    #[arg(long, value_name = "NAME")]
    pub coder: Option<String>,
}

/// One example: its features (column, value) and its hand codes.
struct Example {
    doc: String,
    features: Vec<(String, f32)>,
    codes: Vec<usize>,
    /// The codes the rules gave, with every code above them.
    ruled: Vec<usize>,
}

/// Runs `tamlil learn`.
pub fn run(args: Args) -> Result<()> {
    let units = UnitTable::read(&args.units)?;
    let cb = match &args.codebook {
        Some(p) => codebook::load(p)?,
        None => codebook::default_codebook(),
    };
    if !(args.c.is_finite() && args.c > 0.0) {
        anyhow::bail!("--c must be a positive number");
    }
    let adds_at = args
        .adds_at
        .or(cb.learned.as_ref().map(|l| l.adds_at))
        .unwrap_or(0.5);
    if !(adds_at > 0.0 && adds_at < 1.0) {
        anyhow::bail!("--adds-at must be a probability between 0 and 1 (exclusive)");
    }
    for a in &args.attributes {
        if units.attribute(a).is_none() {
            return Err(InputError::file(
                &args.units,
                format!(
                    "no attribute column {a:?}; attributes are: {}",
                    units.attributes.join(", ")
                ),
            )
            .into());
        }
    }
    // The rules alone: the model learns what to add to them.
    let mut rules = cb.clone();
    rules.learned = None;
    let names = CodeNames::new(&cb);
    let opts = ReadOptions {
        ignore_unknown: args.ignore_unknown,
        coverage_by_rows: true,
        strict_sources: false,
    };
    let loaded = agree::load_codings(&args.coded, &units, &names, &opts)?;
    for n in &loaded.notes {
        eprintln!("tamlil: {n}");
    }
    let mut coders = loaded.coders;
    let coder = match (&args.coder, coders.len()) {
        (Some(w), _) => {
            let i = coders
                .iter()
                .position(|c| &c.name == w)
                .ok_or_else(|| InputError::file(&args.coded, format!("no coder {w:?} here")))?;
            coders.swap_remove(i)
        }
        (None, 1) => coders.pop().expect("one coder"),
        (None, n) => {
            return Err(InputError::file(
                &args.coded,
                format!("holds codings by {n} coders; choose one with --coder NAME"),
            )
            .into());
        }
    };
    let mut by_rules: Vec<Vec<Coding>> = vec![Vec::new(); units.units.len()];
    crate::cmd::code::code_units(&args.units, &rules, |id, _, cs| {
        if let Some(u) = units.get(id) {
            by_rules[u] = cs
                .iter()
                .map(|c| Coding {
                    code: c.code,
                    score: c.score,
                    evidence: Vec::new(),
                    learned: false,
                })
                .collect();
        }
        Ok(())
    })?;
    let parent: Vec<Option<usize>> = cb
        .codes
        .iter()
        .map(|c| c.parent.as_deref().and_then(|p| cb.code_index(p)))
        .collect();
    // A sub-code counts as its code too (as `tamlil agree` counts it).
    let mut hand: Vec<Vec<usize>> = vec![Vec::new(); units.units.len()];
    let mut family_rows = 0;
    for &(u, t) in &coder.codings {
        match t {
            Target::Code(c) => hand[u].extend(with_ancestors(c, &parent)),
            Target::Family(_) => family_rows += 1,
        }
    }
    for h in &mut hand {
        h.sort_unstable();
        h.dedup();
    }
    if family_rows > 0 {
        eprintln!(
            "tamlil: {}: {family_rows} codings name a family, not a code; a model learns codes only",
            args.coded.display()
        );
    }

    let code_ids: Vec<String> = cb.codes.iter().map(|c| c.id.clone()).collect();
    let wanted: Vec<usize> = args
        .attributes
        .iter()
        .filter_map(|a| units.attribute(a))
        .collect();
    let examples = examples(
        &units,
        &by_rules,
        &hand,
        &code_ids,
        &args.attributes,
        &wanted,
        &parent,
        |u| coder.covers(u),
    );
    if examples.is_empty() {
        return Err(InputError::file(
            &args.coded,
            "no answer of the units table is coded here (an answer is a unit of the interviewee role)",
        )
        .into());
    }
    let answers = examples.len();
    let Some(d) = design(&examples, &args) else {
        return Err(InputError::file(
            &args.coded,
            format!(
                "no code was given at least {} times: nothing to learn",
                args.min_examples
            ),
        )
        .into());
    };
    let mut note = format!(
        "learned from {} ({answers} answers) with the rules of codebook {}; --min-count {} --c {}",
        file_name(&args.coded),
        cb.name,
        args.min_count,
        args.c
    );
    if args.folds >= 2 {
        let checked = cross_validate(&d, &examples, args.folds, args.c, adds_at);
        let show = |c: &Counts| {
            let f = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.3}"));
            format!(
                "kappa {} (precision {}, recall {})",
                f(c.kappa()),
                f(c.precision()),
                f(c.recall())
            )
        };
        let line = format!(
            "cross-validated over {} folds of documents, the model's codes at adds_at {}: the rules alone {}; with the model {}",
            args.folds,
            adds_at,
            show(&checked.rules),
            show(&checked.learned)
        );
        eprintln!("tamlil: {line}");
        note.push('\n');
        note.push_str(&line);
    }
    let (codes, bias, rows, n_cols) = train(&d, &examples, &cb, &args);
    let text = learn::write_model(&codes, &args.attributes, &bias, &rows, &note);
    crate::output::write_atomic(&args.out, text.as_bytes())?;
    eprintln!(
        "tamlil: learned {} codes from {answers} answers ({n_cols} features weighed, {} kept) -> {}",
        codes.len(),
        rows.len(),
        args.out.display()
    );
    Ok(())
}

/// Code `c` and every code above it.
fn with_ancestors(c: usize, parent: &[Option<usize>]) -> impl Iterator<Item = usize> + '_ {
    std::iter::successors(Some(c), move |&i| parent[i])
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The answers `covered` keeps, with their features and hand codes. The question of
/// an answer is found as the coder finds it ([`continues_question`]).
#[allow(clippy::too_many_arguments)]
fn examples(
    units: &UnitTable,
    by_rules: &[Vec<Coding>],
    hand: &[Vec<usize>],
    code_ids: &[String],
    attr_names: &[String],
    attr_cols: &[usize],
    parent: &[Option<usize>],
    covered: impl Fn(usize) -> bool,
) -> Vec<Example> {
    let mut out = Vec::new();
    let (mut key, mut word) = (String::new(), String::new());
    // The question an answer answers, as the coder finds it.
    let mut question: Vec<&str> = Vec::new();
    for (u, row) in units.units.iter().enumerate() {
        let role = Role::parse(&row.role);
        let prev = u
            .checked_sub(1)
            .map(|p| &units.units[p])
            .filter(|p| p.doc_id == row.doc_id)
            .map(|p| (Role::parse(&p.role), p.turn));
        if prev.is_none() {
            question.clear();
        }
        match role {
            Some(Role::Interviewer) => {
                if !continues_question(prev, row.turn) {
                    question.clear();
                }
                question.push(&row.text);
                continue;
            }
            Some(Role::Interviewee) => {}
            _ => continue,
        }
        if !covered(u) {
            continue;
        }
        let attrs: Vec<(&str, &str)> = attr_names
            .iter()
            .zip(attr_cols)
            .map(|(n, &c)| (n.as_str(), row.attrs[c].as_str()))
            .collect();
        let mut feats: Vec<(String, f32)> = Vec::new();
        features::for_each_feature(
            &row.text,
            &question,
            &by_rules[u],
            code_ids,
            &attrs,
            attr_names,
            &mut key,
            &mut word,
            |k, v| feats.push((k.to_string(), v)),
        );
        // A feature counts once (its first value).
        let mut seen = std::collections::HashSet::new();
        feats.retain(|(k, _)| seen.insert(k.clone()));
        let mut ruled: Vec<usize> = by_rules[u]
            .iter()
            .flat_map(|c| with_ancestors(c.code, parent))
            .collect();
        ruled.sort_unstable();
        ruled.dedup();
        out.push(Example {
            doc: row.doc_id.clone(),
            features: feats,
            codes: hand[u].clone(),
            ruled,
        });
    }
    out
}

/// The learning problem: the codes to learn (codebook indices), the feature columns
/// (names in order) and one sparse row per example.
struct Design<'e> {
    codes: Vec<usize>,
    names: Vec<&'e str>,
    rows: fit::Rows,
}

/// The codes given at least `--min-examples` times and the features in at least
/// `--min-count` examples; `None` if no code is given often enough.
fn design<'e>(examples: &'e [Example], args: &Args) -> Option<Design<'e>> {
    let mut count: BTreeMap<usize, usize> = BTreeMap::new();
    for e in examples {
        for &c in &e.codes {
            *count.entry(c).or_default() += 1;
        }
    }
    let codes: Vec<usize> = count
        .iter()
        .filter(|&(_, &n)| n >= args.min_examples)
        .map(|(&c, _)| c)
        .collect();
    if codes.is_empty() {
        return None;
    }
    // Columns: the features in at least --min-count examples, by name (which
    // examples have a feature, not their codes, so no fold's codes leak into it).
    let mut df: HashMap<&str, usize> = HashMap::new();
    for e in examples {
        for (k, _) in &e.features {
            *df.entry(k.as_str()).or_default() += 1;
        }
    }
    let mut names: Vec<&str> = df
        .iter()
        .filter(|&(_, &n)| n >= args.min_count)
        .map(|(&k, _)| k)
        .collect();
    names.sort_unstable();
    let col: HashMap<&str, u32> = names
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    let mut rows = fit::Rows::new(names.len());
    let mut row = Vec::new();
    for e in examples {
        row.clear();
        row.extend(
            e.features
                .iter()
                .filter_map(|(k, v)| col.get(k.as_str()).map(|&j| (j, *v))),
        );
        row.sort_unstable_by_key(|&(j, _)| j);
        rows.push(&row);
    }
    Some(Design { codes, names, rows })
}

/// One fit per code of `d` on the examples `keep` selects.
fn fit_codes(d: &Design, examples: &[Example], keep: &[usize], c: f64) -> Vec<fit::Fit> {
    let mut rows = fit::Rows::new(d.rows.n_cols);
    for &i in keep {
        rows.push(d.rows.row(i));
    }
    d.codes
        .par_iter()
        .map(|&code| {
            let y: Vec<bool> = keep
                .iter()
                .map(|&i| examples[i].codes.contains(&code))
                .collect();
            fit::logistic(&rows, &y, c, 1e-5, 1000)
        })
        .collect()
}

/// Agreement with the hand coding over the model's codes, pooled over every example
/// and code: of the rules alone, and of the rules with what the model adds.
#[derive(Debug, Default)]
struct Checked {
    rules: Counts,
    learned: Counts,
}

/// Cross-validates by document: the documents fall into `folds` groups (in turn, by
/// first appearance); each group's examples are coded by a model learned from the
/// others, on top of the rules' codes.
fn cross_validate(d: &Design, examples: &[Example], folds: usize, c: f64, adds_at: f32) -> Checked {
    let mut fold_of: HashMap<&str, usize> = HashMap::new();
    for e in examples {
        let n = fold_of.len();
        fold_of.entry(e.doc.as_str()).or_insert(n % folds);
    }
    let at = (adds_at / (1.0 - adds_at)).ln() as f64;
    let mut out = Checked::default();
    for f in 0..folds {
        let (test, train): (Vec<usize>, Vec<usize>) =
            (0..examples.len()).partition(|&i| fold_of[examples[i].doc.as_str()] == f);
        if test.is_empty() || train.is_empty() {
            continue;
        }
        let fits = fit_codes(d, examples, &train, c);
        for &i in &test {
            for (k, &code) in d.codes.iter().enumerate() {
                let hand = examples[i].codes.contains(&code);
                let by_rules = examples[i].ruled.contains(&code);
                let z = fits[k].bias as f64
                    + d.rows
                        .row(i)
                        .iter()
                        .map(|&(j, v)| fits[k].weights[j as usize] as f64 * v as f64)
                        .sum::<f64>();
                out.rules.add(hand, by_rules);
                out.learned.add(hand, by_rules || z >= at);
            }
        }
    }
    out
}

type Model<'a> = (Vec<&'a str>, Vec<f32>, Vec<(String, Vec<f32>)>, usize);

/// Fits one model per code of `d` on every example.
fn train<'a>(d: &Design, examples: &[Example], cb: &'a Codebook, args: &Args) -> Model<'a> {
    let all: Vec<usize> = (0..examples.len()).collect();
    let fits = fit_codes(d, examples, &all, args.c);
    let (codes, names) = (&d.codes, &d.names);
    // A feature whose every weight rounds to zero is left out of the file.
    let kept: Vec<(String, Vec<f32>)> = names
        .iter()
        .enumerate()
        .map(|(j, &k)| {
            (
                k.to_string(),
                fits.iter().map(|f| f.weights[j]).collect::<Vec<f32>>(),
            )
        })
        .filter(|(_, ws)| ws.iter().any(|w| w.abs() >= 0.00005))
        .collect();
    (
        codes.iter().map(|&c| cb.codes[c].id.as_str()).collect(),
        fits.iter().map(|f| f.bias).collect(),
        kept,
        names.len(),
    )
}
