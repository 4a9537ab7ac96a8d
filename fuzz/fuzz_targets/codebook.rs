//! Fuzzes `codebook::parse_str` (TOML and CSV) and, for codebooks that validate,
//! compiling them with `coding::Coder::new` and coding a few strings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tamlil::codebook::parse_str;
use tamlil::coding::{Coder, Scratch, UnitContext};
use tamlil::text::Role;

const SAMPLES: &[&str] = &[
    "אני עובדת עם הלקוחות על מיצוי זכויות מול ביטוח לאומי, וזה לא פשוט.",
    "לא היה לנו ידע. הקשרים שלי עם הפקידים עזרו, בלי ספק.",
    "עו\"ס כהן אמרה: \"נגיש ערעור לבית הדין\" וכו'.",
    "שָׁלוֹם ‏עולם‎ 2018 ב-14.3 — x y z",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(src) = std::str::from_utf8(rest) else {
        return;
    };
    let path = Path::new(if pick & 1 == 0 { "cb.toml" } else { "cb.csv" });
    let (cb, problems) = parse_str(path, src);
    for p in &problems {
        let _ = p.to_string();
        if let Some(line) = p.line {
            assert!(
                line <= src.lines().count() + 1,
                "line {line} past the end: {p}"
            );
        }
    }
    let Some(cb) = cb else {
        assert!(!problems.is_empty(), "no codebook and no problem");
        return;
    };
    let _ = cb.hash();
    for i in 0..cb.codes.len() {
        let _ = cb.depth(i);
        let _ = cb.children(i);
    }
    if !problems.is_empty() {
        return;
    }
    // A codebook that validates must compile.
    let coder = match Coder::new(&cb) {
        Ok(c) => c,
        Err(e) => panic!("valid codebook does not compile: {e:#}"),
    };
    let mut s = Scratch::default();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let attrs = [("sector", "public")];
    for text in SAMPLES.iter().copied().chain(std::iter::once(src)) {
        for role in [Some(Role::Interviewee), Some(Role::Interviewer), None] {
            let ctx = UnitContext {
                role,
                attrs: &attrs,
            };
            coder.code_unit(text, &ctx, &mut s, &mut a);
            coder.code_unit(text, &ctx, &mut Scratch::default(), &mut b);
            assert_eq!(a, b, "coding depends on the scratch buffers");
            let n = text.chars().count();
            for c in &a {
                assert!(c.code < cb.codes.len());
                assert!(c.score.is_finite() || c.score.is_infinite());
                for e in &c.evidence {
                    assert!(e.start < e.end && e.end <= n);
                    assert!(
                        text.is_char_boundary(e.byte_start) && text.is_char_boundary(e.byte_end)
                    );
                    assert_eq!(
                        text[e.byte_start..e.byte_end].chars().count(),
                        e.end - e.start
                    );
                }
            }
        }
    }
});
