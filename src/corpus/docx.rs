//! Reading the text of a Word .docx file: its paragraphs in order, one per line.

use crate::error::InputError;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The largest `word/document.xml` read (uncompressed); larger ones are refused as hostile.
pub const MAX_DOCUMENT_XML: u64 = 256 * 1024 * 1024;

/// The highest compression ratio (uncompressed / compressed size) accepted for a
/// `word/document.xml` larger than [`RATIO_FREE_XML`]. The sample corpus's Word XML
/// compresses about 5 times, and deflate cannot exceed about 1,030 (a bomb of
/// spaces is near that). Apache POI refuses Office parts past 100 by default, and
/// real, very repetitive spreadsheets have been seen just over that; twice it keeps
/// such files readable while a small file still cannot expand to hundreds of
/// megabytes of text.
pub const MAX_COMPRESSION_RATIO: u64 = 200;

/// Below this uncompressed size (8 MiB) any compression ratio is accepted.
pub const RATIO_FREE_XML: u64 = 8 * 1024 * 1024;

/// Extracts the main document text of a .docx: one line per paragraph, tabs and
/// line breaks kept, deleted (tracked) text dropped.
///
/// Nothing is extracted to disk: `word/document.xml` is looked up by name, so other
/// entry names (`../../x`, `/etc/x`) are never used. The entry's size is checked
/// before anything is decompressed: a declared size over [`MAX_DOCUMENT_XML`], or a
/// ratio over [`MAX_COMPRESSION_RATIO`], is refused at once, and the zip reader
/// stops at the declared size, so a header that understates it cannot let more in.
pub fn read_docx<R: Read + Seek>(path: &Path, mut reader: R) -> Result<String, InputError> {
    let archive_len = reader
        .seek(SeekFrom::End(0))
        .and_then(|n| reader.rewind().map(|()| n))
        .map_err(|e| InputError::file(path, format!("cannot read the .docx: {e}")))?;
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| {
        InputError::file(
            path,
            format!("not a valid .docx file (it is not a readable zip archive: {e})"),
        )
    })?;
    let mut entry = zip.by_name("word/document.xml").map_err(|e| match e {
        zip::result::ZipError::FileNotFound => InputError::file(
            path,
            "not a valid .docx file: it has no word/document.xml part",
        ),
        e => InputError::file(
            path,
            format!("broken .docx: cannot read word/document.xml: {e}"),
        ),
    })?;
    let too_big = || {
        InputError::file(
            path,
            format!(
                "word/document.xml is larger than {} MiB uncompressed; refusing to read it",
                MAX_DOCUMENT_XML >> 20
            ),
        )
    };
    let declared = entry.size();
    if declared > MAX_DOCUMENT_XML {
        return Err(too_big());
    }
    // The compressed data cannot be longer than the file, whatever the header says.
    let compressed = entry.compressed_size().min(archive_len).max(1);
    if declared > RATIO_FREE_XML && declared / compressed > MAX_COMPRESSION_RATIO {
        return Err(InputError::file(
            path,
            format!(
                "word/document.xml would expand {} times ({} KiB to {} MiB), far more than \
                 Word's XML compresses; refusing it as a zip bomb",
                declared / compressed,
                compressed.div_ceil(1024),
                declared >> 20
            ),
        ));
    }
    let mut xml = Vec::with_capacity(declared as usize);
    (&mut entry)
        .take(MAX_DOCUMENT_XML + 1)
        .read_to_end(&mut xml)
        .map_err(|e| {
            InputError::file(
                path,
                format!("broken .docx: cannot decompress word/document.xml: {e}"),
            )
        })?;
    if xml.len() as u64 > MAX_DOCUMENT_XML {
        return Err(too_big());
    }
    let xml = String::from_utf8(xml)
        .map_err(|_| InputError::file(path, "broken .docx: word/document.xml is not UTF-8"))?;
    paragraphs_text(path, &xml)
}

/// Walks WordprocessingML and returns its paragraphs' text joined with `\n`.
fn paragraphs_text(path: &Path, xml: &str) -> Result<String, InputError> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::with_capacity(xml.len() / 4);
    let mut in_text = false; // inside <w:t>
    let mut deleted = 0usize; // depth inside <w:del>
    let mut paragraphs = 0usize;
    let mut in_body = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            let at = reader.error_position() as usize;
            let line = xml[..at.min(xml.len())].matches('\n').count() + 1;
            InputError::file(
                path,
                format!("broken .docx: word/document.xml line {line}: {e}"),
            )
        })?;
        match event {
            // The Open Packaging Conventions forbid DTDs in package XML (ECMA-376
            // Part 2, M1.18) and Word writes none. Its entities (nested, they expand
            // to gigabytes) are neither expanded nor silently dropped: refused.
            Event::DocType(_) => {
                let at = reader.buffer_position() as usize;
                let line = xml[..at.min(xml.len())].matches('\n').count() + 1;
                return Err(InputError::file(
                    path,
                    format!(
                        "broken .docx: word/document.xml line {line} has a DOCTYPE declaration, \
                         which Word documents do not have; refusing it (its entities are not expanded)"
                    ),
                ));
            }
            Event::Start(e) => match e.local_name().as_ref() {
                "body" => in_body = true,
                "p" if in_body => {
                    if paragraphs > 0 {
                        out.push('\n');
                    }
                    paragraphs += 1;
                }
                "t" => in_text = true,
                "del" => deleted += 1,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "del" => deleted = deleted.saturating_sub(1),
                "body" => in_body = false,
                _ => {}
            },
            Event::Empty(e) if deleted == 0 && in_body => match e.local_name().as_ref() {
                "p" => {
                    if paragraphs > 0 {
                        out.push('\n');
                    }
                    paragraphs += 1;
                }
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "noBreakHyphen" => out.push('-'),
                _ => {}
            },
            Event::Text(t) if in_text && deleted == 0 => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text && deleted == 0 => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    match r.as_ref() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    }
                };
                if let Some(c) = c {
                    out.push(c);
                }
            }
            Event::CData(t) if in_text && deleted == 0 => {
                out.push_str(&t.xml10_content());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if paragraphs == 0 {
        return Err(InputError::file(
            path,
            "the .docx has no paragraphs in its document body",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn body(inner: &str) -> String {
        format!("<w:document {NS}><w:body>{inner}</w:body></w:document>")
    }

    #[test]
    fn runs_paragraphs_and_entities() {
        let xml = body(
            r#"<w:p><w:r><w:t xml:space="preserve">ש: </w:t></w:r><w:r><w:t>מה &quot;שלומך&quot;?</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>ת:</w:t><w:tab/><w:t>טוב</w:t><w:br/><w:t>ממש</w:t></w:r></w:p>"#,
        );
        let text = paragraphs_text(Path::new("x.docx"), &xml).unwrap();
        assert_eq!(text, "ש: מה \"שלומך\"?\n\nת:\tטוב\nממש");
    }

    #[test]
    fn deleted_text_is_dropped() {
        let xml = body(
            r#"<w:p><w:r><w:t>אני </w:t></w:r><w:del><w:r><w:delText>לא </w:delText></w:r></w:del><w:ins><w:r><w:t>כן</w:t></w:r></w:ins></w:p>"#,
        );
        assert_eq!(
            paragraphs_text(Path::new("x.docx"), &xml).unwrap(),
            "אני כן"
        );
    }

    #[test]
    fn broken_xml_is_reported() {
        let xml = body("<w:p><w:r><w:t>אבג</w:r></w:p>");
        let err = paragraphs_text(Path::new("x.docx"), &xml).unwrap_err();
        assert!(err.message.starts_with("broken .docx"), "{}", err.message);
    }

    #[test]
    fn not_a_zip() {
        let err = read_docx(
            Path::new("x.docx"),
            std::io::Cursor::new(b"plain text".to_vec()),
        )
        .unwrap_err();
        assert!(
            err.message.contains("not a readable zip"),
            "{}",
            err.message
        );
    }
}
