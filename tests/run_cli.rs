//! `tamlil run` end to end: hand-checked tables on a tiny corpus, the sample, determinism, atomicity.

mod common;
use common::*;
use std::path::Path;

fn run_tiny(out: &Path, extra: &[&str]) -> std::process::Output {
    let corpus = fixtures().join("tiny");
    let codebook = fixtures().join("tiny-codebook.toml");
    let mut args = vec![
        "run",
        "--corpus",
        corpus.to_str().unwrap(),
        "--codebook",
        codebook.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--permutations",
        "199",
    ];
    args.extend_from_slice(extra);
    tamlil(&args)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The sum of a run.json's stage seconds, and its `total`.
fn stages_and_total(seconds: &serde_json::Map<String, serde_json::Value>) -> (f64, f64) {
    let sum = seconds
        .iter()
        .filter(|(k, _)| *k != "total")
        .map(|(_, v)| v.as_f64().unwrap())
        .sum();
    (sum, seconds["total"].as_f64().unwrap())
}
#[test]
fn tiny_corpus_tables_by_hand() {
    let dir = TempDir::new("tiny");
    let out = dir.join("out");
    let o = run_tiny(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Units: A has 3 interviewee sentences, B 3, C 2 (the negated "ידע" in C is not coded).
    assert_eq!(
        read(&out.join("codings.csv")),
        "unit_id,code_id,family,score,evidence,source\n\
         A-0002,keys.knowledge,keys,1,11-15:בידע,auto\n\
         A-0003,keys.networking,keys,1,3-9:הקשרים,auto\n\
         A-0004,keys.power,keys,1,5-10:מלווה,auto\n\
         B-0002,goals.client_rights,goals,1,10-14:הכסף,auto\n\
         B-0003,keys.power,keys,1,13-18:ערעור,auto\n\
         B-0004,keys.knowledge,keys,1,0-4:הידע,auto\n\
         C-0003,keys.networking,keys,1,0-6:הקשרים,auto\n"
    );
    assert_eq!(
        read(&out.join("tables/interview_by_code.csv")),
        "doc_id,sector,units,words,goals,keys,goals.client_rights,keys.knowledge,keys.networking,keys.power\n\
         A,public,3,17,0,3,0,1,1,1\n\
         B,business,3,13,1,2,1,1,0,1\n\
         C,public,2,10,0,1,0,0,1,0\n"
    );
    let rows = read_csv(&out.join("tables/code_by_attribute.csv"));
    let row = |g: &str, c: &str| {
        rows.iter()
            .find(|r| r["group"] == g && r["code_id"] == c)
            .unwrap()
            .clone()
    };
    // public = A + C: 5 units, 27 words. keys: 4 units (80%), both interviews, 4 codings = 148.1481 per 1,000 words.
    let k = row("public", "keys");
    assert_eq!(
        (
            k["units"].as_str(),
            k["pct_units"].as_str(),
            k["interviews"].as_str()
        ),
        ("4", "80.0000", "2")
    );
    assert_eq!(k["codings_per_1000_words"], "148.1481");
    // public knowledge: 1 unit of 5 = 20%, 1 of 2 interviews = 50%, 1000/27 = 37.0370.
    let kn = row("public", "keys.knowledge");
    assert_eq!(
        (
            kn["pct_units"].as_str(),
            kn["pct_interviews"].as_str(),
            kn["codings_per_1000_words"].as_str()
        ),
        ("20.0000", "50.0000", "37.0370")
    );
    // business goals: 1 of 3 units.
    assert_eq!(
        row("business", "goals.client_rights")["pct_units"],
        "33.3333"
    );
    assert_eq!(rows.len(), 2 * 6);

    // keys x sector: public [1,2,1], business [1,0,1]; expected 4/3 and 2/3 per cell;
    // chi-square = 0.0833+0.3333+0.0833 + 0.1667+0.6667+0.1667 = 1.5, df 2, V = sqrt(1.5/6) = 0.5.
    let stats: serde_json::Value = serde_json::from_str(&read(&out.join("stats.json"))).unwrap();
    let keys = stats["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["family"] == "keys")
        .unwrap();
    assert_eq!(
        keys["counts"],
        serde_json::json!([[1.0, 2.0, 1.0], [1.0, 0.0, 1.0]])
    );
    let chi = &keys["chi_square"]["test"];
    assert!((chi["statistic"].as_f64().unwrap() - 1.5).abs() < 1e-12);
    assert_eq!(chi["df"], 2);
    assert!((chi["cramers_v"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert_eq!(chi["small_expected"], true);
    assert_eq!(keys["permutation"]["interviews"], 3);

    let html = read(&out.join("report.html"));
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"he\" dir=\"rtl\">"));
    assert!(
        html.contains("אני משתמשת <mark>בידע</mark> שלי כל יום."),
        "quote highlighted at the matched word"
    );
    assert!(html.contains("A · A-0002 · "), "quote reference");
    for chart in ["goals_by_sector", "keys_by_sector"] {
        assert!(out.join(format!("charts/{chart}.png")).is_file());
        assert!(out.join(format!("charts/{chart}.svg")).is_file());
    }
    for t in ["code_by_attribute", "interview_by_code", "cooccurrence"] {
        let pq = std::fs::read(out.join(format!("tables/{t}.parquet"))).unwrap();
        assert_eq!(&pq[..4], b"PAR1");
    }
    let run: serde_json::Value = serde_json::from_str(&read(&out.join("run.json"))).unwrap();
    assert_eq!(run["counts"]["documents"], 3);
    assert_eq!(run["counts"]["interviewee_units"], 8);
    assert_eq!(run["inputs"].as_array().unwrap().len(), 3);
    // The stages' wall seconds add up to the total; the per-document stages are named.
    let seconds = run["seconds"].as_object().unwrap();
    let mut stages: Vec<&str> = seconds.keys().map(String::as_str).collect();
    stages.sort_unstable();
    assert_eq!(
        stages,
        [
            "cache",
            "charts",
            "commit",
            "documents",
            "finish_outputs",
            "report",
            "setup",
            "statistics",
            "tables",
            "total"
        ]
    );
    let (sum, total) = stages_and_total(seconds);
    assert!(
        total > 0.0 && (sum - total).abs() <= 1e-6 * total,
        "{seconds:?}"
    );
    let threads = run["document_thread_seconds"].as_object().unwrap();
    let mut names: Vec<&str> = threads.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["code", "format", "read", "redact", "segment"]);
    // Again into the same folder: removing the earlier outputs is in the last stage,
    // and the stages, still adding up, end before the process does.
    let started = std::time::Instant::now();
    assert!(run_tiny(&out, &[]).status.success());
    let elapsed = started.elapsed().as_secs_f64();
    let run: serde_json::Value = serde_json::from_str(&read(&out.join("run.json"))).unwrap();
    let seconds = run["seconds"].as_object().unwrap();
    let (sum, total) = stages_and_total(seconds);
    assert!((sum - total).abs() <= 1e-6 * total, "{seconds:?}");
    assert!(
        seconds["commit"].as_f64().unwrap() > 0.0 && total < elapsed,
        "{seconds:?}"
    );
}

#[test]
fn byte_identical_on_one_or_two_threads() {
    let dir = TempDir::new("determinism");
    let (a, b) = (dir.join("a"), dir.join("b"));
    assert!(run_tiny(&a, &["--jobs", "1"]).status.success());
    assert!(run_tiny(&b, &["--jobs", "2"]).status.success());
    let (mut sa, mut sb) = (snapshot(&a), snapshot(&b));
    assert!(sa.remove("run.json").is_some() && sb.remove("run.json").is_some());
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    for (k, v) in &sa {
        assert!(v == &sb[k], "{k} differs between 1 and 2 threads");
    }
    assert_eq!(
        sa.len(),
        15,
        "units, codings, stats, report, project, 3 tables x 2, 2 charts x 2"
    );
}

#[test]
fn a_failed_run_leaves_the_previous_outputs() {
    let dir = TempDir::new("atomic");
    let out = dir.join("out");
    assert!(run_tiny(&out, &[]).status.success());
    let before = snapshot(&out);
    let o = tamlil(&[
        "run",
        "--corpus",
        fixtures().join("tiny").to_str().unwrap(),
        "--codebook",
        "/nonexistent.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(66), "{}", stderr(&o));
    let o = run_tiny(&out, &["--by", "region"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        stderr(&o)
            .contains("--by region: the manifest has no such column (its attributes: sector)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(&out), before);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut names = names;
    names.sort();
    // The cache beside the output is the first run's.
    assert_eq!(
        names,
        vec!["out", "out.cache"],
        "no staging folders left behind"
    );
}

#[test]
fn the_sample_corpus() {
    let dir = TempDir::new("sample");
    let out = dir.join("out");
    let o = tamlil(&[
        "run",
        "--out",
        out.to_str().unwrap(),
        "--permutations",
        "199",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let units = read_csv(&out.join("units.csv"));
    let docs: std::collections::BTreeSet<&str> =
        units.iter().map(|u| u["doc_id"].as_str()).collect();
    assert_eq!(docs.len(), 25);
    // Every speaker convention resolved: interviewer labels never end up as interviewee units.
    let interviewer_labels = ["מראיינת", "מראיין", "ש", "ענבל"];
    for u in &units {
        if u["role"] == "interviewee" {
            assert!(
                !interviewer_labels.contains(&u["speaker"].as_str()),
                "{} {}",
                u["unit_id"],
                u["speaker"]
            );
        }
        if interviewer_labels.contains(&u["speaker"].as_str()) {
            assert_eq!(u["role"], "interviewer", "{}", u["unit_id"]);
        }
    }
    // Each interview has interviewer turns, interviewee units and a header.
    for d in &docs {
        for role in ["interviewer", "interviewee", "other"] {
            assert!(
                units.iter().any(|u| u["doc_id"] == *d && u["role"] == role),
                "{d} has no {role} unit"
            );
        }
    }
    let sectors: std::collections::BTreeMap<String, usize> =
        read_csv(&out.join("tables/interview_by_code.csv"))
            .into_iter()
            .fold(Default::default(), |mut m, r| {
                *m.entry(r["sector"].clone()).or_default() += 1;
                m
            });
    assert_eq!(
        sectors,
        [
            ("business".to_string(), 8),
            ("public".to_string(), 13),
            ("third".to_string(), 4)
        ]
        .into_iter()
        .collect()
    );
}

#[test]
fn ctrl_c_leaves_the_previous_outputs() {
    let dir = TempDir::new("ctrlc");
    let out = dir.join("out");
    assert!(run_tiny(&out, &[]).status.success());
    let before = snapshot(&out);
    // A corpus large enough to take a while: the sample copied many times.
    let corpus = dir.join("big");
    std::fs::create_dir_all(&corpus).unwrap();
    let mut manifest = String::from("id,file,sector\n");
    for k in 0..300 {
        for f in std::fs::read_dir(sample()).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "txt") && !p.ends_with("labels.csv") {
                let name = format!("{k}_{}", p.file_name().unwrap().to_string_lossy());
                std::fs::copy(&p, corpus.join(&name)).unwrap();
                manifest.push_str(&format!("{},{},x\n", name.trim_end_matches(".txt"), name));
            }
        }
    }
    std::fs::write(corpus.join("manifest.csv"), manifest).unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_tamlil"))
        .args([
            "run",
            "--corpus",
            corpus.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the run has started writing (its staging folder exists).
    let started = std::time::Instant::now();
    while !std::fs::read_dir(dir.path())
        .unwrap()
        .any(|e| e.unwrap().file_name().to_string_lossy().contains("staging"))
    {
        assert!(started.elapsed().as_secs() < 60, "the run never started");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted; the previous outputs are left as they were"));
    assert_eq!(snapshot(&out), before);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(
        names,
        vec!["big", "out", "out.cache"],
        "no staging folders left behind"
    );
}

#[test]
fn run_json_lets_a_reader_rerun_exactly() {
    let dir = TempDir::new("provenance");
    let (a, b) = (dir.join("a"), dir.join("b"));
    let o = run_tiny(
        &a,
        &[
            "--unit",
            "paragraph",
            "--seed",
            "7",
            "--by",
            "sector",
            "--no-cache",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let run: serde_json::Value = serde_json::from_str(&read(&a.join("run.json"))).unwrap();
    assert_eq!(run["version"], env!("CARGO_PKG_VERSION"));
    let codebook = fixtures().join("tiny-codebook.toml");
    assert_eq!(
        run["codebook"]["sha256"],
        tamlil::hash::sha256_hex(&std::fs::read(&codebook).unwrap())
    );
    for input in run["inputs"].as_array().unwrap() {
        let bytes = std::fs::read(input["file"].as_str().unwrap()).unwrap();
        assert_eq!(input["sha256"], tamlil::hash::sha256_hex(&bytes));
    }
    assert_eq!(run["options"]["segmentation"]["unit"], "paragraph");
    assert_eq!(run["options"]["seed"], 7);
    assert_eq!(run["options"]["permutations"], 199);
    // The recorded command, with another output folder, gives the same outputs.
    let argv: Vec<String> = run["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let out_at = argv.iter().position(|x| x == "--out").unwrap() + 1;
    let mut args = argv[1..].to_vec();
    args[out_at - 1] = b.display().to_string();
    let o = std::process::Command::new(&argv[0])
        .args(&args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let (mut sa, mut sb) = (snapshot(&a), snapshot(&b));
    sa.remove("run.json");
    sb.remove("run.json");
    assert_eq!(sa.len(), 15);
    assert!(sa == sb, "the re-run from run.json differs");
}

#[test]
fn an_unlabelled_interviewer_is_guessed_warned_and_recorded() {
    // Two transcripts with first names only: in A, איילת asks; B is the same text
    // with `-` in the manifest's interviewer column, which turns the guess off.
    let dir = TempDir::new("guess-interviewer");
    let text = "איילת: איך הגעת לעבודה הזאת?\nרונית: דרך חברה שעבדה בעירייה, היא סיפרה לי על המשרה.\nאיילת: ומה את עושה ביום רגיל?\nרונית: אני יושבת עם משפחות ומסבירה להן מה מגיע להן.\nאיילת: ספרי לי על מקרה. מה קרה?\nרונית: הייתה אישה שלא ידעה שמגיעה לה קצבה.\n";
    std::fs::create_dir_all(dir.join("corpus")).unwrap();
    dir.write("corpus/a.txt", text);
    dir.write(
        "corpus/manifest.csv",
        "id,file,sector,interviewer\nA,a.txt,public,\nB,a.txt,public,-\n",
    );
    let out = dir.join("out");
    let o = run_quick(
        &dir.join("corpus"),
        &fixtures().join("tiny-codebook.toml"),
        &out,
        &["--no-cache"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: A: no speaker label says who the interviewer is; took \"איילת\""),
        "{err}"
    );
    assert!(!err.contains("warning: B:"), "{err}");
    let run: serde_json::Value = serde_json::from_str(&read(&out.join("run.json"))).unwrap();
    assert_eq!(
        run["guessed_interviewers"],
        serde_json::json!([{"document": "A", "label": "איילת"}])
    );
    let units = read_csv(&out.join("units.csv"));
    let roles = |doc: &str| -> Vec<(String, String)> {
        units
            .iter()
            .filter(|u| u["doc_id"] == doc)
            .map(|u| (u["speaker"].clone(), u["role"].clone()))
            .collect()
    };
    let a = roles("A");
    assert_eq!(a.len(), 6, "{a:?}");
    for (speaker, role) in &a {
        let want = if speaker == "איילת" {
            "interviewer"
        } else {
            "interviewee"
        };
        assert_eq!(role, want, "{speaker}");
    }
    assert!(roles("B").iter().all(|(_, r)| r == "interviewee"));
}
