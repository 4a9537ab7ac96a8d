//! Codebooks: the model of codes and rules, loading (TOML, CSV), validation, compilation.
//!
//! A codebook is read from a TOML file (the format researchers edit, documented in
//! `codebooks/README.md`) or a flat CSV; [`load`] validates it and returns every
//! problem at once. The default codebook is compiled into the binary.

mod csv_format;
pub mod inflection;
pub mod marks;
pub mod matcher;
mod model;
pub mod pattern;
pub mod stance;
mod toml_format;
mod validate;

pub use model::{
    Code, Codebook, Conditions, Context, Family, PALETTE, Rule, RuleKind, Scoring, Term,
    is_hex_color,
};

use crate::error::{ErrorList, InputError};
use anyhow::Result;
use std::path::Path;

/// The text of the default codebook (`codebooks/rights-realization.toml`).
pub const DEFAULT_SOURCE: &str = include_str!("../../codebooks/rights-realization.toml");

/// The path shown for the default codebook in messages.
pub const DEFAULT_PATH: &str = "<embedded>/codebooks/rights-realization.toml";

/// The model the default codebook's `[learned]` section names, embedded with it.
pub const DEFAULT_MODEL: &str = include_str!("../../codebooks/rights-realization.learned.tsv");

/// The path and text of the model file `name` a codebook at `codebook` names
/// (relative to the codebook's folder; the embedded codebook's model is embedded).
pub(crate) fn learned_model(
    codebook: &Path,
    name: &str,
) -> std::result::Result<(std::path::PathBuf, std::borrow::Cow<'static, str>), String> {
    let path = codebook.parent().unwrap_or(Path::new(".")).join(name);
    if codebook == Path::new(DEFAULT_PATH) {
        return match name {
            "rights-realization.learned.tsv" => Ok((path, DEFAULT_MODEL.into())),
            _ => Err(format!(
                "{name:?} is not embedded with the default codebook"
            )),
        };
    }
    match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(|t| (path.clone(), t.into()))
            .map_err(|_| format!("{} is not UTF-8 text", path.display())),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// The default codebook, embedded in the binary.
pub fn default_codebook() -> Codebook {
    let (cb, problems) = parse_str(Path::new(DEFAULT_PATH), DEFAULT_SOURCE);
    match cb {
        Some(cb) if problems.is_empty() => cb,
        _ => panic!("the embedded codebook is invalid: {}", ErrorList(problems)),
    }
}

/// Reads and validates a codebook (TOML or CSV, by extension). Validation problems
/// come back together as an [`ErrorList`].
pub fn load(path: &Path) -> Result<Codebook> {
    let (cb, problems) = check_file(path)?;
    match cb {
        Some(cb) if problems.is_empty() => Ok(cb),
        _ => Err(ErrorList(problems).into()),
    }
}

/// Reads a codebook and returns it (if it could be parsed) with every problem found.
/// Fails only when the file cannot be read or its format is unknown.
pub fn check_file(path: &Path) -> Result<(Option<Codebook>, Vec<InputError>)> {
    let bytes = std::fs::read(path).map_err(|e| InputError::open(path, &e))?;
    let src = String::from_utf8(bytes).map_err(|e| {
        InputError::file(
            path,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        )
    })?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext != "toml" && ext != "csv" {
        return Err(
            InputError::file(path, "unknown codebook format: use a .toml or .csv file").into(),
        );
    }
    Ok(parse_str(path, &src))
}

/// Parses a codebook from text (the format chosen by `path`'s extension: `.csv`,
/// anything else TOML) and validates it.
pub fn parse_str(path: &Path, src: &str) -> (Option<Codebook>, Vec<InputError>) {
    let mut problems = Vec::new();
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let cb = if is_csv {
        csv_format::parse(path, src, &mut problems)
    } else {
        toml_format::parse(path, src, &mut problems)
    };
    let Some(mut cb) = cb else {
        return (None, problems);
    };
    problems.extend(validate::problems(&cb));
    problems.sort_by_key(|e| e.line.unwrap_or(0));
    // Families named only by code ids get a label from their id.
    for i in 0..cb.codes.len() {
        let fam = cb.codes[i].family.clone();
        if cb.family(&fam).is_none() {
            cb.families.push(Family {
                label_he: fam.clone(),
                label_en: fam.clone(),
                definition: String::new(),
                id: fam,
                line: cb.codes[i].line,
            });
        }
    }
    (Some(cb), problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_of(name: &str, src: &str) -> Vec<String> {
        parse_str(Path::new(name), src)
            .1
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn default_codebook_keys_and_targets_exclude_one_disclaimer_list() {
        // The list is written out in each code that excludes it; keep the copies equal.
        let cb = default_codebook();
        let texts = |id: &str| -> Vec<String> {
            let c = &cb.codes[cb.code_index(id).unwrap()];
            c.exclude.iter().map(|t| t.text.clone()).collect()
        };
        let list = texts("keys.knowledge");
        assert!(list.contains(&"זה כבר לא אני".to_string()), "{list:?}");
        assert_eq!(texts("keys.emotion"), list);
        // The power key and the authority target also exclude the teaching of a
        // procedure ("how one files an appeal"), after the list.
        for id in ["keys.power", "target.authority"] {
            assert_eq!(texts(id)[..list.len()], list[..], "{id}");
            assert!(texts(id).contains(&"איך מגישים".to_string()), "{id}");
        }
        // The client target also excludes the interviewee's "you" to the interviewer.
        assert_eq!(texts("target.client")[..list.len()], list[..]);
    }

    #[test]
    fn default_codebook_has_every_contract_id() {
        let cb = default_codebook();
        for id in [
            "goals.client_rights",
            "goals.civic_awareness",
            "goals.social_change",
            "goals.wellbeing",
            "role.focused",
            "role.holistic",
            "role.dedicated_expert",
            "role.general_expert",
            "role.fire_and_forget",
            "role.participatory",
            "role.therapeutic",
            "role.technical",
            "keys.knowledge",
            "keys.knowledge.tacit",
            "keys.knowledge.coaching",
            "keys.knowledge.dissemination",
            "keys.networking",
            "keys.networking.authority_contacts",
            "keys.networking.client_networks",
            "keys.emotion",
            "keys.emotion.client",
            "keys.emotion.authority",
            "keys.power",
            "keys.power.backing",
            "keys.power.media_politics",
            "keys.power.legal",
            "keys.power.empowerment",
            "target.client",
            "target.authority",
            "linkage.treatment_enables_realization",
            "linkage.realization_enables_treatment",
            "linkage.realization_as_treatment",
            "barriers.knowledge",
            "barriers.bureaucracy",
            "barriers.perception",
        ] {
            assert!(cb.code_index(id).is_some(), "missing {id}");
        }
        let ids: Vec<&str> = cb.families.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            ["goals", "role", "keys", "target", "linkage", "barriers"]
        );
        assert_eq!(cb.hash().len(), 64);
        assert_eq!(cb.hash(), default_codebook().hash());
    }

    #[test]
    fn hash_changes_with_the_text() {
        let a = parse_str(
            Path::new("a.toml"),
            "[[code]]\nid = \"a.b\"\nterms = [\"x\"]\n",
        )
        .0
        .unwrap();
        let b = parse_str(
            Path::new("a.toml"),
            "[[code]]\nid = \"a.b\"\nterms = [\"y\"]\n",
        )
        .0
        .unwrap();
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn every_problem_with_its_line() {
        let src = r##"[[code]]
id = "a.x"
terms = ["ידע"]

[[code]]
id = "a.x"
terms = ["קשר"]

[[code]]
id = "a.y"
parent = "a.nothing"
terms = ["ק*ר", "?"]

[[code]]
id = "a.z"
color = "#12"
[[code.rule]]
any = []

[[code]]
id = "a.p"
parent = "a.q"
terms = ["אחד"]

[[code]]
id = "a.q"
parent = "a.p"
terms = ["שניים"]

[[code]]
id = "a.w"
terms = ["ביטוח"]
exclude = ["ביטוח"]

[[code]]
id = "a.t"
threshold = 5
terms = ["אחת", "שתיים"]
"##;
        let p = problems_of("cb.toml", src);
        let expect = [
            "cb.toml:5: duplicate code id \"a.x\" (first at line 1)",
            "cb.toml:9: code a.y: unknown parent \"a.nothing\"",
            "cb.toml:12: code a.y: invalid pattern \"ק*ר\": `*` may only end a word",
            "cb.toml:12: code a.y: term \"?\" can never match: no letters left after normalisation",
            "cb.toml:16: code a.z: bad colour \"#12\" (expected #rrggbb)",
            "cb.toml:17: code a.z: empty rule: no terms",
            "cb.toml:20: parent cycle: a.p -> a.q -> a.p",
            "cb.toml:32: code a.w: term \"ביטוח\" can never count: the code also excludes it",
            "cb.toml:35: code a.t: threshold 5 can never be reached (at most 2)",
        ];
        for e in expect {
            assert!(p.iter().any(|x| x == e), "missing {e}\nin {p:#?}");
        }
        assert_eq!(p.len(), expect.len(), "{p:#?}");
    }

    #[test]
    fn csv_problems_have_lines() {
        let src = "code_id,parent,terms\na.b,,קשר*\na.b,,ידע\na.c,a.zz,\n";
        let p = problems_of("cb.csv", src);
        assert!(
            p.contains(&"cb.csv:3: duplicate code id \"a.b\" (first at line 2)".to_string()),
            "{p:?}"
        );
        assert!(
            p.contains(&"cb.csv:4: code a.c: unknown parent \"a.zz\"".to_string()),
            "{p:?}"
        );
        assert!(
            p.contains(&"cb.csv:4: code a.c: no rules, so it can never be assigned".to_string()),
            "{p:?}"
        );
    }

    #[test]
    fn unknown_extension_is_an_error() {
        let dir = std::env::temp_dir().join(format!("tamlil-cb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("cb.yaml");
        std::fs::write(&f, "x").unwrap();
        let err = load(&f).unwrap_err().to_string();
        assert!(err.contains("unknown codebook format"), "{err}");
        assert!(
            load(&dir.join("none.toml"))
                .unwrap_err()
                .to_string()
                .contains("file not found")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
