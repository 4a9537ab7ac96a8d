//! Reported views: the words of a view the speaker attributes to others.
//!
//! Interviewees often report what others think before saying what they do: "יש
//! עובדות שאומרות שזה רק ניירת, אבל אצלי...". The reported view is not the
//! speaker's own stance, so its words should not code the unit. A reporting frame
//! is a speech or thought verb of others: a participle with the relative ש
//! (שאומרים, שחושבות, שטוענת: "יש כאלה שאומרים", "יש עובדת שחושבת"), an
//! impersonal plural followed by ש ("אומרים ש...", "חושבים ש..."), הוא / היא with a
//! singular participle followed by ש ("היא אומרת ש..."), or "in their view"
//! (לדעתם, לטענתם, בעיניהם). The frame reaches to the end of its sentence
//! (`.` `?` `!` `;`) or to a contrast word (אבל, אך, אולם, ואילו, אלא, בעוד), where
//! the speaker's own voice comes back. The speaker's own frames (אני חושבת, אנחנו
//! אומרים להם) are not reports.

use super::marks::{self, Marks};
use crate::text::normalize::Tokens;

/// Plural speech and thought participles (folded, without prefixes).
const SAYING: &[&str] = &[
    "אומרימ",
    "אומרות",
    "טוענימ",
    "טוענות",
    "חושבימ",
    "חושבות",
    "סבורימ",
    "סבורות",
    "מאמינימ",
    "מאמינות",
    "רואימ",
    "רואות",
];

/// Singular speech and thought participles (folded, without prefixes).
const SAYING_ONE: &[&str] = &[
    "אומר",
    "אומרת",
    "טוענ",
    "טוענת",
    "חושב",
    "חושבת",
    "סבור",
    "סבורה",
];

/// Third-person singular pronouns.
const HE_SHE_WORDS: &[&str] = &["הוא", "היא", "והוא", "והיא"];

/// Words that open a report on their own: "in their view".
const THEIR_VIEW: &[&str] = &["לדעתמ", "לדעתנ", "לטענתמ", "לטענתנ", "בעיניהמ", "בעיניהנ"];

/// Words that bring the speaker's own voice back.
const CONTRAST: &[&str] = &["אבל", "אך", "אולמ", "ואילו", "אלא", "בעוד", "ואבל"];

/// First-person pronouns: "אנחנו אומרים" is the speaker's own voice.
const WE: &[&str] = &["אנחנו", "ואנחנו", "אנו", "ואנו", "אני", "ואני"];

/// The reported-view marks of the folded token `w`: a contrast word, a first-person
/// pronoun, or a frame word (see [`mark_reported`]).
pub fn marks(w: &str) -> Marks {
    let mut m = 0;
    if CONTRAST.contains(&w) {
        m |= marks::CONTRAST;
    }
    if WE.contains(&w) {
        m |= marks::WE;
    }
    if THEIR_VIEW.contains(&w) {
        m |= marks::THEIR_VIEW;
    }
    // שאומרים, ושחושבות, שטוענת: a relative clause of others' saying (of one person's:
    // also singular).
    let relative = ["ש", "וש"].iter().find_map(|pre| w.strip_prefix(pre));
    if relative.is_some_and(|rest| SAYING.contains(&rest)) {
        m |= marks::RELATIVE_SAYING;
    }
    if relative.is_some_and(|rest| SAYING_ONE.contains(&rest)) {
        m |= marks::RELATIVE_SAYING | marks::SINGULAR_SAYING;
    }
    // אומרים ש...: an impersonal plural introducing what is said ("רואים ש" is the
    // speaker's own observation, so only saying and thinking count here).
    if SAYING[..8].contains(&w.strip_prefix('ו').unwrap_or(w)) {
        m |= marks::IMPERSONAL_SAYING;
    }
    if w.starts_with('ש') {
        m |= marks::STARTS_SH;
    }
    if SAYING_ONE.contains(&w) {
        m |= marks::SINGULAR_SAYING;
    }
    if HE_SHE_WORDS.contains(&w) {
        m |= marks::HE_SHE;
    }
    m
}

/// Sets `out[i]` for every token of `tokens` (the tokens of `text`, with their
/// [`marks`] in `marks`) that lies inside a reported view.
pub fn mark_reported(text: &str, tokens: &Tokens, marks: &[Marks], out: &mut Vec<bool>) {
    out.clear();
    out.resize(tokens.len(), false);
    let toks = tokens.tokens();
    let mut inside = false;
    for i in 0..toks.len() {
        // The end of a sentence ends a report (nothing to end outside one).
        if inside && i > 0 {
            let gap = text
                .get(toks[i - 1].byte_end as usize..toks[i].byte_start as usize)
                .unwrap_or("");
            if gap.bytes().any(|b| matches!(b, b'.' | b'?' | b'!' | b';')) {
                inside = false;
            }
        }
        if marks[i] & marks::CONTRAST != 0 {
            inside = false;
            continue;
        }
        out[i] = inside;
        if !inside && opens_report(marks, i) {
            inside = true;
        }
    }
}

/// Whether token `i` is a reporting frame: "in their view"; others' saying in a
/// relative clause (יש כאלה שאומרים, יש עובדת שחושבת), not after a first-person
/// pronoun (אנחנו שאומרים; for one person, not within four words of it: "אני צריכה
/// להיות זאת שאומרת ש" is the speaker); an impersonal plural of saying before ש; or
/// הוא / היא with a singular participle of saying before ש (היא אומרת ש...).
fn opens_report(m: &[Marks], i: usize) -> bool {
    if m[i] & marks::THEIR_VIEW != 0 {
        return true;
    }
    let before_sh = i + 1 < m.len() && m[i + 1] & marks::STARTS_SH != 0;
    let one = m[i] & marks::SINGULAR_SAYING != 0;
    if one && m[i] & marks::RELATIVE_SAYING == 0 {
        return before_sh && i > 0 && m[i - 1] & marks::HE_SHE != 0;
    }
    if m[i] & (marks::RELATIVE_SAYING | marks::IMPERSONAL_SAYING) == 0 {
        return false;
    }
    let reach = if one { 4 } else { 1 };
    if m[i.saturating_sub(reach)..i]
        .iter()
        .any(|x| x & marks::WE != 0)
    {
        return false;
    }
    m[i] & marks::RELATIVE_SAYING != 0 || before_sh
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::Tokenizer;

    /// The surface words marked as reported.
    fn reported(text: &str) -> Vec<String> {
        let mut t = Tokens::new();
        Tokenizer::tokenize(text, &mut t);
        let m: Vec<Marks> = t.words().iter().map(|w| marks(w)).collect();
        let mut out = Vec::new();
        mark_reported(text, &t, &m, &mut out);
        let chars: Vec<char> = text.chars().collect();
        t.tokens()
            .iter()
            .zip(&out)
            .filter(|(_, r)| **r)
            .map(|(tok, _)| chars[tok.start as usize..tok.end as usize].iter().collect())
            .collect()
    }

    #[test]
    fn a_view_of_others_up_to_the_contrast() {
        assert_eq!(
            reported("יש מורים שאומרים שזה רק טפסים, אבל אני רואה בזה שיחה."),
            ["שזה", "רק", "טפסים"]
        );
    }

    #[test]
    fn up_to_the_end_of_the_sentence() {
        assert_eq!(
            reported("חושבים שמספיק לדעת את החוק. אני יודעת שלא."),
            ["שמספיק", "לדעת", "את", "החוק"]
        );
        assert_eq!(reported("לדעתם זו עבודה טכנית"), ["זו", "עבודה", "טכנית"]);
    }

    #[test]
    fn the_speakers_own_voice_is_no_report() {
        assert!(reported("אנחנו אומרים להם שזו זכות").is_empty());
        assert!(reported("אני חושבת שזו זכות").is_empty());
        // A plural participle not followed by ש reports nothing.
        assert!(reported("הם רואים את המכתב ונבהלים").is_empty());
    }

    #[test]
    fn a_view_of_one_other_person() {
        // A relative clause of one person's saying, up to the contrast.
        assert_eq!(
            reported("יש לי שכנה שטוענת שהכל בירוקרטיה, אבל אני ממלאת איתה."),
            ["שהכל", "בירוקרטיה"]
        );
        // הוא / היא with a singular participle of saying before ש.
        assert_eq!(
            reported("המנהל שלי, הוא חושב שזו עבודה של פקידים."),
            ["שזו", "עבודה", "של", "פקידים"]
        );
        // The speaker herself, even a few words after "I".
        assert!(reported("אני תמיד זאת שאומרת שמגיע להם ערר").is_empty());
        // A singular participle with no ש after it, or with no pronoun before it.
        assert!(reported("היא אומרת לי תודה כל פעם").is_empty());
        assert!(reported("העובדת אומרת שזה קשה").is_empty());
    }
}
