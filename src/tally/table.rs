//! A plain column-oriented table: what every tally produces and every writer consumes.

use std::sync::Arc;

/// One column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Str(Vec<String>),
    /// Text whose values repeat (an interview's id and attribute values in a table
    /// with a row per interview): each distinct value is held once, not per row.
    Shared(Vec<Arc<str>>),
    Int(Vec<i64>),
    /// Missing values (an undefined share, an empty group) are `None`.
    Float(Vec<Option<f64>>),
}

impl Values {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Values::Str(v) => v.len(),
            Values::Shared(v) => v.len(),
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

    /// A cell as text, as the CSV writer writes it (for tests to read a table by).
    #[cfg(test)]
    pub fn cell(&self, col: usize, row: usize) -> String {
        let mut s = String::new();
        self.push_cell(col, row, &mut s);
        s
    }

    /// Appends the text of a cell, as the CSV writer writes it (floats with 4
    /// decimals, missing empty), to `out`.
    fn push_cell(&self, col: usize, row: usize, out: &mut String) {
        match &self.columns[col].values {
            Values::Str(v) => out.push_str(&v[row]),
            Values::Shared(v) => out.push_str(&v[row]),
            Values::Int(v) => out.push_str(itoa::Buffer::new().format(v[row])),
            Values::Float(v) => {
                if let Some(x) = v[row] {
                    push_float(x, out);
                }
            }
        }
    }

    /// Writes the table as CSV to `w`, a row at a time (a table with a row per
    /// interview is not held twice).
    pub fn write_csv(&self, w: impl std::io::Write) -> csv::Result<()> {
        let mut w = csv::Writer::from_writer(w);
        w.write_record(self.columns.iter().map(|c| c.name.as_str()))?;
        let mut cell = String::new();
        for r in 0..self.rows() {
            for c in 0..self.columns.len() {
                cell.clear();
                self.push_cell(c, r, &mut cell);
                w.write_field(&cell)?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        w.flush()?;
        Ok(())
    }
}

/// Appends `x` with 4 decimals, without a negative zero, to `out`.
fn push_float(x: f64, out: &mut String) {
    use std::fmt::Write;
    let at = out.len();
    let _ = write!(out, "{x:.4}");
    if &out[at..] == "-0.0000" {
        out.replace_range(at.., "0.0000");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells() {
        let mut t = Table::new("t")
            .str("a", vec!["x,y".into(), "ז".into()])
            .int("n", vec![1, -2])
            .float("f", vec![Some(0.123456), None]);
        t.push("s", Values::Shared(vec![Arc::from("ב\"ג"), Arc::from("")]));
        let mut csv = Vec::new();
        t.write_csv(&mut csv).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "a,n,f,s\n\"x,y\",1,0.1235,\"ב\"\"ג\"\nז,-2,,\n"
        );
        assert_eq!(t.cell(3, 0), "ב\"ג");
        assert_eq!(t.cell(2, 0), "0.1235");
        // A negative number that rounds to zero is written without its sign.
        let z = Table::new("z").float("f", vec![Some(-0.00001)]);
        assert_eq!(z.cell(0, 0), "0.0000");
    }
}
