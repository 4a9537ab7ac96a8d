//! REFI-QDA codebooks (.qdc): a tamlil code tree written out, and QDA code trees read back as TOML skeletons.
//!
//! A tamlil codebook becomes families (not codable) holding codes holding sub-codes,
//! each with its colour and its definition as `Description`. The Description ends
//! with `tamlil-id: ...` and `tamlil-label-en: ...` lines, so that a codebook that
//! went through a QDA tool comes back with its ids and English labels; codes made
//! in the QDA tool get ids derived from their names.

use super::guid::{Kind, guid};
use super::xml::{self, attr, clean_name, text};
use crate::codebook::Codebook;
use crate::error::InputError;
use anyhow::Result;
use quick_xml::events::Event;
use std::collections::HashSet;
use std::fmt::Write;
use std::path::Path;

/// The namespace of REFI-QDA codebook files.
pub const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";

/// The `origin` written into QDA files: `tamlil <version>`.
pub fn origin() -> String {
    format!("tamlil {}", env!("CARGO_PKG_VERSION"))
}

const ID_LINE: &str = "tamlil-id: ";
const LABEL_EN_LINE: &str = "tamlil-label-en: ";

/// The name of family `fid` in a QDA file: its Hebrew label, else its English
/// label, else its id (bidi controls dropped).
pub fn family_name(cb: &Codebook, fid: &str) -> String {
    match cb.family(fid) {
        Some(f) => first_name(&[&f.label_he, &f.label_en, &f.id]),
        None => first_name(&[fid]),
    }
}

/// The name of code `i` in a QDA file: its Hebrew label, else its English label,
/// else its id (bidi controls dropped).
pub fn code_name(cb: &Codebook, i: usize) -> String {
    let c = &cb.codes[i];
    first_name(&[&c.label_he, &c.label_en, &c.id])
}

/// The names of every family and code as written into a QDA file, unique across
/// both (QDA tools join codings to codes by name, and a second code of the same name
/// loses its codings there): the first holder keeps [`family_name`] / [`code_name`],
/// a later one gets its id appended, "כוח (keys.power)". Families come first, then
/// codes, in codebook order, so the result is deterministic.
pub fn unique_names(cb: &Codebook) -> (Vec<String>, Vec<String>) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut take = |name: String, id: &str| {
        let mut candidate = name.clone();
        let mut k = 1;
        while seen.contains(&candidate) {
            candidate = if k == 1 {
                format!("{name} ({})", clean_name(id))
            } else {
                format!("{name} ({} {k})", clean_name(id))
            };
            k += 1;
        }
        seen.insert(candidate.clone());
        candidate
    };
    let families = cb
        .families
        .iter()
        .map(|f| take(family_name(cb, &f.id), &f.id))
        .collect();
    let codes = (0..cb.codes.len())
        .map(|i| take(code_name(cb, i), &cb.codes[i].id))
        .collect();
    (families, codes)
}

fn first_name(options: &[&str]) -> String {
    options
        .iter()
        .map(|s| clean_name(s).into_owned())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "-".to_string())
}

/// The GUID of family `fid`.
pub fn family_guid(fid: &str) -> String {
    guid(Kind::Family, &[fid])
}

/// The GUID of the code with id `code_id`.
pub fn code_guid(code_id: &str) -> String {
    guid(Kind::Code, &[code_id])
}

/// A Description: the definition, a blank line, then the id and English label lines.
pub fn description(definition: &str, id: &str, label_en: &str) -> String {
    let mut s = definition.trim().to_string();
    if !s.is_empty() {
        s.push_str("\n\n");
    }
    s.push_str(ID_LINE);
    s.push_str(&clean_name(id));
    let en = clean_name(label_en);
    if !en.is_empty() {
        s.push('\n');
        s.push_str(LABEL_EN_LINE);
        s.push_str(&en);
    }
    s
}

/// A Description split into (definition, tamlil id, English label): the trailing
/// `tamlil-...` lines that [`description`] writes, if present, are taken off.
pub fn split_description(d: &str) -> (String, Option<String>, Option<String>) {
    let d = d.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines: Vec<&str> = d.lines().collect();
    let (mut id, mut en) = (None, None);
    while let Some(last) = lines.last() {
        let l = last.trim();
        if l.is_empty() && (id.is_some() || en.is_some()) && lines.len() > 1 {
            // a blank line between the definition and the tamlil lines
            lines.pop();
            break;
        } else if let Some(v) = l.strip_prefix(ID_LINE.trim_end()) {
            id.get_or_insert_with(|| v.trim().to_string());
        } else if let Some(v) = l.strip_prefix(LABEL_EN_LINE.trim_end()) {
            en.get_or_insert_with(|| v.trim().to_string());
        } else {
            break;
        }
        lines.pop();
    }
    (lines.join("\n").trim().to_string(), id, en)
}

/// Appends the `<Codes>` element of `cb` (families > codes > sub-codes), indented
/// by `depth` levels of two spaces.
pub fn write_codes(out: &mut String, cb: &Codebook, depth: usize) {
    let pad = "  ".repeat(depth);
    let (family_names, code_names) = unique_names(cb);
    let _ = writeln!(out, "{pad}<Codes>");
    for (f, name) in cb.families.iter().zip(&family_names) {
        let _ = writeln!(
            out,
            "{pad}  <Code guid=\"{}\" name=\"{}\" isCodable=\"false\">",
            family_guid(&f.id),
            attr(name)
        );
        let _ = writeln!(
            out,
            "{pad}    <Description>{}</Description>",
            text(&description(&f.definition, &f.id, &f.label_en))
        );
        for (i, c) in cb.codes.iter().enumerate() {
            if c.family == f.id && c.parent.is_none() {
                write_code(out, cb, &code_names, i, depth + 2, 0);
            }
        }
        let _ = writeln!(out, "{pad}  </Code>");
    }
    let _ = writeln!(out, "{pad}</Codes>");
}

fn write_code(
    out: &mut String,
    cb: &Codebook,
    names: &[String],
    i: usize,
    depth: usize,
    level: usize,
) {
    let c = &cb.codes[i];
    let pad = "  ".repeat(depth);
    let color = if crate::codebook::is_hex_color(&c.color) {
        format!(" color=\"{}\"", c.color.to_ascii_lowercase())
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{pad}<Code guid=\"{}\" name=\"{}\" isCodable=\"true\"{color}>",
        code_guid(&c.id),
        attr(&names[i])
    );
    let _ = writeln!(
        out,
        "{pad}  <Description>{}</Description>",
        text(&description(&c.definition, &c.id, &c.label_en))
    );
    // A validated codebook has no parent cycles; the level bound only guards.
    if level <= cb.codes.len() {
        for j in cb.children(i) {
            write_code(out, cb, names, j, depth + 1, level + 1);
        }
    }
    let _ = writeln!(out, "{pad}</Code>");
}

/// A REFI-QDA codebook document (`.qdc`) for `cb`.
pub fn codebook_xml(cb: &Codebook) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        s,
        "<CodeBook xmlns=\"{CODEBOOK_NS}\" origin=\"{}\">",
        attr(&origin())
    );
    write_codes(&mut s, cb, 1);
    s.push_str("</CodeBook>\n");
    s
}

/// Writes `cb` as a `.qdc` file, atomically.
pub fn write_qdc(cb: &Codebook, dest: &Path) -> Result<()> {
    crate::output::write_atomic(dest, codebook_xml(cb).as_bytes())
}

/// A code as a QDA tool wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QdaCode {
    pub guid: String,
    /// The name, bidi controls dropped.
    pub name: String,
    pub codable: bool,
    /// `#rrggbb` (lowercase; `#rgb` expanded), or None when missing or malformed.
    pub color: Option<String>,
    pub description: String,
    pub children: Vec<QdaCode>,
}

/// Reads the code tree of a `.qdc` codebook, a `project.qde`, or a `.qdpx` project.
pub fn read_codes(path: &Path) -> Result<Vec<QdaCode>> {
    let bytes = std::fs::read(path).map_err(|e| InputError::open(path, &e))?;
    let is_qdpx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("qdpx"))
        || bytes.starts_with(b"PK\x03\x04");
    let bytes = if is_qdpx {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| InputError::file(path, format!("not a readable .qdpx (zip): {e}")))?;
        // By name only (nothing is extracted), and no more than MAX_ENTRY_BYTES.
        super::import::read_entry(&mut zip, "project.qde", path)?
            .ok_or_else(|| InputError::file(path, "the .qdpx has no project.qde"))?
    } else {
        bytes
    };
    let text = xml::decode_xml_bytes(&bytes)
        .ok_or_else(|| InputError::file(path, "not UTF-8 or UTF-16 text"))?;
    parse_codes(&text).map_err(|e| InputError::file(path, e).into())
}

/// Parses the code tree (`Codes/Code...`) out of REFI-QDA XML text: a codebook or a
/// project. Elements are matched by local name, whatever their namespace prefix.
pub fn parse_codes(xml_text: &str) -> Result<Vec<QdaCode>, String> {
    let mut reader = quick_xml::Reader::from_str(xml_text);
    let mut path: Vec<String> = Vec::new();
    let mut stack: Vec<QdaCode> = Vec::new();
    let mut roots: Vec<QdaCode> = Vec::new();
    let mut desc: Option<String> = None;
    let mut saw_codes = false;
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| format!("bad XML at byte {pos}: {e}"))?;
        match ev {
            Event::Start(e) if local(e.local_name().as_ref()) == "Code" => {
                saw_codes = true;
                path.push("Code".into());
                stack.push(code_from(&e, pos)?);
            }
            Event::Empty(e) if local(e.local_name().as_ref()) == "Code" => {
                saw_codes = true;
                let done = code_from(&e, pos)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => roots.push(done),
                }
            }
            Event::Start(e) => {
                let name = local(e.local_name().as_ref());
                if name == "Description" && path.last().map(String::as_str) == Some("Code") {
                    desc = Some(String::new());
                }
                path.push(name);
            }
            Event::Empty(_) => {}
            Event::End(e) => {
                let name = local(e.local_name().as_ref());
                path.pop();
                if name == "Description" && path.last().map(String::as_str) == Some("Code") {
                    if let (Some(d), Some(top)) = (desc.take(), stack.last_mut()) {
                        top.description = d;
                    }
                } else if name == "Code" {
                    let Some(done) = stack.pop() else {
                        continue;
                    };
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => roots.push(done),
                    }
                }
            }
            Event::Text(t) => {
                if let Some(d) = desc.as_mut() {
                    d.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(d) = desc.as_mut() {
                    d.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(d) = desc.as_mut() {
                    let s = xml::resolve_ref(&r)
                        .ok_or_else(|| format!("unknown entity &{};", r.xml10_content()))?;
                    d.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_codes {
        return Err("no codes found (expected a REFI-QDA CodeBook with Codes/Code)".into());
    }
    Ok(roots)
}

fn local(name: &str) -> String {
    name.to_string()
}

fn code_from(e: &quick_xml::events::BytesStart<'_>, pos: u64) -> Result<QdaCode, String> {
    let mut c = QdaCode {
        guid: String::new(),
        name: String::new(),
        codable: true,
        color: None,
        description: String::new(),
        children: Vec::new(),
    };
    for a in e.attributes() {
        let a = a.map_err(|e| format!("bad attribute at byte {pos}: {e}"))?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad attribute at byte {pos}: {e}"))?;
        match local(a.key.local_name().as_ref()).as_str() {
            "guid" => c.guid = v.trim().to_string(),
            "name" => c.name = clean_name(&v).into_owned(),
            "isCodable" => c.codable = !matches!(v.trim(), "false" | "0"),
            "color" => c.color = normalize_color(&v),
            _ => {}
        }
    }
    Ok(c)
}

/// `#rrggbb` in lowercase from `#rrggbb` or `#rgb`; None for anything else.
pub fn normalize_color(v: &str) -> Option<String> {
    let v = v.trim();
    let hex = v.strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{}", hex.to_ascii_lowercase())),
        3 => Some(
            std::iter::once('#')
                .chain(hex.chars().flat_map(|c| [c, c]))
                .collect::<String>()
                .to_ascii_lowercase(),
        ),
        _ => None,
    }
}

/// An id segment made from a name: letters (Hebrew included) and digits kept,
/// ASCII lowercased, niqqud and quote marks (`'`, `"`, geresh, gershayim) dropped,
/// every other run of characters turned into one `_`; `code` if nothing is left.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    let mut gap = false;
    for c in name.chars() {
        let is_mark = matches!(
            c,
            '\u{0591}'
                ..='\u{05BD}'
                    | '\u{05BF}'
                    | '\u{05C1}'
                    | '\u{05C2}'
                    | '\u{05C4}'
                    | '\u{05C5}'
                    | '\u{05C7}'
        ) || matches!(
            c,
            '\'' | '"' | '\u{05F3}' | '\u{05F4}' | '\u{2019}' | '\u{201D}'
        ) || c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
        if is_mark {
            continue;
        }
        if c.is_alphanumeric() {
            if gap && !s.is_empty() {
                s.push('_');
            }
            gap = false;
            s.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    if s.is_empty() { "code".to_string() } else { s }
}

/// Whether `id` is a usable tamlil code id (dotted names, no spaces or commas).
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == '"' || c.is_control())
        && !id.split('.').any(str::is_empty)
}

/// A family of an imported codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFamily {
    pub id: String,
    pub label_he: String,
    pub label_en: String,
    pub definition: String,
}

/// A code of an imported codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCode {
    pub id: String,
    pub parent: Option<String>,
    pub label_he: String,
    pub label_en: String,
    pub definition: String,
    pub color: Option<String>,
    /// Whether it has sub-codes (then it needs no rules of its own).
    pub has_children: bool,
    /// Whether the QDA tool let researchers code with it.
    pub codable: bool,
}

/// A QDA code tree turned into tamlil's shape.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Imported {
    pub families: Vec<ImportedFamily>,
    /// Codes with parents before their children.
    pub codes: Vec<ImportedCode>,
}

/// The family that collects codable codes found at the top of a QDA tree.
const LOOSE_FAMILY: &str = "general";

/// Turns a QDA code tree into families and codes. A top-level code with sub-codes,
/// or one marked not codable (a folder), becomes a family; top-level codes without
/// sub-codes go into a family `general`. Ids are the `tamlil-id` of the
/// Description when it fits where the code now is, else derived from the names
/// ([`slug`]) under the parent's id, made unique with `_2`, `_3`, ...; labels are
/// the name (Hebrew) and the `tamlil-label-en` line, or the name again.
pub fn import_tree(roots: &[QdaCode]) -> Imported {
    let mut out = Imported::default();
    let mut used: HashSet<String> = HashSet::new();
    let mut loose: Vec<&QdaCode> = Vec::new();
    for r in roots {
        if r.children.is_empty() && r.codable {
            loose.push(r);
            continue;
        }
        let (definition, tid, ten) = split_description(&r.description);
        let id = match tid {
            Some(t) if valid_id(&t) && !t.contains('.') && !used.contains(&t) => t,
            _ => unique(&slug(&r.name), &mut used),
        };
        used.insert(id.clone());
        out.families.push(ImportedFamily {
            label_he: r.name.clone(),
            label_en: ten.unwrap_or_else(|| r.name.clone()),
            definition,
            id: id.clone(),
        });
        for c in &r.children {
            import_code(c, &id, None, &mut used, &mut out.codes, 0);
        }
    }
    if !loose.is_empty() {
        let id = unique(LOOSE_FAMILY, &mut used);
        used.insert(id.clone());
        out.families.push(ImportedFamily {
            id: id.clone(),
            label_he: "כללי".into(),
            label_en: "General".into(),
            definition: String::new(),
        });
        for c in loose {
            import_code(c, &id, None, &mut used, &mut out.codes, 0);
        }
    }
    out
}

fn import_code(
    q: &QdaCode,
    family: &str,
    parent: Option<&str>,
    used: &mut HashSet<String>,
    codes: &mut Vec<ImportedCode>,
    depth: usize,
) {
    let (definition, tid, ten) = split_description(&q.description);
    let prefix = parent.unwrap_or(family);
    let id = match tid {
        Some(t)
            if valid_id(&t)
                && t.strip_prefix(family)
                    .is_some_and(|rest| rest.starts_with('.'))
                && !used.contains(&t) =>
        {
            t
        }
        _ => unique(&format!("{prefix}.{}", slug(&q.name)), used),
    };
    used.insert(id.clone());
    codes.push(ImportedCode {
        id: id.clone(),
        parent: parent.map(str::to_string),
        label_he: q.name.clone(),
        label_en: ten.unwrap_or_else(|| q.name.clone()),
        definition,
        color: q.color.clone(),
        has_children: !q.children.is_empty(),
        codable: q.codable,
    });
    if depth < 64 {
        for c in &q.children {
            import_code(c, family, Some(&id), used, codes, depth + 1);
        }
    }
}

/// `base`, or `base_2`, `base_3`, ... : the first not in `used`.
fn unique(base: &str, used: &mut HashSet<String>) -> String {
    if !used.contains(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|c| !used.contains(c))
        .unwrap_or_else(|| base.to_string())
}

/// A TOML basic string (quoted, escaped).
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The imported codebook as a tamlil TOML codebook. Every code without sub-codes
/// gets an empty `terms = []` for the researcher to fill: until then
/// `tamlil codebook check` reports each of them, and nothing else.
pub fn imported_toml(name: &str, source: &str, im: &Imported) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Imported from {} by `tamlil codebook import`.",
        clean_name(source)
    );
    s.push_str(
        "# Every code without sub-codes has an empty `terms = []`: add the words that assign\n\
         # it (see codebooks/README.md), then run `tamlil codebook check` on this file.\n\n",
    );
    s.push_str("[codebook]\n");
    let _ = writeln!(s, "name = {}", toml_str(name));
    s.push_str("roles = [\"interviewee\"]\n");
    for f in &im.families {
        s.push_str("\n[[family]]\n");
        let _ = writeln!(s, "id = {}", toml_str(&f.id));
        let _ = writeln!(s, "label_he = {}", toml_str(&f.label_he));
        let _ = writeln!(s, "label_en = {}", toml_str(&f.label_en));
        if !f.definition.is_empty() {
            let _ = writeln!(s, "definition = {}", toml_str(&f.definition));
        }
    }
    for c in &im.codes {
        s.push_str("\n[[code]]\n");
        let _ = writeln!(s, "id = {}", toml_str(&c.id));
        if let Some(p) = &c.parent {
            let _ = writeln!(s, "parent = {}", toml_str(p));
        }
        let _ = writeln!(s, "label_he = {}", toml_str(&c.label_he));
        let _ = writeln!(s, "label_en = {}", toml_str(&c.label_en));
        if !c.definition.is_empty() {
            let _ = writeln!(s, "definition = {}", toml_str(&c.definition));
        }
        if let Some(col) = &c.color {
            let _ = writeln!(s, "color = {}", toml_str(col));
        }
        if c.has_children {
            s.push_str(
                "# a code with sub-codes needs no terms of its own (they roll up into it)\n",
            );
        } else {
            s.push_str("terms = []\n");
        }
    }
    s
}

/// Reads a QDA codebook (`.qdc`, or the codebook of a `.qdpx` / `project.qde`) and
/// returns it as tamlil TOML, with the number of families and codes.
pub fn import_file(path: &Path) -> Result<(String, usize, usize)> {
    let roots = read_codes(path)?;
    let im = import_tree(&roots);
    let name = path
        .file_stem()
        .map(|s| slug(&s.to_string_lossy()))
        .unwrap_or_else(|| "imported".into());
    let source = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((
        imported_toml(&name, &source, &im),
        im.families.len(),
        im.codes.len(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(name: &str, codable: bool, children: Vec<QdaCode>) -> QdaCode {
        QdaCode {
            guid: String::new(),
            name: name.into(),
            codable,
            color: None,
            description: String::new(),
            children,
        }
    }

    #[test]
    fn names_written_are_unique() {
        let src = "[[code]]\nid = \"a.x\"\nlabel_he = \"כוח\"\nterms = [\"ידע\"]\n\
                   [[code]]\nid = \"a.y\"\nlabel_he = \"כוח\"\nterms = [\"קשר\"]\n\
                   [[code]]\nid = \"b.z\"\nlabel_he = \"כוח\"\nterms = [\"רגש\"]\n\
                   [[code]]\nid = \"c.w\"\nlabel_he = \"a\"\nterms = [\"כסף\"]\n";
        let (cb, _) = crate::codebook::parse_str(Path::new("dup.toml"), src);
        let cb = cb.expect("parsed");
        let (families, codes) = unique_names(&cb);
        assert_eq!(families, vec!["a", "b", "c"]);
        assert_eq!(codes, vec!["כוח", "כוח (a.y)", "כוח (b.z)", "a (c.w)"]);
        let xml = codebook_xml(&cb);
        for name in families.iter().chain(&codes) {
            assert_eq!(
                xml.matches(&format!("name=\"{name}\"")).count(),
                1,
                "{name} in {xml}"
            );
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Tacit Knowledge (2)"), "tacit_knowledge_2");
        assert_eq!(slug("עו\"ס / קשרים"), "עוס_קשרים");
        assert_eq!(slug("שָׁלוֹם"), "שלום");
        assert_eq!(slug("  --  "), "code");
        assert_eq!(slug("a.b"), "a_b");
        assert_eq!(slug("\u{202E}ידע\u{202C}"), "ידע");
    }

    #[test]
    fn colors() {
        assert_eq!(normalize_color("#A1b2C3").as_deref(), Some("#a1b2c3"));
        assert_eq!(normalize_color("#fA0").as_deref(), Some("#ffaa00"));
        assert_eq!(normalize_color("red"), None);
        assert_eq!(normalize_color("#12345"), None);
    }

    #[test]
    fn descriptions_round_trip() {
        let d = description("  Line one.\nLine two. ", "keys.power", "Power\n");
        assert_eq!(
            d,
            "Line one.\nLine two.\n\ntamlil-id: keys.power\ntamlil-label-en: Power"
        );
        assert_eq!(
            split_description(&d),
            (
                "Line one.\nLine two.".to_string(),
                Some("keys.power".to_string()),
                Some("Power".to_string())
            )
        );
        assert_eq!(
            split_description("tamlil-id: goals"),
            (String::new(), Some("goals".to_string()), None)
        );
        assert_eq!(
            split_description("Just a memo.\r\nSecond line"),
            ("Just a memo.\nSecond line".to_string(), None, None)
        );
    }

    #[test]
    fn parses_prefixes_entities_and_empty_codes() {
        let xml = r##"<?xml version="1.0"?>
<q:CodeBook xmlns:q="urn:QDA-XML:codebook:1.0"><q:Codes>
  <q:Code guid="1" name="A &amp; B &#x202E;x" isCodable="0" color="#abc">
    <q:Description>one &lt;two&gt;<![CDATA[ <three> ]]></q:Description>
    <q:Code guid="2" name="leaf" isCodable="true"/>
  </q:Code>
</q:Codes></q:CodeBook>"##;
        let roots = parse_codes(xml).unwrap();
        assert_eq!(roots.len(), 1);
        let a = &roots[0];
        assert_eq!(a.name, "A & B x");
        assert!(!a.codable);
        assert_eq!(a.color.as_deref(), Some("#aabbcc"));
        assert_eq!(a.description, "one <two> <three> ");
        assert_eq!(a.children.len(), 1);
        assert_eq!(a.children[0].name, "leaf");
        assert!(a.children[0].codable);
        assert!(parse_codes("<CodeBook/>").is_err());
        assert!(parse_codes("<CodeBook><Codes><Code></CodeBook>").is_err());
    }

    #[test]
    fn tree_to_families_and_codes() {
        let roots = vec![
            code(
                "ידע",
                false,
                vec![
                    code(
                        "סמוי",
                        true,
                        vec![code("א", true, vec![]), code("א", true, vec![])],
                    ),
                    code("סמוי", true, vec![]),
                ],
            ),
            code("Loose one", true, vec![]),
            code("Empty folder", false, vec![]),
        ];
        let im = import_tree(&roots);
        let fams: Vec<&str> = im.families.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(fams, ["ידע", "empty_folder", "general"]);
        let codes: Vec<(&str, Option<&str>, bool)> = im
            .codes
            .iter()
            .map(|c| (c.id.as_str(), c.parent.as_deref(), c.has_children))
            .collect();
        assert_eq!(
            codes,
            [
                ("ידע.סמוי", None, true),
                ("ידע.סמוי.א", Some("ידע.סמוי"), false),
                ("ידע.סמוי.א_2", Some("ידע.סמוי"), false),
                ("ידע.סמוי_2", None, false),
                ("general.loose_one", None, false),
            ]
        );
        assert_eq!(im.codes[4].label_he, "Loose one");
    }

    #[test]
    fn tamlil_ids_kept_only_where_they_fit() {
        let mut fam = code(
            "מפתחות",
            false,
            vec![code("ידע", true, vec![]), code("כוח", true, vec![])],
        );
        fam.description = "tamlil-id: keys".into();
        fam.children[0].description =
            "Def.\n\ntamlil-id: keys.knowledge\ntamlil-label-en: Knowledge".into();
        // moved under another family in the QDA tool: its old id does not fit
        fam.children[1].description = "tamlil-id: goals.power".into();
        let im = import_tree(&[fam]);
        assert_eq!(im.families[0].id, "keys");
        assert_eq!(im.families[0].label_en, "מפתחות");
        assert_eq!(im.codes[0].id, "keys.knowledge");
        assert_eq!(im.codes[0].label_en, "Knowledge");
        assert_eq!(im.codes[0].definition, "Def.");
        assert_eq!(im.codes[1].id, "keys.כוח");
    }

    #[test]
    fn toml_strings_escape() {
        assert_eq!(toml_str("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }
}
