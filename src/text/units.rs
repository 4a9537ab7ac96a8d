//! Meaning units: sentences (default), paragraphs or whole turns, with character offsets.

use super::chars::is_hebrew_letter;
use super::sentences::sentence_ranges;
use super::turns::{Role, Turn, split_turns, trim_range};

/// What a meaning unit is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    /// Sentences of one interviewee turn; short ones merged, long ones split at clauses.
    Sentence,
    /// Each paragraph (line) of a turn.
    Paragraph,
    /// A whole speaker turn.
    Turn,
}

impl UnitKind {
    /// The name used on the command line and in provenance.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Sentence => "sentence",
            UnitKind::Paragraph => "paragraph",
            UnitKind::Turn => "turn",
        }
    }
}

/// How documents are cut into units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SegmentOptions {
    pub unit: UnitKind,
    /// Sentences with fewer words are merged into a neighbour (sentence units).
    pub min_words: usize,
    /// Sentences with more words are split at clause boundaries (sentence units).
    pub max_words: usize,
}

impl Default for SegmentOptions {
    fn default() -> Self {
        SegmentOptions {
            unit: UnitKind::Sentence,
            min_words: 3,
            max_words: 50,
        }
    }
}

/// One meaning unit of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// `DOC-NNNN`, numbered in document order from 1.
    pub unit_id: String,
    pub doc_id: String,
    /// The turn's index (0 for text before the first speaker label).
    pub turn: u32,
    pub speaker: String,
    pub role: Role,
    /// Character offsets into the document text: `text == doc.chars()[start..end]`.
    pub start: usize,
    pub end: usize,
    pub n_words: usize,
    pub text: String,
}

pub use super::words::count_words;

/// Cuts a document into meaning units.
pub fn segment_document(
    doc_id: &str,
    text: &str,
    interviewer_labels: &[String],
    opts: &SegmentOptions,
) -> Vec<Unit> {
    let turns = split_turns(text, interviewer_labels);
    // (turn idx, byte start, byte end, words when known)
    let mut ranges: Vec<(usize, usize, usize, Option<usize>)> = Vec::new();
    for (ti, turn) in turns.iter().enumerate() {
        // A label with nothing after it (`ת:` on a line of its own) gives no unit.
        for (s, e, w) in unit_ranges(text, turn, opts)
            .into_iter()
            .filter(|r| r.0 < r.1)
        {
            ranges.push((ti, s, e, w));
        }
    }
    let mut cursor = CharCursor::default();
    let width = digits(ranges.len()).max(4);
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, (ti, s, e, words))| {
            let turn = &turns[ti];
            let slice = &text[s..e];
            let start = cursor.char_offset(text, s);
            let end = cursor.char_offset(text, e);
            Unit {
                unit_id: unit_id(doc_id, i + 1, width),
                doc_id: doc_id.to_string(),
                turn: turn.index,
                speaker: turn.speaker.clone(),
                role: turn.role,
                start,
                end,
                n_words: words.unwrap_or_else(|| count_words(slice)),
                text: slice.to_string(),
            }
        })
        .collect()
}

/// `DOC-NNNN`: the document's id and the unit's number, zero-padded to `width` digits.
fn unit_id(doc_id: &str, number: usize, width: usize) -> String {
    let mut num = itoa::Buffer::new();
    let digits = num.format(number);
    let zeros = width.saturating_sub(digits.len());
    let mut id = String::with_capacity(doc_id.len() + 1 + zeros + digits.len());
    id.push_str(doc_id);
    id.push('-');
    id.extend(std::iter::repeat_n('0', zeros));
    id.push_str(digits);
    id
}

fn digits(n: usize) -> usize {
    n.max(1).ilog10() as usize + 1
}

/// Byte ranges of the units of one turn, with their word counts when known.
fn unit_ranges(
    text: &str,
    turn: &Turn,
    opts: &SegmentOptions,
) -> Vec<(usize, usize, Option<usize>)> {
    let body = &text[turn.start..turn.end];
    let shift = |v: Vec<(usize, usize)>| -> Vec<(usize, usize, Option<usize>)> {
        v.into_iter()
            .map(|(s, e)| (s + turn.start, e + turn.start, None))
            .collect()
    };
    match opts.unit {
        UnitKind::Turn => vec![(turn.start, turn.end, None)],
        UnitKind::Paragraph => shift(paragraph_ranges(body)),
        UnitKind::Sentence if turn.role != Role::Interviewee => {
            vec![(turn.start, turn.end, None)]
        }
        UnitKind::Sentence => {
            let mut pieces = Vec::new();
            for (s, e) in sentence_ranges(body) {
                split_long(body, s, e, opts, &mut pieces);
            }
            merge_counted(body, pieces, opts.min_words, opts.max_words)
                .into_iter()
                .map(|(s, e, w)| (s + turn.start, e + turn.start, w))
                .collect()
        }
    }
}

/// Non-blank lines of a turn.
fn paragraph_ranges(body: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in body.split_inclusive('\n') {
        let (s, e) = trim_range(body, pos, pos + line.len());
        if s < e {
            out.push((s, e));
        }
        pos += line.len();
    }
    out
}

/// Splits a sentence longer than `max_words` at the clause mark (`,` `;` `:` or a
/// spaced dash) that best balances the two halves, recursively.
fn split_long(
    body: &str,
    s: usize,
    e: usize,
    opts: &SegmentOptions,
    out: &mut Vec<(usize, usize, usize)>,
) {
    let words = count_words(&body[s..e]);
    if words <= opts.max_words {
        out.push((s, e, words));
        return;
    }
    let slice = &body[s..e];
    let mut best: Option<(usize, usize)> = None; // (imbalance, cut)
    let mut depth = 0i32;
    // Words before the previous candidate cut, so each stretch is counted once.
    let (mut counted_to, mut counted) = (0usize, 0usize);
    for (i, c) in slice.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            _ => {}
        }
        let cut = match c {
            ',' | ';' | ':' if depth == 0 => i + c.len_utf8(),
            '-' | '–' | '—'
                if depth == 0
                    && slice[..i].ends_with(' ')
                    && slice[i + c.len_utf8()..].starts_with(' ') =>
            {
                i
            }
            _ => continue,
        };
        counted += count_words(&slice[counted_to..cut]);
        counted_to = cut;
        let left = counted;
        let right = words - left.min(words);
        if left < opts.min_words.max(1) || right < opts.min_words.max(1) {
            continue;
        }
        let imbalance = left.abs_diff(right);
        if best.is_none_or(|(b, _)| imbalance < b) {
            best = Some((imbalance, cut));
        }
    }
    match best {
        Some((_, cut)) => {
            let (ls, le) = trim_range(body, s, s + cut);
            let (rs, re) = trim_range(body, s + cut, e);
            split_long(body, ls, le, opts, out);
            split_long(body, rs, re, opts, out);
        }
        None => out.push((s, e, words)),
    }
}

/// Merges pieces with fewer than `min_words` words into the previous piece (or the
/// next one, for a short first piece). A short piece always fits beside one
/// sentence, but a merged unit grows to at most `max_words + min_words` words: a run
/// of short sentences ("כן. לא. כן. ...") becomes several units, never one unit of
/// the whole turn.
#[cfg(test)]
fn merge_short(
    body: &str,
    pieces: Vec<(usize, usize)>,
    min_words: usize,
    max_words: usize,
) -> Vec<(usize, usize)> {
    let pieces = pieces
        .into_iter()
        .map(|(s, e)| (s, e, count_words(&body[s..e])))
        .collect();
    merge_counted(body, pieces, min_words, max_words)
        .into_iter()
        .map(|(s, e, _)| (s, e))
        .collect()
}

/// [`merge_short`] on pieces given with their word counts: the merged units, each
/// with its word count when it is the sum of its pieces' counts (the pieces are
/// joined only by spaces and new lines, and the next begins with a letter, a digit
/// or ASCII punctuation: no word can span such a join).
fn merge_counted(
    body: &str,
    pieces: Vec<(usize, usize, usize)>,
    min_words: usize,
    max_words: usize,
) -> Vec<(usize, usize, Option<usize>)> {
    let max_words = max_words.saturating_add(min_words);
    // (start, end, words, words is the unit's count)
    let mut out: Vec<(usize, usize, usize, bool)> = Vec::with_capacity(pieces.len());
    // Short pieces waiting for a neighbour.
    let mut carry: Option<(usize, usize, usize, bool)> = None;
    let joins = |end: usize, start: usize| {
        let gap = &body[end..start];
        !gap.is_empty()
            && gap
                .bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            && body[start..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii() || is_hebrew_letter(c))
    };
    for (s, e, w) in pieces {
        if w < min_words {
            if carry.is_none()
                && let Some(last) = out.last_mut().filter(|l| l.2 + w <= max_words)
            {
                last.3 = last.3 && joins(last.1, s);
                last.1 = e;
                last.2 += w;
                continue;
            }
            carry = match carry {
                Some((cs, ce, cw, cx)) if cw + w <= max_words => {
                    Some((cs, e, cw + w, cx && joins(ce, s)))
                }
                Some(full) => {
                    out.push(full);
                    Some((s, e, w, true))
                }
                None => Some((s, e, w, true)),
            };
        } else {
            match carry.take() {
                Some((cs, ce, cw, cx)) if cw + w <= max_words => {
                    out.push((cs, e, cw + w, cx && joins(ce, s)))
                }
                Some(full) => {
                    out.push(full);
                    out.push((s, e, w, true));
                }
                None => out.push((s, e, w, true)),
            }
        }
    }
    out.extend(carry); // the turn ends in short pieces that fitted nowhere
    out.into_iter()
        .map(|(s, e, w, exact)| (s, e, exact.then_some(w)))
        .collect()
}

/// Converts increasing byte offsets to character offsets in one pass.
#[derive(Default)]
struct CharCursor {
    byte: usize,
    chars: usize,
}

impl CharCursor {
    fn char_offset(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_ids_are_padded_as_formatted() {
        for (n, width) in [
            (1, 4),
            (9, 4),
            (10, 4),
            (9999, 4),
            (10000, 4),
            (12345, 5),
            (7, 1),
        ] {
            assert_eq!(unit_id("P01", n, width), format!("P01-{n:0width$}"));
        }
        assert_eq!(unit_id("ראיון 3", 42, 4), "ראיון 3-0042");
    }

    fn opts(min: usize, max: usize) -> SegmentOptions {
        SegmentOptions {
            unit: UnitKind::Sentence,
            min_words: min,
            max_words: max,
        }
    }

    #[test]
    fn short_sentences_merge_into_neighbours() {
        let body = "כן. אני עובדת במחלקה כבר שנים. נכון. ועוד משפט ארוך מספיק כאן.";
        let r = merge_short(body, sentence_ranges(body), 3, 50);
        let got: Vec<&str> = r.iter().map(|&(s, e)| &body[s..e]).collect();
        assert_eq!(
            got,
            vec![
                "כן. אני עובדת במחלקה כבר שנים. נכון.",
                "ועוד משפט ארוך מספיק כאן."
            ]
        );
    }

    #[test]
    fn a_run_of_short_sentences_is_cut_at_max_words() {
        // 40 sentences of 2 words, at most 50 + 3 words a unit: 26 of them (52
        // words) make the first unit, the other 14 (28 words) the second.
        let body = "כן לא. ".repeat(40);
        let body = body.trim_end();
        let r = merge_short(body, sentence_ranges(body), 3, 50);
        let words: Vec<usize> = r.iter().map(|&(s, e)| count_words(&body[s..e])).collect();
        assert_eq!(words, vec![52, 28]);
        assert_eq!(r[0].0, 0);
        assert_eq!(r[1].1, body.len());
        assert_eq!(&body[r[0].1..r[1].0], " ");
        // A short sentence joins a long one even past max_words.
        let body = format!(
            "{} {}",
            "כן לא.",
            "מילה ".repeat(49).trim_end().to_string() + "."
        );
        let r = merge_short(&body, sentence_ranges(&body), 3, 50);
        let words: Vec<usize> = r.iter().map(|&(s, e)| count_words(&body[s..e])).collect();
        assert_eq!(words, vec![51]);
    }

    #[test]
    fn a_turn_of_one_short_sentence_is_one_unit() {
        let body = "כן.";
        assert_eq!(
            merge_short(body, sentence_ranges(body), 3, 50),
            vec![(0, body.len())]
        );
    }

    #[test]
    fn long_sentences_split_at_the_most_balanced_clause() {
        let body = "אחת שתיים שלוש ארבע, חמש שש שבע שמונה תשע עשר, אחת עשרה שתים עשרה";
        let mut out = Vec::new();
        split_long(body, 0, body.len(), &opts(2, 8), &mut out);
        let got: Vec<&str> = out.iter().map(|&(s, e, _)| &body[s..e]).collect();
        assert_eq!(
            got,
            vec![
                "אחת שתיים שלוש ארבע,",
                "חמש שש שבע שמונה תשע עשר,",
                "אחת עשרה שתים עשרה"
            ]
        );
    }

    #[test]
    fn offsets_are_characters_and_slice_back() {
        let text =
            "כותרת\nמראיינת: מה שלומך?\nמרואיינת: טוב מאוד, תודה רבה. ואני עובדת עם עו\"ס אחרת.\n";
        let units = segment_document("D1", text, &[], &SegmentOptions::default());
        let chars: Vec<char> = text.chars().collect();
        for u in &units {
            let s: String = chars[u.start..u.end].iter().collect();
            assert_eq!(s, u.text);
        }
        let summary: Vec<(&str, &str, Role)> = units
            .iter()
            .map(|u| (u.unit_id.as_str(), u.text.as_str(), u.role))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("D1-0001", "כותרת", Role::Other),
                ("D1-0002", "מה שלומך?", Role::Interviewer),
                ("D1-0003", "טוב מאוד, תודה רבה.", Role::Interviewee),
                ("D1-0004", "ואני עובדת עם עו\"ס אחרת.", Role::Interviewee),
            ]
        );
        assert_eq!(units[2].start, 35);
        assert_eq!(units[3].n_words, 5);
    }

    #[test]
    fn paragraph_and_turn_units() {
        let text = "ש: שאלה?\nת: שורה ראשונה.\nשורה שנייה.\nש: עוד?\nת: לא.\n";
        let p = segment_document(
            "D",
            text,
            &[],
            &SegmentOptions {
                unit: UnitKind::Paragraph,
                ..Default::default()
            },
        );
        assert_eq!(
            p.iter().map(|u| u.text.as_str()).collect::<Vec<_>>(),
            vec!["שאלה?", "שורה ראשונה.", "שורה שנייה.", "עוד?", "לא."]
        );
        let t = segment_document(
            "D",
            text,
            &[],
            &SegmentOptions {
                unit: UnitKind::Turn,
                ..Default::default()
            },
        );
        assert_eq!(t[1].text, "שורה ראשונה.\nשורה שנייה.");
        assert_eq!(t.len(), 4);
    }
}
