//! Character offsets in an original text mapped to its redacted text.
//!
//! Coding runs on the original text; the map carries its offsets (units' spans in
//! the document, evidence spans in a unit) to the redacted text. Outside redacted
//! items an offset moves by the change in length of the items before it; a span
//! that covers part of an item grows to cover the item's whole placeholder.
//! Offsets count characters (Unicode scalar values), as everywhere in tamlil.

/// One replaced item: its character span in the original and in the redacted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Edit {
    pub orig_start: usize,
    pub orig_end: usize,
    pub new_start: usize,
    pub new_end: usize,
}

/// The map from character offsets of an original text to its redacted text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    /// In text order, never overlapping, each covering at least one character.
    edits: Vec<Edit>,
}

impl OffsetMap {
    /// A map from its edits (in text order, not overlapping, as [`Edit`] says).
    pub fn from_edits(edits: Vec<Edit>) -> OffsetMap {
        debug_assert!(edits.windows(2).all(|w| w[0].orig_end <= w[1].orig_start));
        OffsetMap { edits }
    }

    /// The replaced items in text order.
    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }

    /// Whether nothing was replaced (every offset maps to itself).
    pub fn is_identity(&self) -> bool {
        self.edits.is_empty()
    }

    /// Where an offset between two characters of the original lies in the redacted
    /// text; an offset inside a replaced item maps to the start of its placeholder.
    /// Same as [`OffsetMap::map_start`].
    pub fn map(&self, offset: usize) -> usize {
        self.map_start(offset)
    }

    /// Maps the start of a span: inside a replaced item, the start of its placeholder.
    pub fn map_start(&self, offset: usize) -> usize {
        let i = self.edits.partition_point(|e| e.orig_end <= offset);
        match self.edits.get(i) {
            Some(e) if e.orig_start < offset => e.new_start,
            _ => self.shift(i, offset),
        }
    }

    /// Maps the end of a span: inside a replaced item, the end of its placeholder.
    pub fn map_end(&self, offset: usize) -> usize {
        let i = self.edits.partition_point(|e| e.orig_end <= offset);
        match self.edits.get(i) {
            Some(e) if e.orig_start < offset => e.new_end,
            _ => self.shift(i, offset),
        }
    }

    /// `offset` moved by the edits before index `i` (all of which end at or before it).
    fn shift(&self, i: usize, offset: usize) -> usize {
        match i.checked_sub(1).map(|p| &self.edits[p]) {
            Some(p) => p.new_end + (offset - p.orig_end),
            None => offset,
        }
    }

    /// Maps a span `start..end`; a span touching part of a replaced item covers its
    /// whole placeholder. An empty span stays empty (at [`OffsetMap::map_start`]).
    pub fn map_span(&self, start: usize, end: usize) -> (usize, usize) {
        if end <= start {
            let s = self.map_start(start);
            return (s, s);
        }
        (self.map_start(start), self.map_end(end))
    }

    /// Maps a span given relative to an outer span starting at `base` (an evidence
    /// span inside a unit that starts at `base` in the document) to a span relative
    /// to the outer span's redacted start (`map_start(base)`).
    pub fn map_relative(&self, base: usize, start: usize, end: usize) -> (usize, usize) {
        let b = self.map_start(base);
        let (s, e) = self.map_span(base + start, base + end);
        (s - b, e - b)
    }

    /// Maps an offset of the redacted text back to the original; an offset inside a
    /// placeholder maps to the start of the item it replaced.
    pub fn unmap(&self, offset: usize) -> usize {
        let i = self.edits.partition_point(|e| e.new_end <= offset);
        match self.edits.get(i) {
            Some(e) if e.new_start < offset => e.orig_start,
            _ => match i.checked_sub(1).map(|p| &self.edits[p]) {
                Some(p) => p.orig_end + (offset - p.new_end),
                None => offset,
            },
        }
    }
}

/// The byte span of the character span `start..end` of `text` (for evidence byte
/// offsets in a redacted unit). Offsets past the end clamp to the text's length.
pub fn byte_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let mut indices = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()));
    let s = indices.nth(start).unwrap_or(text.len());
    let e = if end <= start {
        s
    } else {
        indices.nth(end - start - 1).unwrap_or(text.len())
    };
    (s, e)
}

/// The characters `start..end` of `text` (character offsets, clamped).
pub fn char_slice(text: &str, start: usize, end: usize) -> &str {
    let (s, e) = byte_span(text, start, end);
    &text[s..e]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "abcXYZdef" with "XYZ" (3..6) replaced by "[P-1]" (5 characters, 3..8).
    fn one() -> OffsetMap {
        OffsetMap::from_edits(vec![Edit {
            orig_start: 3,
            orig_end: 6,
            new_start: 3,
            new_end: 8,
        }])
    }

    #[test]
    fn points_before_inside_after() {
        let m = one();
        assert_eq!(m.map(0), 0);
        assert_eq!(m.map(3), 3);
        assert_eq!(m.map_start(4), 3);
        assert_eq!(m.map_end(4), 8);
        assert_eq!(m.map(6), 8);
        assert_eq!(m.map(9), 11);
    }

    #[test]
    fn spans_expand_to_whole_placeholder() {
        let m = one();
        assert_eq!(m.map_span(0, 3), (0, 3));
        assert_eq!(m.map_span(4, 5), (3, 8));
        assert_eq!(m.map_span(1, 4), (1, 8));
        assert_eq!(m.map_span(5, 9), (3, 11));
        assert_eq!(m.map_span(6, 9), (8, 11));
        assert_eq!(m.map_span(7, 7), (9, 9));
        // Relative to a unit starting at 1: evidence 5..8 in the unit is 6..9 in the
        // document -> 8..11, the unit starts at 1 -> 7..10.
        assert_eq!(m.map_relative(1, 5, 8), (7, 10));
    }

    #[test]
    fn unmap_inverts_outside_items() {
        let m = one();
        for o in [0, 3, 6, 9] {
            assert_eq!(m.unmap(m.map(o)), o);
        }
        assert_eq!(m.unmap(5), 3);
    }

    #[test]
    fn byte_spans_of_hebrew() {
        // Hebrew letters are two bytes each in UTF-8.
        assert_eq!(byte_span("אבג", 1, 3), (2, 6));
        assert_eq!(byte_span("אבג", 1, 1), (2, 2));
        assert_eq!(byte_span("אבג", 2, 9), (4, 6));
        assert_eq!(char_slice("אב[x]ג", 2, 5), "[x]");
    }
}
