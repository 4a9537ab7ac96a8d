//! Fuzzes coding arbitrary unit text with the default codebook: no panic, evidence
//! inside the text, the same codings alone, twice, or inside a batch.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tamlil::codebook::{Codebook, default_codebook};
use tamlil::coding::{Coder, Scratch, UnitContext};
use tamlil::text::Role;

fn coder() -> &'static (Codebook, Coder) {
    static C: OnceLock<(Codebook, Coder)> = OnceLock::new();
    C.get_or_init(|| {
        let cb = default_codebook();
        let coder = Coder::new(&cb).expect("default codebook compiles");
        (cb, coder)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (cb, coder) = coder();
    let attrs = [("sector", "public")];
    let ctx = UnitContext {
        role: Some(Role::Interviewee),
        attrs: &attrs,
    };
    let mut s = Scratch::default();
    let mut a = Vec::new();
    coder.code_unit(text, &ctx, &mut s, &mut a);
    let n = text.chars().count();
    for c in &a {
        assert!(c.code < cb.codes.len());
        assert!(c.score > 0.0);
        for e in &c.evidence {
            assert!(e.start < e.end && e.end <= n, "{e:?} in {n} chars");
            assert!(text.is_char_boundary(e.byte_start) && text.is_char_boundary(e.byte_end));
            assert_eq!(text[..e.byte_start].chars().count(), e.start);
            assert_eq!(text[..e.byte_end].chars().count(), e.end);
        }
    }
    // The same unit, split in two by lines, coded in a batch with a neighbour.
    let (first, second) = text.split_at(text.find('\n').unwrap_or(text.len()));
    let batch = coder.code_units(&[(first, ctx), (text, ctx), (second, ctx)]);
    assert_eq!(batch[1], a, "coding depends on the batch");
});
