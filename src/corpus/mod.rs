//! Reading a corpus: the manifest, and each transcript decoded to text.

pub mod decode;
pub mod docx;
pub mod labels;
pub mod manifest;

pub use decode::TextEncoding;
pub use manifest::{Entry, Manifest};

use crate::error::InputError;
use std::path::{Path, PathBuf};

/// One transcript as the user sees it: decoded, line ends normalised to `\n`.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    pub path: PathBuf,
    /// The encoding the text was decoded from (`docx` for Word files).
    pub encoding: &'static str,
    /// The decoded text; every offset tamlil reports counts characters of this string.
    pub text: String,
}

/// Reads and decodes the transcript of a manifest entry.
pub fn load_document(entry: &Entry) -> Result<Document, InputError> {
    let bytes = std::fs::read(&entry.path).map_err(|e| InputError::open(&entry.path, &e))?;
    document_from_bytes(entry, &bytes)
}

/// Decodes a transcript's bytes by its file type.
pub fn document_from_bytes(entry: &Entry, bytes: &[u8]) -> Result<Document, InputError> {
    let path = &entry.path;
    let is_docx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    let (text, encoding) = if is_docx {
        (docx::read_docx(path, std::io::Cursor::new(bytes))?, "docx")
    } else {
        if bytes.starts_with(b"PK\x03\x04") {
            return Err(InputError::file(
                path,
                "this looks like a zip or Word file; name it .docx to read it as Word",
            ));
        }
        let (t, e) = decode::decode_text(path, bytes, entry.encoding)?;
        (t, e.name())
    };
    if text.trim().is_empty() {
        return Err(InputError::file(path, "the transcript is empty"));
    }
    Ok(Document {
        id: entry.id.clone(),
        path: path.clone(),
        encoding,
        text,
    })
}

/// The manifest for a corpus: `--manifest` if given, else `DIR/manifest.csv` if
/// present, else every .txt and .docx in `DIR`.
pub fn open_manifest(corpus: &Path, manifest: Option<&Path>) -> anyhow::Result<Manifest> {
    if !corpus.is_dir() {
        return Err(InputError::with_kind(
            crate::error::Kind::NoInput,
            corpus,
            "corpus directory not found",
        )
        .into());
    }
    match manifest {
        Some(m) => Manifest::read(m, corpus),
        None => {
            let m = corpus.join("manifest.csv");
            if m.is_file() {
                Manifest::read(&m, corpus)
            } else {
                Manifest::from_dir(corpus)
            }
        }
    }
}
