//! Reading a TOML codebook (the format researchers edit; see `codebooks/README.md`).

use super::model::{
    Code, Codebook, Conditions, Context, Family, PALETTE, Rule, RuleKind, Scoring, Term,
};
use crate::error::InputError;
use crate::text::Role;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    codebook: Option<RawHeader>,
    #[serde(default)]
    family: Vec<Spanned<RawFamily>>,
    #[serde(default)]
    code: Vec<Spanned<RawCode>>,
    /// What the analysis takes from the codebook (the mix family, role continua);
    /// read by `crate::tally::spec`.
    #[allow(dead_code)]
    analysis: Option<toml::Value>,
    context: Option<Spanned<RawContext>>,
    learned: Option<Spanned<RawLearned>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLearned {
    model: String,
    adds_at: Option<f32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawContext {
    question: Option<f32>,
    turn: Option<f32>,
    story: Option<usize>,
    min_own: Option<f32>,
    carry: Option<Vec<String>>,
    follow_up: Option<Vec<String>>,
    background: Option<Vec<String>>,
    background_skips: Option<Vec<String>>,
    continuation: Option<Vec<String>>,
    continues: Option<Vec<String>>,
    bridge: Option<usize>,
    bridges: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: Option<String>,
    label_he: Option<String>,
    label_en: Option<String>,
    description: Option<String>,
    version: Option<String>,
    roles: Option<Spanned<Vec<Spanned<String>>>>,
    forbid_roles: Option<Spanned<Vec<Spanned<String>>>>,
    require: Option<Spanned<BTreeMap<String, OneOrMany>>>,
    forbid: Option<Spanned<BTreeMap<String, OneOrMany>>>,
    threshold: Option<f32>,
    negation_window: Option<usize>,
    reach: Option<usize>,
    reported_speech: Option<bool>,
}

#[derive(Default)]
struct RawConditions {
    roles: Option<Spanned<Vec<Spanned<String>>>>,
    forbid_roles: Option<Spanned<Vec<Spanned<String>>>>,
    require: Option<Spanned<BTreeMap<String, OneOrMany>>>,
    forbid: Option<Spanned<BTreeMap<String, OneOrMany>>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFamily {
    id: Spanned<String>,
    label_he: Option<String>,
    label_en: Option<String>,
    definition: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    id: Spanned<String>,
    parent: Option<Spanned<String>>,
    label_he: Option<String>,
    label_en: Option<String>,
    definition: Option<String>,
    color: Option<Spanned<String>>,
    threshold: Option<Spanned<f32>>,
    roles: Option<Spanned<Vec<Spanned<String>>>>,
    forbid_roles: Option<Spanned<Vec<Spanned<String>>>>,
    require: Option<Spanned<BTreeMap<String, OneOrMany>>>,
    forbid: Option<Spanned<BTreeMap<String, OneOrMany>>>,
    /// Shorthand for one `any` rule of weight 1.
    terms: Option<Spanned<Vec<Spanned<String>>>>,
    exclude: Option<Vec<Spanned<String>>>,
    implies: Option<Vec<Spanned<String>>>,
    yields_to: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    weight: Option<f32>,
    any: Option<Vec<Spanned<String>>>,
    all: Option<Vec<Spanned<String>>>,
    near: Option<Vec<Spanned<String>>>,
    with: Option<Vec<Spanned<String>>>,
    within: Option<usize>,
    negated: Option<bool>,
    in_question: Option<bool>,
    in_context: Option<bool>,
}

/// Maps byte offsets of a source text to 1-based line numbers.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(src: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }
}

/// Parses a TOML codebook; structural problems (bad values, unknown roles) are
/// pushed to `problems`, rule-level checks are left to validation.
pub fn parse(path: &Path, src: &str, problems: &mut Vec<InputError>) -> Option<Codebook> {
    let lines = Lines::new(src);
    let raw: RawFile = match toml::from_str(src) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| lines.line(s.start)).unwrap_or(1);
            let msg = e.message().trim().to_string();
            problems.push(InputError::at(path, line, format!("invalid TOML: {msg}")));
            return None;
        }
    };
    let header = raw.codebook.unwrap_or_default();
    let _ = (
        &header.label_he,
        &header.label_en,
        &header.description,
        &header.version,
    );
    let default_cond = conditions(
        path,
        &lines,
        RawConditions {
            roles: header.roles,
            forbid_roles: header.forbid_roles,
            require: header.require,
            forbid: header.forbid,
        },
        None,
        problems,
    );
    let default_threshold = header.threshold.unwrap_or(1.0);
    let context = match raw.context {
        Some(c) => {
            let line = lines.line(c.span().start);
            let c = c.into_inner();
            let weight = |name: &str, v: Option<f32>, problems: &mut Vec<InputError>| {
                let v = v.unwrap_or(0.0);
                if !(v.is_finite() && v >= 0.0) {
                    problems.push(InputError::at(
                        path,
                        line,
                        format!("[context] {name} must be a number of at least 0"),
                    ));
                }
                v
            };
            Context {
                question: weight("question", c.question, problems),
                turn: weight("turn", c.turn, problems),
                story: c.story.unwrap_or(1),
                min_own: weight("min_own", c.min_own, problems),
                carry: c.carry.unwrap_or_default(),
                follow_up: c.follow_up.unwrap_or_default(),
                background: c.background.unwrap_or_default(),
                background_skips: c.background_skips.unwrap_or_default(),
                continuation: c.continuation.unwrap_or_default(),
                continues: c.continues.unwrap_or_default(),
                bridge: c.bridge.unwrap_or(0),
                bridges: c.bridges.unwrap_or_default(),
                line,
            }
        }
        None => Context::default(),
    };
    let name = header.name.unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "codebook".into())
    });

    let families = raw
        .family
        .into_iter()
        .map(|f| {
            let line = lines.line(f.span().start);
            let f = f.into_inner();
            let id = f.id.into_inner();
            Family {
                label_he: f.label_he.unwrap_or_else(|| id.clone()),
                label_en: f.label_en.unwrap_or_else(|| id.clone()),
                definition: f.definition.unwrap_or_default(),
                id,
                line,
            }
        })
        .collect();

    let mut codes = Vec::new();
    for (i, c) in raw.code.into_iter().enumerate() {
        let code_line = lines.line(c.span().start);
        let c = c.into_inner();
        let id_line = lines.line(c.id.span().start);
        let id = c.id.into_inner();
        let term = |s: Spanned<String>| Term::new(s.get_ref().clone(), lines.line(s.span().start));
        let terms = |v: Vec<Spanned<String>>| v.into_iter().map(term).collect::<Vec<_>>();
        let mut rules = Vec::new();
        if let Some(t) = c.terms {
            let line = lines.line(t.span().start);
            rules.push(Rule {
                kind: RuleKind::Any(terms(t.into_inner())),
                weight: 1.0,
                count_negated: false,
                in_question: false,
                in_context: false,
                line,
            });
        }
        for r in c.rule {
            let line = lines.line(r.span().start);
            let r = r.into_inner();
            let kinds = [r.any.is_some(), r.all.is_some(), r.near.is_some()]
                .iter()
                .filter(|&&b| b)
                .count();
            if kinds != 1 {
                problems.push(InputError::at(
                    path,
                    line,
                    format!("code {id}: a rule needs exactly one of `any`, `all`, `near`"),
                ));
                continue;
            }
            if r.with.is_some() && r.near.is_none() {
                problems.push(InputError::at(
                    path,
                    line,
                    format!("code {id}: `with` only goes with `near`"),
                ));
            }
            let kind = if let Some(a) = r.any {
                RuleKind::Any(terms(a))
            } else if let Some(a) = r.all {
                RuleKind::All(terms(a))
            } else {
                let within = r.within.unwrap_or(5);
                if within == 0 {
                    problems.push(InputError::at(
                        path,
                        line,
                        format!("code {id}: `within` must be at least 1"),
                    ));
                }
                RuleKind::Near {
                    terms: terms(r.near.unwrap_or_default()),
                    with: terms(r.with.unwrap_or_default()),
                    within,
                }
            };
            let weight = r.weight.unwrap_or(1.0);
            if !(weight.is_finite() && weight > 0.0) {
                problems.push(InputError::at(
                    path,
                    line,
                    format!("code {id}: weight must be a positive number"),
                ));
            }
            rules.push(Rule {
                kind,
                weight,
                count_negated: r.negated.unwrap_or(false),
                in_question: r.in_question.unwrap_or(false),
                in_context: r.in_context.unwrap_or(false),
                line,
            });
        }
        let threshold = match c.threshold {
            Some(t) => {
                let v = *t.get_ref();
                if !(v.is_finite() && v > 0.0) {
                    problems.push(InputError::at(
                        path,
                        lines.line(t.span().start),
                        format!("code {id}: threshold must be a positive number"),
                    ));
                }
                v
            }
            None => default_threshold,
        };
        let color = match c.color {
            Some(col) => {
                let v = col.get_ref().trim().to_string();
                if !super::model::is_hex_color(&v) {
                    problems.push(InputError::at(
                        path,
                        lines.line(col.span().start),
                        format!("code {id}: bad colour {v:?} (expected #rrggbb)"),
                    ));
                }
                v
            }
            None => PALETTE[i % PALETTE.len()].to_string(),
        };
        let cond = conditions(
            path,
            &lines,
            RawConditions {
                roles: c.roles,
                forbid_roles: c.forbid_roles,
                require: c.require,
                forbid: c.forbid,
            },
            Some(&default_cond),
            problems,
        );
        let parent = c
            .parent
            .map(|p| p.into_inner())
            .filter(|p| !p.trim().is_empty());
        let _ = id_line;
        codes.push(Code {
            family: id.split('.').next().unwrap_or("").to_string(),
            parent,
            label_he: c.label_he.unwrap_or_default(),
            label_en: c.label_en.unwrap_or_default(),
            definition: c.definition.unwrap_or_default(),
            color,
            threshold,
            conditions: cond,
            rules,
            exclude: c.exclude.map(terms).unwrap_or_default(),
            implies: c
                .implies
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.into_inner().trim().to_string())
                .collect(),
            yields_to: c
                .yields_to
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.into_inner().trim().to_string())
                .collect(),
            line: code_line,
            id,
        });
    }
    let learned = raw.learned.and_then(|l| {
        let line = lines.line(l.span().start);
        let l = l.into_inner();
        let adds_at = l.adds_at.unwrap_or(0.5);
        if !(adds_at > 0.0 && adds_at < 1.0) {
            problems.push(InputError::at(
                path,
                line,
                "[learned] adds_at must be a probability between 0 and 1 (exclusive)",
            ));
            return None;
        }
        let ids: Vec<String> = codes.iter().map(|c| c.id.clone()).collect();
        match super::learned_model(path, &l.model) {
            Ok((model_path, text)) => {
                match crate::learn::Learned::parse(&model_path, text, &ids, adds_at) {
                    Ok(m) => Some(std::sync::Arc::new(m)),
                    Err(e) => {
                        problems.push(e);
                        None
                    }
                }
            }
            Err(msg) => {
                problems.push(InputError::at(
                    path,
                    line,
                    format!("[learned] model: {msg}"),
                ));
                None
            }
        }
    });
    Some(Codebook {
        name,
        path: path.to_path_buf(),
        source: src.to_string(),
        families,
        codes,
        negation_window: header.negation_window.unwrap_or(3),
        scoring: Scoring {
            reach: header.reach.unwrap_or(0),
            reported_speech: header.reported_speech.unwrap_or(true),
        },
        context,
        learned,
    })
}

/// Converts raw conditions; a key a code leaves out takes the codebook's default.
fn conditions(
    path: &Path,
    lines: &Lines,
    raw: RawConditions,
    defaults: Option<&Conditions>,
    problems: &mut Vec<InputError>,
) -> Conditions {
    let mut roles_of = |v: Spanned<Vec<Spanned<String>>>| -> Vec<Role> {
        v.into_inner()
            .into_iter()
            .filter_map(|r| match Role::parse(r.get_ref()) {
                Some(role) => Some(role),
                None => {
                    problems.push(InputError::at(
                        path,
                        lines.line(r.span().start),
                        format!(
                            "unknown role {:?} (expected interviewer, interviewee or other)",
                            r.get_ref()
                        ),
                    ));
                    None
                }
            })
            .collect()
    };
    let attrs = |m: Spanned<BTreeMap<String, OneOrMany>>| -> Vec<(String, Vec<String>)> {
        m.into_inner()
            .into_iter()
            .map(|(k, v)| (k, v.into_vec()))
            .collect()
    };
    let d = defaults.cloned().unwrap_or_default();
    Conditions {
        roles: raw.roles.map(&mut roles_of).unwrap_or(d.roles),
        forbid_roles: raw
            .forbid_roles
            .map(&mut roles_of)
            .unwrap_or(d.forbid_roles),
        require: raw.require.map(attrs).unwrap_or(d.require),
        forbid: raw.forbid.map(attrs).unwrap_or(d.forbid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r##"
[codebook]
name = "small"
roles = ["interviewee"]
threshold = 2

[[family]]
id = "keys"
label_he = "מפתחות"
label_en = "Keys"

[[code]]
id = "keys.knowledge"
label_he = "ידע"
label_en = "Knowledge"
color = "#112233"
terms = ["ידע", "ניסיון"]

[[code]]
id = "keys.knowledge.tacit"
parent = "keys.knowledge"
threshold = 1
require = { sector = ["public", "third"] }
exclude = ["ויקיפדיה"]

[[code.rule]]
weight = 2
near = ["יודע*"]
with = ["ועד*"]
within = 4
"##;

    #[test]
    fn parses_codes_rules_and_defaults() {
        let mut problems = Vec::new();
        let cb = parse(Path::new("small.toml"), SMALL, &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cb.name, "small");
        assert_eq!(cb.families[0].label_en, "Keys");
        assert_eq!(cb.codes.len(), 2);
        let k = &cb.codes[0];
        assert_eq!(
            (k.id.as_str(), k.family.as_str(), k.threshold),
            ("keys.knowledge", "keys", 2.0)
        );
        assert_eq!(k.color, "#112233");
        assert_eq!(k.line, 12);
        assert_eq!(k.conditions.roles, [Role::Interviewee]);
        assert_eq!(
            k.rules[0].kind,
            RuleKind::Any(vec![Term::new("ידע", 17), Term::new("ניסיון", 17)])
        );
        let t = &cb.codes[1];
        assert_eq!(t.parent.as_deref(), Some("keys.knowledge"));
        assert_eq!(t.threshold, 1.0);
        assert_eq!(
            t.conditions.require,
            [(
                "sector".to_string(),
                vec!["public".to_string(), "third".to_string()]
            )]
        );
        assert_eq!(t.exclude, [Term::new("ויקיפדיה", 24)]);
        assert_eq!(t.rules[0].weight, 2.0);
        assert_eq!(t.rules[0].line, 26);
        assert!(matches!(t.rules[0].kind, RuleKind::Near { within: 4, .. }));
    }

    #[test]
    fn syntax_error_has_a_line() {
        let mut problems = Vec::new();
        assert!(
            parse(
                Path::new("bad.toml"),
                "[[code]]\nid = \"a\"\nterms = [\"x\"\n",
                &mut problems
            )
            .is_none()
        );
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].to_string().starts_with("bad.toml:"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn structural_problems_are_all_reported() {
        let src = "[[code]]\nid = \"a\"\ncolor = \"red\"\nroles = [\"boss\"]\n[[code.rule]]\nany = [\"x\"]\nall = [\"y\"]\n";
        let mut problems = Vec::new();
        parse(Path::new("p.toml"), src, &mut problems).unwrap();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.starts_with("p.toml:3:") && t.contains("colour"))
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("p.toml:4:") && t.contains("boss"))
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("p.toml:5:") && t.contains("exactly one"))
        );
    }
}
