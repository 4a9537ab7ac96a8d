//! Reading a flat CSV codebook, as researchers keep them in a spreadsheet.
//!
//! Columns: `code_id,parent,label_he,label_en,definition,terms,exclude` (only
//! `code_id` and `terms` are required; `color`, `weight` and `threshold` are
//! optional). Terms and exclusions are separated by `;` or `|`. A row whose id has
//! no dot and no terms names a family (its labels); every other row is a code.

use super::model::{Code, Codebook, Conditions, Family, PALETTE, Rule, RuleKind, Term};
use crate::error::InputError;
use crate::text::Role;
use std::path::Path;

/// Parses a CSV codebook; problems are pushed to `problems`.
pub fn parse(path: &Path, src: &str, problems: &mut Vec<InputError>) -> Option<Codebook> {
    let src_body = src.strip_prefix('\u{FEFF}').unwrap_or(src);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(src_body.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(InputError::at(path, 1, format!("bad CSV header: {e}")));
            return None;
        }
    };
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(c_id), Some(c_terms)) = (col("code_id").or(col("id")), col("terms")) else {
        problems.push(InputError::at(
            path,
            1,
            "a CSV codebook needs the columns code_id and terms (and optionally parent, label_he, label_en, definition, exclude, color, weight, threshold)",
        ));
        return None;
    };
    let c_parent = col("parent");
    let (c_he, c_en, c_def) = (col("label_he"), col("label_en"), col("definition"));
    let (c_excl, c_color, c_weight, c_thr) = (
        col("exclude"),
        col("color"),
        col("weight"),
        col("threshold"),
    );

    let mut families = Vec::new();
    let mut codes = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(1);
                problems.push(InputError::at(path, line, format!("bad CSV: {e}")));
                return None;
            }
        };
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(1);
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").trim().to_string();
        let id = get(Some(c_id));
        if id.is_empty() && rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let split = |s: String| -> Vec<Term> {
            s.split([';', '|'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| Term::new(t, line))
                .collect()
        };
        let terms = split(get(Some(c_terms)));
        let parent = Some(get(c_parent)).filter(|p| !p.is_empty());
        if !id.contains('.') && terms.is_empty() && parent.is_none() {
            families.push(Family {
                label_he: Some(get(c_he))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| id.clone()),
                label_en: Some(get(c_en))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| id.clone()),
                definition: get(c_def),
                id,
                line,
            });
            continue;
        }
        let number =
            |c: Option<usize>, what: &str, default: f32, problems: &mut Vec<InputError>| {
                let s = get(c);
                if s.is_empty() {
                    return default;
                }
                match s.parse::<f32>() {
                    Ok(v) if v.is_finite() && v > 0.0 => v,
                    _ => {
                        problems.push(InputError::at(
                            path,
                            line,
                            format!("code {id}: {what} must be a positive number, not {s:?}"),
                        ));
                        default
                    }
                }
            };
        let weight = number(c_weight, "weight", 1.0, problems);
        let threshold = number(c_thr, "threshold", 1.0, problems);
        let color = match get(c_color) {
            c if c.is_empty() => PALETTE[codes.len() % PALETTE.len()].to_string(),
            c => {
                if !super::model::is_hex_color(&c) {
                    problems.push(InputError::at(
                        path,
                        line,
                        format!("code {id}: bad colour {c:?} (expected #rrggbb)"),
                    ));
                }
                c
            }
        };
        let rules = if terms.is_empty() {
            Vec::new()
        } else {
            vec![Rule {
                kind: RuleKind::Any(terms),
                weight,
                count_negated: false,
                in_question: false,
                in_context: false,
                line,
            }]
        };
        codes.push(Code {
            family: id.split('.').next().unwrap_or("").to_string(),
            parent,
            label_he: get(c_he),
            label_en: get(c_en),
            definition: get(c_def),
            color,
            threshold,
            conditions: Conditions {
                roles: vec![Role::Interviewee],
                ..Conditions::default()
            },
            rules,
            exclude: split(get(c_excl)),
            implies: Vec::new(),
            yields_to: Vec::new(),
            line,
            id,
        });
    }
    Some(Codebook {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "codebook".into()),
        path: path.to_path_buf(),
        source: src.to_string(),
        families,
        codes,
        negation_window: 3,
        scoring: Default::default(),
        context: Default::default(),
        learned: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_families_and_term_lists() {
        let src = "code_id,parent,label_he,label_en,definition,terms,exclude\n\
                   keys,,מפתחות,Keys,,,\n\
                   keys.networking,,קשרים,Networking,ties,קשר*; איש קשר|טלפון ישיר,קשר שתיקה\n\
                   keys.networking.client_networks,keys.networking,,Client networks,,קבוצת ווטסאפ,\n";
        let mut problems = Vec::new();
        let cb = parse(Path::new("cb.csv"), src, &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cb.families.len(), 1);
        assert_eq!(cb.families[0].label_he, "מפתחות");
        assert_eq!(cb.codes.len(), 2);
        let n = &cb.codes[0];
        assert_eq!(n.line, 3);
        assert_eq!(
            n.rules[0].kind,
            RuleKind::Any(vec![
                Term::new("קשר*", 3),
                Term::new("איש קשר", 3),
                Term::new("טלפון ישיר", 3)
            ])
        );
        assert_eq!(n.exclude, [Term::new("קשר שתיקה", 3)]);
        assert_eq!(cb.codes[1].parent.as_deref(), Some("keys.networking"));
        assert_eq!(cb.codes[1].conditions.roles, [Role::Interviewee]);
    }

    #[test]
    fn missing_columns_and_bad_values() {
        let mut problems = Vec::new();
        assert!(parse(Path::new("x.csv"), "id,label\na,b\n", &mut problems).is_none());
        assert!(problems[0].to_string().starts_with("x.csv:1:"));
        let mut problems = Vec::new();
        parse(
            Path::new("y.csv"),
            "code_id,terms,color,weight\na.b,x,blue,0\n",
            &mut problems,
        )
        .unwrap();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(text.iter().all(|t| t.starts_with("y.csv:2:")));
    }
}
