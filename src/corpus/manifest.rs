//! The corpus manifest: one row per interview with its file and attributes, validated.

use super::decode::TextEncoding;
use crate::error::{ErrorList, InputError};
use anyhow::Result;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Columns with a meaning of their own; every other column is a document attribute.
const ID: &str = "id";
const FILE: &str = "file";
const ENCODING: &str = "encoding";
const INTERVIEWER: &str = "interviewer";
/// Attribute columns whose values must be booleans.
const BOOLEAN_COLUMNS: &[&str] = &["group_interview"];

/// One interview listed in the manifest.
#[derive(Debug, Clone)]
pub struct Entry {
    /// 1-based line of the row in the manifest (0 when there is no manifest).
    pub line: usize,
    pub id: String,
    /// The transcript's path (resolved against the corpus directory).
    pub path: PathBuf,
    /// The declared text encoding, if any.
    pub encoding: Option<TextEncoding>,
    /// Extra speaker labels that mark the interviewer in this transcript.
    pub interviewer_labels: Vec<String>,
    /// Attribute values, aligned with [`Manifest::attributes`].
    pub attrs: Vec<String>,
}

/// A validated manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Where it was read from (None when built from a directory listing).
    pub path: Option<PathBuf>,
    /// Attribute column names in file order (all columns but id, file, encoding, interviewer).
    pub attributes: Vec<String>,
    pub entries: Vec<Entry>,
}

impl Manifest {
    /// The index of attribute `name`, if the manifest has it.
    pub fn attribute_index(&self, name: &str) -> Option<usize> {
        self.attributes.iter().position(|a| a == name)
    }

    /// Takes attribute `name` out of the manifest (it is no longer written to any
    /// output or offered to `--by`) and returns its values in entry order.
    pub fn remove_attribute(&mut self, name: &str) -> Option<Vec<String>> {
        let i = self.attribute_index(name)?;
        self.attributes.remove(i);
        Some(self.entries.iter_mut().map(|e| e.attrs.remove(i)).collect())
    }

    /// Reads and validates a manifest CSV; files are resolved against `corpus_dir`.
    /// Every problem found is reported at once, each with its line.
    pub fn read(path: &Path, corpus_dir: &Path) -> Result<Manifest> {
        let bytes = std::fs::read(path).map_err(|e| InputError::open(path, &e))?;
        let (text, _) = super::decode::decode_text(path, &bytes, None)?;
        Self::parse(path, &text, corpus_dir)
    }

    /// Validates manifest text already read from `path`.
    pub fn parse(path: &Path, text: &str, corpus_dir: &Path) -> Result<Manifest> {
        let mut errors = Vec::new();
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = match rdr.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
            Err(e) => {
                return Err(InputError::at(path, 1, format!("cannot read header: {e}")).into());
            }
        };
        if headers.iter().all(|h| h.is_empty()) {
            return Err(InputError::at(path, 1, "the manifest is empty (no header row)").into());
        }
        let mut seen = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            if h.is_empty() {
                errors.push(InputError::at(
                    path,
                    1,
                    format!("column {} has no name", i + 1),
                ));
            } else if let Some(prev) = seen.insert(h.as_str(), i) {
                errors.push(InputError::at(
                    path,
                    1,
                    format!(
                        "column '{h}' appears twice (columns {} and {})",
                        prev + 1,
                        i + 1
                    ),
                ));
            }
        }
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (id_col, file_col) = (col(ID), col(FILE));
        for (name, c) in [(ID, id_col), (FILE, file_col)] {
            if c.is_none() {
                errors.push(InputError::at(
                    path,
                    1,
                    format!(
                        "required column '{name}' is missing (header: {})",
                        headers.join(",")
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(ErrorList(errors).into());
        }
        let (id_col, file_col) = (id_col.unwrap(), file_col.unwrap());
        let enc_col = col(ENCODING);
        let int_col = col(INTERVIEWER);
        let attr_cols: Vec<usize> = (0..headers.len())
            .filter(|&i| Some(i) != enc_col && Some(i) != int_col && i != id_col && i != file_col)
            .collect();
        let attributes: Vec<String> = attr_cols.iter().map(|&i| headers[i].clone()).collect();

        let mut entries = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        for rec in rdr.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                    errors.push(InputError::at(path, line, format!("malformed row: {e}")));
                    continue;
                }
            };
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if rec.len() != headers.len() {
                errors.push(InputError::at(
                    path,
                    line,
                    format!(
                        "row has {} fields, the header has {}",
                        rec.len(),
                        headers.len()
                    ),
                ));
                continue;
            }
            let field = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
            let id = field(id_col);
            let file = field(file_col);
            let mut ok = true;
            for (name, v) in [(ID, &id), (FILE, &file)] {
                if v.is_empty() {
                    errors.push(InputError::at(
                        path,
                        line,
                        format!("empty required field '{name}'"),
                    ));
                    ok = false;
                }
            }
            if !id.is_empty() {
                if let Some(prev) = ids.insert(id.clone(), line) {
                    errors.push(InputError::at(
                        path,
                        line,
                        format!("duplicate id '{id}' (first on line {prev})"),
                    ));
                    ok = false;
                }
                if id
                    .chars()
                    .any(|c| c.is_control() || c == ',' || c.is_whitespace())
                {
                    errors.push(InputError::at(
                        path,
                        line,
                        format!("id '{id}' contains spaces, commas or control characters"),
                    ));
                    ok = false;
                }
            }
            let encoding = match enc_col.map(field).filter(|v| !v.is_empty()) {
                None => None,
                Some(label) => match TextEncoding::from_label(&label) {
                    Some(e) => Some(e),
                    None => {
                        errors.push(InputError::at(
                            path,
                            line,
                            format!("unknown encoding '{label}' (use utf-8 or windows-1255)"),
                        ));
                        ok = false;
                        None
                    }
                },
            };
            let interviewer_labels = int_col
                .map(field)
                .map(|v| {
                    v.split(';')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let attrs: Vec<String> = attr_cols.iter().map(|&i| field(i)).collect();
            for (name, v) in attributes.iter().zip(&attrs) {
                if BOOLEAN_COLUMNS.contains(&name.as_str()) && parse_bool(v).is_none() {
                    errors.push(InputError::at(
                        path,
                        line,
                        format!("column '{name}' must be true or false, found '{v}'"),
                    ));
                    ok = false;
                }
            }
            let resolved = corpus_dir.join(&file);
            if !file.is_empty() && !resolved.is_file() {
                errors.push(InputError::at(
                    path,
                    line,
                    format!("file '{}' does not exist", resolved.display()),
                ));
                ok = false;
            }
            if ok {
                entries.push(Entry {
                    line,
                    id,
                    path: resolved,
                    encoding,
                    interviewer_labels,
                    attrs,
                });
            }
        }
        if !errors.is_empty() {
            return Err(ErrorList(errors).into());
        }
        if entries.is_empty() {
            return Err(InputError::file(path, "the manifest lists no interviews").into());
        }
        Ok(Manifest {
            path: Some(path.to_path_buf()),
            attributes,
            entries,
        })
    }

    /// A manifest for a directory without one: every .txt and .docx file, id = file stem.
    pub fn from_dir(dir: &Path) -> Result<Manifest> {
        let read = std::fs::read_dir(dir).map_err(|e| InputError::open(dir, &e))?;
        let mut files: Vec<PathBuf> = read
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(
                        p.extension()
                            .and_then(|e| e.to_str())
                            .map(|e| e.to_ascii_lowercase())
                            .as_deref(),
                        Some("txt") | Some("docx")
                    )
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(
                InputError::file(dir, "no .txt or .docx transcripts in this directory").into(),
            );
        }
        let mut ids = HashMap::new();
        let mut entries = Vec::new();
        for p in files {
            let id = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if let Some(prev) = ids.insert(id.clone(), p.clone()) {
                return Err(InputError::file(
                    &p,
                    format!(
                        "two transcripts share the id '{id}' (also {}); add a manifest",
                        prev.display()
                    ),
                )
                .into());
            }
            entries.push(Entry {
                line: 0,
                id,
                path: p,
                encoding: None,
                interviewer_labels: Vec::new(),
                attrs: Vec::new(),
            });
        }
        Ok(Manifest {
            path: None,
            attributes: Vec::new(),
            entries,
        })
    }
}

/// Parses the boolean spellings accepted in manifests.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "כן" => Some(true),
        "false" | "no" | "0" | "לא" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("tamlil-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("a.txt"), "ש: מה?\nת: כן.\n").unwrap();
        std::fs::write(d.join("b.txt"), "ש: מה?\nת: כן.\n").unwrap();
        d
    }

    fn errors(text: &str) -> Vec<String> {
        let err = Manifest::parse(Path::new("m.csv"), text, &dir()).unwrap_err();
        let list = err.downcast::<ErrorList>().unwrap();
        list.0.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn valid_manifest() {
        let m = Manifest::parse(
            Path::new("m.csv"),
            "id,file,sector,interviewer,encoding\nA,a.txt,public,ענבל;רוני,cp1255\nB,b.txt,third,,\n",
            &dir(),
        )
        .unwrap();
        assert_eq!(m.attributes, vec!["sector"]);
        assert_eq!(m.entries.len(), 2);
        assert_eq!(m.entries[0].interviewer_labels, vec!["ענבל", "רוני"]);
        assert_eq!(m.entries[0].encoding, Some(TextEncoding::Windows1255));
        assert_eq!(m.entries[1].line, 3);
        assert_eq!(m.entries[1].attrs, vec!["third"]);
    }

    #[test]
    fn every_problem_with_its_line() {
        let e = errors(
            "id,file,sector,group_interview,encoding\nA,a.txt,public,true,\nA,b.txt,public,false,\nC,,x,false,\nD,missing.txt,x,maybe,latin9x\n",
        );
        assert_eq!(
            e,
            vec![
                "m.csv:3: duplicate id 'A' (first on line 2)".to_string(),
                "m.csv:4: empty required field 'file'".to_string(),
                "m.csv:5: unknown encoding 'latin9x' (use utf-8 or windows-1255)".to_string(),
                "m.csv:5: column 'group_interview' must be true or false, found 'maybe'"
                    .to_string(),
                format!(
                    "m.csv:5: file '{}' does not exist",
                    dir().join("missing.txt").display()
                ),
            ]
        );
    }

    #[test]
    fn bad_header() {
        let e = errors("id,,sector,sector\nA,a.txt,x,y\n");
        assert_eq!(e[0], "m.csv:1: column 2 has no name");
        assert_eq!(
            e[1],
            "m.csv:1: column 'sector' appears twice (columns 3 and 4)"
        );
        assert!(e[2].starts_with("m.csv:1: required column 'file' is missing"));
    }

    #[test]
    fn ragged_row() {
        let e = errors("id,file,sector\nA,a.txt\n");
        assert_eq!(e, vec!["m.csv:2: row has 2 fields, the header has 3"]);
    }
}
