//! Content hashes for provenance and caching, and the hex digits they are written in.

use sha2::{Digest, Sha256};

/// The lowercase hex digits, by value.
pub const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The sha256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The sha256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&sha256(bytes))
}

/// `bytes` as lowercase hex, two digits a byte.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 * bytes.len());
    for &b in bytes {
        s.push(HEX_DIGITS[(b >> 4) as usize] as char);
        s.push(HEX_DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The 32 bytes written as `hex` (64 hex digits, either case); `None` for anything else.
pub fn from_hex32(hex: &str) -> Option<[u8; 32]> {
    let b = hex.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|v| v as u8);
    let mut d = [0u8; 32];
    for (to, pair) in d.iter_mut().zip(b.chunks_exact(2)) {
        *to = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest() {
        // sha256("abc") from FIPS 180-2.
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_hex(b"abc"), hex);
        let d = sha256(b"abc");
        assert_eq!((d[0], d[1], d[31]), (0xba, 0x78, 0xad));
        assert_eq!(from_hex32(hex), Some(d));
        assert_eq!(to_hex(&d), hex);
    }

    #[test]
    fn hex_reads_back_and_nothing_else_does() {
        let hex = sha256_hex(b"abc");
        let d = from_hex32(&hex).unwrap();
        assert_eq!(from_hex32(&hex.to_uppercase()), Some(d));
        assert_eq!(from_hex32(&hex[..63]), None);
        assert_eq!(from_hex32(&format!("{hex}0")), None);
        assert_eq!(from_hex32(&format!("{}g", &hex[..63])), None);
        assert_eq!(from_hex32(&format!("{}א", &hex[..62])), None);
        assert_eq!(to_hex(&[0x00, 0x0f, 0xf0, 0xff]), "000ff0ff");
    }
}
