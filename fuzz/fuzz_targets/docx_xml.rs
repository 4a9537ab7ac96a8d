//! Fuzzes the WordprocessingML walk of `read_docx`: the input is `word/document.xml`
//! of an otherwise valid .docx (a stored zip built here), so mutations reach the XML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::{Cursor, Write};
use std::path::Path;
use tamlil::corpus::docx::read_docx;
use zip::write::SimpleFileOptions;

fuzz_target!(|data: &[u8]| {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(data).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    match read_docx(Path::new("fuzz.docx"), Cursor::new(bytes)) {
        Ok(text) => {
            // Every character of the text comes from the XML or is a line break/tab/hyphen.
            assert!(text.chars().count() <= data.len() + 1);
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            let _ = e.to_string();
        }
    }
});
