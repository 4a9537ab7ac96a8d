//! The units table (`units.csv`): one row per meaning unit with its document's attributes.

use crate::corpus::Manifest;
use crate::output::AtomicFile;
use crate::text::Unit;
use anyhow::Result;
use std::path::Path;

/// The fixed leading columns of `units.csv`; the manifest's attributes follow.
pub const UNIT_COLUMNS: &[&str] = &[
    "unit_id", "doc_id", "turn", "speaker", "role", "start", "end", "n_words", "text",
];

/// Streams units to a CSV file that appears only when [`UnitWriter::finish`] succeeds.
pub struct UnitWriter {
    csv: csv::Writer<AtomicFile>,
    rows: usize,
}

impl UnitWriter {
    /// Creates the file and writes the header.
    pub fn create(path: &Path, manifest: &Manifest) -> Result<UnitWriter> {
        let mut csv = csv::Writer::from_writer(AtomicFile::create(path)?);
        let header: Vec<&str> = UNIT_COLUMNS
            .iter()
            .copied()
            .chain(manifest.attributes.iter().map(String::as_str))
            .collect();
        csv.write_record(&header)?;
        Ok(UnitWriter { csv, rows: 0 })
    }

    /// Writes the units of one document, with its attribute values.
    pub fn write_document(&mut self, units: &[Unit], attrs: &[String]) -> Result<()> {
        let mut num = itoa::Buffer::new();
        for u in units {
            self.csv.write_field(&u.unit_id)?;
            self.csv.write_field(&u.doc_id)?;
            self.csv.write_field(num.format(u.turn))?;
            self.csv.write_field(&u.speaker)?;
            self.csv.write_field(u.role.as_str())?;
            self.csv.write_field(num.format(u.start))?;
            self.csv.write_field(num.format(u.end))?;
            self.csv.write_field(num.format(u.n_words))?;
            self.csv.write_field(&u.text)?;
            for a in attrs {
                self.csv.write_field(a)?;
            }
            self.csv.write_record(None::<&[u8]>)?;
            self.rows += 1;
        }
        Ok(())
    }

    /// Flushes and moves the file into place; returns the number of rows written.
    pub fn finish(self) -> Result<usize> {
        let rows = self.rows;
        // The error names the file (see `AtomicFile`); it exits 74.
        let file = self.csv.into_inner().map_err(|e| e.into_error())?;
        file.commit()?;
        Ok(rows)
    }
}
