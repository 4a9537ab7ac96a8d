//! `tamlil run --redact` end to end: planted identifiers gone from every output, codes unchanged.

mod common;
use common::*;
use std::io::Read;
use std::path::Path;

/// The identifiers planted in `tests/fixtures/redact` (names from the manifest's
/// `names` column and from `names.txt`, a valid ID number, a phone, an e-mail, a
/// street address).
const PLANTED: &[&str] = &[
    "רונית",
    "כהן",
    "משה",
    "דנה",
    "חולון",
    "הרצל",
    "050-1234567",
    "123456782",
    "dana@example.org",
    "example.org",
];

fn run_redact(out: &Path, extra: &[&str]) -> std::process::Output {
    let corpus = fixtures().join("redact");
    let codebook = fixtures().join("tiny-codebook.toml");
    let names = corpus.join("names.txt");
    let mut args = extra.to_vec();
    if extra.contains(&"--redact") {
        args.extend_from_slice(&["--names", names.to_str().unwrap()]);
    }
    run_quick(&corpus, &codebook, out, &args)
}

/// Every file under `dir` (and every entry of every .qdpx in it), name -> text.
fn all_text(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in files_in(dir) {
        let bytes = std::fs::read(&p).unwrap();
        if p.extension().is_some_and(|x| x == "qdpx") {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            for i in 0..z.len() {
                let mut f = z.by_index(i).unwrap();
                let mut s = String::new();
                f.read_to_string(&mut s).unwrap();
                out.push((format!("{}!{}", p.display(), f.name().unwrap()), s));
            }
        } else {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            out.push((p.display().to_string(), text));
        }
    }
    out
}

/// `(unit_id, code_id, score, evidence surface words)` of a codings.csv.
fn codes(path: &Path) -> Vec<(String, String, String, Vec<String>)> {
    read_csv(path)
        .into_iter()
        .map(|r| {
            let words = r["evidence"]
                .split("; ")
                .map(|e| e.split_once(':').unwrap().1.to_string())
                .collect();
            (
                r["unit_id"].clone(),
                r["code_id"].clone(),
                r["score"].clone(),
                words,
            )
        })
        .collect()
}

/// The plain text of source `doc` in the project's zip.
fn project_source(qdpx: &Path, doc: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(qdpx).unwrap()).unwrap();
    let mut qde = String::new();
    z.by_name("project.qde")
        .unwrap()
        .read_to_string(&mut qde)
        .unwrap();
    let at = qde
        .find(&format!("<TextSource guid=\"{doc}"))
        .or_else(|| qde.find(&format!("name=\"{doc}\" plainTextPath")))
        .expect("the source is in the project");
    let path = &qde[at..];
    let p = path.find("internal://").unwrap() + "internal://".len();
    let file = &path[p..p + path[p..].find('"').unwrap()];
    let mut s = String::new();
    z.by_name(&format!("sources/{file}"))
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn redacted_run_shows_no_planted_identifier_and_keeps_the_codes() {
    let dir = TempDir::new("redact-run");
    let (plain, out) = (dir.join("plain"), dir.join("out"));
    let o = run_redact(&plain, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_redact(&out, &["--redact"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("10 identifiers redacted (8 distinct)"),
        "{}",
        stderr(&o)
    );

    // The plain run shows them (the test would prove nothing otherwise) ...
    let plain_text: String = all_text(&plain).into_iter().map(|(_, t)| t).collect();
    for p in PLANTED {
        assert!(plain_text.contains(p), "{p} is in the unredacted outputs");
    }
    // ... the redacted run nowhere: not in units, codings, tables, report, the
    // project's sources and variables, run.json.
    for (name, text) in all_text(&out) {
        for p in PLANTED {
            assert!(!text.contains(p), "{p} left in {name}");
        }
    }
    // An ID number with an invalid check digit is not an ID and stays.
    let units = read_csv(&out.join("units.csv"));
    assert!(units.iter().any(|u| u["text"].contains("123456789")));
    // The names column is no attribute.
    assert!(!units[0].contains_key("names"));
    assert_eq!(units[0]["sector"], "public");

    // Placeholders, numbered in corpus order, in units and speakers.
    let unit = |id: &str| units.iter().find(|u| u["unit_id"] == id).unwrap();
    assert_eq!(
        unit("A-0002")["text"],
        "פניתי ל[שם-1] מהלשכה בזכות הידע שלה, ואז דיברתי עם [שם-2] על הזכויות שלו."
    );
    assert_eq!(unit("A-0002")["speaker"], "[שם-1]");
    assert_eq!(
        unit("A-0005")["text"],
        "הוא השאיר את הטלפון [טלפון] ואת תעודת הזהות [ת\"ז] שלו."
    );
    assert_eq!(
        unit("B-0002")["text"],
        "כתבתי ל[שם-3] בכתובת [דוא\"ל], והיא גרה ב[כתובת-1] ב[מקום-1]."
    );

    // Coding ran on the original text: the same codes, scores and matched words.
    assert_eq!(
        codes(&out.join("codings.csv")),
        codes(&plain.join("codings.csv"))
    );
    // The evidence offsets point into the redacted unit: הידע moved from 30-34
    // (after לרונית כהן, 10 characters) to 27-31 (after ל[שם-1], 7).
    let ev = |dir: &Path| {
        read_csv(&dir.join("codings.csv"))
            .into_iter()
            .find(|r| r["unit_id"] == "A-0002")
            .unwrap()["evidence"]
            .clone()
    };
    assert_eq!(ev(&plain), "30-34:הידע");
    assert_eq!(ev(&out), "27-31:הידע");

    // Unit offsets slice the redacted source in the project back to the unit text.
    for doc in ["A", "B"] {
        let source: Vec<char> = project_source(&out.join("project.qdpx"), doc)
            .chars()
            .collect();
        for u in units.iter().filter(|u| u["doc_id"] == doc) {
            let (s, e): (usize, usize) = (u["start"].parse().unwrap(), u["end"].parse().unwrap());
            assert_eq!(
                source[s..e].iter().collect::<String>(),
                u["text"],
                "{}",
                u["unit_id"]
            );
        }
    }

    // The private mapping is beside the output, not in it, readable by its owner only.
    let map = dir.join("out.redaction.csv");
    let rows = read_csv(&map);
    assert_eq!(rows.len(), 8);
    let row = |p: &str| rows.iter().find(|r| r["placeholder"] == p).unwrap();
    assert_eq!(row("[שם-1]")["original"], "רונית כהן");
    assert_eq!(row("[שם-1]")["count"], "3");
    assert_eq!(row("[ת\"ז]")["original"], "123456782");
    assert_eq!(row("[מקום-1]")["original"], "חולון");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&map).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["redaction"]["items"], 8);
    assert_eq!(run["redaction"]["occurrences"], 10);
}

#[test]
fn redaction_mapping_inside_the_output_is_refused() {
    let dir = TempDir::new("redact-refused");
    let out = dir.join("out");
    assert!(run_redact(&out, &[]).status.success());
    let before = std::fs::read(out.join("units.csv")).unwrap();
    let inside = out.join("map.csv");
    let o = run_redact(
        &out,
        &["--redact", "--redaction-map", inside.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(73), "{}", stderr(&o));
    assert!(stderr(&o).contains("must not be written inside the output"));
    assert!(!inside.exists());
    assert_eq!(std::fs::read(out.join("units.csv")).unwrap(), before);
}

#[test]
fn redaction_options_need_redact() {
    let dir = TempDir::new("redact-needs");
    let out = dir.join("out");
    let o = tamlil(&["run", "--out", out.to_str().unwrap(), "--names", "x.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--redact"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn a_names_column_asked_for_must_be_in_the_manifest() {
    let dir = TempDir::new("redact-column");
    let out = dir.join("out");
    let o = run_redact(&out, &["--redact", "--names-column", "people"]);
    assert_eq!(o.status.code(), Some(65), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the manifest has no column 'people' for the names to redact"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    assert!(!dir.join("out.redaction.csv").exists());
}
