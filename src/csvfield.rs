//! One CSV field appended to a byte buffer as the `csv` crate's writer writes it, for
//! rows formatted on the worker threads without a writer per row.

/// Appends `field` to `out` as the `csv` crate's writer does by default: in double
/// quotes, with its double quotes doubled, when it holds a comma, a double quote or
/// a line break; as it is otherwise.
pub fn push_csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for part in field.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_as_the_csv_crate_writes_them() {
        let fields = [
            "",
            "a",
            "a,b",
            "a\"b",
            "\"",
            "\"\"x\"",
            "x\ny",
            "x\rz",
            "עו\"ס, ו",
            "1-3:a; 5-9:b",
        ];
        let mut csv = csv::Writer::from_writer(Vec::new());
        let mut ours = Vec::new();
        for f in fields {
            csv.write_record([f, "x", f]).unwrap();
            push_csv_field(&mut ours, f.as_bytes());
            ours.push(b',');
            push_csv_field(&mut ours, b"x");
            ours.push(b',');
            push_csv_field(&mut ours, f.as_bytes());
            ours.push(b'\n');
        }
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(csv.into_inner().unwrap()).unwrap()
        );
    }
}
