//! A segmented and coded document carried over to its redacted text: units, speakers, evidence.
//!
//! Segmentation and coding run on the original text; this moves their results onto
//! the redacted one, so every output (units.csv, codings evidence, report quotes, the
//! QDA project) shows placeholders and every offset points into the redacted text.

use super::{Detection, Redactor, byte_span, char_slice};
use crate::coding::Coding;
use crate::text::Unit;
use std::collections::HashMap;

/// Replaces the identifiers `detection` found in `text` (document `doc_id`) and
/// rewrites `units` and their `codings` to match; returns the redacted text.
///
/// Unit spans and texts are those of the redacted text; speaker labels are redacted
/// with the same placeholders; evidence spans stay relative to their unit (a span
/// touching part of a replaced item covers its whole placeholder). Word counts are
/// kept from the original, so rates per 1,000 words do not depend on redaction.
pub fn redact_document(
    redactor: &mut Redactor,
    doc_id: &str,
    text: &str,
    detection: &Detection,
    units: &mut [Unit],
    codings: &mut [Vec<Coding>],
) -> String {
    let red = redactor.apply(doc_id, text, detection);
    let mut speakers: HashMap<String, String> = HashMap::new();
    for (i, u) in units.iter_mut().enumerate() {
        if !u.speaker.is_empty() {
            let s = speakers
                .entry(u.speaker.clone())
                .or_insert_with(|| redactor.redact_field(&u.speaker));
            if *s != u.speaker {
                u.speaker = s.clone();
            }
        }
        if red.map.is_identity() {
            continue;
        }
        let orig_start = u.start;
        let (s, e) = red.map.map_span(u.start, u.end);
        if (s, e) != (u.start, u.end) {
            u.text = char_slice(&red.text, s, e).to_string();
        }
        u.start = s;
        u.end = e;
        for c in codings.get_mut(i).into_iter().flatten() {
            for ev in &mut c.evidence {
                let (es, ee) = red.map.map_relative(orig_start, ev.start, ev.end);
                let (bs, be) = byte_span(&u.text, es, ee);
                ev.start = es;
                ev.end = ee;
                ev.byte_start = bs;
                ev.byte_end = be;
            }
        }
    }
    red.text
}
