//! Bad inputs and broken outputs, one class at a time: the exact exit code and
//! message (file and line where one applies), and a previous `tamlil run` output
//! folder left byte for byte as it was.
//!
//! Exit codes are those of README.md: 65 bad data, 66 missing input, 73 cannot
//! create output, 74 reading or writing failed midway.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A copy of the tiny corpus (tests/fixtures/tiny) in `dir/corpus`.
fn tiny_corpus(dir: &TempDir) -> PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for f in ["a.txt", "b.txt", "c.txt", "manifest.csv"] {
        std::fs::copy(fixtures().join("tiny").join(f), corpus.join(f)).unwrap();
    }
    corpus
}

/// `tamlil run` on `corpus` with the tiny codebook into `out`, unless `extra` gives
/// its own `--codebook` or `--out`.
fn run(corpus: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let codebook = fixtures().join("tiny-codebook.toml");
    let mut args = vec!["run", "--corpus", corpus.to_str().unwrap()];
    if !extra.contains(&"--codebook") {
        args.extend(["--codebook", codebook.to_str().unwrap()]);
    }
    if !extra.contains(&"--out") {
        args.extend(["--out", out.to_str().unwrap()]);
    }
    args.extend(["--permutations", "99"]);
    args.extend_from_slice(extra);
    tamlil(&args)
}

/// A folder holding the outputs of a successful run, and their snapshot.
struct Previous {
    out: PathBuf,
    before: BTreeMap<String, Vec<u8>>,
}

impl Previous {
    fn new(dir: &TempDir) -> Previous {
        let out = dir.join("previous");
        let o = run(&fixtures().join("tiny"), &out, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        let before = snapshot(&out);
        assert!(before.contains_key("codings.csv") && before.contains_key("units.csv"));
        Previous { out, before }
    }

    /// Asserts the folder is byte for byte as it was, with no staging folder beside it.
    fn assert_untouched(&self) {
        assert_eq!(
            snapshot(&self.out),
            self.before,
            "the previous outputs changed"
        );
        let parent = self.out.parent().unwrap();
        for e in std::fs::read_dir(parent).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                !name.contains(".staging-"),
                "staging folder {name} left behind"
            );
        }
    }
}

/// Runs `tamlil run` into the previous outputs and checks the failure.
fn fails(
    prev: &Previous,
    corpus: &Path,
    extra: &[&str],
    code: i32,
    message: &str,
) -> std::process::Output {
    let o = run(corpus, &prev.out, extra);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert!(err.contains(message), "expected {message:?} in:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    prev.assert_untouched();
    o
}

#[test]
fn missing_corpus_folder_manifest_and_transcript() {
    let dir = TempDir::new("fm-missing");
    let prev = Previous::new(&dir);
    let nope = dir.join("nope");
    fails(
        &prev,
        &nope,
        &[],
        66,
        &format!(
            "tamlil: error: {}: corpus directory not found",
            nope.display()
        ),
    );
    let corpus = tiny_corpus(&dir);
    let m = dir.join("none.csv");
    fails(
        &prev,
        &corpus,
        &["--manifest", m.to_str().unwrap()],
        66,
        &format!("tamlil: error: {}: file not found", m.display()),
    );
    // A manifest row naming a transcript that is not there is a manifest error, on its line.
    std::fs::remove_file(corpus.join("b.txt")).unwrap();
    fails(
        &prev,
        &corpus,
        &[],
        65,
        &format!(
            "{}:3: file '{}' does not exist",
            corpus.join("manifest.csv").display(),
            corpus.join("b.txt").display()
        ),
    );
}

/// Whether a file with mode 000 can still be read (it can when running as root).
fn readable_despite_mode_000(p: &Path) -> bool {
    std::fs::read(p).is_ok()
}

#[test]
fn permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("fm-perm");
    let prev = Previous::new(&dir);
    let corpus = tiny_corpus(&dir);
    let b = corpus.join("b.txt");
    std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o000)).unwrap();
    if readable_despite_mode_000(&b) {
        println!("note: permission_denied skipped: a mode-000 file is readable (running as root)");
        return;
    }
    fails(
        &prev,
        &corpus,
        &[],
        66,
        &format!("tamlil: error: {}: permission denied", b.display()),
    );
}

#[test]
fn wrong_encoding_declared() {
    let dir = TempDir::new("fm-enc");
    let prev = Previous::new(&dir);
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let bytes = std::fs::read(fixtures().join("twin-1255.txt")).unwrap();
    std::fs::write(corpus.join("w.txt"), &bytes).unwrap();
    std::fs::copy(fixtures().join("twin.txt"), corpus.join("u.txt")).unwrap();

    // Windows-1255 declared UTF-8: the first invalid byte, found by the standard
    // library's own UTF-8 check, and its line.
    let bad = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
    let line = bytes[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
    assert_eq!(
        (bad, line),
        (0, 1),
        "twin-1255.txt starts with a Hebrew letter"
    );
    std::fs::write(
        corpus.join("manifest.csv"),
        "id,file,sector,encoding\nW,w.txt,public,utf-8\nU,u.txt,public,\n",
    )
    .unwrap();
    fails(
        &prev,
        &corpus,
        &[],
        65,
        &format!(
            "tamlil: error: {}:{line}: not valid UTF-8 (byte offset {bad}); if the file is Windows-1255, declare it in the manifest's encoding column",
            corpus.join("w.txt").display()
        ),
    );

    // UTF-8 declared Windows-1255 would garble every letter; it is refused at the
    // first non-ASCII byte. twin.txt line 1 is Hebrew.
    let u = std::fs::read(corpus.join("u.txt")).unwrap();
    let first = u.iter().position(|b| !b.is_ascii()).unwrap();
    let line = u[..first].iter().filter(|&&b| b == b'\n').count() + 1;
    std::fs::write(
        corpus.join("manifest.csv"),
        "id,file,sector,encoding\nW,w.txt,public,windows-1255\nU,u.txt,public,cp1255\n",
    )
    .unwrap();
    fails(
        &prev,
        &corpus,
        &[],
        65,
        &format!(
            "tamlil: error: {}:{line}: declared windows-1255, but the file is UTF-8 text; set its encoding to utf-8 or leave it empty",
            corpus.join("u.txt").display()
        ),
    );
}

#[test]
fn truncated_docx() {
    let dir = TempDir::new("fm-docx");
    let prev = Previous::new(&dir);
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let docx = std::fs::read(fixtures().join("twin.docx")).unwrap();
    std::fs::write(corpus.join("t.docx"), &docx[..docx.len() / 2]).unwrap();
    std::fs::write(
        corpus.join("manifest.csv"),
        "id,file,sector\nT,t.docx,public\n",
    )
    .unwrap();
    fails(
        &prev,
        &corpus,
        &[],
        65,
        &format!(
            "tamlil: error: {}: not a valid .docx file (it is not a readable zip archive: ",
            corpus.join("t.docx").display()
        ),
    );
    // Cut inside the last part instead: the archive directory is gone either way, so
    // any cut short of the whole file is refused the same way.
    std::fs::write(corpus.join("t.docx"), &docx[..docx.len() - 1]).unwrap();
    fails(
        &prev,
        &corpus,
        &[],
        65,
        "t.docx: not a valid .docx file (it is not a readable zip archive: ",
    );
}

#[test]
fn manifest_with_duplicate_and_missing_ids() {
    let dir = TempDir::new("fm-ids");
    let prev = Previous::new(&dir);
    let corpus = tiny_corpus(&dir);
    let m = corpus.join("manifest.csv");
    std::fs::write(
        &m,
        "id,file,sector\nA,a.txt,public\nA,b.txt,business\n,c.txt,public\n",
    )
    .unwrap();
    let o = fails(
        &prev,
        &corpus,
        &[],
        65,
        &format!(
            "tamlil: error: 2 problems found:\n  {0}:3: duplicate id 'A' (first on line 2)\n  {0}:4: empty required field 'id'\n",
            m.display()
        ),
    );
    assert_eq!(stderr(&o).lines().count(), 3, "{}", stderr(&o));
    // No id column at all.
    std::fs::write(&m, "file,sector\na.txt,public\n").unwrap();
    fails(
        &prev,
        &corpus,
        &[],
        65,
        &format!(
            "{}:1: required column 'id' is missing (header: file,sector)",
            m.display()
        ),
    );
}

#[test]
fn codebook_with_a_parent_cycle_or_an_unknown_parent() {
    let dir = TempDir::new("fm-codebook");
    let prev = Previous::new(&dir);
    let cb = dir.write(
        "cycle.toml",
        "[[code]]\nid = \"a.p\"\nparent = \"a.q\"\nterms = [\"ידע\"]\n\n\
         [[code]]\nid = \"a.q\"\nparent = \"a.p\"\nterms = [\"קשרים\"]\n",
    );
    // The cycle is reported at the first code's [[code]] line (line 1).
    fails(
        &prev,
        &fixtures().join("tiny"),
        &["--codebook", cb.to_str().unwrap()],
        65,
        &format!(
            "tamlil: error: 1 problem found:\n  {}:1: parent cycle: a.p -> a.q -> a.p",
            cb.display()
        ),
    );
    let cb = dir.write(
        "orphan.toml",
        "[[code]]\nid = \"a.x\"\nterms = [\"ידע\"]\n\n\
         [[code]]\nid = \"a.y\"\nparent = \"a.nothing\"\nterms = [\"קשרים\"]\n",
    );
    fails(
        &prev,
        &fixtures().join("tiny"),
        &["--codebook", cb.to_str().unwrap()],
        65,
        &format!(
            "tamlil: error: 1 problem found:\n  {}:5: code a.y: unknown parent \"a.nothing\"",
            cb.display()
        ),
    );
}

#[test]
fn output_folder_cannot_be_created() {
    let dir = TempDir::new("fm-out");
    let prev = Previous::new(&dir);
    // The parent of --out is a file: not a folder, whoever runs it.
    let file = dir.write("plain", "x");
    let out = file.join("out");
    fails(
        &prev,
        &fixtures().join("tiny"),
        &["--out", out.to_str().unwrap()],
        73,
        &format!("tamlil: error: {}: cannot create: ", file.display()),
    );
    let o = tamlil(&[
        "segment",
        "--corpus",
        fixtures().join("tiny").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(73), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "tamlil: error: {}: cannot create: ",
            out.display()
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn output_folder_that_is_not_a_previous_output_is_kept() {
    let dir = TempDir::new("fm-not-output");
    let corpus = tiny_corpus(&dir);
    std::fs::write(corpus.join("notes.txt"), "my notes").unwrap();
    let before = snapshot(&corpus);
    // --out the corpus itself: a non-empty folder without run.json.
    let o = run(&corpus, &corpus, &[]);
    assert_eq!(o.status.code(), Some(73), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "tamlil: error: {}: is not empty and holds no run.json, so it is not a previous output; refusing to replace it (choose a new or empty output folder)\n",
            corpus.display()
        )
    );
    assert_eq!(snapshot(&corpus), before, "the corpus folder changed");
    // --out an existing file.
    let file = dir.write("report.html", "mine");
    let o = run(&corpus, &file, &[]);
    assert_eq!(o.status.code(), Some(73), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "tamlil: error: {}: exists and is not a folder; refusing to replace it (choose a new or empty output folder)\n",
            file.display()
        )
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
    // Nothing else appeared beside them.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["corpus", "report.html"]);
    // An empty folder is filled.
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = run(&corpus, &empty, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(empty.join("run.json").is_file());
}

#[test]
fn read_only_output_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("fm-ro");
    let ro = dir.join("ro");
    std::fs::create_dir_all(&ro).unwrap();
    let out = ro.join("out");
    let o = run(&fixtures().join("tiny"), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&out);
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = ro.join("probe");
    let writable = std::fs::write(&probe, "x").is_ok();
    if writable {
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
        println!(
            "note: read_only_output_directory skipped: a mode-555 folder is writable (running as root)"
        );
        return;
    }
    let o = run(&fixtures().join("tiny"), &out, &[]);
    let o2 = tamlil(&[
        "segment",
        "--corpus",
        fixtures().join("tiny").to_str().unwrap(),
        "--out",
        ro.join("units.csv").to_str().unwrap(),
    ]);
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(o.status.code(), Some(73), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "tamlil: error: {}: cannot create: ",
            out.display()
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(o2.status.code(), Some(73), "{}", stderr(&o2));
    assert!(
        stderr(&o2).contains(&format!(
            "tamlil: error: {}: cannot create: ",
            ro.join("units.csv").display()
        )),
        "{}",
        stderr(&o2)
    );
    assert_eq!(snapshot(&out), before);
}

/// Whether `p` is a character device (so /dev/full was not replaced by a file).
fn is_char_device(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(p).is_ok_and(|m| m.file_type().is_char_device())
}

#[test]
fn disk_full() {
    let full = Path::new("/dev/full");
    if !is_char_device(full) {
        println!("note: disk_full skipped: no /dev/full on this system");
        return;
    }
    let dir = TempDir::new("fm-full");
    let prev = Previous::new(&dir);
    // Writing to /dev/full fails with ENOSPC, as a full disk does. The small tiny
    // corpus fails when the file is flushed at the end; the sample corpus (units.csv
    // of several hundred KB) fails midway, while rows are written.
    for corpus in [fixtures().join("tiny"), sample()] {
        let o = tamlil(&[
            "segment",
            "--corpus",
            corpus.to_str().unwrap(),
            "--out",
            "/dev/full",
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(74), "{}: {err}", corpus.display());
        assert!(
            err.starts_with(
                "tamlil: error: /dev/full: cannot write: No space left on device (os error 28)"
            ),
            "{err}"
        );
        assert!(is_char_device(full), "/dev/full was replaced");
    }
    let names: Vec<String> = std::fs::read_dir("/dev")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".full.tmp-"))
        .collect();
    assert!(names.is_empty(), "temporary files in /dev: {names:?}");
    prev.assert_untouched();
}

#[test]
fn outputs_to_a_pipe_or_through_a_link_keep_the_pipe_and_the_link() {
    let dir = TempDir::new("fm-special");
    let tiny = fixtures().join("tiny");
    // Reference: the units written to a plain file.
    let plain = dir.join("plain.csv");
    let o = tamlil(&[
        "segment",
        "--corpus",
        tiny.to_str().unwrap(),
        "--out",
        plain.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expect = std::fs::read(&plain).unwrap();
    assert!(
        expect.starts_with(b"unit_id,doc_id,turn,speaker,role,start,end,n_words,text,sector\n")
    );

    // A symbolic link: the file it points to gets the units, the link stays a link.
    let target = dir.join("real.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = tamlil(&[
        "segment",
        "--corpus",
        tiny.to_str().unwrap(),
        "--out",
        link.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).unwrap(), expect);

    // A named pipe: a reader gets the units, the pipe stays a pipe.
    let fifo = dir.join("units.fifo");
    let st = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !st.is_ok_and(|s| s.success()) {
        println!("note: the named-pipe case skipped: mkfifo is not available");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let o = tamlil(&[
        "segment",
        "--corpus",
        tiny.to_str().unwrap(),
        "--out",
        fifo.to_str().unwrap(),
    ]);
    if !o.status.success() {
        // Let the reader go before failing, so the test cannot hang.
        let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
    }
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(reader.join().unwrap(), expect);
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}
