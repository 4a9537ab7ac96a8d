//! `tamlil codebook diagnose` end to end: a planted corpus, codebook and reference coding, every figure checked by hand.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Two codes: knowledge (any term, with an exclusion) and emotion (threshold 2).
const CODEBOOK: &str = r#"[codebook]
name = "diagnose-test"
[[code]]
id = "keys.knowledge"
label_he = "ידע"
terms = ["ידע", "זכויות"]
exclude = ["ידע כללי"]
[[code]]
id = "keys.emotion"
label_he = "רגש"
threshold = 2
terms = ["פחד*", "דמעות"]
"#;

/// Three interviews; D3 has no reference rows, so it does not count, and the
/// interviewer's unit u8 does not count either.
const UNITS: &str = "unit_id,doc_id,role,text
u1,D1,interviewee,יש לה ידע על זכויות
u2,D1,interviewee,אין לה ידע בכלל
u3,D1,interviewee,זה ידע כללי שיש לכולם
u4,D1,interviewee,דיברנו על זכויות בבית
u5,D1,interviewee,\"הוא פחד והיו דמעות, אני רועדת\"
u6,D1,interviewee,היא פחדה מהוועדה ואני רועדת
u7,D2,interviewee,יש לו ידע רב והוא מפחד
u8,D2,interviewer,המראיין שאל על ידע
u9,D2,interviewee,לא היו דמעות ואני רועדת
u10,D3,interviewee,ידע וזכויות ופחד ודמעות
";

/// The planted reference: knowledge in u1 u2 u7, emotion in u5 u6 u9 (רועדת is
/// in exactly these three units and nowhere else).
const REFERENCE: &str = "unit_id,code_id
u1,keys.knowledge
u2,keys.knowledge
u3,
u4,
u5,keys.emotion
u6,keys.emotion
u7,keys.knowledge
u9,keys.emotion
";

type Rows = Vec<BTreeMap<String, String>>;

fn read(path: &Path) -> Rows {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            h.iter().cloned().zip(r.iter().map(String::from)).collect()
        })
        .collect()
}

fn find<'a>(rows: &'a Rows, key: &[(&str, &str)]) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| key.iter().all(|(k, v)| r[*k] == *v))
        .unwrap_or_else(|| panic!("no row {key:?}"))
}

fn close(got: &str, want: f64) {
    let g: f64 = got
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {got:?}"));
    assert!((g - want).abs() < 1e-6, "got {g}, want {want}");
}

fn setup(dir: &TempDir) -> (String, String, String) {
    let cb = dir.write("codebook.toml", CODEBOOK);
    let units = dir.write("units.csv", UNITS);
    let reference = dir.write("reference.csv", REFERENCE);
    let s = |p: &Path| p.to_str().unwrap().to_string();
    (s(&cb), s(&units), s(&reference))
}

fn diagnose(dir: &TempDir, out: &str, with_reference: bool) -> std::process::Output {
    let (cb, units, reference) = setup(dir);
    let out = dir.join(out);
    let mut args = vec![
        "codebook",
        "diagnose",
        "--units",
        &units,
        "--codebook",
        &cb,
        "--out",
        out.to_str().unwrap(),
    ];
    if with_reference {
        args.extend(["--reference", &reference]);
    }
    tamlil(&args)
}

#[test]
fn figures_against_a_planted_reference() {
    let dir = TempDir::new("diagnose-ref");
    let o = diagnose(&dir, "diag", true);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("diag");

    // Knowledge: coded u1 u4 u7 (u2 negated, u3 vetoed); reference u1 u2 u7.
    // both 2, only reference 1 (u2), only tamlil 1 (u4), neither 4 of 8 units.
    // kappa: po = 6/8, pe = (3/8)^2 + (5/8)^2 = 34/64 -> 0.21875/0.46875.
    let codes = read(&out.join("codes.csv"));
    let k = find(&codes, &[("code_id", "keys.knowledge")]);
    for (col, want) in [
        ("coded", "3"),
        ("reference", "3"),
        ("both", "2"),
        ("only_reference", "1"),
        ("only_tamlil", "1"),
        ("neither", "4"),
    ] {
        assert_eq!(k[col], want, "knowledge {col}");
    }
    close(&k["precision"], 2.0 / 3.0);
    close(&k["recall"], 2.0 / 3.0);
    close(&k["kappa"], 0.21875 / 0.46875);
    // Emotion: coded u5 only (פחד + דמעות reach 2); reference u5 u6 u9.
    // po = 6/8, pe = (1/8)(3/8) + (7/8)(5/8) = 38/64 -> 0.15625/0.40625.
    let e = find(&codes, &[("code_id", "keys.emotion")]);
    assert_eq!(
        (
            e["coded"].as_str(),
            e["both"].as_str(),
            e["only_reference"].as_str()
        ),
        ("1", "1", "2")
    );
    close(&e["precision"], 1.0);
    close(&e["recall"], 1.0 / 3.0);
    close(&e["kappa"], 0.15625 / 0.40625);

    // Per term: matched, fired, negated, excluded, only_because, true_pos, false_pos.
    let terms = read(&out.join("terms.csv"));
    let want: &[(&str, &str, [&str; 7])] = &[
        // ידע: u1 u2 u3 u7; negated in u2, vetoed in u3; u7 has no other term.
        ("keys.knowledge", "ידע", ["4", "2", "1", "1", "1", "2", "0"]),
        // זכויות: u1 u4; u4 (not in the reference) only because of it.
        (
            "keys.knowledge",
            "זכויות",
            ["2", "2", "0", "0", "1", "1", "1"],
        ),
        // The exclusion: vetoes u3, which would have had the code without it.
        (
            "keys.knowledge",
            "ידע כללי",
            ["1", "1", "0", "0", "1", "", ""],
        ),
        // פחד*: פחד u5, פחדה u6, מפחד u7 (counted, below the threshold in u6 u7).
        ("keys.emotion", "פחד*", ["3", "3", "0", "0", "1", "2", "1"]),
        // דמעות: u5, and negated in u9 (לא היו דמעות).
        ("keys.emotion", "דמעות", ["2", "1", "1", "0", "1", "1", "0"]),
    ];
    let cols = [
        "matched",
        "fired",
        "negated",
        "excluded",
        "only_because",
        "true_pos",
        "false_pos",
    ];
    for (code, term, figures) in want {
        let r = find(&terms, &[("code_id", code), ("term", term)]);
        for (c, w) in cols.iter().zip(figures) {
            assert_eq!(r[*c], *w, "{code} {term} {c}");
        }
    }
    close(&find(&terms, &[("term", "זכויות")])["precision"], 0.5);
    close(&find(&terms, &[("term", "פחד*")])["precision"], 2.0 / 3.0);
    assert_eq!(find(&terms, &[("term", "ידע כללי")])["rule"], "exclude");
    assert_eq!(find(&terms, &[("term", "ידע")])["rule"], "any 1");
    assert_eq!(
        find(&terms, &[("term", "ידע")])["judged_against"],
        "keys.knowledge"
    );
    assert_eq!(find(&terms, &[("term", "ידע כללי")])["judged_against"], "");

    // The one false positive of knowledge (u4) is זכויות's, and only because of it.
    let fp = read(&out.join("false_positives.csv"));
    assert_eq!(fp.len(), 1);
    let f = &fp[0];
    assert_eq!(
        (
            f["code_id"].as_str(),
            f["term"].as_str(),
            f["false_positives"].as_str(),
            f["only_because"].as_str()
        ),
        ("keys.knowledge", "זכויות", "1", "1")
    );
    close(&f["share"], 1.0);

    // Missed units with what stopped the code's terms there.
    let missed = read(&out.join("missed.csv"));
    let m: Vec<(&str, &str, &str)> = missed
        .iter()
        .map(|r| {
            (
                r["code_id"].as_str(),
                r["unit_id"].as_str(),
                r["near"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        m,
        [
            ("keys.knowledge", "u2", "ידע (negated)"),
            ("keys.emotion", "u6", "פחד* (below threshold)"),
            ("keys.emotion", "u9", "דמעות (negated)"),
        ]
    );
    assert_eq!(missed[1]["text"], "היא פחדה מהוועדה ואני רועדת");

    // Keyword in context, one interview at a time: ידע in u1 (D1), u7 (D2), then u2, u3.
    let kwic = read(&out.join("kwic.csv"));
    let lines: Vec<(&str, &str, &str)> = kwic
        .iter()
        .filter(|r| r["term"] == "ידע")
        .map(|r| {
            (
                r["unit_id"].as_str(),
                r["status"].as_str(),
                r["in_reference"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("u1", "fired", "yes"),
            ("u7", "fired", "yes"),
            ("u2", "negated", "yes"),
            ("u3", "excluded", "no"),
        ]
    );
    let u1 = find(&kwic, &[("term", "ידע"), ("unit_id", "u1")]);
    assert_eq!(
        (
            u1["left"].as_str(),
            u1["match"].as_str(),
            u1["right"].as_str()
        ),
        ("יש לה", "ידע", "על זכויות")
    );

    // Suggestions: רועדת is in the three emotion units and nowhere else. Features
    // (words and pairs, each unit once) of the 8 units: 26; of the emotion units: 9.
    // Prior a = 3, a0 = 26: delta = ln(6/29) - ln(3/40) = 1.014731,
    // var = 1/6 + 1/3, z = 1.435046. דמעות (in two) is a term already: left out.
    let sugg = read(&out.join("suggestions.csv"));
    let emo: Vec<&BTreeMap<String, String>> = sugg
        .iter()
        .filter(|r| r["code_id"] == "keys.emotion")
        .collect();
    assert_eq!(emo.len(), 1, "{emo:?}");
    let s = emo[0];
    assert_eq!(
        (
            s["rank"].as_str(),
            s["suggestion"].as_str(),
            s["kind"].as_str(),
            s["in_code"].as_str(),
            s["in_other"].as_str()
        ),
        ("1", "רועדת", "word", "3", "0")
    );
    assert_eq!(s["in_docs"], "2");
    close(&s["log_odds"], 1.014731);
    close(&s["z"], 1.435046);
    // The example is a unit the coder missed.
    assert_eq!(
        (s["example_unit"].as_str(), s["example_missed"].as_str()),
        ("u6", "true")
    );
    // Knowledge: no word is in two of its units besides its own terms.
    assert!(sugg.iter().all(|r| r["code_id"] != "keys.knowledge"));

    // The page: right to left, self-contained, matched words marked.
    let html = std::fs::read_to_string(out.join("diagnose.html")).unwrap();
    assert!(html.contains("<html lang=\"he\" dir=\"rtl\">"));
    assert!(html.contains("<mark>רועדת</mark>"));
    assert!(html.contains("<td class=\"match\"><mark>ידע</mark></td>"));
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn without_reference_every_unit_counts() {
    let dir = TempDir::new("diagnose-plain");
    let o = diagnose(&dir, "diag", false);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("diag");
    // All 10 units: ידע also in u8 (the interviewer's; the codebook has no role
    // condition) and u10; knowledge coded in u1 u4 u7 u8 u10.
    let codes = read(&out.join("codes.csv"));
    let k = find(&codes, &[("code_id", "keys.knowledge")]);
    assert_eq!((k["coded"].as_str(), k["kappa"].as_str()), ("5", ""));
    let terms = read(&out.join("terms.csv"));
    let r = find(&terms, &[("term", "ידע")]);
    assert_eq!(
        (
            r["matched"].as_str(),
            r["fired"].as_str(),
            r["only_because"].as_str(),
            r["true_pos"].as_str()
        ),
        ("6", "4", "2", "")
    );
    for f in ["false_positives.csv", "missed.csv", "suggestions.csv"] {
        assert!(!out.join(f).exists(), "{f}");
    }
    assert!(out.join("diagnose.html").is_file() && out.join("kwic.csv").is_file());
}

#[test]
fn outputs_are_deterministic() {
    let dir = TempDir::new("diagnose-det");
    assert!(diagnose(&dir, "a", true).status.success());
    assert!(diagnose(&dir, "b", true).status.success());
    for f in [
        "codes.csv",
        "terms.csv",
        "kwic.csv",
        "false_positives.csv",
        "missed.csv",
        "suggestions.csv",
        "diagnose.html",
    ] {
        assert_eq!(
            std::fs::read(dir.join("a").join(f)).unwrap(),
            std::fs::read(dir.join("b").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn unknown_reference_code_fails_with_file_and_line_and_writes_nothing() {
    let dir = TempDir::new("diagnose-bad");
    let (cb, units, _) = setup(&dir);
    let bad = dir.write(
        "bad.csv",
        "unit_id,code_id\nu1,keys.knowledge\nu2,keys.nothing\n",
    );
    let out = dir.join("diag");
    let o = tamlil(&[
        "codebook",
        "diagnose",
        "--units",
        &units,
        "--codebook",
        &cb,
        "--reference",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("bad.csv:3"), "{err}");
    assert!(!out.exists());
}
