//! Fuzzes `corpus::docx::read_docx` on arbitrary bytes (seeded with real .docx files).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tamlil::corpus::docx::read_docx;

fuzz_target!(|data: &[u8]| {
    match read_docx(Path::new("fuzz.docx"), std::io::Cursor::new(data)) {
        Ok(text) => assert!(text.len() <= tamlil::corpus::docx::MAX_DOCUMENT_XML as usize),
        Err(e) => {
            assert!(!e.message.is_empty());
            let _ = e.to_string();
        }
    }
});
