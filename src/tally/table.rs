//! A plain column-oriented table: what every tally produces and every writer consumes.

/// One column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Str(Vec<String>),
    Int(Vec<i64>),
    /// Missing values (an undefined share, an empty group) are `None`.
    Float(Vec<Option<f64>>),
}

impl Values {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Values::Str(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: Values,
}

/// A table with a name (its file stem under `tables/`).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
}

impl Table {
    /// An empty table.
    pub fn new(name: &str) -> Table {
        Table {
            name: name.to_string(),
            columns: Vec::new(),
        }
    }

    /// Adds a text column.
    pub fn str(mut self, name: &str, v: Vec<String>) -> Table {
        self.push(name, Values::Str(v));
        self
    }

    /// Adds an integer column.
    pub fn int(mut self, name: &str, v: Vec<i64>) -> Table {
        self.push(name, Values::Int(v));
        self
    }

    /// Adds a float column (None = missing).
    pub fn float(mut self, name: &str, v: Vec<Option<f64>>) -> Table {
        self.push(name, Values::Float(v));
        self
    }

    /// Adds a column of any kind.
    pub fn push(&mut self, name: &str, values: Values) {
        if let Some(first) = self.columns.first() {
            assert_eq!(first.values.len(), values.len(), "column {name} length");
        }
        self.columns.push(Column {
            name: name.to_string(),
            values,
        });
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map(|c| c.values.len()).unwrap_or(0)
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Values> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.values)
    }

    /// A cell as text, as the CSV writer writes it (floats with 4 decimals, missing empty).
    pub fn cell(&self, col: usize, row: usize) -> String {
        match &self.columns[col].values {
            Values::Str(v) => v[row].clone(),
            Values::Int(v) => v[row].to_string(),
            Values::Float(v) => v[row].map(format_float).unwrap_or_default(),
        }
    }

    /// The table as CSV text.
    pub fn to_csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(self.columns.iter().map(|c| c.name.as_str()))?;
        for r in 0..self.rows() {
            w.write_record((0..self.columns.len()).map(|c| self.cell(c, r)))?;
        }
        w.into_inner().map_err(|e| anyhow::anyhow!("{}", e.error()))
    }
}

/// Formats a float with 4 decimals, without a negative zero.
pub fn format_float(x: f64) -> String {
    let s = format!("{x:.4}");
    if s == "-0.0000" { "0.0000".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells() {
        let t = Table::new("t")
            .str("a", vec!["x,y".into(), "ז".into()])
            .int("n", vec![1, -2])
            .float("f", vec![Some(0.123456), None]);
        assert_eq!(
            String::from_utf8(t.to_csv().unwrap()).unwrap(),
            "a,n,f\n\"x,y\",1,0.1235\nז,-2,\n"
        );
        assert_eq!(format_float(-0.00001), "0.0000");
    }
}
