//! The private mapping of placeholders to what they replaced, as CSV or JSON.
//!
//! The mapping holds the identifiers themselves: it must be written outside the
//! output folder and kept as securely as the transcripts.

use super::ItemKind;
use std::io::Write;

/// How often an item occurs in one document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocCount {
    pub doc_id: String,
    pub count: usize,
}

/// One redacted item: a listed name (all its spellings), or one distinct ID number,
/// phone number, e-mail address or street address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MappingEntry {
    /// The placeholder in the redacted text (`[שם-1]`, `[טלפון]`). ID numbers, phones
    /// and e-mails share one placeholder per kind, so several entries may have it.
    pub placeholder: String,
    pub kind: ItemKind,
    /// The name as listed, or the item as first written in the corpus.
    pub original: String,
    /// The normalised form that identifies the item (folded street and number, the
    /// digits of a phone with a leading 0, the 9 digits of an ID, the lower-cased
    /// e-mail); empty for names.
    pub key: String,
    /// Every distinct spelling replaced, as written, in order of first appearance.
    pub forms: Vec<String>,
    /// The documents it occurs in, in corpus order, with counts.
    pub documents: Vec<DocCount>,
}

impl MappingEntry {
    /// The number of occurrences in all documents.
    pub fn total(&self) -> usize {
        self.documents.iter().map(|d| d.count).sum()
    }

    pub(crate) fn count(&mut self, doc_id: &str, surface: &str) {
        match self.documents.iter_mut().rev().find(|d| d.doc_id == doc_id) {
            Some(d) => d.count += 1,
            None => self.documents.push(DocCount {
                doc_id: doc_id.to_string(),
                count: 1,
            }),
        }
        self.add_form(surface);
    }

    pub(crate) fn add_form(&mut self, surface: &str) {
        if !self.forms.iter().any(|f| f == surface) {
            self.forms.push(surface.to_string());
        }
    }
}

/// Writes the mapping as CSV: `placeholder,kind,original,key,doc_id,count,forms`,
/// one row per entry and document (`forms` joined by ` | `), in order of first
/// appearance. An entry seen only outside document texts has one row with an empty
/// `doc_id` and count 0.
pub fn write_mapping_csv<W: Write>(entries: &[MappingEntry], w: W) -> anyhow::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "placeholder",
        "kind",
        "original",
        "key",
        "doc_id",
        "count",
        "forms",
    ])?;
    for e in entries {
        let forms = e.forms.join(" | ");
        let rows: Vec<(&str, usize)> = if e.documents.is_empty() {
            vec![("", 0)]
        } else {
            e.documents
                .iter()
                .map(|d| (d.doc_id.as_str(), d.count))
                .collect()
        };
        for (doc, count) in rows {
            out.write_record([
                e.placeholder.as_str(),
                e.kind.as_str(),
                e.original.as_str(),
                e.key.as_str(),
                doc,
                itoa::Buffer::new().format(count),
                forms.as_str(),
            ])?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The mapping as pretty-printed JSON: an array of entries with their fields and
/// `documents` as `{doc_id, count}` objects.
pub fn mapping_json(entries: &[MappingEntry]) -> String {
    serde_json::to_string_pretty(entries).expect("the mapping serialises")
}
