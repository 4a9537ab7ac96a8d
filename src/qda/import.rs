//! Reading human codings back from a REFI-QDA project (.qdpx) and mapping them onto tamlil's units.
//!
//! A `.qdpx` written by tamlil, MAXQDA, ATLAS.ti or NVivo is a zip with
//! `project.qde` (XML) and `sources/` (one plain-text file per text source). Only
//! these entries are read, by name: nothing is extracted, so entry names cannot
//! reach the file system, and each entry is refused past [`MAX_ENTRY_BYTES`]
//! decompressed. The XML parser expands no DTD entities.
//!
//! How the project is mapped onto the units of a units table:
//!
//! - **Sources to documents.** A `TextSource` belongs to the document whose id is,
//!   in this order: the one whose tamlil GUID it carries (tamlil's own export),
//!   its `name`, its `name` without a file extension (`A.txt`), the stem of its
//!   `plainTextPath` file, or (when only one document fits) the name's stem with
//!   letter case ignored (`a.txt`). Sources that match no document are reported and skipped;
//!   documents without a source are missing data (not compared).
//! - **Units in the source.** Selection positions are character offsets (Unicode
//!   scalar values) in the source's plain text. When the project holds that text
//!   (`sources/...` or `PlainTextContent`), each unit is located in it (CRLF and CR
//!   line ends read as LF, as tamlil reads documents): at its own
//!   offsets when the text there is the unit's text, else by searching for the
//!   unit's text after the previous unit (so a tool that changed line ends or added
//!   a header still lines up). Units that cannot be found are reported and left out
//!   (missing). Without the text, the units' own offsets are used.
//! - **Selections to units** (the overlap rule, [`units_coded_by`]): a
//!   `PlainTextSelection` `[start, end)` codes a unit `[s, e)` when their overlap is
//!   at least half of the unit or at least half of the selection. A selection
//!   spanning several units codes each unit the rule admits (the units it covers
//!   fully or mostly, and a unit it lies mostly inside), and never a unit it only
//!   grazes.
//! - **Codes.** A project `Code` is a code or family of the codebook found, in this
//!   order, by the `tamlil-id:` line of its Description (tamlil's export writes
//!   one), by tamlil's GUID for that code or family, by its name as a code or
//!   family id, or by its name as the Hebrew or English label (when exactly one
//!   code, else one family, has it). A coding with a code found none of these ways
//!   is an error naming the code and the file, unless unknown codes are ignored.
//! - **Coders.** Each `Coding`'s `creatingUser`, else its selection's, named by the
//!   project's `<Users>` (the GUID itself when the user is not listed); codings
//!   without any user belong to a coder named after the file. Every coder covers
//!   all units located in the project's matched sources.

use super::guid::{Kind as GuidKind, guid};
use super::qdc::split_description;
use super::xml::{clean_name, decode_xml_bytes, resolve_ref};
use crate::coded::{
    CodeNames, CoderCodings, Loaded, ReadOptions, Target, UnitTable, file_stem, plural,
};
use crate::error::InputError;
use anyhow::Result;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

/// The most bytes one zip entry may decompress to (256 MiB).
pub const MAX_ENTRY_BYTES: u64 = 256 << 20;

/// A code of the project's code tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectCode {
    pub guid: String,
    pub name: String,
    pub description: String,
    /// The index of the enclosing code, if any.
    pub parent: Option<usize>,
}

/// A coding of a selection: the code's GUID and the creating user's GUID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectCoding {
    pub code_guid: String,
    pub user: Option<String>,
}

/// A `PlainTextSelection` with its codings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub start: usize,
    pub end: usize,
    pub user: Option<String>,
    pub codings: Vec<ProjectCoding>,
}

/// A `TextSource` with its selections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextSource {
    pub guid: String,
    pub name: String,
    pub plain_text_path: String,
    /// The plain text: the `sources/` entry named by `plainTextPath`, else
    /// `PlainTextContent`; `None` when the project holds neither.
    pub text: Option<String>,
    pub selections: Vec<Selection>,
    /// Inline `PlainTextContent`, if any (kept apart until `text` is settled).
    content: Option<String>,
}

/// What a project says about codings of text: users, codes and text sources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    /// The `origin` attribute of the Project element: the tool that wrote it.
    pub origin: String,
    /// User GUID (lowercase) -> name.
    pub users: BTreeMap<String, String>,
    pub codes: Vec<ProjectCode>,
    pub sources: Vec<TextSource>,
}

fn data_err(path: &Path, msg: impl Into<String>) -> anyhow::Error {
    InputError::file(path, msg).into()
}

/// Reads a zip entry by name, refusing more than [`MAX_ENTRY_BYTES`] decompressed.
pub(crate) fn read_entry<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    path: &Path,
) -> Result<Option<Vec<u8>>> {
    read_entry_limited(zip, name, path, MAX_ENTRY_BYTES)
}

/// Reads a zip entry by name, refusing more than `limit` bytes decompressed
/// (whatever size the entry declares).
fn read_entry_limited<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    path: &Path,
    limit: u64,
) -> Result<Option<Vec<u8>>> {
    let mut entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(data_err(
                path,
                format!("cannot read {name} in the zip: {e}"),
            ));
        }
    };
    let too_big = || {
        data_err(
            path,
            format!(
                "{name} in the zip is larger than {} MiB decompressed; refused",
                limit >> 20
            ),
        )
    };
    if entry.size() > limit {
        return Err(too_big());
    }
    let mut buf = Vec::new();
    (&mut entry)
        .take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| data_err(path, format!("cannot read {name} in the zip: {e}")))?;
    if buf.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(Some(buf))
}

/// Reads a `.qdpx` project: its `project.qde` and the plain text of its text sources.
pub fn read_project(path: &Path) -> Result<Project> {
    let file = std::fs::File::open(path).map_err(|e| InputError::open(path, &e))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        data_err(
            path,
            format!("not a REFI-QDA project (.qdpx): cannot read it as a zip file ({e})"),
        )
    })?;
    let qde = read_entry(&mut zip, "project.qde", path)?
        .ok_or_else(|| data_err(path, "not a REFI-QDA project: the zip has no project.qde"))?;
    let xml = decode_xml_bytes(&qde)
        .ok_or_else(|| data_err(path, "project.qde is not UTF-8 or UTF-16 text"))?;
    let mut project =
        parse_project(&xml).map_err(|e| data_err(path, format!("project.qde: {e}")))?;
    for s in &mut project.sources {
        let internal = s
            .plain_text_path
            .trim()
            .strip_prefix("internal://")
            .map(str::to_string);
        if let Some(file) = internal {
            for dir in ["sources/", "Sources/"] {
                if let Some(bytes) = read_entry(&mut zip, &format!("{dir}{file}"), path)? {
                    let text = decode_xml_bytes(&bytes).ok_or_else(|| {
                        data_err(path, format!("{dir}{file} is not UTF-8 or UTF-16 text"))
                    })?;
                    s.text = Some(text);
                    break;
                }
            }
        }
        if s.text.is_none() {
            s.text = s.content.take();
        }
        s.content = None;
    }
    Ok(project)
}

fn local<N: AsRef<str>>(name: N) -> String {
    name.as_ref().to_string()
}

/// The attributes of an element, by local name.
fn attrs(e: &BytesStart<'_>, pos: u64) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("bad attribute at byte {pos}: {err}"))?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| format!("bad attribute at byte {pos}: {err}"))?;
        out.insert(local(a.key.local_name()), v.into_owned());
    }
    Ok(out)
}

fn position(a: &HashMap<String, String>, key: &str, pos: u64) -> Result<usize, String> {
    let v = a.get(key).map(|v| v.trim()).unwrap_or("");
    v.parse()
        .map_err(|_| format!("PlainTextSelection at byte {pos}: {key} is not a position: {v:?}"))
}

fn user_of(a: &HashMap<String, String>) -> Option<String> {
    a.get("creatingUser")
        .map(|u| u.trim().to_ascii_lowercase())
        .filter(|u| !u.is_empty())
}

/// Parses the parts of `project.qde` that carry codings of text: `Users`, the code
/// tree, and each `TextSource` with its `PlainTextSelection`s and their `Coding`s.
/// Elements are matched by local name, whatever their namespace prefix.
pub fn parse_project(xml: &str) -> Result<Project, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut p = Project::default();
    let mut path: Vec<String> = Vec::new();
    let mut code_stack: Vec<usize> = Vec::new();
    // Text being collected: a Code's Description or a PlainTextContent.
    let mut collecting: Option<String> = None;
    let mut saw_project = false;
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| format!("bad XML at byte {pos}: {e}"))?;
        let (e, empty) = match ev {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                let name = local(e.local_name());
                path.pop();
                let parent = path.last().map(String::as_str);
                match name.as_str() {
                    "Code" => {
                        code_stack.pop();
                    }
                    "Description" if parent == Some("Code") => {
                        if let (Some(d), Some(&c)) = (collecting.take(), code_stack.last()) {
                            p.codes[c].description = d;
                        }
                    }
                    "PlainTextContent" if parent == Some("TextSource") => {
                        if let (Some(t), Some(s)) = (collecting.take(), p.sources.last_mut()) {
                            s.content = Some(t);
                        }
                    }
                    _ => {}
                }
                continue;
            }
            Event::Text(t) => {
                if let Some(c) = collecting.as_mut() {
                    c.push_str(&t.xml10_content());
                }
                continue;
            }
            Event::CData(t) => {
                if let Some(c) = collecting.as_mut() {
                    c.push_str(&t.xml10_content());
                }
                continue;
            }
            Event::GeneralRef(r) => {
                if let Some(c) = collecting.as_mut() {
                    let s = resolve_ref(&r)
                        .ok_or_else(|| format!("unknown entity &{};", r.xml10_content()))?;
                    c.push_str(&s);
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = local(e.local_name());
        let parent = path.last().map(String::as_str);
        match name.as_str() {
            "Project" => {
                saw_project = true;
                p.origin = attrs(&e, pos)?
                    .get("origin")
                    .map(|o| o.trim().to_string())
                    .unwrap_or_default();
            }
            "User" if parent == Some("Users") => {
                let a = attrs(&e, pos)?;
                if let Some(g) = a.get("guid") {
                    let n = a
                        .get("name")
                        .map(|n| clean_name(n).into_owned())
                        .unwrap_or_default();
                    p.users.insert(g.trim().to_ascii_lowercase(), n);
                }
            }
            "Code" => {
                let a = attrs(&e, pos)?;
                p.codes.push(ProjectCode {
                    guid: a
                        .get("guid")
                        .map(|g| g.trim().to_string())
                        .unwrap_or_default(),
                    name: a
                        .get("name")
                        .map(|n| clean_name(n).into_owned())
                        .unwrap_or_default(),
                    description: String::new(),
                    parent: code_stack.last().copied(),
                });
                if !empty {
                    code_stack.push(p.codes.len() - 1);
                }
            }
            "Description" if parent == Some("Code") && !empty => collecting = Some(String::new()),
            "TextSource" => {
                let a = attrs(&e, pos)?;
                p.sources.push(TextSource {
                    guid: a
                        .get("guid")
                        .map(|g| g.trim().to_string())
                        .unwrap_or_default(),
                    name: a
                        .get("name")
                        .map(|n| clean_name(n).into_owned())
                        .unwrap_or_default(),
                    plain_text_path: a.get("plainTextPath").cloned().unwrap_or_default(),
                    ..TextSource::default()
                });
            }
            "PlainTextContent" if parent == Some("TextSource") && !empty => {
                collecting = Some(String::new())
            }
            "PlainTextSelection" if parent == Some("TextSource") => {
                let a = attrs(&e, pos)?;
                let sel = Selection {
                    start: position(&a, "startPosition", pos)?,
                    end: position(&a, "endPosition", pos)?,
                    user: user_of(&a),
                    codings: Vec::new(),
                };
                if let Some(s) = p.sources.last_mut() {
                    s.selections.push(sel);
                }
            }
            "Coding" if parent == Some("PlainTextSelection") => {
                let a = attrs(&e, pos)?;
                if let Some(sel) = p.sources.last_mut().and_then(|s| s.selections.last_mut()) {
                    sel.codings.push(ProjectCoding {
                        code_guid: String::new(),
                        user: user_of(&a),
                    });
                }
            }
            "CodeRef" if parent == Some("Coding") => {
                let a = attrs(&e, pos)?;
                let target = a.get("targetGUID").map(|g| g.trim().to_string());
                if let (Some(t), Some(c)) = (
                    target,
                    p.sources
                        .last_mut()
                        .and_then(|s| s.selections.last_mut())
                        .and_then(|sel| sel.codings.last_mut()),
                ) {
                    c.code_guid = t;
                }
            }
            _ => {}
        }
        if !empty {
            path.push(name);
        }
    }
    if !saw_project {
        return Err("no <Project> element (not a REFI-QDA project)".into());
    }
    Ok(p)
}

/// The units (indices into `spans`, sorted by start and not overlapping) that a
/// selection `[start, end)` codes: those whose overlap with it is at least half
/// of the unit or at least half of the selection (and not empty).
pub fn units_coded_by(spans: &[(usize, usize)], start: usize, end: usize) -> Vec<usize> {
    if end <= start {
        return Vec::new();
    }
    let sel = end - start;
    let first = spans.partition_point(|&(_, e)| e <= start);
    let mut out = Vec::new();
    for (i, &(s, e)) in spans.iter().enumerate().skip(first) {
        if s >= end {
            break;
        }
        let overlap = e.min(end).saturating_sub(s.max(start));
        let unit = e.saturating_sub(s);
        if overlap > 0 && (2 * overlap >= unit || 2 * overlap >= sel) {
            out.push(i);
        }
    }
    out
}

/// Where the units of one document lie in a source's text: `(unit index, start,
/// end)` for each unit found, in document order, and the number not found.
fn locate_units(
    units: &UnitTable,
    members: &[usize],
    text: Option<&str>,
) -> (Vec<(usize, usize, usize)>, usize) {
    let Some(text) = text else {
        let spans = members
            .iter()
            .map(|&u| (u, units.units[u].start, units.units[u].end))
            .collect();
        return (spans, 0);
    };
    // Units were cut from text with line ends normalised to `\n`: search in the
    // source's text normalised the same way, and map positions back.
    let (norm, orig_of) = normalize_line_ends(text);
    let text = norm.as_deref().unwrap_or(text);
    let back = |c: usize| orig_of.as_ref().map_or(c, |m| m[c]);
    // Byte offset of each character, and of the end.
    let mut byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    byte_at.push(text.len());
    let n_chars = byte_at.len() - 1;
    let mut out = Vec::with_capacity(members.len());
    let mut missing = 0;
    let mut cursor = 0; // character offset where the next unit may start
    for &u in members {
        let row = &units.units[u];
        let want = row.text.as_str();
        if want.is_empty() {
            missing += 1;
            continue;
        }
        let (s, e) = (row.start, row.end);
        if s >= cursor && s < e && e <= n_chars && &text[byte_at[s]..byte_at[e]] == want {
            out.push((u, back(s), back(e)));
            cursor = e;
            continue;
        }
        match text[byte_at[cursor.min(n_chars)]..].find(want) {
            Some(b) => {
                let start_byte = byte_at[cursor.min(n_chars)] + b;
                let cs = byte_at.partition_point(|&x| x < start_byte);
                let ce = cs + want.chars().count();
                out.push((u, back(cs), back(ce)));
                cursor = ce;
            }
            None => missing += 1,
        }
    }
    (out, missing)
}

/// `text` with CRLF and lone CR turned into LF, and for each character of the
/// result (and its end) the character offset in `text`; `None`s when `text` has no CR.
fn normalize_line_ends(text: &str) -> (Option<String>, Option<Vec<usize>>) {
    if !text.contains('\r') {
        return (None, None);
    }
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    let mut chars = text.chars().enumerate().peekable();
    let mut n = 0;
    while let Some((i, c)) = chars.next() {
        n = i + 1;
        if c == '\r' {
            if chars.peek().is_some_and(|&(_, d)| d == '\n') {
                continue; // the LF that follows stands for the pair
            }
            out.push('\n');
        } else {
            out.push(c);
        }
        map.push(i);
    }
    map.push(n);
    (Some(out), Some(map))
}

/// The document a source belongs to (see the module documentation for the order).
fn match_document<'a>(s: &TextSource, docs: &[&'a str]) -> Option<&'a str> {
    let stem = |n: &str| -> String {
        let file = n.rsplit(['/', '\\']).next().unwrap_or(n);
        match file.rfind('.') {
            Some(i) if i > 0 => file[..i].to_string(),
            _ => file.to_string(),
        }
    };
    let by_guid = docs
        .iter()
        .find(|d| guid(GuidKind::Source, &[d]).eq_ignore_ascii_case(s.guid.trim()));
    let name = s.name.trim();
    by_guid
        .or_else(|| docs.iter().find(|d| **d == name))
        .or_else(|| docs.iter().find(|d| **d == stem(name)))
        .or_else(|| {
            let p = s.plain_text_path.trim();
            let p = p.split_once("://").map(|(_, rest)| rest).unwrap_or(p);
            (!p.is_empty())
                .then(|| docs.iter().find(|d| **d == stem(p)))
                .flatten()
        })
        .or_else(|| {
            // Last, the name's stem ignoring letter case, when only one document has it.
            let st = stem(name);
            let mut hits = docs
                .iter()
                .filter(|d| d.to_lowercase() == st.to_lowercase());
            match (hits.next(), hits.next()) {
                (Some(d), None) => Some(d),
                _ => None,
            }
        })
        .copied()
}

/// The codebook code or family a project code stands for (see the module
/// documentation for the order).
fn resolve_code(c: &ProjectCode, names: &CodeNames) -> Option<Target> {
    let (_, id, _) = split_description(&c.description);
    if let Some(t) = id.as_deref().and_then(|id| names.by_id(id)) {
        return Some(t);
    }
    let cb = names.codebook;
    let g = c.guid.trim();
    if !g.is_empty() {
        if let Some(i) = cb
            .codes
            .iter()
            .position(|x| guid(GuidKind::Code, &[&x.id]).eq_ignore_ascii_case(g))
        {
            return Some(Target::Code(i));
        }
        if let Some(f) = cb
            .families
            .iter()
            .position(|x| guid(GuidKind::Family, &[&x.id]).eq_ignore_ascii_case(g))
        {
            return Some(Target::Family(f));
        }
    }
    names.by_id(&c.name).or_else(|| names.by_label(&c.name))
}

/// Reads the codings of a `.qdpx` project as codings of the units in `units`
/// (see the module documentation for every rule), one [`CoderCodings`] per coder.
pub fn read_qdpx_codings(
    path: &Path,
    units: &UnitTable,
    names: &CodeNames,
    opts: &ReadOptions,
) -> Result<Loaded> {
    let project = read_project(path)?;
    import_project(path, &project, units, names, opts)
}

/// Maps a parsed project onto `units`; `path` names the project in messages.
pub fn import_project(
    path: &Path,
    project: &Project,
    units: &UnitTable,
    names: &CodeNames,
    opts: &ReadOptions,
) -> Result<Loaded> {
    let mut notes = Vec::new();
    let shown = path.display();
    let docs = units.doc_ids();
    let mut by_doc: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, u) in units.units.iter().enumerate() {
        by_doc.entry(u.doc_id.as_str()).or_default().push(i);
    }
    for m in by_doc.values_mut() {
        m.sort_by_key(|&u| (units.units[u].start, units.units[u].end));
    }
    // Codes: GUID (lowercase) -> target, or the code's name when unknown.
    let mut codes: HashMap<String, Result<Target, String>> = HashMap::new();
    for c in &project.codes {
        let r = resolve_code(c, names).ok_or_else(|| c.name.clone());
        codes.insert(c.guid.trim().to_ascii_lowercase(), r);
    }
    let stem = file_stem(path);
    let coder_name = |user: Option<&String>| -> String {
        match user {
            Some(g) => project.users.get(g).cloned().unwrap_or_else(|| g.clone()),
            None => stem.clone(),
        }
    };
    let mut covered: BTreeSet<usize> = BTreeSet::new();
    let mut coders: BTreeMap<String, BTreeSet<(usize, Target)>> = BTreeMap::new();
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen_docs: BTreeMap<&str, &str> = BTreeMap::new();
    let (mut not_compared, mut unmapped) = (0usize, 0usize);
    for s in &project.sources {
        let Some(doc) = match_document(s, &docs) else {
            let n: usize = s.selections.iter().map(|x| x.codings.len()).sum();
            if opts.strict_sources {
                return Err(data_err(
                    path,
                    format!(
                        "source {:?} (with {n} coding{}) matches no document of the corpus (documents: {})",
                        s.name,
                        plural(n),
                        docs.join(", ")
                    ),
                ));
            }
            notes.push(format!(
                "{shown}: source {:?} matches no document of the units table; its {n} coding{} skipped",
                s.name,
                plural(n)
            ));
            continue;
        };
        if let Some(other) = seen_docs.insert(doc, &s.name) {
            return Err(data_err(
                path,
                format!(
                    "sources {other:?} and {:?} are both document {doc:?}; keep one",
                    s.name
                ),
            ));
        }
        let members = by_doc.get(doc).map(Vec::as_slice).unwrap_or(&[]);
        let (located, missing) = locate_units(units, members, s.text.as_deref());
        if missing > 0 {
            notes.push(format!(
                "{shown}: {missing} unit{} of document {doc:?} not found in the text of source {:?}; left out",
                plural(missing),
                s.name
            ));
        }
        if s.text.is_none() {
            notes.push(format!(
                "{shown}: source {:?} has no plain text in the project; positions taken as the units' offsets",
                s.name
            ));
        }
        covered.extend(located.iter().map(|&(u, _, _)| u));
        let spans: Vec<(usize, usize)> = located.iter().map(|&(_, s, e)| (s, e)).collect();
        for sel in &s.selections {
            if sel.codings.is_empty() {
                continue;
            }
            let hit = units_coded_by(&spans, sel.start, sel.end);
            for c in &sel.codings {
                let target = match codes.get(&c.code_guid.to_ascii_lowercase()) {
                    Some(Ok(t)) => *t,
                    other => {
                        let name = match other {
                            Some(Err(n)) if !n.is_empty() => n.clone(),
                            _ => c.code_guid.clone(),
                        };
                        if opts.ignore_unknown {
                            *unknown.entry(name).or_insert(0) += 1;
                            continue;
                        }
                        return Err(data_err(
                            path,
                            format!(
                                "code {name:?} (GUID {}) is not a code or family of the codebook {}: matched by the tamlil-id line of its description, tamlil's GUID, its name as an id, or its name as a label (use --ignore-unknown to skip such codings)",
                                c.code_guid,
                                names.codebook_name()
                            ),
                        ));
                    }
                };
                let coder = coder_name(c.user.as_ref().or(sel.user.as_ref()));
                let set = coders.entry(coder).or_default();
                if hit.is_empty() {
                    unmapped += 1;
                }
                for &k in &hit {
                    let u = located[k].0;
                    if !units.is_compared(u) {
                        not_compared += 1;
                    }
                    set.insert((u, target));
                }
            }
        }
    }
    if seen_docs.is_empty() {
        return Err(data_err(
            path,
            format!(
                "no text source matches a document of the units table (documents: {})",
                docs.join(", ")
            ),
        ));
    }
    for (code, n) in &unknown {
        notes.push(format!(
            "{shown}: skipped {n} coding{} with unknown code {code:?}",
            plural(*n)
        ));
    }
    if unmapped > 0 {
        notes.push(format!(
            "{shown}: {unmapped} coding{} of selections that code no unit (overlap under half of every unit and of the selection)",
            plural(unmapped)
        ));
    }
    if not_compared > 0 {
        notes.push(format!(
            "{shown}: {not_compared} unit coding{} on units that are not interviewee units, not compared",
            plural(not_compared)
        ));
    }
    let mut out: Vec<CoderCodings> = coders
        .into_iter()
        .map(|(name, codings)| CoderCodings {
            name,
            source: path.to_path_buf(),
            covered: Some(covered.clone()),
            codings,
        })
        .collect();
    if out.is_empty() {
        out.push(CoderCodings {
            name: stem,
            source: path.to_path_buf(),
            covered: Some(covered),
            codings: BTreeSet::new(),
        });
    }
    Ok(Loaded {
        coders: out,
        notes,
        origin: Some(project.origin.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_entries_are_refused() {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("big.txt", opts).unwrap();
        w.write_all(&vec![b'a'; 4 << 20]).unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let p = Path::new("x.qdpx");
        let err = read_entry_limited(&mut zip, "big.txt", p, 1 << 20).unwrap_err();
        assert!(
            err.to_string()
                .contains("big.txt in the zip is larger than 1 MiB"),
            "{err}"
        );
        let ok = read_entry_limited(&mut zip, "big.txt", p, 4 << 20).unwrap();
        assert_eq!(ok.map(|b| b.len()), Some(4 << 20));
        assert!(read_entry(&mut zip, "../big.txt", p).unwrap().is_none());
    }

    #[test]
    fn line_ends_map_back() {
        let (norm, map) = normalize_line_ends("ab\r\ncd\re");
        assert_eq!(norm.as_deref(), Some("ab\ncd\ne"));
        // a b \n(=the LF at 3) c d \n(=CR at 6) e, end 8
        assert_eq!(map.unwrap(), [0, 1, 3, 4, 5, 6, 7, 8]);
        assert_eq!(normalize_line_ends("abc"), (None, None));
    }

    #[test]
    fn overlap_rule() {
        // Units [0,10) [10,30) [30,40).
        let spans = [(0, 10), (10, 30), (30, 40)];
        // Exactly one unit.
        assert_eq!(units_coded_by(&spans, 10, 30), [1]);
        // A few words inside a long unit: all of the selection is in it.
        assert_eq!(units_coded_by(&spans, 12, 16), [1]);
        // Half of unit 0 (5 of 10) plus all of unit 1: both.
        assert_eq!(units_coded_by(&spans, 5, 30), [0, 1]);
        // 4 of unit 0's 10 characters, then all of unit 1 (24 in all): unit 0 is
        // under half of itself and of the selection: not coded.
        assert_eq!(units_coded_by(&spans, 6, 30), [1]);
        // Straddling units 1 and 2 unevenly: 2 of unit 1 (20) and 8 of unit 2 (10).
        assert_eq!(units_coded_by(&spans, 28, 38), [2]);
        // Spanning all three.
        assert_eq!(units_coded_by(&spans, 0, 40), [0, 1, 2]);
        // Empty, reversed, or outside every unit.
        assert!(units_coded_by(&spans, 5, 5).is_empty());
        assert!(units_coded_by(&spans, 9, 3).is_empty());
        assert!(units_coded_by(&spans, 40, 50).is_empty());
    }

    #[test]
    fn parses_users_codes_sources_and_codings() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p">
  <Users><User guid="AAAAAAAA-0000-0000-0000-000000000001" name="Dana"/></Users>
  <CodeBook><Codes>
    <Code guid="c1" name="Keys" isCodable="false">
      <Description>tamlil-id: keys</Description>
      <Code guid="c2" name="ידע" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="s1" name="A.txt" plainTextPath="internal://s1.txt">
      <PlainTextContent>a&amp;b&#13;c</PlainTextContent>
      <PlainTextSelection guid="x" startPosition="3" endPosition="9" creatingUser="aaaaaaaa-0000-0000-0000-000000000001">
        <Description>note</Description>
        <Coding guid="y" creatingUser="AAAAAAAA-0000-0000-0000-000000000001"><CodeRef targetGUID="c2"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#;
        let p = parse_project(xml).unwrap();
        assert_eq!(p.users["aaaaaaaa-0000-0000-0000-000000000001"], "Dana");
        assert_eq!(p.codes.len(), 2);
        assert_eq!(p.codes[0].description, "tamlil-id: keys");
        assert_eq!(p.codes[1].parent, Some(0));
        assert_eq!(p.codes[1].name, "ידע");
        let s = &p.sources[0];
        assert_eq!(s.content.as_deref(), Some("a&b\rc"));
        assert_eq!((s.selections[0].start, s.selections[0].end), (3, 9));
        assert_eq!(s.selections[0].codings[0].code_guid, "c2");
        assert_eq!(
            s.selections[0].codings[0].user.as_deref(),
            Some("aaaaaaaa-0000-0000-0000-000000000001")
        );
        assert!(parse_project("<Other/>").is_err());
        assert!(parse_project("<Project><Sources><TextSource><PlainTextSelection startPosition=\"x\" endPosition=\"1\"/></TextSource></Sources></Project>").is_err());
    }
}
