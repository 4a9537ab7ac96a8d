//! The cache of `tamlil run`: reused when nothing changed, invalidated by a changed
//! document, segmentation options or codebook, and never changing an output.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A copy of the tiny corpus and codebook that the test may change.
fn corpus(dir: &TempDir) -> (PathBuf, PathBuf) {
    let c = dir.join("corpus");
    std::fs::create_dir_all(&c).unwrap();
    for f in ["a.txt", "b.txt", "c.txt", "manifest.csv"] {
        std::fs::copy(fixtures().join("tiny").join(f), c.join(f)).unwrap();
    }
    let cb = dir.join("codebook.toml");
    std::fs::copy(fixtures().join("tiny-codebook.toml"), &cb).unwrap();
    (c, cb)
}

/// Runs on `corpus` with `codebook` into `out`, caching in `cache` (or with
/// `--no-cache` when None); returns the cache counts from run.json.
fn run(
    corpus: &Path,
    codebook: &Path,
    out: &Path,
    cache: Option<&Path>,
    extra: &[&str],
) -> BTreeMap<String, u64> {
    let mut args = match cache {
        Some(c) => vec!["--cache", c.to_str().unwrap()],
        None => vec!["--no-cache"],
    };
    args.extend_from_slice(extra);
    let o = run_quick(corpus, codebook, out, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    match &run["cache"]["counts"] {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// (files not read, segmentations reused, segmented, codings reused, coded).
fn counts(c: &BTreeMap<String, u64>) -> (u64, u64, u64, u64, u64) {
    (
        c["files_unread"],
        c["segment_hits"],
        c["segment_misses"],
        c["coding_hits"],
        c["coding_misses"],
    )
}

/// Every output but run.json, relative path -> bytes.
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = snapshot(dir);
    assert!(out.remove("run.json").is_some());
    out
}

/// The outputs of a run with the cache equal those of a fresh run without it.
fn same_as_fresh(corpus: &Path, codebook: &Path, cached_out: &Path, dir: &TempDir, extra: &[&str]) {
    let fresh = dir.join("fresh");
    let _ = std::fs::remove_dir_all(&fresh);
    let c = run(corpus, codebook, &fresh, None, extra);
    assert!(c.is_empty(), "no cache counts without a cache");
    assert_eq!(outputs(cached_out), outputs(&fresh));
}

#[test]
fn reused_when_nothing_changed_and_invalidated_by_each_input() {
    let dir = TempDir::new("cache");
    let (corpus, codebook) = corpus(&dir);
    let (out, cache) = (dir.join("out"), dir.join("cache"));

    // First run: everything read, segmented and coded.
    assert_eq!(
        counts(&run(&corpus, &codebook, &out, Some(&cache), &[])),
        (0, 0, 3, 0, 3)
    );
    same_as_fresh(&corpus, &codebook, &out, &dir, &[]);
    let first = outputs(&out);

    // Nothing changed: no transcript is read, nothing segmented or coded.
    assert_eq!(
        counts(&run(&corpus, &codebook, &out, Some(&cache), &[])),
        (3, 3, 0, 3, 0)
    );
    assert_eq!(outputs(&out), first);

    // The codebook changed: units reused, every document coded again.
    let cb = std::fs::read_to_string(&codebook).unwrap();
    std::fs::write(
        &codebook,
        cb.replace("any = [\"כסף\"]", "any = [\"כסף\", \"מטרה\"]"),
    )
    .unwrap();
    assert_eq!(
        counts(&run(&corpus, &codebook, &out, Some(&cache), &[])),
        (3, 3, 0, 0, 3)
    );
    same_as_fresh(&corpus, &codebook, &out, &dir, &[]);
    assert_ne!(
        outputs(&out)["codings.csv"],
        first["codings.csv"],
        "the new term codes a unit"
    );

    // Back to the first codebook: its codings were kept, nothing is coded.
    let first_codebook = dir.join("first.toml");
    std::fs::write(&first_codebook, &cb).unwrap();
    assert_eq!(
        counts(&run(&corpus, &first_codebook, &out, Some(&cache), &[])),
        (3, 3, 0, 3, 0)
    );
    assert_eq!(outputs(&out)["codings.csv"], first["codings.csv"]);

    // Other segmentation options: every document segmented (and so coded) again.
    let turn = ["--unit", "turn"];
    assert_eq!(
        counts(&run(&corpus, &codebook, &out, Some(&cache), &turn)),
        (3, 0, 3, 0, 3)
    );
    same_as_fresh(&corpus, &codebook, &out, &dir, &turn);
    assert_eq!(
        counts(&run(&corpus, &codebook, &out, Some(&cache), &turn)),
        (3, 3, 0, 3, 0)
    );

    // One document changed: only that one is read, segmented and coded.
    let a = corpus.join("a.txt");
    let text = std::fs::read_to_string(&a).unwrap();
    std::fs::write(&a, text.replace("כל יום", "כל בוקר")).unwrap();
    assert_eq!(
        counts(&run(&corpus, &codebook, &out, Some(&cache), &turn)),
        (2, 2, 1, 2, 1)
    );
    same_as_fresh(&corpus, &codebook, &out, &dir, &turn);

    // One interview added: only the new one is processed.
    std::fs::write(
        corpus.join("d.txt"),
        "ש: ומה עוד?\nת: הקשרים עם העירייה עוזרים לנו.\n",
    )
    .unwrap();
    let manifest = std::fs::read_to_string(corpus.join("manifest.csv")).unwrap();
    std::fs::write(corpus.join("manifest.csv"), manifest + "D,d.txt,third\n").unwrap();
    assert_eq!(
        counts(&run(&corpus, &codebook, &out, Some(&cache), &turn)),
        (3, 3, 1, 3, 1)
    );
    same_as_fresh(&corpus, &codebook, &out, &dir, &turn);

    // A file rewritten with the same content is read (its time changed) but its
    // units and codings are found by content.
    let b = corpus.join("b.txt");
    std::fs::write(&b, std::fs::read(&b).unwrap()).unwrap();
    let later =
        std::fs::metadata(&b).unwrap().modified().unwrap() + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&b)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert_eq!(
        counts(&run(&corpus, &codebook, &out, Some(&cache), &turn)),
        (3, 4, 0, 4, 0)
    );
}

#[test]
fn a_broken_entry_is_recomputed_and_old_entries_are_bounded() {
    let dir = TempDir::new("cache-broken");
    let (corpus, codebook) = corpus(&dir);
    let (out, cache) = (dir.join("out"), dir.join("cache"));
    run(&corpus, &codebook, &out, Some(&cache), &[]);
    let first = outputs(&out);
    let files = |sub: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(cache.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    // One pack of each kind, nothing else.
    for sub in ["seg", "code"] {
        let f = files(sub);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].extension().is_some_and(|e| e == "pack"), "{f:?}");
    }

    // A truncated pack is not trusted: all its segmentations are redone.
    let seg = &files("seg")[0];
    let bytes = std::fs::read(seg).unwrap();
    std::fs::write(seg, &bytes[..bytes.len() / 2]).unwrap();
    // An entry of the one-file-per-entry layout is ignored (and removed).
    let legacy = cache.join("seg").join("a".repeat(64));
    std::fs::write(&legacy, b"old entry").unwrap();
    let c = counts(&run(&corpus, &codebook, &out, Some(&cache), &[]));
    assert_eq!(
        c,
        (3, 0, 3, 3, 0),
        "the truncated pack's entries are redone"
    );
    assert_eq!(outputs(&out), first);
    assert_eq!(files("seg").len(), 1, "the broken pack is replaced");
    assert!(!legacy.exists());

    // A garbled entry in a pack does not decode and is redone.
    let code = &files("code")[0];
    let mut bytes = std::fs::read(code).unwrap();
    bytes[13..21].copy_from_slice(b"garbage!");
    std::fs::write(code, &bytes).unwrap();
    let c = counts(&run(&corpus, &codebook, &out, Some(&cache), &[]));
    assert_eq!((c.3, c.4), (2, 1), "the garbled coding is redone: {c:?}");
    assert_eq!(outputs(&out), first);

    // A pack whose index does not check is ignored as a whole.
    for code in files("code") {
        let mut bytes = std::fs::read(&code).unwrap();
        let n = bytes.len();
        bytes[n - 20..n - 12].copy_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&code, &bytes).unwrap();
    }
    let c = counts(&run(&corpus, &codebook, &out, Some(&cache), &[]));
    assert_eq!(c, (3, 3, 0, 0, 3), "no coding is read from a broken index");
    assert_eq!(outputs(&out), first);

    // After runs with other options the cache keeps this run's entries and at
    // most as many bytes again of older ones.
    let bytes = |dir: &Path| -> u64 {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum()
    };
    for unit in ["paragraph", "turn"] {
        run(&corpus, &codebook, &out, Some(&cache), &["--unit", unit]);
    }
    let fresh = dir.join("fresh-cache");
    run(
        &corpus,
        &codebook,
        &dir.join("o2"),
        Some(&fresh),
        &["--unit", "turn"],
    );
    for sub in ["seg", "code"] {
        let (all, used) = (bytes(&cache.join(sub)), bytes(&fresh.join(sub)));
        assert!(
            used > 0 && all >= used && all <= 2 * used,
            "{sub}: {all} of {used}"
        );
    }
    let c = counts(&run(
        &corpus,
        &codebook,
        &out,
        Some(&cache),
        &["--unit", "turn"],
    ));
    assert_eq!(c, (3, 3, 0, 3, 0));
}

#[test]
fn cache_inside_the_output_is_refused() {
    let dir = TempDir::new("cache-inside");
    let (corpus, codebook) = corpus(&dir);
    let out = dir.join("out");
    let inside = out.join("cache");
    let o = tamlil(&[
        "run",
        "--corpus",
        corpus.to_str().unwrap(),
        "--codebook",
        codebook.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--cache",
        inside.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(73), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("outside the output folder"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn a_run_with_reviews_finds_the_entries_it_wrote_before_reading_them() {
    let dir = TempDir::new("cache-reviewed");
    let (corpus, codebook) = corpus(&dir);
    let (out, cache) = (dir.join("out"), dir.join("cache"));
    let review = dir.join("rita.csv");
    std::fs::write(
        &review,
        "unit_id,code_id,coder\nA-0002,keys.networking,rita\nB-0004,,rita\n",
    )
    .unwrap();
    let reviewed = ["--reviewed", review.to_str().unwrap()];
    // The reviews are read against the documents, which are then gone through
    // again: the second time from the pack this run is writing.
    assert_eq!(
        counts(&run(&corpus, &codebook, &out, Some(&cache), &reviewed)),
        (0, 3, 3, 3, 3)
    );
    same_as_fresh(&corpus, &codebook, &out, &dir, &reviewed);
}
