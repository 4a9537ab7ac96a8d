//! The units table (`units.csv`): one row per meaning unit with its document's attributes.

pub mod records;

use crate::corpus::Manifest;
use crate::csvfield::push_csv_field;
use crate::output::AtomicFile;
use crate::text::Unit;
use anyhow::Result;
use std::io::Write;
use std::path::Path;

/// The fixed leading columns of `units.csv`; the manifest's attributes follow.
pub const UNIT_COLUMNS: &[&str] = &[
    "unit_id", "doc_id", "turn", "speaker", "role", "start", "end", "n_words", "text",
];

/// Streams units to a CSV file that appears only when [`UnitWriter::finish`] succeeds.
pub struct UnitWriter {
    out: AtomicFile,
    rows: usize,
    buf: Vec<u8>,
}

impl UnitWriter {
    /// Creates the file and writes the header.
    pub fn create(path: &Path, manifest: &Manifest) -> Result<UnitWriter> {
        let header: Vec<&str> = UNIT_COLUMNS
            .iter()
            .copied()
            .chain(manifest.attributes.iter().map(String::as_str))
            .collect();
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(&header)?;
        let mut out = AtomicFile::create(path)?;
        out.write_all(&csv.into_inner().map_err(|e| e.into_error())?)?;
        Ok(UnitWriter {
            out,
            rows: 0,
            buf: Vec::new(),
        })
    }

    /// Writes the units of one document, with its attribute values.
    pub fn write_document(&mut self, units: &[Unit], attrs: &[String]) -> Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let rows = document_rows(units, attrs, &mut buf);
        let r = self.write_rows(&buf, rows);
        self.buf = buf;
        r
    }

    /// Writes rows made by [`document_rows`] (`rows` of them).
    pub fn write_rows(&mut self, bytes: &[u8], rows: usize) -> Result<()> {
        self.out.write_all(bytes)?;
        self.rows += rows;
        Ok(())
    }

    /// Flushes and moves the file into place; returns the number of rows written.
    pub fn finish(mut self) -> Result<usize> {
        // The error names the file (see `AtomicFile`); it exits 74.
        self.out.flush()?;
        self.out.commit()?;
        Ok(self.rows)
    }
}

/// Appends the `units.csv` rows of one document (with its attribute values) to
/// `out`, as [`UnitWriter`] writes them; returns the number of rows. Documents can
/// be formatted apart (on several threads) and their rows written in order.
pub fn document_rows(units: &[Unit], attrs: &[String], out: &mut Vec<u8>) -> usize {
    let mut num = itoa::Buffer::new();
    for u in units {
        for field in [
            u.unit_id.as_str(),
            &u.doc_id,
            num.format(u.turn),
            &u.speaker,
            u.role.as_str(),
        ] {
            push_csv_field(out, field.as_bytes());
            out.push(b',');
        }
        for n in [u.start, u.end, u.n_words] {
            out.extend_from_slice(num.format(n).as_bytes());
            out.push(b',');
        }
        push_csv_field(out, u.text.as_bytes());
        for a in attrs {
            out.push(b',');
            push_csv_field(out, a.as_bytes());
        }
        out.push(b'\n');
    }
    units.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Role;

    #[test]
    fn rows_as_the_csv_crate_writes_them() {
        let unit = |id: &str, speaker: &str, text: &str| Unit {
            unit_id: id.into(),
            doc_id: "P,01".into(),
            turn: 12,
            speaker: speaker.into(),
            role: Role::Interviewee,
            start: 340,
            end: 1_205,
            n_words: 9,
            text: text.into(),
        };
        let units = [
            unit("P01-0001", "ר", "אמרתי לו \"תפנה לעו\"ס\", ככה."),
            unit("P01-0002", "\"ד\"", "שורה\nושורה, ועוד\r\nאחת"),
            unit("P01-0003", "", ""),
        ];
        let attrs = ["ציבורי".to_string(), "a,b".into(), String::new()];
        let mut ours = Vec::new();
        assert_eq!(document_rows(&units, &attrs, &mut ours), 3);
        let mut csv = csv::Writer::from_writer(Vec::new());
        for u in &units {
            let (turn, start, end, n) = (
                u.turn.to_string(),
                u.start.to_string(),
                u.end.to_string(),
                u.n_words.to_string(),
            );
            let mut record = vec![
                u.unit_id.as_str(),
                &u.doc_id,
                &turn,
                &u.speaker,
                u.role.as_str(),
                &start,
                &end,
                &n,
                &u.text,
            ];
            record.extend(attrs.iter().map(String::as_str));
            csv.write_record(&record).unwrap();
        }
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(csv.into_inner().unwrap()).unwrap()
        );
    }
}
