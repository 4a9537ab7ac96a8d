//! Checking a codebook: every problem at once, each with its file and line.

use super::model::{Codebook, RuleKind};
use super::pattern::{PatternWord, parse_term};
use crate::error::InputError;
use std::collections::{HashMap, HashSet};

/// Every problem of `cb`: ids, hierarchy, rules and terms.
pub fn problems(cb: &Codebook) -> Vec<InputError> {
    let path = cb.path.as_path();
    let mut out = Vec::new();
    let mut at = |line: usize, msg: String| out.push(InputError::at(path, line, msg));

    let mut fam_seen: HashMap<&str, usize> = HashMap::new();
    for f in &cb.families {
        if let Some(first) = fam_seen.insert(&f.id, f.line) {
            at(
                f.line,
                format!("duplicate family id {:?} (first at line {first})", f.id),
            );
        }
    }

    let mut seen: HashMap<&str, usize> = HashMap::new();
    for c in &cb.codes {
        if c.id.is_empty()
            || c.id.chars().any(|ch| ch.is_whitespace() || ch == ',')
            || c.id.split('.').any(str::is_empty)
        {
            at(
                c.line,
                format!(
                    "invalid code id {:?} (use dotted names like keys.power.legal)",
                    c.id
                ),
            );
        }
        if let Some(first) = seen.insert(&c.id, c.line) {
            at(
                c.line,
                format!("duplicate code id {:?} (first at line {first})", c.id),
            );
        }
    }

    duplicate_labels(cb, &mut at);

    // The codes a code names: each a code of the codebook, not the code itself.
    for c in &cb.codes {
        let named = [
            ("implies", "implies itself", &c.implies),
            ("yields_to", "yields to itself", &c.yields_to),
        ];
        for (key, itself, ids) in named {
            for id in ids {
                if id == &c.id {
                    at(c.line, format!("code {}: {itself}", c.id));
                } else if cb.code_index(id).is_none() {
                    at(
                        c.line,
                        format!(
                            "code {}: {key} {id:?}, which is not a code of this codebook",
                            c.id
                        ),
                    );
                }
            }
        }
        if !c.yields_to.is_empty() && !cb.context.is_on() {
            at(
                c.line,
                format!(
                    "code {}: `yields_to` acts where a code reached its threshold only with its context, and this codebook has no [context] (set `turn` and `story`, or `question`)",
                    c.id
                ),
            );
        }
    }

    let lists = [
        ("carry", &cb.context.carry),
        ("follow_up", &cb.context.follow_up),
        ("background_skips", &cb.context.background_skips),
        ("continues", &cb.context.continues),
        ("bridges", &cb.context.bridges),
    ];
    for (key, list) in lists {
        for id in list {
            let known = cb.families.iter().any(|f| &f.id == id)
                || cb.codes.iter().any(|c| &c.id == id || &c.family == id);
            if !known {
                at(
                    cb.context.line,
                    format!(
                        "[context] {key}: {id:?} is neither a family nor a code of this codebook"
                    ),
                );
            }
        }
    }
    let terms = [
        ("background", &cb.context.background),
        ("continuation", &cb.context.continuation),
    ];
    for (key, list) in terms {
        for t in list {
            if let Err(e) = crate::codebook::pattern::parse_term(t) {
                at(cb.context.line, format!("[context] {key}: {t:?}: {e}"));
            }
        }
    }
    // Keys that mean nothing one without the other: the terms, and the codes they act on.
    let pairs = [
        (
            ("background", &cb.context.background),
            ("background_skips", &cb.context.background_skips),
            "the questions, and the codes their answers do not take",
        ),
        (
            ("continuation", &cb.context.continuation),
            ("continues", &cb.context.continues),
            "the words that open a continuing sentence, and the codes it takes",
        ),
    ];
    for ((terms_key, terms), (codes_key, codes), what) in pairs {
        if terms.is_empty() != codes.is_empty() {
            at(
                cb.context.line,
                format!("[context] {terms_key} and {codes_key} go together: {what}"),
            );
        }
    }
    if (cb.context.bridge > 0) == cb.context.bridges.is_empty() {
        at(
            cb.context.line,
            "[context] bridge and bridges go together: the most sentences a passage bridges, and the codes it carries over them"
                .to_string(),
        );
    }
    let in_order = [
        ("continuation", !cb.context.continuation.is_empty()),
        ("bridge", cb.context.bridge > 0),
    ];
    for (key, used) in in_order {
        if used && !cb.context.is_on() {
            at(
                cb.context.line,
                format!(
                    "[context] {key} acts on the units of a document in order, and `question` and `turn` are 0 (set one above 0)"
                ),
            );
        }
    }
    if !cb.context.follow_up.is_empty() && cb.context.question <= 0.0 {
        at(
            cb.context.line,
            "[context] follow_up acts through the question, and `question` is 0 (set it above 0)"
                .to_string(),
        );
    }

    // A question-only rule acts through the question's weight, or through what an
    // answer carries.
    let asked = |c: &super::Code| {
        cb.context.question > 0.0 || (cb.context.is_on() && cb.context.carries(c))
    };
    for c in cb.codes.iter().filter(|c| !asked(c)) {
        for r in c.rules.iter().filter(|r| r.in_question) {
            at(
                r.line,
                format!(
                    "code {}: an `in_question` rule counts only in questions, and this codebook's [context] neither weighs the question nor carries the code (set `question` or `carry`)",
                    c.id
                ),
            );
        }
    }

    // A context-only rule acts through the question or the neighbours of the turn.
    for c in &cb.codes {
        for r in c.rules.iter().filter(|r| r.in_context) {
            if r.in_question {
                at(
                    r.line,
                    format!(
                        "code {}: a rule is either `in_question` or `in_context`, not both (`in_context` also counts in questions)",
                        c.id
                    ),
                );
            } else if !cb.context.is_on() {
                at(
                    r.line,
                    format!(
                        "code {}: an `in_context` rule counts only as context for other units, and this codebook has no [context] (set `turn` and `story`, or `question`)",
                        c.id
                    ),
                );
            }
        }
    }

    let index: HashMap<&str, usize> = cb
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut has_child = vec![false; cb.codes.len()];
    for c in &cb.codes {
        let Some(p) = c.parent.as_deref() else {
            continue;
        };
        match index.get(p) {
            None => at(c.line, format!("code {}: unknown parent {p:?}", c.id)),
            Some(&j) => {
                has_child[j] = true;
                if cb.codes[j].family != c.family {
                    at(
                        c.line,
                        format!(
                            "code {}: its parent {p} is in another family ({})",
                            c.id, cb.codes[j].family
                        ),
                    );
                }
            }
        }
    }
    // Cycles: follow parents from each code; report each cycle once, at its first code.
    let mut reported: HashSet<usize> = HashSet::new();
    for start in 0..cb.codes.len() {
        let mut path_ix = vec![start];
        let mut cur = start;
        while let Some(&p) = cb.codes[cur].parent.as_deref().and_then(|p| index.get(p)) {
            if let Some(pos) = path_ix.iter().position(|&x| x == p) {
                let cycle: Vec<usize> = path_ix[pos..].to_vec();
                if cycle.iter().all(|x| !reported.contains(x)) && cycle.contains(&start) {
                    let names: Vec<&str> = cycle.iter().map(|&x| cb.codes[x].id.as_str()).collect();
                    at(
                        cb.codes[start].line,
                        format!("parent cycle: {} -> {}", names.join(" -> "), names[0]),
                    );
                    reported.extend(cycle);
                }
                break;
            }
            path_ix.push(p);
            cur = p;
        }
    }

    let mut max_score = vec![0f32; cb.codes.len()];
    for (i, c) in cb.codes.iter().enumerate() {
        if c.rules.is_empty() && !has_child[i] {
            at(
                c.line,
                format!("code {}: no rules, so it can never be assigned", c.id),
            );
        }
        let mut excluded: HashSet<Vec<PatternWord>> = HashSet::new();
        for t in &c.exclude {
            match parse_term(&t.text) {
                Ok(p) => {
                    excluded.insert(p);
                }
                Err(e) => at(t.line, format!("code {}: exclude {e}", c.id)),
            }
        }
        for r in &c.rules {
            let empty = match &r.kind {
                RuleKind::Any(t) | RuleKind::All(t) => t.is_empty(),
                RuleKind::Near { terms, with, .. } => terms.is_empty() || with.is_empty(),
            };
            if empty {
                let what = match &r.kind {
                    RuleKind::Near { .. } => "a `near` rule needs terms in both `near` and `with`",
                    _ => "empty rule: no terms",
                };
                at(r.line, format!("code {}: {what}", c.id));
            }
            if let RuleKind::All(t) = &r.kind
                && t.len() > 64
            {
                at(
                    r.line,
                    format!("code {}: an `all` rule takes at most 64 terms", c.id),
                );
            }
            let mut distinct: HashSet<Vec<PatternWord>> = HashSet::new();
            for t in r.kind.terms() {
                match parse_term(&t.text) {
                    Ok(p) => {
                        if excluded.contains(&p) {
                            at(
                                t.line,
                                format!(
                                    "code {}: term {:?} can never count: the code also excludes it",
                                    c.id, t.text
                                ),
                            );
                        }
                        distinct.insert(p);
                    }
                    Err(e) => at(t.line, format!("code {}: {e}", c.id)),
                }
            }
            max_score[i] += match r.kind {
                RuleKind::Any(_) => r.weight * distinct.len() as f32,
                _ => r.weight,
            };
        }
    }
    // Children add their scores to their parents' (deepest first).
    let mut order: Vec<usize> = (0..cb.codes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cb.depth(i)));
    let mut total = max_score.clone();
    for &i in &order {
        if let Some(&p) = cb.codes[i].parent.as_deref().and_then(|p| index.get(p))
            && p != i
            && cb.depth(p) < cb.depth(i)
        {
            total[p] += total[i];
        }
    }
    for (i, c) in cb.codes.iter().enumerate() {
        if total[i] > 0.0 && total[i] < c.threshold && !has_child[i] {
            at(
                c.line,
                format!(
                    "code {}: threshold {} can never be reached (at most {})",
                    c.id, c.threshold, total[i]
                ),
            );
        }
    }
    out.sort_by_key(|e| e.line.unwrap_or(0));
    out
}

/// Two codes (or two families) with the same Hebrew or the same English label: a
/// QDA project names codes by label, and there the second code of a name would lose
/// its codings; readers of tables could not tell the two apart either.
fn duplicate_labels(cb: &Codebook, at: &mut impl FnMut(usize, String)) {
    for (lang, he) in [("Hebrew", true), ("English", false)] {
        let pick = |he_label: &str, en_label: &str| {
            let l = if he { he_label } else { en_label };
            l.trim().to_string()
        };
        let mut seen: HashMap<String, (&str, usize)> = HashMap::new();
        for f in &cb.families {
            let l = pick(&f.label_he, &f.label_en);
            if l.is_empty() {
                continue;
            }
            match seen.get(&l) {
                Some((other, line)) => at(
                    f.line,
                    format!(
                        "family {}: {lang} label {l:?} is also the label of family {other} (line {line}); labels must differ (QDA tools join by name)",
                        f.id
                    ),
                ),
                None => {
                    seen.insert(l, (&f.id, f.line));
                }
            }
        }
        let mut seen: HashMap<String, (&str, usize)> = HashMap::new();
        for c in &cb.codes {
            let l = pick(&c.label_he, &c.label_en);
            if l.is_empty() {
                continue;
            }
            match seen.get(&l) {
                Some((other, line)) => at(
                    c.line,
                    format!(
                        "code {}: {lang} label {l:?} is also the label of code {other} (line {line}); labels must differ (QDA tools join by name)",
                        c.id
                    ),
                ),
                None => {
                    seen.insert(l, (&c.id, c.line));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn duplicate_labels_within_a_language_are_errors() {
        let src = "[[code]]\nid = \"a.x\"\nlabel_he = \"כוח\"\nlabel_en = \"Power\"\nterms = [\"ידע\"]\n\
                   [[code]]\nid = \"a.y\"\nlabel_he = \"כוח\"\nlabel_en = \"Might\"\nterms = [\"קשר\"]\n\
                   [[code]]\nid = \"b.z\"\nlabel_he = \"עוצמה\"\nlabel_en = \"Power\"\nterms = [\"רגש\"]\n";
        let (_, problems) = crate::codebook::parse_str(Path::new("dup.toml"), src);
        let msgs: Vec<String> = problems.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].contains(
                "dup.toml:6: code a.y: Hebrew label \"כוח\" is also the label of code a.x (line 1)"
            ),
            "{msgs:?}"
        );
        assert!(msgs[1].contains("dup.toml:11: code b.z: English label \"Power\" is also the label of code a.x (line 1)"), "{msgs:?}");
        let ok = "[[code]]\nid = \"a.x\"\nlabel_he = \"כוח\"\nterms = [\"ידע\"]\n\
                  [[code]]\nid = \"a.y\"\nlabel_he = \"קשרים\"\nterms = [\"קשר\"]\n";
        assert!(
            crate::codebook::parse_str(Path::new("ok.toml"), ok)
                .1
                .is_empty()
        );
    }

    /// Parses `src` as `path`: the codebook and every problem as `file:line: message`.
    fn parsed(path: &str, src: &str) -> (Option<super::Codebook>, Vec<String>) {
        let (cb, problems) = crate::codebook::parse_str(Path::new(path), src);
        (cb, problems.iter().map(|e| e.to_string()).collect())
    }

    /// The one problem `s.toml` with this text has (fails unless there is exactly one).
    fn one_problem(src: &str) -> String {
        let (_, mut msgs) = parsed("s.toml", src);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        msgs.pop().unwrap()
    }

    #[test]
    fn carry_names_families_or_codes_of_the_codebook() {
        let src = "[context]\nturn = 0.5\ncarry = [\"keys\", \"goals.x\", \"keyz\"]\n\
                   [[code]]\nid = \"keys.power\"\nterms = [\"ערעור\"]\n\
                   [[code]]\nid = \"goals.x\"\nterms = [\"זכות\"]\n";
        let (cb, msgs) = parsed("carry.toml", src);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].contains(
                "carry.toml:1: [context] carry: \"keyz\" is neither a family nor a code of this codebook"
            ),
            "{msgs:?}"
        );
        assert_eq!(cb.unwrap().context.carry, ["keys", "goals.x", "keyz"]);
    }

    #[test]
    fn follow_up_names_codes_and_needs_the_question() {
        let code = "[[code]]\nid = \"keys.emotion\"\nterms = [\"הרגעתי\"]\n";
        let (cb, msgs) = parsed(
            "f.toml",
            &format!("[context]\nquestion = 0.5\nfollow_up = [\"keys.emotion\", \"keyz\"]\n{code}"),
        );
        assert_eq!(
            msgs,
            [
                "f.toml:1: [context] follow_up: \"keyz\" is neither a family nor a code of this codebook"
            ]
        );
        assert_eq!(cb.unwrap().context.follow_up, ["keys.emotion", "keyz"]);
        let (_, msgs) = parsed(
            "f.toml",
            &format!("[context]\nturn = 0.5\nfollow_up = [\"keys\"]\n{code}"),
        );
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].starts_with("f.toml:1: [context] follow_up acts through the question"));
    }

    #[test]
    fn background_questions_and_skips_go_together() {
        let code = "[[code]]\nid = \"keys.power\"\nterms = [\"ערעור\"]\n";
        let (cb, msgs) = parsed(
            "b.toml",
            &format!(
                "[context]\nquestion = 0.5\nbackground = [\"איך הגעת\"]\nbackground_skips = [\"keys\", \"keyz\"]\n{code}"
            ),
        );
        assert_eq!(
            msgs,
            [
                "b.toml:1: [context] background_skips: \"keyz\" is neither a family nor a code of this codebook"
            ]
        );
        assert_eq!(cb.unwrap().context.background, ["איך הגעת"]);
        let (_, msgs) = parsed(
            "b.toml",
            &format!("[context]\nquestion = 0.5\nbackground = [\"איך הגעת\"]\n{code}"),
        );
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].starts_with("b.toml:1: [context] background and background_skips go together")
        );
    }

    #[test]
    fn the_codes_a_code_names_are_codes_of_the_codebook_but_not_itself() {
        // `implies` and `yields_to` (with the context it needs) go through one check.
        for (key, itself) in [
            ("implies", "implies itself"),
            ("yields_to", "yields to itself"),
        ] {
            let src = format!(
                "[context]\nturn = 0.5\n\n[[code]]\nid = \"keys.knowledge\"\nterms = [\"ידע\"]\n{key} = [\"target.clinet\"]\n\
                 [[code]]\nid = \"target.client\"\nterms = [\"לו\"]\n{key} = [\"target.client\"]\n"
            );
            let (_, problems) = parsed("i.toml", &src);
            assert_eq!(
                problems,
                [
                    format!(
                        "i.toml:4: code keys.knowledge: {key} \"target.clinet\", which is not a code of this codebook"
                    ),
                    format!("i.toml:8: code target.client: {itself}")
                ]
            );
        }
    }

    #[test]
    fn yields_to_needs_a_context() {
        let plain = "[[code]]\nid = \"keys.emotion\"\nterms = [\"פחד\"]\nyields_to = [\"barriers.perception\"]\n\
            [[code]]\nid = \"barriers.perception\"\nterms = [\"בושה\"]\n";
        let (_, msgs) = parsed("y.toml", plain);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].starts_with("y.toml:1: code keys.emotion: `yields_to` acts where a code reached its threshold only with its context"),
            "{msgs:?}"
        );
        let ok = format!("[context]\nturn = 0.5\nstory = 1\n\n{plain}");
        let (cb, msgs) = parsed("y.toml", &ok);
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(cb.unwrap().codes[0].yields_to, ["barriers.perception"]);
    }

    #[test]
    fn a_passage_bridge_and_its_codes_go_together_and_need_context() {
        let code = "[[code]]\nid = \"keys.power\"\nterms = [\"ערעור\"]\n";
        let (cb, msgs) = parsed(
            "s.toml",
            &format!("[context]\nturn = 0.5\nbridge = 2\nbridges = [\"keys\", \"keyz\"]\n{code}"),
        );
        assert_eq!(
            msgs,
            [
                "s.toml:1: [context] bridges: \"keyz\" is neither a family nor a code of this codebook"
            ]
        );
        assert_eq!(cb.unwrap().context.bridge, 2);
        // A reach with no codes to carry over it, and codes with no reach.
        for table in [
            "bridge = 2",
            "bridges = [\"keys\"]",
            "bridge = 0\nbridges = [\"keys\"]",
        ] {
            let msg = one_problem(&format!("[context]\nturn = 0.5\n{table}\n{code}"));
            assert!(
                msg.starts_with("s.toml:1: [context] bridge and bridges go together"),
                "{table}: {msg}"
            );
        }
        // Units coded one by one have no passage around them.
        let msg = one_problem(&format!(
            "[context]\nbridge = 1\nbridges = [\"keys\"]\n{code}"
        ));
        assert!(
            msg.starts_with("s.toml:1: [context] bridge acts on the units"),
            "{msg}"
        );
    }

    #[test]
    fn continuation_openers_and_codes_go_together_and_need_context() {
        let code = "[[code]]\nid = \"keys.power\"\nterms = [\"ערעור\"]\n";
        let (cb, msgs) = parsed(
            "s.toml",
            &format!(
                "[context]\nturn = 0.5\ncontinuation = [\"ואז\", \"ככה\"]\ncontinues = [\"keys\", \"keyz\"]\n{code}"
            ),
        );
        assert_eq!(
            msgs,
            [
                "s.toml:1: [context] continues: \"keyz\" is neither a family nor a code of this codebook"
            ]
        );
        assert_eq!(cb.unwrap().context.continuation, ["ואז", "ככה"]);
        // Openers without the codes they pass on.
        let msg = one_problem(&format!(
            "[context]\nturn = 0.5\ncontinuation = [\"ואז\"]\n{code}"
        ));
        assert!(
            msg.starts_with("s.toml:1: [context] continuation and continues go together"),
            "{msg}"
        );
        // An opener that is no term.
        let msg = one_problem(&format!(
            "[context]\nturn = 0.5\ncontinuation = [\"\"]\ncontinues = [\"keys\"]\n{code}"
        ));
        assert!(
            msg.starts_with("s.toml:1: [context] continuation: \"\""),
            "{msg}"
        );
        // Units coded one by one have no sentence before them.
        let msg = one_problem(&format!(
            "[context]\ncontinuation = [\"ואז\"]\ncontinues = [\"keys\"]\n{code}"
        ));
        assert!(
            msg.starts_with("s.toml:1: [context] continuation acts on the units"),
            "{msg}"
        );
    }

    #[test]
    fn a_context_only_rule_needs_context_and_is_not_also_question_only() {
        let rule = |flags: &str| {
            format!("[[code]]\nid = \"keys.emotion\"\n[[code.rule]]\n{flags}any = [\"בושה\"]\n")
        };
        let (cb, msgs) = parsed(
            "c.toml",
            &format!("[context]\nturn = 0.5\n{}", rule("in_context = true\n")),
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert!(cb.unwrap().codes[0].rules[0].in_context);
        let (_, msgs) = parsed("c.toml", &rule("in_context = true\n"));
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].starts_with(
                "c.toml:3: code keys.emotion: an `in_context` rule counts only as context"
            ),
            "{msgs:?}"
        );
        let (_, msgs) = parsed(
            "c.toml",
            &format!(
                "[context]\nquestion = 0.5\n{}",
                rule("in_context = true\nin_question = true\n")
            ),
        );
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].contains(
                "c.toml:5: code keys.emotion: a rule is either `in_question` or `in_context`"
            ),
            "{msgs:?}"
        );
    }

    #[test]
    fn a_question_only_rule_needs_the_question_in_context() {
        let src = "[[code]]\nid = \"keys.emotion\"\nterms = [\"להרגיע\"]\n\
                   [[code.rule]]\nin_question = true\nany = [\"הרגיש~\"]\n";
        let (_, msgs) = parsed("q.toml", src);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].contains("q.toml:4: code keys.emotion: an `in_question` rule"),
            "{msgs:?}"
        );
        // Carrying another code is no use to it; weighing the question, or carrying
        // the code (by its family or its id), is.
        let other = format!("[context]\nturn = 0.5\ncarry = [\"keys.power\"]\n{src}");
        let msgs = parsed("q.toml", &other).1;
        assert!(
            msgs.iter()
                .any(|m| m.contains("q.toml:7: code keys.emotion: an `in_question` rule")),
            "{msgs:?}"
        );
        for context in [
            "question = 0.5",
            "turn = 0.5\ncarry = [\"keys\"]",
            "turn = 0.5\ncarry = [\"keys.emotion\"]",
        ] {
            let with = format!("[context]\n{context}\n{src}");
            let (cb, msgs) = parsed("q.toml", &with);
            assert!(msgs.is_empty(), "{context}: {msgs:?}");
            assert!(cb.unwrap().codes[0].rules[1].in_question);
        }
    }

    #[test]
    fn carry_names_a_code_its_family_or_a_code_above_it() {
        let mut src = String::from("[context]\nturn = 0.5\ncarry = [\"keys.power\", \"goals\"]\n");
        for id in [
            "keys.power",
            "keys.power.legal",
            "keys.powerful",
            "keys.emotion",
            "goals.wellbeing",
        ] {
            let parent = id
                .strip_prefix("keys.power.")
                .map(|_| "parent = \"keys.power\"\n");
            src += &format!(
                "[[code]]\nid = \"{id}\"\n{}terms = [\"ערעור\"]\n",
                parent.unwrap_or("")
            );
        }
        let (cb, msgs) = parsed("carry.toml", &src);
        assert!(msgs.is_empty(), "{msgs:?}");
        let cb = cb.unwrap();
        let carried: Vec<&str> = cb
            .codes
            .iter()
            .filter(|c| cb.context.carries(c))
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(
            carried,
            ["keys.power", "keys.power.legal", "goals.wellbeing"]
        );
    }
}
