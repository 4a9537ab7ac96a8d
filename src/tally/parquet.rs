//! Writing tables as Parquet with polars, for analysts who load them in polars, pandas or R.

use super::table::{Table, Values};
use crate::output::AtomicFile;
use anyhow::Result;
use polars::prelude::*;
use std::path::Path;

/// The table as a polars DataFrame (text as String, integers as Int64, floats as
/// Float64 with nulls for missing values).
pub fn to_dataframe(t: &Table) -> Result<DataFrame> {
    let columns: Vec<Column> = t
        .columns
        .iter()
        .map(|c| {
            let name = PlSmallStr::from(c.name.as_str());
            match &c.values {
                Values::Str(v) => Column::new(name, v),
                Values::Int(v) => Column::new(name, v),
                Values::Float(v) => Column::new(name, v),
            }
        })
        .collect();
    Ok(DataFrame::new(t.rows(), columns)?)
}

/// Writes the table to `path` as Parquet (atomically).
pub fn write_parquet(path: &Path, t: &Table) -> Result<()> {
    let mut df = to_dataframe(t)?;
    let mut file = AtomicFile::create(path)?;
    ParquetWriter::new(file.writer()).finish(&mut df)?;
    file.commit()
}
