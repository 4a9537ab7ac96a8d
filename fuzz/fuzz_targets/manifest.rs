//! Fuzzes `corpus::Manifest::parse` against a small corpus folder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tamlil::corpus::Manifest;
use tamlil::error::{ErrorList, InputError};

fn corpus() -> &'static PathBuf {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("tamlil-fuzz-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        for f in ["a.txt", "b.txt", "c.docx", "P01_welfare.txt", "A.txt"] {
            std::fs::write(d.join(f), "ש: מה?\nת: כן.\n").unwrap();
        }
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // As `Manifest::read` passes it: decoded, line ends normalised (csv counts lines
    // by LF only, so a lone CR would otherwise shift every line number).
    let text = &tamlil::corpus::decode::normalize_line_ends(text.to_string());
    let path = Path::new("manifest.csv");
    match Manifest::parse(path, text, corpus()) {
        Ok(m) => {
            assert!(!m.entries.is_empty());
            let mut ids = std::collections::HashSet::new();
            let lines = text.lines().count().max(1);
            for e in &m.entries {
                assert!(ids.insert(e.id.clone()), "duplicate id {}", e.id);
                assert!(!e.id.is_empty());
                assert_eq!(e.attrs.len(), m.attributes.len());
                assert!(
                    e.line >= 2 && e.line <= lines + 1,
                    "line {} of {lines}",
                    e.line
                );
                assert!(e.path.is_file());
            }
        }
        Err(err) => {
            let located: Vec<&InputError> = match err.downcast_ref::<ErrorList>() {
                Some(list) => {
                    assert!(!list.0.is_empty(), "an empty error list");
                    list.0.iter().collect()
                }
                None => vec![
                    err.downcast_ref::<InputError>()
                        .expect("manifest errors are located"),
                ],
            };
            for e in located {
                assert_eq!(e.path, path);
                let _ = e.to_string();
            }
            assert_eq!(tamlil::error::exit_code(&err), 65);
        }
    }
});
