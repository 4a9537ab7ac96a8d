//! Speaker turns: labels at line start (`label:`), grouped lines, and each turn's role.

use super::chars::{is_directional_mark, is_word_char};
use std::collections::HashMap;

/// Who is speaking in a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Interviewer,
    Interviewee,
    /// Text before the first speaker label (headers, notes).
    Other,
}

impl Role {
    /// The name written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Interviewer => "interviewer",
            Role::Interviewee => "interviewee",
            Role::Other => "other",
        }
    }

    /// Parses an output name back.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "interviewer" => Some(Role::Interviewer),
            "interviewee" => Some(Role::Interviewee),
            "other" => Some(Role::Other),
            _ => None,
        }
    }
}

/// Labels that mark the interviewer, recognised in every transcript.
pub const INTERVIEWER_LABELS: &[&str] = &[
    "ש",
    "שאלה",
    "מראיינת",
    "מראיין",
    "המראיינת",
    "המראיין",
    "מראיינים",
    "מראיינות",
    "חוקרת",
    "חוקר",
    "החוקרת",
    "החוקר",
    "מנחה",
    "המנחה",
    "Q",
    "I",
    "Interviewer",
    "Int",
];

/// Labels that mark an interviewee, recognised even when they occur only once.
pub const INTERVIEWEE_LABELS: &[&str] = &[
    "ת",
    "תשובה",
    "עו\"ס",
    "עו״ס",
    "עובדת סוציאלית",
    "עובד סוציאלי",
    "מרואיין",
    "מרואיינת",
    "המרואיין",
    "המרואיינת",
    "מרואיינים",
    "מרואיינות",
    "A",
    "R",
    "Respondent",
    "Interviewee",
];

/// One speaker turn: a label and the text after it, up to the next label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// 0 for text before the first label, then 1, 2, ... in order.
    pub index: u32,
    /// The label as written (without the colon); empty for role `Other`.
    pub speaker: String,
    pub role: Role,
    /// Byte range of the turn's text (after the label) in the document.
    pub start: usize,
    pub end: usize,
}

/// A candidate label found at the start of a line.
struct LabelAt {
    line_start: usize,
    label: String,
    content_start: usize,
}

/// Splits a document into turns. `extra_interviewer` are labels the manifest names.
pub fn split_turns(text: &str, extra_interviewer: &[String]) -> Vec<Turn> {
    let mut candidates = Vec::new();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if let Some((label, content_off)) = label_of_line(line) {
            *counts.entry(label.clone()).or_default() += 1;
            candidates.push(LabelAt {
                line_start: pos,
                label,
                content_start: pos + content_off,
            });
        }
        pos += line.len();
    }
    let known = |l: &str| {
        INTERVIEWER_LABELS.iter().any(|k| l.eq_ignore_ascii_case(k))
            || INTERVIEWEE_LABELS.iter().any(|k| l.eq_ignore_ascii_case(k))
            || extra_interviewer.iter().any(|k| k == l)
            || names_interviewer_role(l)
    };
    let labels: Vec<LabelAt> = candidates
        .into_iter()
        .filter(|c| known(&c.label) || counts[&c.label] >= 2)
        .collect();

    let guessed = guess_interviewer(text, &labels, extra_interviewer);

    let mut turns = Vec::with_capacity(labels.len() + 1);
    let first = labels.first().map(|l| l.line_start).unwrap_or(text.len());
    let (s, e) = trim_range(text, 0, first);
    if s < e {
        turns.push(Turn {
            index: 0,
            speaker: String::new(),
            role: Role::Other,
            start: s,
            end: e,
        });
    }
    for (i, l) in labels.iter().enumerate() {
        let stop = labels
            .get(i + 1)
            .map(|n| n.line_start)
            .unwrap_or(text.len());
        let (s, e) = trim_range(text, l.content_start, stop);
        turns.push(Turn {
            index: i as u32 + 1,
            speaker: l.label.clone(),
            role: if guessed.as_deref() == Some(l.label.as_str()) {
                Role::Interviewer
            } else {
                role_of_label(&l.label, extra_interviewer)
            },
            start: s,
            end: e.max(s),
        });
    }
    turns
}

/// The manifest's `interviewer` value that says a transcript has no interviewer to
/// guess: every speaker without an interviewer's label is an interviewee.
pub const NO_INTERVIEWER: &str = "-";

/// When no label of a transcript says who the interviewer is (no role word, no
/// manifest label), the speaker who asks: the one whose turns are mostly questions
/// (at least half contain `?`, and at least twice the share of any other speaker)
/// and shorter, on average, than the others' turns. There must be at least two
/// speakers, and the asker must have at least two turns and a label that does not
/// name an interviewee (`מרואיינת`, `ת`); otherwise nobody is guessed. `-` in the manifest's `interviewer` column turns the guess off.
fn guess_interviewer(text: &str, labels: &[LabelAt], extra: &[String]) -> Option<String> {
    if extra.iter().any(|l| l == NO_INTERVIEWER)
        || labels
            .iter()
            .any(|l| role_of_label(&l.label, extra) == Role::Interviewer)
    {
        return None;
    }
    // label -> (turns, turns with a question, words)
    let mut stats: Vec<(&str, usize, usize, usize)> = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        let stop = labels.get(i + 1).map_or(text.len(), |n| n.line_start);
        let body = &text[l.content_start..stop.max(l.content_start)];
        let k = match stats.iter().position(|s| s.0 == l.label) {
            Some(k) => k,
            None => {
                stats.push((l.label.as_str(), 0, 0, 0));
                stats.len() - 1
            }
        };
        stats[k].1 += 1;
        stats[k].2 += usize::from(body.contains(['?', '\u{061F}']));
        stats[k].3 += body.split_whitespace().count();
    }
    if stats.len() < 2 {
        return None;
    }
    let share = |s: &(&str, usize, usize, usize)| s.2 as f64 / s.1 as f64;
    // A label that names an interviewee (מרואיינת, ת, עו"ס) is never the asker.
    let named_interviewee = |l: &str| INTERVIEWEE_LABELS.iter().any(|k| l.eq_ignore_ascii_case(k));
    let best = (0..stats.len())
        .filter(|&i| !named_interviewee(stats[i].0))
        .max_by(|&a, &b| share(&stats[a]).total_cmp(&share(&stats[b])))?;
    let asker = stats[best];
    let (others_turns, others_words) = stats
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != best)
        .fold((0, 0), |(t, w), (_, s)| (t + s.1, w + s.3));
    let asks = asker.1 >= 2
        && share(&asker) >= 0.5
        && stats
            .iter()
            .enumerate()
            .all(|(i, s)| i == best || share(&asker) >= 2.0 * share(s))
        && (asker.3 as f64 / asker.1 as f64) < (others_words as f64 / others_turns as f64);
    asks.then(|| asker.0.to_string())
}

/// The label tamlil took for the interviewer of a document's `units` by
/// [`guess_interviewer`]'s rule: a speaker of interviewer units whose label does
/// not say so itself.
pub fn guessed_interviewer<'a>(
    units: &'a [super::units::Unit],
    extra: &[String],
) -> Option<&'a str> {
    units
        .iter()
        .find(|u| {
            u.role == Role::Interviewer && role_of_label(&u.speaker, extra) != Role::Interviewer
        })
        .map(|u| u.speaker.as_str())
}

/// The role a speaker label stands for. Besides the role words themselves, a label
/// that combines an interviewer's role word with a name is the interviewer:
/// `מראיינת איילת`, `מראיינת - איילת`, `איילת (מראיינת)`, `איילת, מראיינת`.
pub fn role_of_label(label: &str, extra_interviewer: &[String]) -> Role {
    let l = label.trim();
    let base = l.split('(').next().unwrap_or(l).trim();
    if INTERVIEWER_LABELS
        .iter()
        .any(|k| base.eq_ignore_ascii_case(k))
        || extra_interviewer.iter().any(|k| k == l || k == base)
        || names_interviewer_role(l)
    {
        Role::Interviewer
    } else {
        Role::Interviewee
    }
}

/// Whether one of the words of a label is an interviewer's role word of at least
/// three letters (so a one-letter `ש` inside a name is not taken for one).
fn names_interviewer_role(label: &str) -> bool {
    label
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '\u{05BE}' | ',' | '(' | ')'))
        .filter(|w| w.chars().count() >= 3)
        .any(|w| INTERVIEWER_LABELS.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

/// If `line` starts with a speaker label, the label and the byte offset where the
/// turn's text begins.
fn label_of_line(line: &str) -> Option<(String, usize)> {
    let lead = line
        .char_indices()
        .find(|&(_, c)| !(c == ' ' || c == '\t' || is_directional_mark(c)))
        .map(|(i, _)| i)?;
    let rest = &line[lead..];
    let colon = rest.char_indices().take(41).find(|&(_, c)| c == ':')?.0;
    let raw = &rest[..colon];
    let after = &rest[colon + 1..];
    if !(after.is_empty()
        || after.starts_with([' ', '\t', '\n', '\r'])
        || after.starts_with(is_directional_mark))
    {
        return None;
    }
    let label: String = raw.chars().filter(|&c| !is_directional_mark(c)).collect();
    let label = label.trim().to_string();
    let chars = label.chars().count();
    if chars == 0 || chars > 30 || label.split_whitespace().count() > 4 {
        return None;
    }
    if !label.chars().next().is_some_and(|c| c.is_alphabetic()) {
        return None;
    }
    let allowed = |c: char| {
        (is_word_char(c) && !c.is_numeric())
            || matches!(
                c,
                ' ' | '"'
                    | '\''
                    | '\u{05F3}'
                    | '\u{05F4}'
                    | '-'
                    | '\u{05BE}'
                    | '.'
                    | ','
                    | '('
                    | ')'
            )
    };
    if !label.chars().all(allowed) {
        return None;
    }
    let mut content = lead + colon + 1;
    for c in line[content..].chars() {
        if c == ' ' || c == '\t' || is_directional_mark(c) {
            content += c.len_utf8();
        } else {
            break;
        }
    }
    Some((label, content))
}

/// Shrinks `start..end` past surrounding white space and directional marks.
pub fn trim_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let slice = &text[start..end];
    let skip = |c: char| c.is_whitespace() || is_directional_mark(c);
    let s = start + (slice.len() - slice.trim_start_matches(skip).len());
    let e = start + slice.trim_end_matches(skip).len();
    (s, e.max(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns(text: &str) -> Vec<(String, Role, String)> {
        split_turns(text, &["ענבל".to_string()])
            .into_iter()
            .map(|t| (t.speaker, t.role, text[t.start..t.end].to_string()))
            .collect()
    }

    #[test]
    fn header_and_conventions() {
        let text = "ראיון 3 – עו\"ס, 2018\n\nמראיינת: ספרי לי על התפקיד.\nעו\"ס: אני עובדת: בעיקר עם משפחות.\nהמשך תשובה.\n\u{200F}ש: ומה הלאה?\nת: לא יודעת.\nענבל: עוד שאלה?\nרונית: כן.\nדני: לא.\nרונית: אולי.\n";
        let t = turns(text);
        assert_eq!(t.len(), 8);
        assert_eq!(
            t[0],
            ("".into(), Role::Other, "ראיון 3 – עו\"ס, 2018".into())
        );
        assert_eq!(
            t[1],
            (
                "מראיינת".into(),
                Role::Interviewer,
                "ספרי לי על התפקיד.".into()
            )
        );
        assert_eq!(
            t[2],
            (
                "עו\"ס".into(),
                Role::Interviewee,
                "אני עובדת: בעיקר עם משפחות.\nהמשך תשובה.".into()
            )
        );
        assert_eq!(t[3].1, Role::Interviewer);
        assert_eq!(t[4], ("ת".into(), Role::Interviewee, "לא יודעת.".into()));
        assert_eq!(t[5].1, Role::Interviewer, "manifest label");
        // A name that occurs once is not taken as a label; one that recurs is.
        assert_eq!(
            t[6],
            ("רונית".into(), Role::Interviewee, "כן.\nדני: לא.".into())
        );
        assert_eq!(t[7], ("רונית".into(), Role::Interviewee, "אולי.".into()));
    }

    #[test]
    fn one_off_colon_lines_are_content() {
        let text = "ש: מה אמרו לך?\nת: אז היא אמרה לי:\nואז הוא אמר: לא.\nש: ואז?\nת: כלום.\n";
        let t = turns(text);
        assert_eq!(t.len(), 4);
        assert_eq!(t[1].2, "אז היא אמרה לי:\nואז הוא אמר: לא.");
    }

    #[test]
    fn times_and_urls_are_not_labels() {
        assert!(label_of_line("10:30 הגענו").is_none());
        assert!(label_of_line("https://example.org").is_none());
        assert!(label_of_line("נועה (מראיינת): כן").is_some());
        assert_eq!(role_of_label("נועה (מראיינת)", &[]), Role::Interviewer);
        assert_eq!(role_of_label("ד\"ר שרון", &[]), Role::Interviewee);
    }

    #[test]
    fn a_role_word_with_a_name_marks_the_interviewer() {
        // Each convention transcribers use for a named interviewer, with the
        // interviewee's name as the other label; no manifest help.
        for label in [
            "מראיינת איילת",
            "מראיינת - איילת",
            "איילת (מראיינת)",
            "איילת, מראיינת",
            "המראיין יואב",
        ] {
            let text = format!(
                "{label}: איך התחלת?\nרונית: בעירייה.\n{label}: ומה אחר כך?\nרונית: עברתי לעמותה.\n"
            );
            let got: Vec<(String, Role)> = split_turns(&text, &[])
                .into_iter()
                .map(|t| (t.speaker, t.role))
                .collect();
            assert_eq!(
                got,
                [
                    (label.to_string(), Role::Interviewer),
                    ("רונית".to_string(), Role::Interviewee),
                    (label.to_string(), Role::Interviewer),
                    ("רונית".to_string(), Role::Interviewee),
                ],
                "{label}"
            );
        }
        // Once is enough for a label with a role word.
        let once = split_turns("מראיינת איילת: ספרי לי.\nבעיקר ניירת.\n", &[]);
        assert_eq!(once[0].role, Role::Interviewer);
        // A name with a one-letter ש in it, or a comma clause said once, is no label.
        assert_eq!(role_of_label("ש רונית", &[]), Role::Interviewee);
        let prose = split_turns("רונית: טוב, אז ככה: עבדתי שם.\n", &[]);
        assert_eq!(prose.len(), 1);
    }

    fn roles(text: &str, extra: &[&str]) -> Vec<(String, Role)> {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        split_turns(text, &extra)
            .into_iter()
            .filter(|t| t.role != Role::Other)
            .map(|t| (t.speaker, t.role))
            .collect()
    }

    #[test]
    fn the_speaker_who_asks_is_guessed_to_be_the_interviewer() {
        // Two first names, no role word: איילת asks (3 of 3 turns with a question,
        // 6 words a turn), רונית answers (0 of 3, 9 words a turn).
        let text = "איילת: איך הגעת לעבודה הזאת?\nרונית: דרך חברה שעבדה בעירייה, היא סיפרה לי על המשרה.\nאיילת: ומה את עושה ביום רגיל?\nרונית: בעיקר יושבת עם משפחות על הניירת ועל החובות שלהן.\nאיילת: ספרי לי על מקרה אחד. מה קרה שם?\nרונית: הייתה אישה שלא ידעה שמגיעה לה קצבה.\n";
        let got = roles(text, &[]);
        assert_eq!(got[0], ("איילת".to_string(), Role::Interviewer));
        assert_eq!(got[1], ("רונית".to_string(), Role::Interviewee));
        assert_eq!(got[4].1, Role::Interviewer);
        let turns = split_turns(text, &[]);
        let units = crate::text::units::segment_document("D", text, &[], &Default::default());
        assert_eq!(turns.len(), 6);
        assert_eq!(guessed_interviewer(&units, &[]), Some("איילת"));
        // `-` in the manifest turns the guess off.
        assert!(roles(text, &["-"]).iter().all(|r| r.1 == Role::Interviewee));
        // A labelled interviewer is never second-guessed.
        let labelled = text.replace("רונית", "מראיינת");
        let got = roles(&labelled, &[]);
        assert_eq!(got[0].1, Role::Interviewee);
        assert_eq!(got[1].1, Role::Interviewer);
        let units = crate::text::units::segment_document("D", &labelled, &[], &Default::default());
        assert_eq!(guessed_interviewer(&units, &[]), None);
    }

    #[test]
    fn nobody_is_guessed_when_no_speaker_mostly_asks() {
        // Both ask as often (1 of 2 turns each): no guess.
        let even = "דנה: מה דעתך?\nיוסי: לא יודע, אולי כדאי לחכות עוד שבוע ולראות.\nדנה: טוב, נחכה.\nיוסי: ומה את חושבת על זה?\n";
        assert!(roles(even, &[]).iter().all(|r| r.1 == Role::Interviewee));
        // Mostly questions but longer turns than the other's: no guess.
        let long = "דנה: ספרי לי בבקשה איך נראה אצלכם יום עבודה רגיל מהבוקר ועד הערב?\nיוסי: עמוס.\nדנה: ואיך את מתמודדת עם כל הפניות שמגיעות אליכם בטלפון ובמייל?\nיוסי: לאט.\n";
        assert!(roles(long, &[]).iter().all(|r| r.1 == Role::Interviewee));
        // One speaker alone, or an asker with one turn: no guess.
        assert!(
            roles("דנה: מה?\nדנה: איך?\n", &[])
                .iter()
                .all(|r| r.1 == Role::Interviewee)
        );
        // A label that names an interviewee is never taken for the asker.
        let named = "מרואיינת: אני?\nמרואיינת: באמת?\nעו\"ס: כן, ככה זה אצלנו כל יום.\n";
        assert!(roles(named, &[]).iter().all(|r| r.1 == Role::Interviewee));
    }
}
