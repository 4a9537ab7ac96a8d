//! `tamlil agree` end to end: self-agreement, planted disagreements checked by hand, breakdowns, many coders, errors.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Runs `tamlil run` on the tiny corpus into `dir/out` and returns that folder.
fn run_tiny(dir: &TempDir) -> PathBuf {
    let out = dir.join("out");
    let corpus = fixtures().join("tiny");
    let codebook = fixtures().join("tiny-codebook.toml");
    let o = run_quick(&corpus, &codebook, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `tamlil agree` with the tiny codebook.
fn agree(out: &Path, args: &[&str]) -> std::process::Output {
    let codebook = fixtures().join("tiny-codebook.toml");
    let units = out.join("units.csv");
    let mut all = vec!["agree", "--units", s(&units), "--codebook", s(&codebook)];
    all.extend_from_slice(args);
    tamlil(&all)
}

type Rows = Vec<BTreeMap<String, String>>;

fn row<'a>(rows: &'a Rows, id: &str, group: &str) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["id"] == id && r["group"] == group)
        .unwrap_or_else(|| panic!("no row {id} {group}"))
}

fn num(r: &BTreeMap<String, String>, col: &str) -> f64 {
    r[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = {:?}", r[col]))
}

fn close(r: &BTreeMap<String, String>, col: &str, want: f64) {
    let got = num(r, col);
    assert!(
        (got - want).abs() < 1e-6,
        "{} {col}: {got} != {want}",
        r["id"]
    );
}

fn counts(r: &BTreeMap<String, String>) -> [&str; 5] {
    [
        &r["units"],
        &r["both"],
        &r["only_a"],
        &r["only_b"],
        &r["neither"],
    ]
    .map(|s| s.as_str())
}

#[test]
fn codings_against_themselves_agree_perfectly() {
    let dir = TempDir::new("agree-self");
    let out = run_tiny(&dir);
    let table = dir.join("agree.csv");
    let codings = out.join("codings.csv");
    // No --codebook: the one recorded in run.json is used.
    let o = tamlil(&[
        "agree",
        "--units",
        s(&out.join("units.csv")),
        s(&codings),
        s(&codings),
        "--out",
        s(&table),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&table);
    // 4 codes + 2 families + pooled.
    assert_eq!(rows.len(), 7);
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "goals.client_rights",
            "keys.knowledge",
            "keys.networking",
            "keys.power",
            "goals",
            "keys",
            "*"
        ]
    );
    for r in &rows {
        if r["id"] != "*" {
            assert_eq!(r["units"], "8", "8 interviewee units");
        }
        for col in ["agreement", "precision", "recall", "f1", "kappa", "alpha"] {
            assert_eq!(r[col], "1.000000", "{} {col}", r["id"]);
        }
    }
    // Codings of the tiny corpus, checked by hand in run_cli.rs: 2 units have
    // keys.knowledge, 6 have a keys code, 7 unit x code pairs are coded.
    assert_eq!(
        counts(row(&rows, "keys.knowledge", "")),
        ["8", "2", "0", "0", "6"]
    );
    assert_eq!(counts(row(&rows, "keys", "")), ["8", "6", "0", "0", "2"]);
    assert_eq!(counts(row(&rows, "*", "")), ["32", "7", "0", "0", "25"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("8 interviewee units compared"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("keys.knowledge") && l.ends_with("1.000  1.000")),
        "{stdout}"
    );
}

/// The human coder (B) differs from tamlil (A) on keys.knowledge only: B-0004 not
/// coded, C-0002 coded (the negated "לא צריך ידע"), and codes A-0002 with the
/// family "keys" as well (which changes nothing: A-0002 has a keys code anyway).
fn planted(dir: &TempDir) -> PathBuf {
    dir.write(
        "human.csv",
        "unit_id,code_id,coder\n\
         A-0002,keys.knowledge,dana\n\
         A-0002,keys,dana\n\
         A-0003,keys.networking,dana\n\
         A-0004,keys.power,dana\n\
         B-0002,goals.client_rights,dana\n\
         B-0003,keys.power,dana\n\
         C-0002,keys.knowledge,dana\n\
         C-0003,keys.networking,dana\n",
    )
}

#[test]
fn planted_disagreements_give_hand_computed_values() {
    let dir = TempDir::new("agree-planted");
    let out = run_tiny(&dir);
    let human = planted(&dir);
    let table = dir.join("agree.csv");
    let o = agree(
        &out,
        &[s(&out.join("codings.csv")), s(&human), "--out", s(&table)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&table);
    // keys.knowledge over 8 units: both 1 (A-0002), only A 1 (B-0004), only B 1
    // (C-0002), neither 5. p_o = 6/8; p_A = p_B = 2/8; p_e = 1/16 + 9/16 = 0.625;
    // kappa = (0.75 - 0.625) / 0.375 = 1/3. Alpha: 16 values, 4 coded, 12 not,
    // 2 disagreeing units = 4 disagreeing ordered pairs: 1 - 15 * 4 / (2 * 4 * 12) = 0.375.
    let k = row(&rows, "keys.knowledge", "");
    assert_eq!(counts(k), ["8", "1", "1", "1", "5"]);
    close(k, "agreement", 0.75);
    close(k, "precision", 0.5);
    close(k, "recall", 0.5);
    close(k, "f1", 0.5);
    close(k, "kappa", 1.0 / 3.0);
    close(k, "alpha", 0.375);
    // Unchanged codes agree perfectly.
    for id in [
        "goals.client_rights",
        "keys.networking",
        "keys.power",
        "goals",
    ] {
        close(row(&rows, id, ""), "kappa", 1.0);
        close(row(&rows, id, ""), "alpha", 1.0);
    }
    // Family keys: both 5, only A 1 (B-0004), only B 1 (C-0002), neither 1 (B-0002):
    // p_o = 6/8, p_e = (6/8)^2 + (2/8)^2 = 0.625, kappa = 1/3; alpha: n1 = 12,
    // n0 = 4: 1 - 15 * 4 / (2 * 12 * 4) = 0.375.
    let f = row(&rows, "keys", "");
    assert_eq!(counts(f), ["8", "5", "1", "1", "1"]);
    close(f, "kappa", 1.0 / 3.0);
    close(f, "alpha", 0.375);
    // Pooled over the 4 codes (32 unit x code pairs): both 6, only A 1, only B 1,
    // neither 24. p_o = 30/32, p_A = p_B = 7/32, p_e = (49 + 625) / 1024,
    // kappa = (960 - 674) / (1024 - 674) = 286/350; alpha: 64 values, n1 = 14,
    // n0 = 50: 1 - 63 * 4 / (2 * 14 * 50) = 0.82.
    let p = row(&rows, "*", "");
    assert_eq!(counts(p), ["32", "6", "1", "1", "24"]);
    close(p, "kappa", 286.0 / 350.0);
    close(p, "alpha", 0.82);
}

/// The same coding given as spans of the documents (`doc_id,start,end,code_id`) is
/// read onto the units it covers and agrees exactly as the coding of units does; a span
/// outside every unit codes nothing and is reported.
#[test]
fn coded_spans_map_to_the_units_they_cover() {
    let dir = TempDir::new("agree-spans");
    let out = run_tiny(&dir);
    let human = planted(&dir);
    let units = read_csv(&out.join("units.csv"));
    let unit = |id: &str| units.iter().find(|u| u["unit_id"] == id).unwrap();
    let mut spans = String::from("doc_id,start,end,code_id,coder\n");
    for r in read_csv(&human) {
        let u = unit(&r["unit_id"]);
        let (start, end): (usize, usize) = (u["start"].parse().unwrap(), u["end"].parse().unwrap());
        // A span a little inside the unit still codes it.
        spans.push_str(&format!(
            "{},{},{},{},{}\n",
            u["doc_id"],
            start + 1,
            end,
            r["code_id"],
            r["coder"]
        ));
    }
    // The speaker label "ש:" lies in no unit.
    spans.push_str("A,0,2,keys.power,dana\n");
    let spans = dir.write("spans.csv", spans);
    let (t1, t2) = (dir.join("a1.csv"), dir.join("a2.csv"));
    let codings = out.join("codings.csv");
    assert!(
        agree(&out, &[s(&codings), s(&human), "--out", s(&t1)])
            .status
            .success()
    );
    let o = agree(&out, &[s(&codings), s(&spans), "--out", s(&t2)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 span that codes no unit"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&t1).unwrap(), std::fs::read(&t2).unwrap());
}

/// A reviewer who coded only documents A and B is compared on those two: their
/// silence on C is not "not coded".
#[test]
fn a_coder_of_some_documents_is_compared_on_those() {
    let dir = TempDir::new("agree-subsample");
    let out = run_tiny(&dir);
    // tamlil codes A-0002 knowledge, A-0003 networking, A-0004 power,
    // B-0002 client_rights, B-0003 power, B-0004 knowledge, C-0003 networking.
    // The reviewer agrees on A and B except B-0004, and did not read C.
    let review = dir.write(
        "rita.csv",
        "unit_id,code_id,coder\n\
         A-0002,keys.knowledge,rita\n\
         A-0003,keys.networking,rita\n\
         A-0004,keys.power,rita\n\
         B-0002,goals.client_rights,rita\n\
         B-0003,keys.power,rita\n",
    );
    let table = dir.join("agree.csv");
    let o = agree(
        &out,
        &[s(&out.join("codings.csv")), s(&review), "--out", s(&table)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&table);
    // keys.knowledge over A's and B's 6 units: both 1 (A-0002), only A 1 (B-0004),
    // neither 4. precision 1/1, recall 1/2; p_o = 5/6, p_A = 2/6, p_B = 1/6,
    // p_e = 2/36 + 20/36 = 22/36, kappa = (30 - 22) / (36 - 22) = 4/7.
    let k = row(&rows, "keys.knowledge", "");
    assert_eq!(counts(k), ["6", "1", "1", "0", "4"]);
    close(k, "precision", 1.0);
    close(k, "recall", 0.5);
    close(k, "kappa", 4.0 / 7.0);
    // keys.networking: C-0003 is left out, so the reviewer misses nothing
    // (recall 1, not the 1/2 that counting C as uncoded gave).
    let n = row(&rows, "keys.networking", "");
    assert_eq!(counts(n), ["6", "1", "0", "0", "5"]);
    close(n, "recall", 1.0);
    close(n, "kappa", 1.0);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains(
            "6 interviewee units compared, in the 2 of 3 documents both coders covered; left out: C (not covered by B)"
        ),
        "{stdout}"
    );
}

#[test]
fn breakdown_by_attribute() {
    let dir = TempDir::new("agree-by");
    let out = run_tiny(&dir);
    let human = planted(&dir);
    let table = dir.join("agree.csv");
    let o = agree(
        &out,
        &[
            s(&out.join("codings.csv")),
            s(&human),
            "--by",
            "sector",
            "--out",
            s(&table),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&table);
    assert_eq!(rows.len(), 7 * 3, "whole set, public, business");
    // Public: A's 3 and C's 2 interviewee units. keys.knowledge: A-0002 both,
    // C-0002 only B, 3 neither. p_o = 0.8, p_A = 0.2, p_B = 0.4,
    // p_e = 0.08 + 0.48 = 0.56, kappa = 0.24 / 0.44; alpha: 10 values, n1 = 3,
    // n0 = 7, 2 disagreeing pairs: 1 - 9 * 2 / (2 * 3 * 7) = 1 - 18/42.
    let k = row(&rows, "keys.knowledge", "public");
    assert_eq!(k["by"], "sector");
    assert_eq!(counts(k), ["5", "1", "0", "1", "3"]);
    close(k, "kappa", 0.24 / 0.44);
    close(k, "alpha", 1.0 - 18.0 / 42.0);
    // Business: B-0004 only A; the code is undefined-free: p_A = 1/3, p_B = 0:
    // p_e = 2/3, p_o = 2/3, kappa = 0.
    let k = row(&rows, "keys.knowledge", "business");
    assert_eq!(counts(k), ["3", "0", "1", "0", "2"]);
    close(k, "kappa", 0.0);
    assert_eq!(k["precision"], "", "B coded nothing: precision undefined");
    // goals.client_rights in public: nobody coded it: kappa and alpha undefined (empty).
    let g = row(&rows, "goals.client_rights", "public");
    assert_eq!(counts(g), ["5", "0", "0", "0", "5"]);
    assert_eq!((g["kappa"].as_str(), g["alpha"].as_str()), ("", ""));
    assert_eq!(g["agreement"], "1.000000");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("kappa / alpha by sector"), "{stdout}");
    assert!(stdout.contains("public (n=5)"), "{stdout}");
}

#[test]
fn many_coders_with_missing_data() {
    let dir = TempDir::new("agree-multi");
    let out = run_tiny(&dir);
    // x covers documents A and B, y all three, z B and C (the empty code_id marks
    // B-0002 as seen by z without a code).
    let coders = dir.write(
        "coders.csv",
        "unit_id,code_id,coder\n\
         A-0002,keys.knowledge,x\n\
         B-0004,keys.knowledge,x\n\
         A-0002,keys.knowledge,y\n\
         C-0002,keys.knowledge,y\n\
         B-0003,keys.power,y\n\
         B-0004,keys.knowledge,z\n\
         C-0003,keys.networking,z\n\
         B-0002,,z\n",
    );
    let table = dir.join("multi.csv");
    let o = agree(&out, &["--multi", s(&coders), "--out", s(&table)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&table);
    // keys.knowledge, units A-0002..C-0003 as (x, y, z), . = missing:
    // (1,1,.) (0,0,.) (0,0,.) (0,0,0) (0,0,0) (1,0,1) (.,1,0) (.,0,0).
    // The `krippendorff` Python package 0.9.0 (nominal) gives 0.48571428571428565;
    // by hand: o11 = 3, o00 = 12, o01 = o10 = 2, n = 19: 1 - 18 * 4 / (2 * 5 * 14).
    let k = row(&rows, "keys.knowledge", "");
    assert_eq!((k["units"].as_str(), k["values"].as_str()), ("8", "19"));
    close(k, "alpha", 0.48571428571428565);
    // Family keys: (1,1,.) (0,0,.) (0,0,.) (0,0,0) (0,1,0) (1,0,1) (.,1,0) (.,0,1);
    // the same package gives 0.1428571428571429.
    close(row(&rows, "keys", ""), "alpha", 0.1428571428571429);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.starts_with("3 coders: x, y, z"), "{stdout}");
}

/// The line of a bad row is the line an editor shows it on, whatever ends the lines:
/// a spreadsheet's CRLF file with a blank line, and a file with lone CRs.
#[test]
fn bad_rows_are_reported_at_their_physical_line() {
    let dir = TempDir::new("agree-lines");
    let out = run_tiny(&dir);
    let codings = out.join("codings.csv");
    // Line 1 header, 2-5 good rows, 6 blank, 7 the unknown code.
    let crlf = dir.write(
        "crlf.csv",
        "unit_id,code_id\r\nA-0002,keys.knowledge\r\nA-0003,keys.networking\r\n\
         A-0004,keys.power\r\nB-0003,keys.power\r\n\r\nB-0004,keys.secret\r\n",
    );
    let o = agree(
        &out,
        &[s(&codings), s(&crlf), "--out", s(&dir.join("a.csv"))],
    );
    assert_eq!(o.status.code(), Some(65));
    let err = stderr(&o);
    assert!(
        err.contains("crlf.csv:7: unknown code \"keys.secret\""),
        "{err}"
    );
    // The first row after the header is line 2, not the header's line 1.
    let cr = dir.write("cr.csv", "unit_id,code_id\rZ-0001,keys.power\r");
    let o = agree(&out, &[s(&codings), s(&cr), "--out", s(&dir.join("a.csv"))]);
    assert_eq!(o.status.code(), Some(65));
    let err = stderr(&o);
    assert!(
        err.contains("cr.csv:2: unit \"Z-0001\" is not in the units table"),
        "{err}"
    );
    assert!(!dir.join("a.csv").exists());
}

#[test]
fn unknown_codes_units_and_bad_files_are_reported() {
    let dir = TempDir::new("agree-errors");
    let out = run_tiny(&dir);
    let codings = out.join("codings.csv");
    let bad = dir.write(
        "bad.csv",
        "unit_id,code_id\nA-0002,keys.knowledge\nA-0003,keys.secret\n",
    );
    let o = agree(
        &out,
        &[s(&codings), s(&bad), "--out", s(&dir.join("a.csv"))],
    );
    assert_eq!(o.status.code(), Some(65));
    let err = stderr(&o);
    assert!(
        err.contains("bad.csv:3:") && err.contains("unknown code \"keys.secret\""),
        "{err}"
    );
    assert!(!dir.join("a.csv").exists());
    // --ignore-unknown skips it and says so.
    let o = agree(
        &out,
        &[
            s(&codings),
            s(&bad),
            "--ignore-unknown",
            "--out",
            s(&dir.join("a.csv")),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped 1 coding with unknown code \"keys.secret\""));
    // A unit that is not in units.csv.
    let bad = dir.write("units-bad.csv", "unit_id,code_id\nZ-0001,keys.power\n");
    let o = agree(&out, &[s(&codings), s(&bad)]);
    assert_eq!(o.status.code(), Some(65));
    assert!(stderr(&o).contains("unit \"Z-0001\" is not in the units table"));
    // An attribute that is not there.
    let o = agree(&out, &[s(&codings), s(&codings), "--by", "region"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no attribute column \"region\""),
        "{}",
        stderr(&o)
    );
    // Two coders in B without a choice.
    let two = dir.write(
        "two.csv",
        "unit_id,code_id,coder\nA-0002,keys.knowledge,x\nA-0003,keys.networking,y\n",
    );
    let o = agree(&out, &[s(&codings), s(&two)]);
    assert_eq!(o.status.code(), Some(65));
    assert!(stderr(&o).contains("--coder-b"), "{}", stderr(&o));
    let o = agree(
        &out,
        &[
            s(&codings),
            s(&two),
            "--coder-b",
            "y",
            "--out",
            s(&dir.join("y.csv")),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&dir.join("y.csv"));
    // y has rows in document A only: A's 3 units, A-0003 coded by both.
    assert_eq!(
        counts(row(&rows, "keys.networking", "")),
        ["3", "1", "0", "0", "2"]
    );
}

/// Writes a zip with `entries` (name, content).
fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(content).unwrap();
    }
    w.finish().unwrap();
}

/// Character offsets of the first `needle` in `text`.
fn span(text: &str, needle: &str) -> (usize, usize) {
    let b = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in text"));
    let s = text[..b].chars().count();
    (s, s + needle.chars().count())
}

fn selection(text: &str, needle: &str, code: &str) -> String {
    let (s, e) = span(text, needle);
    format!(
        "      <PlainTextSelection guid=\"{code}-{s}\" name=\"sel\" startPosition=\"{s}\" endPosition=\"{e}\" creatingUser=\"A1B2C3D4-0000-4000-8000-00000000DA4A\">\n        <Coding guid=\"c-{code}-{s}\" creatingUser=\"A1B2C3D4-0000-4000-8000-00000000DA4A\">\n          <CodeRef targetGUID=\"{code}\"/>\n        </Coding>\n      </PlainTextSelection>\n"
    )
}

/// A project as a QDA tool writes it after a human coded two of the tiny
/// interviews: codes named by label or id (no tamlil descriptions or GUIDs),
/// document B as `b.txt` with a title line and CRLF line ends in `sources/`, document A with its
/// text inline, an extra source that is no document, and document C absent.
fn human_qdpx(dir: &TempDir, with_unknown: bool) -> PathBuf {
    let a = std::fs::read_to_string(fixtures().join("tiny/a.txt")).unwrap();
    // A title line the tool added, and CRLF line ends: every position moves.
    let b = "Interview B (transcribed)\r\n".to_string()
        + &std::fs::read_to_string(fixtures().join("tiny/b.txt"))
            .unwrap()
            .replace('\n', "\r\n");
    let mut sel_b = String::new();
    // A word inside B-0002, by the Hebrew label.
    sel_b += &selection(&b, "הכסף", "G-RIGHTS");
    // All of B-0003 and the first word of B-0004: codes B-0003 only.
    sel_b += &selection(&b, "ערעור לבית הדין. הידע", "G-POWER");
    // All of B-0004, by the English label.
    sel_b += &selection(&b, "הידע שלנו הוא סוד מקצועי.", "G-KNOW");
    // The family, by its English label, on B-0002.
    sel_b += &selection(&b, "המטרה היא הכסף.", "G-KEYS");
    let mut sel_a = String::new();
    sel_a += &selection(&a, "בידע", "G-KNOW");
    sel_a += &selection(&a, "מלווה", "G-POWER");
    // The interviewer's question: not an interviewee unit.
    sel_a += &selection(&a, "ספרי על העבודה.", "G-POWER");
    if with_unknown {
        sel_a += &selection(&a, "הקשרים", "G-OTHER");
    }
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="tiny review" origin="MAXQDA 2022">
  <Users>
    <User guid="A1B2C3D4-0000-4000-8000-00000000DA4A" name="Dana"/>
  </Users>
  <CodeBook>
    <Codes>
      <Code guid="G-KEYS" name="Keys" isCodable="true">
        <Code guid="G-KNOW" name="Knowledge" isCodable="true"/>
        <Code guid="G-POWER" name="keys.power" isCodable="true">
          <Description>Accompanying clients</Description>
        </Code>
      </Code>
      <Code guid="G-RIGHTS" name="מיצוי" isCodable="true"/>
      <Code guid="G-OTHER" name="Other" isCodable="true"/>
    </Codes>
  </CodeBook>
  <Sources>
    <TextSource guid="S-B" name="b.txt" plainTextPath="internal://S-B.txt">
{sel_b}    </TextSource>
    <TextSource guid="S-A" name="A">
      <PlainTextContent>{a}</PlainTextContent>
{sel_a}    </TextSource>
    <TextSource guid="S-Z" name="notes.txt" plainTextPath="internal://S-Z.txt">
      <PlainTextSelection guid="z" startPosition="0" endPosition="4"><Coding guid="zc"><CodeRef targetGUID="G-KNOW"/></Coding></PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"#
    );
    let p = dir.join("review.qdpx");
    write_zip(
        &p,
        &[
            ("project.qde", qde.as_bytes()),
            ("sources/S-B.txt", b.as_bytes()),
            ("sources/S-Z.txt", "some notes".as_bytes()),
        ],
    );
    p
}

#[test]
fn qdpx_from_a_qda_tool_maps_to_units() {
    let dir = TempDir::new("agree-qdpx");
    let out = run_tiny(&dir);
    let codings = out.join("codings.csv");
    // An unknown code is an error naming it and the file.
    let q = human_qdpx(&dir, true);
    let o = agree(&out, &[s(&codings), s(&q), "--out", s(&dir.join("x.csv"))]);
    assert_eq!(o.status.code(), Some(65));
    let err = stderr(&o);
    assert!(
        err.contains("review.qdpx") && err.contains("code \"Other\""),
        "{err}"
    );
    let o = agree(
        &out,
        &[
            s(&codings),
            s(&q),
            "--ignore-unknown",
            "--out",
            s(&dir.join("x.csv")),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped 1 coding with unknown code \"Other\""));

    let q = human_qdpx(&dir, false);
    let table = dir.join("agree.csv");
    let o = agree(&out, &[s(&codings), s(&q), "--out", s(&table)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        !err.contains("not found in the text"),
        "every unit located: {err}"
    );
    assert!(
        err.contains("source \"notes.txt\" matches no document"),
        "{err}"
    );
    assert!(
        err.contains("1 unit coding on units that are not interviewee units"),
        "{err}"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("[Dana]"),
        "coder named by <Users>: {stdout}"
    );
    let rows = read_csv(&table);
    // Document C has no source: 6 units (A's and B's interviewee units) compared.
    // Human: A-0002 knowledge, A-0004 power, B-0002 client rights + family keys,
    // B-0003 power, B-0004 knowledge. tamlil also has A-0003 networking.
    assert_eq!(
        counts(row(&rows, "keys.knowledge", "")),
        ["6", "2", "0", "0", "4"]
    );
    assert_eq!(
        counts(row(&rows, "keys.power", "")),
        ["6", "2", "0", "0", "4"]
    );
    assert_eq!(
        counts(row(&rows, "goals.client_rights", "")),
        ["6", "1", "0", "0", "5"]
    );
    // Networking: only tamlil, on A-0003: p_e = p_o = 5/6, kappa 0; alpha: n = 12,
    // n1 = 1, n0 = 11, 2 disagreeing pairs: 1 - 11 * 2 / (2 * 1 * 11) = 0.
    let n = row(&rows, "keys.networking", "");
    assert_eq!(counts(n), ["6", "0", "1", "0", "5"]);
    close(n, "kappa", 0.0);
    close(n, "alpha", 0.0);
    // Family keys: both 4, only tamlil A-0003, only Dana B-0002 (the family code):
    // p_o = 4/6, p_A = p_B = 5/6, p_e = 26/36, kappa = (24 - 26) / (36 - 26) = -0.2;
    // alpha: n = 12, n1 = 10, n0 = 2, 4 disagreeing pairs: 1 - 11 * 4 / (2 * 10 * 2) = -0.1.
    let k = row(&rows, "keys", "");
    assert_eq!(counts(k), ["6", "4", "1", "1", "0"]);
    close(k, "kappa", -0.2);
    close(k, "alpha", -0.1);
}

#[test]
fn hostile_or_broken_projects_are_refused() {
    let dir = TempDir::new("agree-hostile");
    let out = run_tiny(&dir);
    let codings = out.join("codings.csv");
    let fake = dir.write("fake.qdpx", "unit_id,code_id\n");
    let o = agree(&out, &[s(&codings), s(&fake)]);
    assert_eq!(o.status.code(), Some(65));
    let err = stderr(&o);
    assert!(
        err.contains("fake.qdpx") && err.contains("not a REFI-QDA project"),
        "{err}"
    );
    let empty = dir.join("empty.qdpx");
    write_zip(&empty, &[("sources/x.txt", b"x")]);
    let o = agree(&out, &[s(&codings), s(&empty)]);
    assert_eq!(o.status.code(), Some(65));
    assert!(
        stderr(&o).contains("the zip has no project.qde"),
        "{}",
        stderr(&o)
    );
    // A source path that climbs out of the zip is only ever a name to look up:
    // nothing is written, and the source (no text found) falls back to the units'
    // offsets.
    let qde = r#"<Project xmlns="urn:QDA-XML:project:1.0" name="p">
  <CodeBook><Codes><Code guid="K" name="keys.knowledge" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="S" name="A" plainTextPath="internal://../../evil.txt">
    <PlainTextSelection guid="x" startPosition="22" endPosition="49"><Coding guid="y"><CodeRef targetGUID="K"/></Coding></PlainTextSelection>
  </TextSource></Sources></Project>"#;
    let evil = dir.join("evil.qdpx");
    write_zip(
        &evil,
        &[
            ("project.qde", qde.as_bytes()),
            ("../../evil.txt", b"pwned"),
        ],
    );
    let table = dir.join("evil.csv");
    let o = agree(&out, &[s(&codings), s(&evil), "--out", s(&table)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.path().parent().unwrap().join("evil.txt").exists());
    assert!(!dir.join("evil.txt").exists());
    // Positions 22-49 are unit A-0002 (tamlil: knowledge): 3 units of A compared.
    let rows = read_csv(&table);
    assert_eq!(
        counts(row(&rows, "keys.knowledge", "")),
        ["3", "1", "0", "0", "2"]
    );
}

/// tamlil's own project, read back, agrees perfectly with tamlil's codings.
#[test]
fn tamlil_project_round_trip() {
    let dir = TempDir::new("agree-roundtrip");
    let out = run_tiny(&dir);
    let project = out.join("project.qdpx");
    assert!(project.is_file(), "tamlil run writes project.qdpx");
    let table = dir.join("agree.csv");
    let o = agree(
        &out,
        &[s(&out.join("codings.csv")), s(&project), "--out", s(&table)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&table);
    assert_eq!(rows.len(), 7);
    for r in &rows {
        assert_eq!(
            (r["kappa"].as_str(), r["alpha"].as_str()),
            ("1.000000", "1.000000"),
            "{}",
            r["id"]
        );
    }
    assert_eq!(counts(row(&rows, "*", "")), ["32", "7", "0", "0", "25"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("[tamlil]"));
}

/// A coding as QualCoder exports it: a selection of `needle` in `text` by `user`.
fn qc_selection(text: &str, needle: &str, code: &str, user: &str, n: usize) -> String {
    let (s, e) = span(text, needle);
    format!(
        "<PlainTextSelection guid=\"0c8f2d1e-7a4b-4c3d-9e2f-{n:012}\" startPosition=\"{s}\" endPosition=\"{e}\" name=\"{needle}\" creatingUser=\"{user}\" creationDateTime=\"2026-03-01T10:00:00Z\">\n<Coding guid=\"1d9e3f2a-8b5c-4d4e-8f3a-{n:012}\" creatingUser=\"{user}\" >\n<CodeRef targetGUID=\"{code}\" />\n</Coding>\n</PlainTextSelection>\n"
    )
}

/// tamlil's project of the tiny corpus after a review in QualCoder, shaped as
/// QualCoder exports it: its own GUIDs for users, codes and sources, the codes
/// named by their Hebrew labels with tamlil's descriptions, source texts with a
/// byte order mark, every source of the project. Document A is untouched (tamlil's
/// three codings); in B the reviewer deleted tamlil's `keys.power` on B-0003; in C
/// they kept tamlil's coding and added, as Dana, `keys.knowledge` on a phrase of C-0002.
fn qualcoder_export(dir: &TempDir) -> PathBuf {
    const TAMLIL: &str = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
    const DANA: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    let text = |f: &str| std::fs::read_to_string(fixtures().join("tiny").join(f)).unwrap();
    let (a, b, c) = (text("a.txt"), text("b.txt"), text("c.txt"));
    let code = |id: &str| match id {
        "rights" => "e5a1c0de-0000-4000-8000-000000000001",
        "knowledge" => "e5a1c0de-0000-4000-8000-000000000002",
        "networking" => "e5a1c0de-0000-4000-8000-000000000003",
        _ => "e5a1c0de-0000-4000-8000-000000000004",
    };
    let sel_a = qc_selection(
        &a,
        "אני משתמשת בידע שלי כל יום.",
        code("knowledge"),
        TAMLIL,
        1,
    ) + &qc_selection(
        &a,
        "גם הקשרים עם הפקידה עוזרים לי מאוד.",
        code("networking"),
        TAMLIL,
        2,
    ) + &qc_selection(&a, "ואני מלווה אותם לוועדה.", code("power"), TAMLIL, 3);
    let sel_b = qc_selection(&b, "המטרה היא הכסף.", code("rights"), TAMLIL, 4)
        + &qc_selection(
            &b,
            "הידע שלנו הוא סוד מקצועי.",
            code("knowledge"),
            TAMLIL,
            5,
        );
    let sel_c = qc_selection(&c, "הקשרים שלי הם הכול.", code("networking"), TAMLIL, 6)
        + &qc_selection(&c, "ידע מיוחד", code("knowledge"), DANA, 7);
    let source = |name: &str, n: usize, sels: &str| {
        format!(
            "<TextSource guid=\"5e0c0000-0000-4000-8000-00000000000{n}\" name=\"{name}\" richTextPath=\"internal://5e0c0000-0000-4000-8000-00000000001{n}.txt\" plainTextPath=\"internal://5e0c0000-0000-4000-8000-00000000002{n}.txt\" creatingUser=\"{TAMLIL}\" >\n{sels}</TextSource>\n"
        )
    };
    let code_xml = |key: &str, name: &str, id: &str| {
        format!(
            "<Code guid=\"{}\" name=\"{name}\" isCodable=\"true\" color=\"#1f77b4\">\n<Description>tamlil-id: {id}</Description>\n</Code>\n",
            code(key)
        )
    };
    let qde = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Project xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" name=\"review.qda\" origin=\"QualCoder 3.6\" creatingUserGUID=\"2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901\" creationDateTime=\"2026-03-01T09:00:00Z\" xmlns=\"urn:QDA-XML:project:1.0\">\n<Users>\n<User guid=\"{TAMLIL}\" name=\"tamlil\" />\n<User guid=\"{DANA}\" name=\"Dana\" />\n</Users>\n<CodeBook>\n<Codes>\n{}{}{}{}</Codes>\n</CodeBook>\n<Sources>\n{}{}{}</Sources>\n</Project>",
        code_xml("rights", "מיצוי", "goals.client_rights"),
        code_xml("knowledge", "ידע", "keys.knowledge"),
        code_xml("networking", "קשרים", "keys.networking"),
        code_xml("power", "כוח", "keys.power"),
        source("A", 1, &sel_a),
        source("B", 2, &sel_b),
        source("C", 3, &sel_c),
    );
    let bom = |t: &str| [&b"\xEF\xBB\xBF"[..], t.as_bytes()].concat();
    let p = dir.join("review.qdpx");
    write_zip(
        &p,
        &[
            ("project.qde", qde.as_bytes()),
            ("sources/5e0c0000-0000-4000-8000-000000000011.txt", &bom(&a)),
            ("sources/5e0c0000-0000-4000-8000-000000000021.txt", &bom(&a)),
            ("sources/5e0c0000-0000-4000-8000-000000000012.txt", &bom(&b)),
            ("sources/5e0c0000-0000-4000-8000-000000000022.txt", &bom(&b)),
            ("sources/5e0c0000-0000-4000-8000-000000000013.txt", &bom(&c)),
            ("sources/5e0c0000-0000-4000-8000-000000000023.txt", &bom(&c)),
        ],
    );
    p
}

/// A QDA tool's export of tamlil's project holds every document: the documents
/// whose codings are still tamlil's automatic ones are neither reviewed nor "left
/// uncoded by the reviewer"; the others are one reviewer's, all users together.
#[test]
fn a_qda_tool_export_of_tamlils_project_is_one_reviewer_of_the_changed_documents() {
    let dir = TempDir::new("agree-qualcoder");
    let out = run_tiny(&dir);
    let q = qualcoder_export(&dir);
    let table = dir.join("agree.csv");
    let o = agree(
        &out,
        &[s(&out.join("codings.csv")), s(&q), "--out", s(&table)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("[Dana]"), "{summary}");
    assert!(
        summary.contains(
            "in the 2 of 3 documents both coders covered; left out: A (not covered by B)"
        ),
        "{summary}"
    );
    assert!(stderr(&o).contains("read as one reviewer (Dana) of the 2 documents"));
    // Units B-0002..4, C-0002..3. tamlil: rights B-0002, power B-0003, knowledge
    // B-0004, networking C-0003; the reviewer: the same without power B-0003, with
    // knowledge C-0002.
    let rows = read_csv(&table);
    assert_eq!(counts(row(&rows, "*", "")), ["20", "3", "1", "1", "15"]);
    assert_eq!(
        counts(row(&rows, "keys.knowledge", "")),
        ["5", "1", "0", "1", "3"]
    );
    assert_eq!(
        counts(row(&rows, "keys.power", "")),
        ["5", "0", "1", "0", "4"]
    );
    assert_eq!(
        counts(row(&rows, "goals.client_rights", "")),
        ["5", "1", "0", "0", "4"]
    );

    // The same export as a review: B and C take the reviewer's codings, A keeps tamlil's.
    let rev = dir.join("rev");
    let o = run_quick(
        &fixtures().join("tiny"),
        &fixtures().join("tiny-codebook.toml"),
        &rev,
        &["--reviewed", s(&q)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 of 3 interviews reviewed (Dana)"),
        "{}",
        stderr(&o)
    );
    let got: Vec<(String, String, String)> = read_csv(&rev.join("codings.csv"))
        .into_iter()
        .map(|r| {
            (
                r["unit_id"].clone(),
                r["code_id"].clone(),
                r["source"].clone(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("A-0002", "keys.knowledge", "auto"),
        ("A-0003", "keys.networking", "auto"),
        ("A-0004", "keys.power", "auto"),
        ("B-0002", "goals.client_rights", "reviewed"),
        ("B-0004", "keys.knowledge", "reviewed"),
        ("C-0002", "keys.knowledge", "reviewed"),
        ("C-0003", "keys.networking", "reviewed"),
    ]
    .iter()
    .map(|(u, c, s)| (u.to_string(), c.to_string(), s.to_string()))
    .collect();
    assert_eq!(got, want);
}
