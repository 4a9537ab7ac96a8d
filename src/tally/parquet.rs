//! Writing tables as Parquet with polars, for analysts who load them in polars, pandas or R.

use super::table::{Table, Values};
use crate::error::InputError;
use crate::output::AtomicFile;
use anyhow::Result;
use polars::prelude::*;
use std::path::Path;

/// The table as a polars DataFrame (text as String, integers as Int64, floats as
/// Float64 with nulls for missing values). The table is taken apart column by
/// column as it is converted (whole numbers handed over without a copy), so a
/// table with a row per interview is not held twice.
pub fn to_dataframe(t: Table) -> Result<DataFrame> {
    let rows = t.rows();
    let columns: Vec<Column> = t
        .columns
        .into_iter()
        .map(|c| {
            let name = PlSmallStr::from(c.name.as_str());
            match c.values {
                Values::Str(v) => Column::new(name, v),
                Values::Shared(v) => {
                    Column::new(name, v.iter().map(|s| &**s).collect::<Vec<&str>>())
                }
                Values::Int(v) => Int64Chunked::from_vec(name, v).into_column(),
                Values::Float(v) => Column::new(name, v),
            }
        })
        .collect();
    Ok(DataFrame::new(rows, columns)?)
}

/// Writes the table to `path` as Parquet (atomically). A write that fails midway
/// (a full disk) is an I/O error naming the file (exit 74).
pub fn write_parquet(path: &Path, t: Table) -> Result<()> {
    let mut df = to_dataframe(t)?;
    let mut file = AtomicFile::create(path)?;
    ParquetWriter::new(file.writer())
        .finish(&mut df)
        .map_err(|e| InputError::cannot_write(path, e))?;
    file.commit()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_names_the_file_and_exits_74() {
        // /dev/full takes no byte, as a full disk; a device is written in place.
        let full = Path::new("/dev/full");
        if !full.exists() {
            return;
        }
        let t = Table::new("t").int("n", (0..100_000).collect());
        let err = write_parquet(full, t).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.starts_with("/dev/full: cannot write: "), "{msg}");
        assert!(msg.contains("No space left on device"), "{msg}");
        assert_eq!(crate::error::exit_code(&err), 74);
    }
}
