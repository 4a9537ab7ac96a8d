//! `tamlil segment` end to end: hand-checked units, encodings and formats, bad input.

mod common;
use common::*;

fn segment_one(
    dir: &TempDir,
    file: &str,
    extra: &[&str],
) -> Vec<std::collections::BTreeMap<String, String>> {
    let out = dir.join("units.csv");
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::copy(fixtures().join(file), corpus.join(file)).unwrap();
    let mut args = vec![
        "segment",
        "--corpus",
        corpus.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = tamlil(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_dir_all(&corpus).unwrap();
    read_csv(&out)
}

#[test]
fn hand_checked_transcript() {
    let dir = TempDir::new("hand");
    let rows = segment_one(&dir, "handchecked.txt", &[]);
    let got: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["role"].as_str(),
                r["speaker"].as_str(),
                r["start"].as_str(),
                r["end"].as_str(),
                r["text"].as_str(),
            )
        })
        .collect();
    // Offsets computed independently (Python str.index on the file's text).
    assert_eq!(
        got,
        vec![
            ("other", "", "0", "26", "ראיון לדוגמה – בדיקה ידנית"),
            (
                "interviewer",
                "מראיינת",
                "36",
                "58",
                "ספרי לי על העבודה שלך."
            ),
            (
                "interviewee",
                "מרואיינת",
                "69",
                "102",
                "אני עו\"ס במחלקה כבר עשר שנים. כן."
            ),
            (
                "interviewee",
                "מרואיינת",
                "103",
                "127",
                "הרבה עבודה עם בט\"ל וכו'."
            ),
            (
                "interviewee",
                "מרואיינת",
                "128",
                "211",
                "למשל, אישה אחת אמרה לי: \"אמרו לי 'אין לך זכאות'. מה אני אעשה?\" ואני עניתי לה שננסה."
            ),
            ("interviewer", "מראיינת", "221", "229", "ומה קרה?"),
            (
                "interviewee",
                "מרואיינת",
                "240",
                "269",
                "אה... הגשנו ערר [...] וזכינו!"
            ),
            (
                "interviewee",
                "מרואיינת",
                "270",
                "299",
                "ד\"ר לוי מהוועדה אמר שזה נדיר."
            ),
        ]
    );
    assert_eq!(rows[0]["unit_id"], "handchecked-0001");
    assert_eq!(rows[3]["n_words"], "5");
    assert_eq!(rows[2]["turn"], "2");
    // Offsets slice the document text back to the unit text.
    let text: Vec<char> = std::fs::read_to_string(fixtures().join("handchecked.txt"))
        .unwrap()
        .chars()
        .collect();
    for r in &rows {
        let (s, e): (usize, usize) = (r["start"].parse().unwrap(), r["end"].parse().unwrap());
        assert_eq!(text[s..e].iter().collect::<String>(), r["text"]);
    }
}

#[test]
fn turn_and_paragraph_units() {
    let dir = TempDir::new("kinds");
    let turns = segment_one(&dir, "handchecked.txt", &["--unit", "turn"]);
    assert_eq!(turns.len(), 5);
    assert_eq!(
        turns[4]["text"],
        "אה... הגשנו ערר [...] וזכינו! ד\"ר לוי מהוועדה אמר שזה נדיר."
    );
    let paras = segment_one(&dir, "handchecked.txt", &["--unit", "paragraph"]);
    assert_eq!(paras.len(), 5);
}

#[test]
fn encodings_and_docx_decode_to_the_same_units() {
    let dir = TempDir::new("twins");
    let strip = |rows: Vec<std::collections::BTreeMap<String, String>>| -> Vec<Vec<String>> {
        rows.into_iter()
            .map(|mut r| {
                r.remove("unit_id");
                r.remove("doc_id");
                r.into_values().collect()
            })
            .collect()
    };
    let utf8 = strip(segment_one(&dir, "twin.txt", &[]));
    assert_eq!(utf8.len(), 7);
    assert_eq!(
        strip(segment_one(&dir, "twin-1255.txt", &[])),
        utf8,
        "Windows-1255"
    );
    assert_eq!(strip(segment_one(&dir, "twin.docx", &[])), utf8, ".docx");
    // With BOM, CRLF and RLM marks the texts and roles are the same; offsets move by the marks.
    let rlm = segment_one(&dir, "twin-crlf-rlm.txt", &[]);
    let utf8_rows = segment_one(&dir, "twin.txt", &[]);
    assert_eq!(rlm.len(), utf8_rows.len());
    for (a, b) in rlm.iter().zip(&utf8_rows) {
        assert_eq!(
            (&a["text"], &a["role"], &a["speaker"]),
            (&b["text"], &b["role"], &b["speaker"])
        );
    }
}

#[test]
fn decoded_texts_are_identical() {
    use tamlil::corpus::{Entry, document_from_bytes};
    let entry = |f: &str| Entry {
        line: 0,
        id: "x".into(),
        path: fixtures().join(f),
        encoding: None,
        interviewer_labels: vec![],
        attrs: vec![],
    };
    let read = |f: &str| {
        document_from_bytes(&entry(f), &std::fs::read(fixtures().join(f)).unwrap()).unwrap()
    };
    let utf8 = read("twin.txt");
    let cp = read("twin-1255.txt");
    let docx = read("twin.docx");
    assert_eq!(cp.text, utf8.text);
    assert_eq!(cp.encoding, "windows-1255");
    assert_eq!(docx.text, utf8.text.trim_end_matches('\n'));
    let rlm = read("twin-crlf-rlm.txt");
    assert_eq!(rlm.text.replace('\u{200F}', ""), utf8.text);
}

/// Writes a corpus with a manifest and the given files, runs segment, expects failure.
fn expect_failure(name: &str, manifest: &str, files: &[(&str, &[u8])], code: i32, message: &str) {
    let dir = TempDir::new(name);
    for (f, bytes) in files {
        dir.write(f, bytes);
    }
    dir.write("manifest.csv", manifest);
    let out = dir.join("units.csv");
    let o = tamlil(&[
        "segment",
        "--corpus",
        dir.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert!(err.contains(message), "expected {message:?} in {err:?}");
    assert!(!out.exists(), "no output on failure");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

const GOOD: &[u8] = "ש: מה?\nת: הכול טוב אצלנו.\n".as_bytes();

#[test]
fn missing_transcript() {
    expect_failure(
        "missing",
        "id,file,sector\nA,a.txt,public\nB,b.txt,third\n",
        &[("a.txt", GOOD)],
        65,
        "manifest.csv:3: file '",
    );
}

#[test]
fn duplicate_id() {
    expect_failure(
        "dup",
        "id,file\nA,a.txt\nA,a.txt\n",
        &[("a.txt", GOOD)],
        65,
        "manifest.csv:3: duplicate id 'A' (first on line 2)",
    );
}

#[test]
fn empty_required_field() {
    expect_failure(
        "emptyfield",
        "id,file\n,a.txt\n",
        &[("a.txt", GOOD)],
        65,
        "manifest.csv:2: empty required field 'id'",
    );
}

#[test]
fn bad_typed_column() {
    expect_failure(
        "typed",
        "id,file,group_interview\nA,a.txt,sometimes\n",
        &[("a.txt", GOOD)],
        65,
        "manifest.csv:2: column 'group_interview' must be true or false, found 'sometimes'",
    );
}

#[test]
fn unknown_column_name() {
    expect_failure(
        "nocol",
        "id,file,\nA,a.txt,x\n",
        &[("a.txt", GOOD)],
        65,
        "manifest.csv:1: column 3 has no name",
    );
}

#[test]
fn wrong_declared_encoding() {
    let cp1255 = std::fs::read(fixtures().join("twin-1255.txt")).unwrap();
    expect_failure(
        "enc",
        "id,file,encoding\nA,a.txt,utf-8\n",
        &[("a.txt", &cp1255)],
        65,
        "a.txt:1: not valid UTF-8",
    );
}

#[test]
fn undecodable_text() {
    expect_failure(
        "latin",
        "id,file\nA,a.txt\n",
        &[("a.txt", b"ok\ncaf\xE9 cr\xE8me br\xFBl\xE9e\n")],
        65,
        "a.txt:2: cannot tell the text encoding",
    );
}

#[test]
fn broken_docx() {
    let docx = std::fs::read(fixtures().join("twin.docx")).unwrap();
    expect_failure(
        "docx",
        "id,file\nA,a.docx\n",
        &[("a.docx", &docx[..docx.len() / 2])],
        65,
        "a.docx: not a valid .docx file",
    );
}

#[test]
fn empty_transcript() {
    expect_failure(
        "empty",
        "id,file\nA,a.txt\n",
        &[("a.txt", b" \n\n")],
        65,
        "a.txt: the transcript is empty",
    );
}

#[test]
fn missing_corpus() {
    let o = tamlil(&[
        "segment",
        "--corpus",
        "/nonexistent/corpus",
        "--out",
        "/tmp/never.csv",
    ]);
    assert_eq!(o.status.code(), Some(66));
    assert!(stderr(&o).contains("/nonexistent/corpus: corpus directory not found"));
}
