//! Fuzzes `corpus::decode::decode_text` with and without a declared encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tamlil::corpus::TextEncoding;
use tamlil::corpus::decode::decode_text;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the declared encoding; the rest is the file.
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let declared = match pick % 5 {
        0 => None,
        1 => Some(TextEncoding::Utf8),
        2 => Some(TextEncoding::Windows1255),
        3 => Some(TextEncoding::Utf16Le),
        _ => Some(TextEncoding::Utf16Be),
    };
    let path = Path::new("fuzz.txt");
    match decode_text(path, bytes, declared) {
        Ok((text, enc)) => {
            assert!(!text.contains('\r'), "line ends not normalised");
            // Decoding is a function of the bytes: the same call gives the same text.
            let (again, enc2) = decode_text(path, bytes, declared).unwrap();
            assert_eq!((text.as_str(), enc), (again.as_str(), enc2));
            // What was detected decodes the same when declared.
            if declared.is_none() && !bytes.starts_with(b"\xEF\xBB\xBF") {
                let (d, _) = decode_text(path, bytes, Some(enc)).unwrap();
                assert_eq!(d, text);
            }
        }
        Err(e) => {
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
            if let Some(line) = e.line {
                assert!(line >= 1 && line <= lines, "line {line} of {lines}");
            }
            assert!(!e.message.is_empty());
            let _ = e.to_string();
        }
    }
});
