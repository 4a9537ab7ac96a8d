//! Helpers shared by the command-line tests: temporary folders and running the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh, empty temporary folder, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "tamlil-test-{}-{}-{:?}",
            name,
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, content).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The test fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The project's sample corpus.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample")
}

/// Runs the tamlil binary with `args`.
pub fn tamlil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tamlil"))
        .args(args)
        .output()
        .expect("run tamlil")
}

/// `tamlil code --units UNITS --codebook CODEBOOK --out OUT`.
pub fn code_with(units: &Path, codebook: &Path, out: &Path) -> Output {
    tamlil(&[
        "code",
        "--units",
        units.to_str().unwrap(),
        "--codebook",
        codebook.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Reads a CSV into header-keyed rows.
pub fn read_csv(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Every file under `dir` (recursively), in no particular order.
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Every file under `dir`, relative path -> bytes.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    files_in(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p.strip_prefix(dir).unwrap().display().to_string(), bytes)
        })
        .collect()
}

/// Runs `tamlil run` on `corpus` with `codebook` into `out`, with few permutations
/// (99) so tests stay fast, then `extra`.
pub fn run_quick(corpus: &Path, codebook: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--corpus",
        corpus.to_str().unwrap(),
        "--codebook",
        codebook.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--permutations",
        "99",
    ];
    args.extend_from_slice(extra);
    tamlil(&args)
}
