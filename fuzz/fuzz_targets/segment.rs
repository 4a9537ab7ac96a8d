//! Fuzzes `text::units::segment_document` on arbitrary UTF-8 with every unit kind and
//! option values, checking the invariants of meaning units inside the target.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tamlil::text::chars::is_directional_mark;
use tamlil::text::turns::split_turns;
use tamlil::text::units::{count_words, segment_document};
use tamlil::text::{SegmentOptions, UnitKind};

fuzz_target!(|data: &[u8]| {
    // Three option bytes, then an optional extra interviewer label up to a NUL, then the text.
    if data.len() < 3 {
        return;
    }
    let unit = match data[0] % 3 {
        0 => UnitKind::Sentence,
        1 => UnitKind::Paragraph,
        _ => UnitKind::Turn,
    };
    let opts = SegmentOptions {
        unit,
        min_words: (data[1] % 8) as usize,
        max_words: (data[2] % 64) as usize,
    };
    let rest = &data[3..];
    let (labels, text) = match rest.iter().position(|&b| b == 0) {
        Some(i) if i < 40 => (&rest[..i], &rest[i + 1..]),
        _ => (&[][..], rest),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let labels: Vec<String> = std::str::from_utf8(labels)
        .map(|l| vec![l.to_string()])
        .unwrap_or_default();
    let text = tamlil::corpus::decode::normalize_line_ends(text.to_string());

    let units = segment_document("D", &text, &labels, &opts);
    let chars: Vec<char> = text.chars().collect();
    let turns = split_turns(&text, &labels);
    // Character range of each turn.
    let char_at = |byte: usize| text[..byte].chars().count();
    let turn_ranges: Vec<(u32, usize, usize)> = turns
        .iter()
        .map(|t| (t.index, char_at(t.start), char_at(t.end)))
        .collect();

    let mut covered = vec![0u32; chars.len()];
    let mut prev_end = 0;
    let mut ids = std::collections::HashSet::new();
    for u in &units {
        assert!(u.start < u.end, "empty unit {u:?}");
        assert!(u.end <= chars.len());
        let slice: String = chars[u.start..u.end].iter().collect();
        assert_eq!(slice, u.text, "offsets do not slice back");
        assert_eq!(u.n_words, count_words(&u.text));
        assert!(u.start >= prev_end, "units overlap or are out of order");
        prev_end = u.end;
        assert!(ids.insert(u.unit_id.clone()), "duplicate unit id");
        let skip = |c: char| c.is_whitespace() || is_directional_mark(c);
        assert!(
            !u.text.starts_with(skip) && !u.text.ends_with(skip),
            "untrimmed unit"
        );
        let &(_, ts, te) = turn_ranges
            .iter()
            .find(|t| t.0 == u.turn)
            .expect("unit of an unknown turn");
        assert!(ts <= u.start && u.end <= te, "unit outside its turn");
        for c in &mut covered[u.start..u.end] {
            *c += 1;
        }
    }
    // Every visible character of every turn's text is in exactly one unit.
    for &(_, ts, te) in &turn_ranges {
        for i in ts..te {
            let c = chars[i];
            if !(c.is_whitespace() || is_directional_mark(c)) {
                assert_eq!(
                    covered[i], 1,
                    "character {i} ({c:?}) is in {} units",
                    covered[i]
                );
            }
        }
    }
    // Segmenting is deterministic.
    assert_eq!(units, segment_document("D", &text, &labels, &opts));
});
