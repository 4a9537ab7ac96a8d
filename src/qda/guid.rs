//! Stable GUIDs for REFI-QDA objects: name-based UUIDs derived from ids, identical on every run.

use crate::hash::HEX_DIGITS;
use sha2::{Digest, Sha256};

/// The namespace mixed into every GUID, so tamlil's GUIDs do not collide with
/// other name-based UUIDs of the same ids.
const NAMESPACE: &str = "tamlil:refi-qda:1";

/// The kinds of objects that get a GUID; part of the name hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Project,
    User,
    Family,
    Code,
    Variable,
    Case,
    Source,
    Selection,
    Coding,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Project => "project",
            Kind::User => "user",
            Kind::Family => "family",
            Kind::Code => "code",
            Kind::Variable => "variable",
            Kind::Case => "case",
            Kind::Source => "source",
            Kind::Selection => "selection",
            Kind::Coding => "coding",
        }
    }
}

/// A GUID for the object of `kind` named by `parts` (e.g. a code id, or a document
/// id with a unit id): the first 16 bytes of sha256(namespace, kind, parts), with
/// the version nibble set to 8 (custom) and the RFC 4122 variant bits, formatted as
/// lowercase `8-4-4-4-12` hex. Parts are separated by U+0000 so ("ab","c") and
/// ("a","bc") differ.
pub fn guid(kind: Kind, parts: &[&str]) -> String {
    let mut s = String::with_capacity(36);
    push_guid(kind, parts, &mut s);
    s
}

/// Appends [`guid`]`(kind, parts)` to `out`.
pub fn push_guid(kind: Kind, parts: &[&str], out: &mut String) {
    let mut b = name_digest(kind, parts);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut text = [0u8; 36];
    let mut at = 0;
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text[at] = b'-';
            at += 1;
        }
        text[at] = HEX_DIGITS[(byte >> 4) as usize];
        text[at + 1] = HEX_DIGITS[(byte & 15) as usize];
        at += 2;
    }
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
}

/// The first 16 bytes of sha256(namespace, kind, parts) (see [`guid`]).
fn name_digest(kind: Kind, parts: &[&str]) -> [u8; 16] {
    // A project has a GUID per unit and per coding: names that fit two blocks (as
    // they all do but for very long ids) are hashed here without the streaming
    // hasher's bookkeeping, which cost as much as the hashing.
    let mut blocks = [[0u8; 64]; 2];
    let flat = blocks.as_flattened_mut();
    let mut n = 0;
    let mut put = |bytes: &[u8]| {
        if let Some(to) = flat.get_mut(n..n + bytes.len()) {
            to.copy_from_slice(bytes);
        }
        n += bytes.len();
    };
    put(NAMESPACE.as_bytes());
    put(&[0]);
    put(kind.as_str().as_bytes());
    for p in parts {
        put(&[0]);
        put(p.as_bytes());
    }
    // The padding: 0x80, zeros, the length in bits (big-endian) at the block's end.
    if n + 9 > flat.len() {
        return streamed_digest(kind, parts);
    }
    flat[n] = 0x80;
    let used = if n + 9 <= 64 { 1 } else { 2 };
    flat[used * 64 - 8..used * 64].copy_from_slice(&(8 * n as u64).to_be_bytes());
    let mut state: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    sha2::block_api::compress256(&mut state, &blocks[..used]);
    let mut d = [0u8; 16];
    for (to, word) in d.chunks_exact_mut(4).zip(state) {
        to.copy_from_slice(&word.to_be_bytes());
    }
    d
}

/// [`name_digest`] by the streaming hasher, for names of any length.
fn streamed_digest(kind: Kind, parts: &[&str]) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(NAMESPACE.as_bytes());
    h.update([0u8]);
    h.update(kind.as_str().as_bytes());
    for p in parts {
        h.update([0u8]);
        h.update(p.as_bytes());
    }
    let mut d = [0u8; 16];
    d.copy_from_slice(&h.finalize()[..16]);
    d
}

/// Whether `s` is a GUID as REFI-QDA writes them (`8-4-4-4-12` hex, optionally in braces).
pub fn is_guid(s: &str) -> bool {
    let s = s
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(s);
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_stability() {
        let a = guid(Kind::Code, &["keys.knowledge"]);
        assert!(is_guid(&a), "{a}");
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        assert_eq!(a, guid(Kind::Code, &["keys.knowledge"]));
        assert_ne!(a, guid(Kind::Family, &["keys.knowledge"]));
        assert_ne!(
            guid(Kind::Case, &["ab", "c"]),
            guid(Kind::Case, &["a", "bc"])
        );
    }

    #[test]
    fn known_value() {
        // Python: d = hashlib.sha256(b"tamlil:refi-qda:1\0code\0a").digest()[:16];
        // d[6] = d[6] & 15 | 0x80; d[8] = d[8] & 0x3f | 0x80; formatted 8-4-4-4-12.
        assert_eq!(
            guid(Kind::Code, &["a"]),
            "842bb764-ccb5-852a-851f-a93e7abb1bc1"
        );
    }

    #[test]
    fn names_of_every_length_hash_as_streamed() {
        // Across the one-block, two-block and longer names, and the edges between
        // them (the padding needs 9 bytes after the name).
        let kinds = [Kind::Selection, Kind::Coding, Kind::Project];
        for len in 0..200 {
            for (k, kind) in kinds.iter().enumerate() {
                let long = "ש".repeat(len / 2) + &"a".repeat(len % 2);
                let parts = ["P01", long.as_str()];
                assert_eq!(
                    name_digest(*kind, &parts[k % 2..]),
                    streamed_digest(*kind, &parts[k % 2..]),
                    "{len}"
                );
            }
        }
    }

    #[test]
    fn guid_shapes() {
        assert!(is_guid("{0123abcd-0000-4000-8000-00000000ABCD}"));
        assert!(!is_guid("0123abcd-0000-4000-8000-00000000ABC"));
        assert!(!is_guid("0123abcd-0000-4000-8000-00000000ABCG"));
    }
}
