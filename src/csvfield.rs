//! One CSV field appended to a byte buffer as the `csv` crate's writer writes it, for
//! rows formatted on the worker threads without a writer per row.

/// Appends `field` to `out` as the `csv` crate's writer does by default: in double
/// quotes, with its double quotes doubled, when it holds a comma, a double quote or
/// a line break; as it is otherwise.
pub fn push_csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
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

/// Whether `field` holds a comma, a double quote or a line break. (Most fields do
/// not: they are scanned 16 bytes at a time, which the compiler vectorises.)
fn needs_quotes(field: &[u8]) -> bool {
    let special = |b: &u8| matches!(*b, b',' | b'"' | b'\r' | b'\n');
    let mut blocks = field.chunks_exact(16);
    let hit = blocks.any(|block| block.iter().fold(false, |seen, b| seen | special(b)));
    hit || blocks.remainder().iter().any(special)
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
        // Fields past one 16-byte block, the mark in a block or in the rest after them.
        let long: Vec<String> = [0usize, 15, 16, 17, 31, 32, 40]
            .iter()
            .flat_map(|&at| {
                [",", "\"", "\r", "\n"].map(|mark| {
                    let mut f = "אבגדהוזחטי".repeat(4).chars().take(41).collect::<String>();
                    f.insert_str(f.char_indices().nth(at).map_or(f.len(), |(i, _)| i), mark);
                    f
                })
            })
            .chain(["x".repeat(16), "x".repeat(33), "ש".repeat(24)])
            .collect();
        let fields: Vec<&str> = fields
            .into_iter()
            .chain(long.iter().map(String::as_str))
            .collect();
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
