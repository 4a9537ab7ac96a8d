//! The units table (`units.csv`): one row per meaning unit with its document's attributes.

pub mod records;

use crate::corpus::Manifest;
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
        let rows = document_rows(units, attrs, &mut buf)?;
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
pub fn document_rows(units: &[Unit], attrs: &[String], out: &mut Vec<u8>) -> Result<usize> {
    let mut csv = csv::Writer::from_writer(out);
    let mut num = itoa::Buffer::new();
    for u in units {
        csv.write_field(&u.unit_id)?;
        csv.write_field(&u.doc_id)?;
        csv.write_field(num.format(u.turn))?;
        csv.write_field(&u.speaker)?;
        csv.write_field(u.role.as_str())?;
        csv.write_field(num.format(u.start))?;
        csv.write_field(num.format(u.end))?;
        csv.write_field(num.format(u.n_words))?;
        csv.write_field(&u.text)?;
        for a in attrs {
            csv.write_field(a)?;
        }
        csv.write_record(None::<&[u8]>)?;
    }
    csv.flush()?;
    Ok(units.len())
}
