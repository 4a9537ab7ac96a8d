//! Names to pseudonymise: loading them (manifest column, names file) and finding them in text.
//!
//! A name is matched on the folded tokens of [`crate::text::normalize`] (niqqud,
//! directional marks and final letters do not matter; Latin is lower-cased), as
//! whole words: the first word may carry a valid chain of the clitic prefixes
//! ו ה ב כ ל מ ש (`לרונית`, `ושרונית`), which stays outside the placeholder; the
//! other words of a multi-word name follow with only spaces or hyphens between.
//! A name is never found inside a longer word (`רון` is not in `אהרון` or `רונית`).

use crate::corpus::Manifest;
use crate::error::{ErrorList, InputError};
use crate::text::normalize::{
    CLITICS, Fold, MIN_STEM_LETTERS, Tokens, fold_char, folded_words, is_clitic_chain,
};
use std::collections::HashMap;
use std::path::Path;

/// What a listed name names; decides the placeholder (`[שם-1]`, `[מקום-1]`, `[ארגון-1]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NameKind {
    /// A person (the default).
    #[default]
    Person,
    /// A place: a town, a neighbourhood, a village.
    Place,
    /// An organisation: an employer, a clinic, an NGO.
    Org,
}

impl NameKind {
    /// Parses a kind as written in a names file: `person`/`name`/`שם`/`אדם`,
    /// `place`/`מקום`/`יישוב`, `org`/`organisation`/`organization`/`ארגון`.
    pub fn parse(s: &str) -> Option<NameKind> {
        match s.trim().to_lowercase().as_str() {
            "" | "person" | "name" | "שם" | "אדם" => Some(NameKind::Person),
            "place" | "location" | "מקום" | "יישוב" | "ישוב" => Some(NameKind::Place),
            "org" | "organisation" | "organization" | "ארגון" => Some(NameKind::Org),
            _ => None,
        }
    }
}

/// One name to pseudonymise, with the other spellings of the same name: every form
/// gets the same placeholder (`רונית כהן|רונית|כהן`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameEntry {
    /// The spellings, the first one canonical (it names the entry in the mapping).
    pub forms: Vec<String>,
    pub kind: NameKind,
}

impl NameEntry {
    /// An entry from `name`, whose `|`-separated parts are spellings of one name.
    pub fn new(name: &str, kind: NameKind) -> NameEntry {
        NameEntry {
            forms: name
                .split('|')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            kind,
        }
    }

    /// The person names of a manifest field: `;`-separated names, each with
    /// `|`-separated spellings (`רונית כהן|רונית; משה`).
    pub fn parse_field(field: &str) -> Vec<NameEntry> {
        field
            .split(';')
            .map(|n| NameEntry::new(n, NameKind::Person))
            .filter(|e| !e.forms.is_empty())
            .collect()
    }
}

/// Reads a names file: one name a line, optionally `name,kind` (see
/// [`NameKind::parse`]), spellings of one name separated by `|`. Blank lines, lines
/// starting with `#` and a header line `name` or `name,kind` are skipped. The text
/// encoding is detected as for transcripts (UTF-8 or Windows-1255).
pub fn read_names_file(path: &Path) -> anyhow::Result<Vec<NameEntry>> {
    let bytes = std::fs::read(path).map_err(|e| InputError::open(path, &e))?;
    let (text, _) = crate::corpus::decode::decode_text(path, &bytes, None)?;
    parse_names(path, &text)
}

/// Parses the text of a names file read from `path` (see [`read_names_file`]).
/// Every bad line is reported at once.
pub fn parse_names(path: &Path, text: &str) -> anyhow::Result<Vec<NameEntry>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{FEFF}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if i == 0 && matches!(line.to_lowercase().as_str(), "name" | "name,kind") {
            continue;
        }
        let (name, kind) = match line.rsplit_once(',') {
            Some((n, k)) => match NameKind::parse(k) {
                Some(kind) => (n, kind),
                None => {
                    errors.push(InputError::at(
                        path,
                        i + 1,
                        format!(
                            "unknown name kind '{}' (use person, place or org)",
                            k.trim()
                        ),
                    ));
                    continue;
                }
            },
            None => (line, NameKind::Person),
        };
        let entry = NameEntry::new(name, kind);
        if entry.forms.is_empty() {
            errors.push(InputError::at(path, i + 1, "empty name"));
            continue;
        }
        out.push(entry);
    }
    if !errors.is_empty() {
        return Err(ErrorList(errors).into());
    }
    Ok(out)
}

/// The person names of the manifest column `column` (e.g. `names`), in manifest order.
/// Names listed for one interview are looked for in every interview.
pub fn names_from_manifest(
    manifest: &Manifest,
    column: &str,
) -> Result<Vec<NameEntry>, InputError> {
    let Some(col) = manifest.attribute_index(column) else {
        let path = manifest
            .path
            .clone()
            .unwrap_or_else(|| Path::new("manifest.csv").to_path_buf());
        return Err(InputError::file(
            &path,
            format!("the manifest has no column '{column}' for the names to redact"),
        ));
    };
    Ok(manifest
        .entries
        .iter()
        .flat_map(|e| NameEntry::parse_field(&e.attrs[col]))
        .collect())
}

/// One name group: the spellings that share a placeholder.
#[derive(Debug, Clone)]
pub(crate) struct NameGroup {
    pub kind: NameKind,
    /// The canonical spelling (as listed).
    pub canonical: String,
}

/// One spelling, indexed by its first folded word.
#[derive(Debug, Clone)]
struct NameForm {
    /// The folded words after the first.
    rest: Vec<String>,
    group: u32,
}

/// A name found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NameHit {
    pub byte_start: usize,
    pub byte_end: usize,
    pub group: u32,
}

/// The listed names, ready for matching.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameMatcher {
    by_first: HashMap<String, Vec<NameForm>>,
    pub groups: Vec<NameGroup>,
}

impl NameMatcher {
    /// Builds the matcher. Entries that share a spelling (after folding) are one
    /// name; the first entry gives the kind and the canonical spelling. Spellings
    /// with fewer than two letters are ignored (they would match everywhere).
    pub fn new(entries: &[NameEntry]) -> NameMatcher {
        // Union-find over entries sharing a folded spelling.
        let mut parent: Vec<usize> = (0..entries.len()).collect();
        fn find(p: &mut [usize], mut i: usize) -> usize {
            while p[i] != i {
                p[i] = p[p[i]];
                i = p[i];
            }
            i
        }
        let mut owner: HashMap<Vec<String>, usize> = HashMap::new();
        let mut folded: Vec<Vec<Vec<String>>> = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let mut forms = Vec::new();
            for f in &e.forms {
                let words = folded_words(f);
                if words.iter().map(|w| w.chars().count()).sum::<usize>() < MIN_STEM_LETTERS {
                    continue;
                }
                match owner.get(&words) {
                    Some(&j) => {
                        let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                        // The earlier entry stays the root: it gives kind and canonical form.
                        let (lo, hi) = (a.min(b), a.max(b));
                        parent[hi] = lo;
                    }
                    None => {
                        owner.insert(words.clone(), i);
                    }
                }
                forms.push(words);
            }
            folded.push(forms);
        }
        let mut group_of_root: HashMap<usize, u32> = HashMap::new();
        let mut m = NameMatcher::default();
        let mut seen: HashMap<Vec<String>, ()> = HashMap::new();
        for (i, forms) in folded.into_iter().enumerate() {
            if forms.is_empty() {
                continue;
            }
            let root = find(&mut parent, i);
            let group = *group_of_root.entry(root).or_insert_with(|| {
                m.groups.push(NameGroup {
                    kind: entries[root].kind,
                    canonical: entries[root].forms[0].clone(),
                });
                (m.groups.len() - 1) as u32
            });
            for words in forms {
                if seen.insert(words.clone(), ()).is_some() {
                    continue;
                }
                let mut it = words.into_iter();
                let first = it.next().unwrap_or_default();
                m.by_first.entry(first).or_default().push(NameForm {
                    rest: it.collect(),
                    group,
                });
            }
        }
        // Longest spelling first, so `רונית כהן` wins over `רונית`.
        for forms in m.by_first.values_mut() {
            forms.sort_by_key(|f| std::cmp::Reverse(f.rest.len()));
        }
        m
    }

    /// Whether no names are listed.
    pub fn is_empty(&self) -> bool {
        self.by_first.is_empty()
    }

    /// Appends the names found among `toks` (the tokens of `text`) to `out`;
    /// `blocked(byte_start, byte_end)` says whether a span may not be matched.
    pub fn find(
        &self,
        text: &str,
        toks: &Tokens,
        blocked: impl Fn(usize, usize) -> bool,
        out: &mut Vec<NameHit>,
    ) {
        if self.is_empty() {
            return;
        }
        let tokens = toks.tokens();
        for i in 0..tokens.len() {
            let word = toks.text(i);
            let mut hit = None;
            stems(word, |chain_letters, stem| {
                if hit.is_some() {
                    return;
                }
                let Some(forms) = self.by_first.get(stem) else {
                    return;
                };
                for f in forms {
                    let last = i + f.rest.len();
                    if last >= tokens.len() {
                        continue;
                    }
                    let ok = f.rest.iter().enumerate().all(|(k, w)| {
                        let j = i + 1 + k;
                        !tokens[j].break_before && toks.text(j) == w
                    });
                    if ok {
                        hit = Some((chain_letters, last, f.group));
                        return;
                    }
                }
            });
            if let Some((chain_letters, last, group)) = hit {
                let byte_start = after_letters(text, tokens[i].byte_start as usize, chain_letters);
                let byte_end = tokens[last].byte_end as usize;
                if !blocked(byte_start, byte_end) {
                    out.push(NameHit {
                        byte_start,
                        byte_end,
                        group,
                    });
                }
            }
        }
    }
}

/// Calls `f(chain_letters, stem)` for `word` itself and for what is left after each
/// valid clitic chain, shortest chain first, when at least [`MIN_STEM_LETTERS`]
/// letters remain. A stem spelled with a doubled ו (`לוורד`) is also tried with
/// one (`ורד`); the placeholder then covers both. Allocation-free.
pub(crate) fn stems(word: &str, mut f: impl FnMut(usize, &str)) {
    let total = word.chars().count();
    let mut chain_letters = 0;
    let mut at = 0;
    loop {
        let stem = &word[at..];
        if total - chain_letters < MIN_STEM_LETTERS {
            break;
        }
        if chain_letters == 0 || is_clitic_chain(&word[..at]) {
            f(chain_letters, stem);
            if stem.starts_with("וו") && total - chain_letters > MIN_STEM_LETTERS {
                f(chain_letters, &stem['ו'.len_utf8()..]);
            }
        }
        match stem.chars().next() {
            Some(c) if CLITICS.contains(&c) && chain_letters < 6 => {
                chain_letters += 1;
                at += c.len_utf8();
            }
            _ => break,
        }
    }
}

/// The byte offset in `text` after the first `letters` letters from `byte_start`
/// and the marks (niqqud, directional marks) that follow them.
pub(crate) fn after_letters(text: &str, byte_start: usize, letters: usize) -> usize {
    if letters == 0 {
        return byte_start;
    }
    let mut seen = 0;
    for (i, c) in text[byte_start..].char_indices() {
        match fold_char(c) {
            Fold::Letter(_) => {
                if seen == letters {
                    return byte_start + i;
                }
                seen += 1;
            }
            Fold::Skip => {}
            _ => return byte_start + i,
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_stems(word: &str) -> Vec<(usize, String)> {
        let mut v = Vec::new();
        stems(word, |n, s| v.push((n, s.to_string())));
        v
    }

    #[test]
    fn stems_shortest_chain_first() {
        assert_eq!(
            all_stems("ושרונית"),
            [
                (0, "ושרונית".to_string()),
                (1, "שרונית".to_string()),
                (2, "רונית".to_string())
            ]
        );
        // ה is a chain, הב is not: הברק yields ברק but never רק.
        assert_eq!(all_stems("הברק"), [(0, "הברק".into()), (1, "ברק".into())]);
        // Doubled vav after a prefix.
        assert!(all_stems("לוורד").contains(&(1, "ורד".to_string())));
    }

    #[test]
    fn after_letters_skips_niqqud_of_the_prefix() {
        // לְרוֹנִית: ל, sheva (U+05B0), then the name.
        let t = "לְרוֹנִית";
        let b = after_letters(t, 0, 1);
        assert_eq!(&t[b..], "רוֹנִית");
        assert_eq!(after_letters(t, 0, 0), 0);
    }

    #[test]
    fn names_file_kinds_aliases_and_errors() {
        let p = Path::new("names.txt");
        let got = parse_names(
            p,
            "name,kind\n# comment\nרונית כהן|רונית\n\nרעננה,place\nעמותת אור, org\n",
        )
        .unwrap();
        assert_eq!(
            got,
            [
                NameEntry {
                    forms: vec!["רונית כהן".into(), "רונית".into()],
                    kind: NameKind::Person
                },
                NameEntry {
                    forms: vec!["רעננה".into()],
                    kind: NameKind::Place
                },
                NameEntry {
                    forms: vec!["עמותת אור".into()],
                    kind: NameKind::Org
                },
            ]
        );
        let err = parse_names(p, "משה\nדנה,cat\n").unwrap_err().to_string();
        assert!(
            err.contains("names.txt:2") && err.contains("'cat'"),
            "{err}"
        );
    }

    #[test]
    fn manifest_field_splits_names_and_spellings() {
        assert_eq!(
            NameEntry::parse_field(" רונית כהן|רונית ; משה ;;"),
            [
                NameEntry {
                    forms: vec!["רונית כהן".into(), "רונית".into()],
                    kind: NameKind::Person
                },
                NameEntry {
                    forms: vec!["משה".into()],
                    kind: NameKind::Person
                },
            ]
        );
    }

    #[test]
    fn shared_spelling_merges_entries() {
        let m = NameMatcher::new(&[
            NameEntry::new("רונית כהן|רונית", NameKind::Person),
            NameEntry::new("רוֹנִית", NameKind::Person),
            NameEntry::new("משה", NameKind::Person),
            NameEntry::new("א", NameKind::Person),
        ]);
        assert_eq!(m.groups.len(), 2);
        assert_eq!(m.groups[0].canonical, "רונית כהן");
        assert_eq!(m.groups[1].canonical, "משה");
    }
}
