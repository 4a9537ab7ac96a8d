//! Whole-CLI runs of `tamlil learn` and of a codebook's `[learned]` model.

mod common;
use common::{TempDir, code_with, read_csv, stderr, tamlil};
use std::path::Path;

/// A codebook whose rules know knowledge and the telephone, not volunteers.
const CODEBOOK: &str = r#"
[codebook]
name = "small"
roles = ["interviewee"]
threshold = 2

[[code]]
id = "keys.knowledge"
label_en = "Knowledge"
[[code.rule]]
weight = 2
any = ["ידע"]

[[code]]
id = "keys.networking"
label_en = "Networking"
exclude = ["לא עושה"]
[[code.rule]]
weight = 2
any = ["טלפון"]
"#;

/// Answers with no code, written for this test.
const PLAIN: [&str; 10] = [
    "היה יום ארוך מאוד.",
    "אני עובדת פה כבר שש שנים.",
    "זה תלוי בתיק ובאדם.",
    "בבוקר אני פותחת את המשרד.",
    "לפעמים זה קשה, לפעמים קל.",
    "אני גרה לא רחוק מכאן.",
    "היו הרבה שינויים בשנה האחרונה.",
    "זה משהו שקורה כל הזמן.",
    "אני לא זוכרת בדיוק את התאריך.",
    "בדרך כלל זה לוקח חודש.",
];

/// Answers where the speaker's volunteers carry the case: networking by hand.
const VOLUNTEERS: [&str; 6] = [
    "המתנדבים שלנו הולכים איתה לסניף.",
    "יש לי מתנדבים שמכירים כל פקיד.",
    "אחת המתנדבים ישבה איתו שעה.",
    "שלחתי את המתנדבים לבית שלה.",
    "בלי המתנדבים לא הייתי מצליחה.",
    "מתנדבים מהשכונה עוזרים בטפסים.",
];

/// A units table of `docs` interviews, each a question and its answers, and the
/// hand coding of its answers (`unit_id,code_id`, an empty code for none).
fn corpus(docs: usize) -> (String, String) {
    let mut units = String::from("unit_id,doc_id,turn,role,start,end,text,sector\n");
    let mut hand = String::from("unit_id,code_id\n");
    for d in 0..docs {
        let doc = format!("d{d}");
        units.push_str(&format!(
            "{doc}-q,{doc},1,interviewer,0,10,מה את עושה בעבודה?,public\n"
        ));
        let answers = [
            (PLAIN[d % PLAIN.len()], ""),
            (PLAIN[(d + 3) % PLAIN.len()], ""),
            (VOLUNTEERS[d % VOLUNTEERS.len()], "keys.networking"),
            ("יש לי ידע בתקנות.", "keys.knowledge"),
            ("אני מרימה טלפון לפקידה.", "keys.networking"),
        ];
        for (i, (text, code)) in answers.iter().enumerate() {
            let id = format!("{doc}-{i}");
            units.push_str(&format!(
                "{id},{doc},2,interviewee,{},{},\"{text}\",public\n",
                11 + 40 * i,
                40 + 40 * i
            ));
            hand.push_str(&format!("{id},{code}\n"));
        }
    }
    (units, hand)
}

fn learn(dir: &TempDir, hand: &Path, out: &Path) -> std::process::Output {
    learn_with(dir, hand, out, &[])
}

/// `tamlil learn` with the small codebook and `extra` options.
fn learn_with(dir: &TempDir, hand: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let units = dir.join("units.csv");
    let codebook = dir.join("small.toml");
    let mut args = vec![
        "learn",
        "--units",
        units.to_str().unwrap(),
        hand.to_str().unwrap(),
        "--codebook",
        codebook.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    tamlil(&args)
}

/// A run that failed with `want` in its message and wrote no model at `out`.
fn refused(o: std::process::Output, want: &str, out: &Path) {
    assert!(!o.status.success(), "{want}");
    assert!(stderr(&o).contains(want), "{}\nwanted: {want}", stderr(&o));
    assert!(!out.exists());
}

/// The model's lines after its comments.
fn weights(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_learned_model_adds_the_code_a_researcher_gave_to_words_the_rules_do_not_know() {
    let dir = TempDir::new("learn-adds");
    let (units, hand) = corpus(12);
    dir.write("units.csv", units);
    let hand = dir.write("hand.csv", hand);
    dir.write("small.toml", CODEBOOK);
    let o = learn(&dir, &hand, &dir.join("small.learned.tsv"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("learned 2 codes from 60 answers"),
        "{}",
        stderr(&o)
    );
    // The check by documents: 60 answers x 2 codes. The rules give knowledge where
    // the hand does (12) and networking to the 12 telephones, not the 12 volunteers:
    // both 24, hand only 12, neither 84; p_o = 0.9, p_e = 0.3 x 0.2 + 0.7 x 0.8 = 0.62,
    // kappa = 0.28 / 0.38.
    let err = stderr(&o);
    assert!(
        err.contains("cross-validated over 5 folds of documents, the model's codes at adds_at 0.5: the rules alone kappa 0.737 (precision 1.000, recall 0.667); with the model kappa "),
        "{err}"
    );
    let with_model: f64 = err.split("with the model kappa ").nth(1).unwrap()[..5]
        .parse()
        .unwrap();
    assert!(with_model > 0.95, "{err}");
    let model = std::fs::read_to_string(dir.join("small.learned.tsv")).unwrap();
    assert!(
        model.contains("\ncodes\tkeys.knowledge\tkeys.networking\n"),
        "{model}"
    );

    // The rules alone code neither sentence of a new interview with volunteers.
    let new = dir.write(
        "new.csv",
        "unit_id,doc_id,turn,role,text,sector\n\
         n0,n,1,interviewer,והמתנדבים שלכם?,public\n\
         n1,n,2,interviewee,והמתנדבים שלנו באים איתי.,public\n\
         n2,n,2,interviewee,אני גרה לא רחוק מכאן.,public\n\
         n3,n,2,interviewee,מתנדבים? את זה אני לא עושה.,public\n",
    );
    let code = |cb: &Path, out: &Path| {
        let o = code_with(&new, cb, out);
        assert!(o.status.success(), "{}", stderr(&o));
        read_csv(out)
    };
    let rules = code(&dir.join("small.toml"), &dir.join("rules.csv"));
    assert!(rules.is_empty(), "{rules:?}");
    let cb = dir.write(
        "learned.toml",
        format!("{CODEBOOK}\n[learned]\nmodel = \"small.learned.tsv\"\nadds_at = 0.5\n"),
    );
    let got = code(&cb, &dir.join("learned.csv"));
    // Only the answer with the volunteers (a clitic prefix before the word it
    // learned); the interviewer's question is not an answer, and the rules' exclusion
    // of networking (a practice refused) holds for the model too.
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["unit_id"], "n1");
    assert_eq!(got[0]["code_id"], "keys.networking");
    assert_eq!(got[0]["score"], "0");
    assert_eq!(got[0]["source"], "learned");
    assert!(got[0]["evidence"].contains("0-9:והמתנדבים"), "{got:?}");
}

#[test]
fn coded_spans_teach_the_same_model_as_coded_units() {
    let dir = TempDir::new("learn-spans");
    let (units, hand) = corpus(12);
    dir.write("units.csv", &units);
    dir.write("small.toml", CODEBOOK);
    let by_unit = dir.write("hand.csv", &hand);
    // The same coding as spans of the documents (the units' own offsets).
    let table = read_csv(&dir.join("units.csv"));
    let codes: std::collections::BTreeMap<String, String> = hand
        .lines()
        .skip(1)
        .map(|l| {
            let (u, c) = l.split_once(',').unwrap();
            (u.to_string(), c.to_string())
        })
        .collect();
    let mut spans = String::from("doc_id,start,end,code_id\n");
    for r in table.iter().filter(|r| r["role"] == "interviewee") {
        spans.push_str(&format!(
            "{},{},{},{}\n",
            r["doc_id"], r["start"], r["end"], codes[&r["unit_id"]]
        ));
    }
    let by_span = dir.write("spans.csv", spans);
    assert!(learn(&dir, &by_unit, &dir.join("a.tsv")).status.success());
    let o = learn(&dir, &by_span, &dir.join("b.tsv"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(weights(&dir.join("a.tsv")), weights(&dir.join("b.tsv")));
}

#[test]
fn bad_hand_codings_and_models_are_errors_naming_file_and_line() {
    let dir = TempDir::new("learn-errors");
    let (units, hand) = corpus(6);
    dir.write("units.csv", units);
    dir.write("small.toml", CODEBOOK);
    let out = dir.join("m.tsv");
    // An unknown code on the fifth line.
    let bad = dir.write(
        "bad.csv",
        hand.replacen("keys.knowledge", "keys.knowlege", 1),
    );
    refused(
        learn(&dir, &bad, &out),
        "bad.csv:5: unknown code \"keys.knowlege\"",
        &out,
    );
    // With --ignore-unknown that coding is skipped and said so.
    let o = learn_with(&dir, &bad, &out, &["--ignore-unknown"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("skipped 1 coding with unknown code \"keys.knowlege\""),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("learned 2 codes from 30 answers"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(&out).unwrap();
    // A span of a document the units table does not have.
    let spans = dir.write(
        "spans.csv",
        "doc_id,start,end,code_id\nd0,11,40,\nzz,0,5,keys.power\n",
    );
    refused(
        learn(&dir, &spans, &out),
        "spans.csv:3: document \"zz\" is not in the units table",
        &out,
    );
    // An attribute the units table does not have.
    let good = dir.write("hand.csv", &hand);
    let o = learn_with(&dir, &good, &out, &["--attribute", "sectr"]);
    refused(o, "no attribute column \"sectr\"", &out);

    // A codebook naming a model that is not there, or is broken, or a bad adds_at.
    let check = |model_line: &str, model: Option<&str>, want: &str| {
        if let Some(m) = model {
            dir.write("m.tsv", m);
        }
        let cb = dir.write("cb.toml", format!("{CODEBOOK}\n[learned]\n{model_line}\n"));
        let o = tamlil(&["codebook", "check", cb.to_str().unwrap()]);
        assert!(!o.status.success(), "{want}");
        assert!(stderr(&o).contains(want), "{}\nwanted: {want}", stderr(&o));
    };
    check(
        "model = \"none.tsv\"",
        None,
        "cb.toml:22: [learned] model: cannot read",
    );
    check(
        "model = \"m.tsv\"",
        Some("codes\tkeys.knowledge\nbias\t-1\nw:ידע\t1\t2\n"),
        "m.tsv:3: 2 weights, where the model has 1 codes",
    );
    check(
        "model = \"m.tsv\"",
        Some("codes\tkeys.power\nbias\t-1\n"),
        "m.tsv:1: code \"keys.power\" is not a code of the codebook",
    );
    check(
        "model = \"m.tsv\"\nadds_at = 1.5",
        Some("codes\tkeys.knowledge\nbias\t-1\n"),
        "cb.toml:22: [learned] adds_at must be a probability between 0 and 1",
    );
}

#[test]
fn the_default_model_is_what_learn_makes_of_the_hand_coded_training_interviews() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = TempDir::new("learn-default");
    let units = dir.join("units.csv");
    let o = tamlil(&[
        "segment",
        "--corpus",
        root.join("data-train").to_str().unwrap(),
        "--out",
        units.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("m.tsv");
    let o = tamlil(&[
        "learn",
        "--units",
        units.to_str().unwrap(),
        root.join("data-train/coded.csv").to_str().unwrap(),
        "--codebook",
        root.join("codebooks/rights-realization.toml")
            .to_str()
            .unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The same features and codes, and the same weights to the last digit or two
    // (the file keeps four decimals; a change of machine may move the last one).
    let read = |p: &Path| -> Vec<(String, Vec<f64>)> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .filter(|l| {
                !l.starts_with('#') && !l.starts_with("codes") && !l.starts_with("attributes")
            })
            .map(|l| {
                let mut f = l.split('\t');
                let name = f.next().unwrap().to_string();
                (name, f.map(|w| w.parse().unwrap()).collect())
            })
            .collect()
    };
    let shipped = root.join("codebooks/rights-realization.learned.tsv");
    let header = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("codes") || l.starts_with("attributes"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        header(&out),
        header(&shipped),
        "run scripts/learn_default.sh"
    );
    let (a, b) = (read(&out), read(&shipped));
    assert_eq!(a.len(), b.len(), "run scripts/learn_default.sh");
    for ((na, wa), (nb, wb)) in a.iter().zip(&b) {
        assert_eq!(na, nb, "run scripts/learn_default.sh");
        for (x, y) in wa.iter().zip(wb) {
            assert!(
                (x - y).abs() < 2e-3,
                "{na}: {x} against {y}: run scripts/learn_default.sh"
            );
        }
    }
}
