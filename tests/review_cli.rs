//! `tamlil run --reviewed`: reviewed codings replace tamlil's in every output, the trust table (checked by hand and against `tamlil agree`), errors.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn tiny_run(out: &Path, extra: &[&str]) -> std::process::Output {
    let corpus = fixtures().join("tiny");
    let codebook = fixtures().join("tiny-codebook.toml");
    let mut args = vec!["--no-cache", "--lang", "en"];
    args.extend_from_slice(extra);
    run_quick(&corpus, &codebook, out, &args)
}

/// (unit_id, code_id, source) of every row of a codings.csv.
fn coding_rows(path: &Path) -> BTreeSet<(String, String, String)> {
    read_csv(path)
        .into_iter()
        .map(|r| {
            (
                r["unit_id"].clone(),
                r["code_id"].clone(),
                r["source"].clone(),
            )
        })
        .collect()
}

fn row<'a>(rows: &'a [BTreeMap<String, String>], id: &str) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

fn close(r: &BTreeMap<String, String>, col: &str, want: f64) {
    let got: f64 = r[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = {:?}", r[col]));
    assert!(
        (got - want).abs() < 1e-4,
        "{} {col}: {got} != {want}",
        r["id"]
    );
}

/// The reviewer of documents A and B of the tiny corpus: tamlil codes A-0002
/// knowledge, A-0003 networking, A-0004 power, B-0002 client_rights, B-0003 power,
/// B-0004 knowledge, C-0003 networking. Rita removes B-0004's knowledge and adds
/// networking to A-0002; she did not read C.
fn rita(dir: &TempDir) -> PathBuf {
    dir.write(
        "rita.csv",
        "unit_id,code_id,coder\n\
         A-0002,keys.knowledge,rita\n\
         A-0002,keys.networking,rita\n\
         A-0003,keys.networking,rita\n\
         A-0004,keys.power,rita\n\
         B-0002,goals.client_rights,rita\n\
         B-0003,keys.power,rita\n\
         B-0004,,rita\n",
    )
}

#[test]
fn reviewed_documents_take_the_reviewers_codings_and_the_rest_stay_automatic() {
    let dir = TempDir::new("review-tiny");
    let plain = dir.join("plain");
    let o = tiny_run(&plain, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let review = rita(&dir);
    let out = dir.join("out");
    let o = tiny_run(&out, &["--reviewed", s(&review)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 of 3 interviews reviewed (rita)"),
        "{}",
        stderr(&o)
    );

    // codings.csv: A and B are rita's, C is the plain run's.
    let got = coding_rows(&out.join("codings.csv"));
    let mut want: BTreeSet<(String, String, String)> = [
        ("A-0002", "keys.knowledge"),
        ("A-0002", "keys.networking"),
        ("A-0003", "keys.networking"),
        ("A-0004", "keys.power"),
        ("B-0002", "goals.client_rights"),
        ("B-0003", "keys.power"),
    ]
    .iter()
    .map(|(u, c)| (u.to_string(), c.to_string(), "reviewed".to_string()))
    .collect();
    want.extend(
        coding_rows(&plain.join("codings.csv"))
            .into_iter()
            .filter(|(u, _, src)| u.starts_with("C-") && src == "auto"),
    );
    assert!(want.iter().any(|(u, _, _)| u.starts_with("C-")));
    assert_eq!(got, want);

    // The per-interview table: counts of units with each code, and the source.
    let table = read_csv(&out.join("tables/interview_by_code.csv"));
    let plain_table = read_csv(&plain.join("tables/interview_by_code.csv"));
    let doc = |t: &[BTreeMap<String, String>], d: &str| {
        t.iter().find(|r| r["doc_id"] == d).unwrap().clone()
    };
    let a = doc(&table, "A");
    assert_eq!(a["coding_source"], "reviewed");
    assert_eq!(a["keys.networking"], "2", "A-0002 and A-0003");
    assert_eq!(doc(&table, "B")["keys.knowledge"], "0", "B-0004 removed");
    let mut c = doc(&table, "C");
    assert_eq!(c.remove("coding_source").as_deref(), Some("auto"));
    assert_eq!(c, doc(&plain_table, "C"));

    // The trust table, reviewer = A, tamlil = B, over A's and B's 6 units.
    // keys.knowledge: both 1 (A-0002), only tamlil 1 (B-0004), neither 4:
    // precision 1/2, recall 1/1; p_o = 5/6, p_R = 1/6, p_T = 2/6,
    // p_e = 2/36 + 20/36, kappa = (30 - 22) / (36 - 22) = 4/7 < 0.6: code by hand.
    let trust = read_csv(&out.join("tables/code_trust.csv"));
    let k = row(&trust, "keys.knowledge");
    assert_eq!(
        [
            &k["units"],
            &k["both"],
            &k["only_reviewer"],
            &k["only_tamlil"],
            &k["neither"]
        ],
        ["6", "1", "0", "1", "4"]
    );
    close(k, "precision", 0.5);
    close(k, "recall", 1.0);
    close(k, "kappa", 4.0 / 7.0);
    assert_eq!(k["verdict"], "code by hand");
    // keys.networking: both 1 (A-0003), only rita 1 (A-0002), neither 4:
    // precision 1, recall 1/2, kappa 4/7 as well (the table is transposed).
    let n = row(&trust, "keys.networking");
    assert_eq!(n["reviewer_units"], "2");
    close(n, "precision", 1.0);
    close(n, "recall", 0.5);
    close(n, "kappa", 4.0 / 7.0);
    // keys.power: perfect on 2 units, fewer than 10: review before use.
    let p = row(&trust, "keys.power");
    close(p, "kappa", 1.0);
    assert_eq!(p["verdict"], "review before use");
    assert!(
        p["reason"].contains("only 2 reviewed units"),
        "{}",
        p["reason"]
    );
    // The parquet twin is written too.
    assert!(out.join("tables/code_trust.parquet").is_file());

    // The same figures as `tamlil agree` with the reviewer as A and the plain run as B.
    let agree_csv = dir.join("agree.csv");
    let o = tamlil(&[
        "agree",
        "--units",
        s(&out.join("units.csv")),
        s(&review),
        s(&plain.join("codings.csv")),
        "--out",
        s(&agree_csv),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    same_as_agree(&trust, &read_csv(&agree_csv));

    // The report shows the section with the verdicts.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h2 id=\"trust\">How far the codes can be trusted</h2>"));
    assert!(html.contains("2 of 3 interviews were reviewed by rita"));
    assert!(html.contains(">code by hand</span>"));
    assert!(html.contains(">review before use</span>"));

    // run.json names the file with its sha256 and the reviewed documents.
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let f = &run["reviewed"]["files"][0];
    assert_eq!(f["file"], s(&review));
    assert_eq!(
        f["sha256"],
        tamlil::hash::sha256_hex(&std::fs::read(&review).unwrap())
    );
    assert_eq!(run["reviewed"]["documents"]["A"], "rita");
    assert!(run["reviewed"]["documents"].get("C").is_none());

    // project.qdpx: rita's codings under her own user, C's under tamlil; read back
    // with rita's codings as B, they agree perfectly with her file on A and B.
    let o = tamlil(&[
        "agree",
        "--units",
        s(&out.join("units.csv")),
        s(&review),
        s(&out.join("project.qdpx")),
        "--coder-b",
        "rita",
        "--out",
        s(&dir.join("qdpx.csv")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let back = read_csv(&dir.join("qdpx.csv"));
    let pooled = row(&back, "*");
    assert_eq!(
        (pooled["only_a"].as_str(), pooled["only_b"].as_str()),
        ("0", "0")
    );
    assert_eq!(pooled["kappa"], "1.000000");
}

/// Every code row of the trust table has the counts and figures of `tamlil agree`.
fn same_as_agree(trust: &[BTreeMap<String, String>], agree: &[BTreeMap<String, String>]) {
    assert_eq!(trust.len(), agree.len());
    for (t, a) in trust.iter().zip(agree) {
        assert_eq!((&t["level"], &t["id"]), (&a["level"], &a["id"]));
        for (x, y) in [
            ("units", "units"),
            ("both", "both"),
            ("only_reviewer", "only_a"),
            ("only_tamlil", "only_b"),
            ("neither", "neither"),
        ] {
            assert_eq!(t[x], a[y], "{} {x}", t["id"]);
        }
        for col in ["precision", "recall", "kappa"] {
            match (t[col].parse::<f64>(), a[col].parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!((x - y).abs() < 1e-4, "{} {col}: {x} {y}", t["id"]),
                _ => assert_eq!((t[col].as_str(), a[col].as_str()), ("", ""), "{}", t["id"]),
            }
        }
    }
}

#[test]
fn bad_reviews_stop_the_run_naming_file_and_line() {
    let dir = TempDir::new("review-errors");
    let out = dir.join("out");
    let check = |name: &str, body: &str, extra: &[&str], want: &str| {
        let f = dir.write(name, body);
        let mut args = vec!["--reviewed", s(&f)];
        args.extend_from_slice(extra);
        let o = tiny_run(&out, &args);
        assert_eq!(o.status.code(), Some(65), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(want), "{name}: {err}");
        assert!(!out.exists(), "{name}: nothing written");
    };
    check(
        "code.csv",
        "unit_id,code_id\nA-0002,keys.knowledge\nA-0003,keys.secret\n",
        &[],
        "code.csv:3: unknown code \"keys.secret\"",
    );
    check(
        "unit.csv",
        "unit_id,code_id\nA-0002,keys.knowledge\nZ-0001,keys.power\n",
        &[],
        "unit.csv:3: unit \"Z-0001\" is not in the units table",
    );
    check(
        "family.csv",
        "unit_id,code_id\nA-0002,keys.knowledge\nA-0003,keys\n",
        &[],
        "family.csv:3: unit \"A-0003\" is coded with the family \"keys\"",
    );
    // Two reviewers of document A who disagree on A-0003.
    let first = dir.write(
        "first.csv",
        "unit_id,code_id,coder\nA-0002,keys.knowledge,x\nA-0003,keys.networking,x\n",
    );
    let second = dir.write(
        "second.csv",
        "unit_id,code_id,coder\nB-0002,goals.client_rights,y\nA-0004,keys.power,y\n",
    );
    let o = tiny_run(&out, &["--reviewed", s(&first), s(&second)]);
    assert_eq!(o.status.code(), Some(65), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("second.csv:3: document \"A\" is reviewed here by \"y\""),
        "{err}"
    );
    assert!(err.contains("--reviewed-conflict"), "{err}");
    assert!(!out.exists());
    // An explicit rule decides: the first file's coding, or both.
    for (rule, union) in [("first", false), ("union", true)] {
        let o = tiny_run(
            &out,
            &[
                "--reviewed",
                s(&first),
                s(&second),
                "--reviewed-conflict",
                rule,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let rows = coding_rows(&out.join("codings.csv"));
        let a: BTreeSet<(&str, &str)> = rows
            .iter()
            .filter(|(u, _, _)| u.starts_with("A-"))
            .map(|(u, c, _)| (u.as_str(), c.as_str()))
            .collect();
        let mut want =
            BTreeSet::from([("A-0002", "keys.knowledge"), ("A-0003", "keys.networking")]);
        if union {
            want.insert(("A-0004", "keys.power"));
        }
        assert_eq!(a, want, "{rule}");
        std::fs::remove_dir_all(&out).unwrap();
    }
}

#[test]
fn without_a_review_the_report_says_the_codes_are_unvalidated() {
    let dir = TempDir::new("review-none");
    let out = dir.join("out");
    let o = tiny_run(&out, &["--by", "coding_source"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("have not been validated on this corpus"));
    assert!(html.contains("tamlil run --reviewed"));
    assert!(!out.join("tables/code_trust.csv").exists());
    // Grouping by coding source works with every interview automatic.
    let t = read_csv(&out.join("tables/code_by_attribute.csv"));
    let groups: BTreeSet<&str> = t
        .iter()
        .filter(|r| r["attribute"] == "coding_source")
        .map(|r| r["group"].as_str())
        .collect();
    assert_eq!(groups, BTreeSet::from(["auto"]));
    assert!(
        coding_rows(&out.join("codings.csv"))
            .iter()
            .all(|(_, _, src)| src == "auto")
    );
}

/// On the sample: a review of three interviews derived from a plain run (every
/// second automatic coding of theirs removed, one code added to units tamlil left
/// uncoded). The reviewed interviews' codings equal the review, the others the
/// plain run's, and the trust table equals `tamlil agree` on the same files.
#[test]
fn on_the_sample_reviewed_interviews_follow_the_review_and_the_rest_the_plain_run() {
    let dir = TempDir::new("review-sample");
    let codebook = Path::new(env!("CARGO_MANIFEST_DIR")).join("codebooks/rights-realization.toml");
    let plain = dir.join("plain");
    let o = run_quick(&sample(), &codebook, &plain, &["--no-cache"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let auto = coding_rows(&plain.join("codings.csv"));
    let units = read_csv(&plain.join("units.csv"));
    let reviewed_docs = ["P01", "B01", "T01"];
    let mut review: BTreeSet<(String, String)> = BTreeSet::new();
    let mut body = String::from("unit_id,code_id,coder\n");
    for doc in reviewed_docs {
        let theirs: Vec<&(String, String, String)> = auto
            .iter()
            .filter(|(u, _, _)| u.starts_with(&format!("{doc}-")))
            .collect();
        for (i, (u, c, _)) in theirs.iter().enumerate() {
            if i % 2 == 0 {
                review.insert((u.clone(), c.clone()));
            }
        }
        let coded: BTreeSet<&str> = theirs.iter().map(|(u, _, _)| u.as_str()).collect();
        let added = units
            .iter()
            .filter(|r| r["doc_id"] == doc && r["role"] == "interviewee")
            .filter(|r| !coded.contains(r["unit_id"].as_str()))
            .take(3);
        for r in added {
            review.insert((r["unit_id"].clone(), "keys.knowledge".to_string()));
        }
        // Every unit of the document seen, so the document is covered even if
        // nothing of it is coded.
        let first = units.iter().find(|r| r["doc_id"] == doc).unwrap();
        body.push_str(&format!("{},,rev\n", first["unit_id"]));
    }
    for (u, c) in &review {
        body.push_str(&format!("{u},{c},rev\n"));
    }
    let file = dir.write("review.csv", body);
    let out = dir.join("out");
    let o = run_quick(
        &sample(),
        &codebook,
        &out,
        &["--no-cache", "--reviewed", s(&file)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let is_reviewed = |u: &str| {
        reviewed_docs
            .iter()
            .any(|d| u.starts_with(&format!("{d}-")))
    };
    let got = coding_rows(&out.join("codings.csv"));
    let got_reviewed: BTreeSet<(String, String)> = got
        .iter()
        .filter(|(u, _, src)| is_reviewed(u) && src == "reviewed")
        .map(|(u, c, _)| (u.clone(), c.clone()))
        .collect();
    assert_eq!(got_reviewed, review);
    let rest: BTreeSet<_> = got.iter().filter(|(u, _, _)| !is_reviewed(u)).collect();
    let plain_rest: BTreeSet<_> = auto.iter().filter(|(u, _, _)| !is_reviewed(u)).collect();
    assert_eq!(rest, plain_rest);
    assert_eq!(got.len(), review.len() + plain_rest.len());
    // The per-interview table: unreviewed interviews as in the plain run.
    let table = read_csv(&out.join("tables/interview_by_code.csv"));
    let plain_table = read_csv(&plain.join("tables/interview_by_code.csv"));
    for (mut r, p) in table.into_iter().zip(plain_table) {
        let src = r.remove("coding_source").unwrap();
        assert_eq!(
            src == "reviewed",
            reviewed_docs.contains(&r["doc_id"].as_str())
        );
        if src == "auto" {
            assert_eq!(r, p);
        }
    }
    // The trust table is `tamlil agree` with the review as A and the plain run as B.
    let agree_csv = dir.join("agree.csv");
    let o = tamlil(&[
        "agree",
        "--units",
        s(&out.join("units.csv")),
        s(&file),
        s(&plain.join("codings.csv")),
        "--out",
        s(&agree_csv),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    same_as_agree(
        &read_csv(&out.join("tables/code_trust.csv")),
        &read_csv(&agree_csv),
    );
}

/// The sample's own review (`data-sample/review/`): the CSV covers every
/// interviewee unit of the interviews it names, and run with the CSV or with the
/// `.qdpx` the reviewed interviews carry exactly the CSV's codings, the same
/// either way; the others keep the automatic coding.
#[test]
fn the_sample_review_reads_the_same_as_csv_and_as_qdpx() {
    let dir = TempDir::new("review-bundled");
    let codebook = Path::new(env!("CARGO_MANIFEST_DIR")).join("codebooks/rights-realization.toml");
    let csv = sample().join("review/review.csv");
    let qdpx = sample().join("review/review.qdpx");
    let rows = read_csv(&csv);
    let docs: BTreeSet<String> = rows
        .iter()
        .map(|r| r["unit_id"].split('-').next().unwrap().to_string())
        .collect();
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert!(rows.iter().all(|r| r["coder"] == "reviewer"));
    let want: BTreeSet<(String, String)> = rows
        .iter()
        .filter(|r| !r["code_id"].is_empty())
        .map(|r| (r["unit_id"].clone(), r["code_id"].clone()))
        .collect();
    let seen: BTreeSet<&str> = rows.iter().map(|r| r["unit_id"].as_str()).collect();
    let mut outs = Vec::new();
    for (name, file) in [("csv", &csv), ("qdpx", &qdpx)] {
        let out = dir.join(name);
        let o = run_quick(
            &sample(),
            &codebook,
            &out,
            &["--no-cache", "--reviewed", s(file)],
        );
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let units = read_csv(&out.join("units.csv"));
        for u in units
            .iter()
            .filter(|u| docs.contains(&u["doc_id"]) && u["role"] == "interviewee")
        {
            assert!(seen.contains(u["unit_id"].as_str()), "{}", u["unit_id"]);
        }
        let got = coding_rows(&out.join("codings.csv"));
        let in_docs = |u: &str| docs.contains(u.split('-').next().unwrap());
        let reviewed: BTreeSet<(String, String)> = got
            .iter()
            .filter(|(u, _, src)| {
                assert_eq!(src == "reviewed", in_docs(u), "{u} {src}");
                src == "reviewed"
            })
            .map(|(u, c, _)| (u.clone(), c.clone()))
            .collect();
        assert_eq!(reviewed, want, "{name}");
        outs.push((
            got,
            std::fs::read(out.join("tables/code_trust.csv")).unwrap(),
        ));
    }
    assert_eq!(outs[0], outs[1]);
}
