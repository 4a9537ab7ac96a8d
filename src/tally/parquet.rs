//! Writing tables as Parquet with polars, for analysts who load them in polars, pandas or R.

use super::table::{Table, Values};
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

/// Writes the table to `path` as Parquet (atomically).
pub fn write_parquet(path: &Path, t: Table) -> Result<()> {
    let mut df = to_dataframe(t)?;
    let mut file = AtomicFile::create(path)?;
    ParquetWriter::new(file.writer()).finish(&mut df)?;
    file.commit()
}
