//! The codebook model: families, codes (with sub-codes), the rules that assign them.

use crate::text::Role;
use std::path::PathBuf;

/// A codebook: its codes in file order, with the rules that assign them.
#[derive(Debug, Clone)]
pub struct Codebook {
    /// Short identifier, e.g. `rights-realization`.
    pub name: String,
    /// Where the codebook was read from (`<embedded>/...` for the default one).
    pub path: PathBuf,
    /// The source text, from which the content hash is computed.
    pub source: String,
    /// Families with their labels, in file order (families only named by code ids
    /// are added after the declared ones, labelled by their id).
    pub families: Vec<Family>,
    /// Codes in file order; a sub-code names its code in `parent`.
    pub codes: Vec<Code>,
    /// How many words before a term a negation word (לא, אין, בלי, ...) reaches.
    pub negation_window: usize,
    /// How the words of a unit are weighed: cue reach and reported speech.
    pub scoring: Scoring,
    /// How a unit's neighbours and the question it answers add to its codes.
    pub context: Context,
    /// A model learned from hand-coded units that adds codes the rules missed
    /// (the `[learned]` section).
    pub learned: Option<std::sync::Arc<crate::learn::Learned>>,
}

/// How the cues of a unit are weighed (the `[codebook]` keys `reach` and
/// `reported_speech`).
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    /// Cues of one code add up only when they lie within this many words of each
    /// other (the best such stretch of the unit counts); 0 = anywhere in the unit.
    pub reach: usize,
    /// Whether words inside a view the speaker reports of others ("יש כאלה שאומרים
    /// ש...", up to the end of the sentence or a contrast such as אבל) are ignored.
    pub reported_speech: bool,
}

impl Default for Scoring {
    fn default() -> Scoring {
        Scoring {
            reach: 0,
            reported_speech: true,
        }
    }
}

/// Evidence a unit takes from around it (the `[context]` table). Context is weighted
/// and never codes a unit alone: a code needs at least `min_own` of its own score
/// in the unit before the context counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Context {
    /// Weight of the code's score in the interviewer's question the turn answers
    /// (capped at the code's threshold); 0 = off.
    pub question: f32,
    /// Weight of the code's best score among the neighbouring sentences of the same
    /// turn (capped at the code's threshold); 0 = off.
    pub turn: f32,
    /// How many sentences on each side are neighbours (a story's continuation).
    pub story: usize,
    /// The least score of its own a unit needs before context adds to a code.
    pub min_own: f32,
    /// Families or codes whose codes an answer carries on to its sentences with no
    /// code of the same family (see `Coder::code_sequence`); empty = none.
    pub carry: Vec<String>,
    /// Families or codes for which a question with no cue of any code (a follow-up:
    /// "and what did you do?") asks what the answer before it told; empty = none.
    pub follow_up: Vec<String>,
    /// Terms that make an interviewer's question one about the speaker's own
    /// background ("how did you come to this work?"); empty = none.
    pub background: Vec<String>,
    /// Families or codes an answer to such a question does not take.
    pub background_skips: Vec<String>,
    /// Terms that, opening a sentence, point back to the sentence before it ("זה",
    /// "ככה", "ואז", "בסוף"); empty = none.
    pub continuation: Vec<String>,
    /// Families or codes such a sentence, with no code of its own, takes from the
    /// sentence before it.
    pub continues: Vec<String>,
    /// The most sentences a passage may bridge: a code two sentences of one answer
    /// got, at most this many sentences apart, covers the sentences between them;
    /// 0 = off.
    pub bridge: usize,
    /// Families or codes a passage bridges.
    pub bridges: Vec<String>,
    /// The line of the `[context]` table (0 when there is none).
    pub line: usize,
}

impl Context {
    /// Whether any context is used.
    pub fn is_on(&self) -> bool {
        self.question > 0.0 || (self.turn > 0.0 && self.story > 0)
    }

    /// Whether `carry` names `code`: its family, the code itself, or a code above it.
    pub fn carries(&self, code: &Code) -> bool {
        names(&self.carry, code)
    }

    /// Whether `follow_up` names `code` (as `carry` would).
    pub fn follows_up(&self, code: &Code) -> bool {
        names(&self.follow_up, code)
    }

    /// Whether `background_skips` names `code` (as `carry` would).
    pub fn skips_in_background(&self, code: &Code) -> bool {
        names(&self.background_skips, code)
    }

    /// Whether `continues` names `code` (as `carry` would).
    pub fn continues_story(&self, code: &Code) -> bool {
        names(&self.continues, code)
    }

    /// Whether `bridges` names `code` (as `carry` would).
    pub fn bridges_passage(&self, code: &Code) -> bool {
        names(&self.bridges, code)
    }
}

/// Whether a list of families and codes names `code`: its family, the code itself,
/// or a code above it.
fn names(list: &[String], code: &Code) -> bool {
    list.iter().any(|k| {
        code.family == *k
            || code
                .id
                .strip_prefix(k.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// A family of codes: the first segment of the code ids (`keys` for `keys.power`).
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub id: String,
    pub label_he: String,
    pub label_en: String,
    pub definition: String,
    pub line: usize,
}

/// One code of a codebook.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// Stable id, e.g. `keys.knowledge.tacit`.
    pub id: String,
    /// The family id, e.g. `keys`.
    pub family: String,
    /// The code a sub-code rolls up into, e.g. `keys.knowledge`.
    pub parent: Option<String>,
    pub label_he: String,
    pub label_en: String,
    pub definition: String,
    /// Display colour, `#rrggbb`.
    pub color: String,
    /// The score a unit needs for the code (the sum of its rules' weights).
    pub threshold: f32,
    /// Which units the code may be assigned to.
    pub conditions: Conditions,
    /// The rules whose weights add up to the code's score in a unit.
    pub rules: Vec<Rule>,
    /// Terms that veto the code in a unit where any of them occurs.
    pub exclude: Vec<Term>,
    /// Codes given with this one wherever it is coded on its own evidence or with its
    /// context (a sub-code that says toward whom its act is aimed implies the target).
    pub implies: Vec<String>,
    /// Codes this one gives way to: in a unit where its own score is under its
    /// threshold (it reached it only with its context) and one of these is coded,
    /// this code is not (a client's fear told as what holds people back is that
    /// barrier, not the agent's emotional work).
    pub yields_to: Vec<String>,
    /// The line of the code's definition in the codebook file (1-based).
    pub line: usize,
}

/// Which units a code may be assigned to, by speaker role and document attributes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    /// Allowed roles; empty means every role. A unit of unknown role is allowed.
    pub roles: Vec<Role>,
    /// Forbidden roles.
    pub forbid_roles: Vec<Role>,
    /// Attribute values required: the unit's value of each attribute must be one of
    /// the listed values (a unit without the attribute fails).
    pub require: Vec<(String, Vec<String>)>,
    /// Attribute values forbidden: a unit with one of these values fails.
    pub forbid: Vec<(String, Vec<String>)>,
}

impl Conditions {
    /// Whether a unit with `role` and `attrs` satisfies the conditions.
    pub fn allows(&self, role: Option<Role>, attrs: &[(&str, &str)]) -> bool {
        if let Some(r) = role {
            if !self.roles.is_empty() && !self.roles.contains(&r) {
                return false;
            }
            if self.forbid_roles.contains(&r) {
                return false;
            }
        }
        let value = |key: &str| attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.trim());
        for (key, values) in &self.require {
            match value(key) {
                Some(v) if values.iter().any(|x| x == v) => {}
                _ => return false,
            }
        }
        for (key, values) in &self.forbid {
            if let Some(v) = value(key)
                && values.iter().any(|x| x == v)
            {
                return false;
            }
        }
        true
    }
}

/// A rule: a pattern of terms, and the weight it adds to its code's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub kind: RuleKind,
    pub weight: f32,
    /// Whether occurrences under a negation (לא, אין, בלי, ...) count.
    pub count_negated: bool,
    /// Whether the rule counts only in the interviewer's questions (`in_question`):
    /// how an interviewer asks about the code, context for the answer and no
    /// evidence in it.
    pub in_question: bool,
    /// Whether the rule counts only as context for other units (`in_context`): in
    /// the interviewer's question and in the neighbouring sentences of the turn,
    /// never as evidence of the unit it occurs in.
    pub in_context: bool,
    pub line: usize,
}

/// What a rule looks for in a unit.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// Each distinct term found adds the weight.
    Any(Vec<Term>),
    /// The weight is added once when every term is found.
    All(Vec<Term>),
    /// The weight is added once when a term of `terms` and a term of `with` occur
    /// within `within` words of each other.
    Near {
        terms: Vec<Term>,
        with: Vec<Term>,
        within: usize,
    },
}

impl RuleKind {
    /// Every term of the rule.
    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        let (a, b): (&[Term], &[Term]) = match self {
            RuleKind::Any(t) | RuleKind::All(t) => (t, &[]),
            RuleKind::Near { terms, with, .. } => (terms, with),
        };
        a.iter().chain(b.iter())
    }

    /// The rule's keyword in the file format.
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::Any(_) => "any",
            RuleKind::All(_) => "all",
            RuleKind::Near { .. } => "near",
        }
    }
}

/// A term as written in the codebook: a word or phrase, `*` ending a word for any
/// ending (`קשר*`).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub text: String,
    pub line: usize,
}

impl Term {
    /// A term at `line`.
    pub fn new(text: impl Into<String>, line: usize) -> Term {
        Term {
            text: text.into(),
            line,
        }
    }
}

impl Codebook {
    /// The index of the code with `id`.
    pub fn code_index(&self, id: &str) -> Option<usize> {
        self.codes.iter().position(|c| c.id == id)
    }

    /// The family with `id`.
    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    /// The sha256 (hex) of the codebook's source text, and of its learned model's when
    /// it has one: a stable content hash.
    pub fn hash(&self) -> String {
        match &self.learned {
            None => crate::hash::sha256_hex(self.source.as_bytes()),
            Some(l) => crate::hash::sha256_hex(
                format!("{}\n[learned model {}]\n", self.source, l.sha256()).as_bytes(),
            ),
        }
    }

    /// The indices of the codes whose parent is code `i`, in file order.
    pub fn children(&self, i: usize) -> Vec<usize> {
        let id = &self.codes[i].id;
        (0..self.codes.len())
            .filter(|&j| self.codes[j].parent.as_deref() == Some(id))
            .collect()
    }

    /// The depth of code `i` in the hierarchy (0 for a code without parent).
    pub fn depth(&self, i: usize) -> usize {
        let mut depth = 0;
        let mut cur = self.codes[i].parent.as_deref();
        while let Some(p) = cur {
            depth += 1;
            if depth > self.codes.len() {
                break; // a cycle; validation reports it
            }
            cur = self
                .code_index(p)
                .and_then(|j| self.codes[j].parent.as_deref());
        }
        depth
    }
}

/// Colours given to codes that do not set one (a qualitative palette).
pub const PALETTE: &[&str] = &[
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// Whether `s` is a colour `#rrggbb`.
pub fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_roles_and_attributes() {
        let c = Conditions {
            roles: vec![Role::Interviewee],
            forbid_roles: vec![],
            require: vec![("sector".into(), vec!["public".into(), "third".into()])],
            forbid: vec![("group_interview".into(), vec!["true".into()])],
        };
        let public = [("sector", "public")];
        assert!(c.allows(Some(Role::Interviewee), &public));
        assert!(c.allows(None, &public));
        assert!(!c.allows(Some(Role::Interviewer), &public));
        assert!(!c.allows(Some(Role::Interviewee), &[("sector", "business")]));
        assert!(!c.allows(Some(Role::Interviewee), &[]));
        assert!(!c.allows(
            Some(Role::Interviewee),
            &[("sector", "third"), ("group_interview", "true")]
        ));
    }

    #[test]
    fn colors() {
        assert!(is_hex_color("#1f77B4"));
        assert!(!is_hex_color("1f77b4") && !is_hex_color("#12345g") && !is_hex_color("#123"));
    }
}
