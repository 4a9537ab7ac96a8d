//! REFI-QDA export end to end: project.qdpx from run and export, codebooks to .qdc and back.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// A parsed XML element: local name, attributes, children, text.
#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<El>,
    text: String,
}

impl El {
    fn attr(&self, k: &str) -> &str {
        self.attrs
            .get(k)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("<{}> has no {k}", self.name))
    }
    fn kids<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn kid(&self, name: &str) -> &El {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
    }
    /// Every element named `name` at any depth, in document order.
    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a El>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.all(name, out);
        }
    }
    fn find_all(&self, name: &str) -> Vec<&El> {
        let mut v = Vec::new();
        self.all(name, &mut v);
        v
    }
}

/// Parses XML text into a tree with quick-xml (fails on any malformed XML).
fn parse_xml(text: &str) -> El {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack = vec![El::default()];
    let open = |e: &quick_xml::events::BytesStart| El {
        name: e.local_name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                let v = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned();
                (a.key.as_ref().to_string(), v)
            })
            .collect(),
        ..El::default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => {
                let el = open(&e);
                stack.last_mut().unwrap().children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                        .expect("known entity")
                        .to_string(),
                };
                stack.last_mut().unwrap().text.push_str(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1);
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.pop().unwrap()
}

/// The entries of a zip, in stored order, with their bytes.
fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}

fn entry<'a>(entries: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &entries
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in the zip"))
        .1
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn export(corpus: &Path, codebook: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "export",
        "qdpx",
        "--corpus",
        s(corpus),
        "--codebook",
        s(codebook),
        "--out",
        s(out),
    ];
    args.extend_from_slice(extra);
    let o = tamlil(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The tamlil id of each code GUID, read from the `tamlil-id:` line of its Description.
fn code_ids(project_or_codebook: &El) -> BTreeMap<String, String> {
    project_or_codebook
        .find_all("Code")
        .into_iter()
        .map(|c| {
            let d = &c.kid("Description").text;
            let id = d
                .lines()
                .find_map(|l| l.strip_prefix("tamlil-id: "))
                .expect("a tamlil-id line")
                .to_string();
            (c.attr("guid").to_string(), id)
        })
        .collect()
}

#[test]
fn tiny_corpus_project() {
    let dir = TempDir::new("qda-tiny");
    let corpus = fixtures().join("tiny");
    let codebook = fixtures().join("tiny-codebook.toml");
    let out = dir.join("out");
    let o = tamlil(&[
        "run",
        "--corpus",
        s(&corpus),
        "--codebook",
        s(&codebook),
        "--out",
        s(&out),
        "--permutations",
        "99",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let exported = dir.join("tiny.qdpx");
    export(&corpus, &codebook, &exported, &[]);
    // `run` and `export qdpx` write the same project.
    let qdpx = out.join("project.qdpx");
    assert_eq!(
        std::fs::read(&qdpx).unwrap(),
        std::fs::read(&exported).unwrap()
    );
    // no temporary files left beside it
    let mut names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["out", "out.cache", "tiny.qdpx"],
        "the run's cache beside its output"
    );

    let entries = unzip(&qdpx);
    assert_eq!(entries.len(), 4, "3 sources and project.qde");
    assert_eq!(entries[3].0, "project.qde");
    let p = parse_xml(std::str::from_utf8(entry(&entries, "project.qde")).unwrap());
    assert_eq!(p.name, "Project");
    assert_eq!(p.attr("xmlns"), "urn:QDA-XML:project:1.0");
    assert_eq!(p.attr("name"), "tiny (tiny)");
    let order: Vec<&str> = p.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        order,
        [
            "Users",
            "CodeBook",
            "Variables",
            "Cases",
            "Sources",
            "Description"
        ]
    );
    let user = p.kid("Users").kid("User").attr("guid").to_string();
    assert_eq!(p.attr("creatingUserGUID"), user);

    // Codebook: 2 families (not codable) holding the 4 codes with their colours.
    let codes = p.kid("CodeBook").kid("Codes");
    let fams: Vec<(&str, &str)> = codes
        .kids("Code")
        .map(|c| (c.attr("name"), c.attr("isCodable")))
        .collect();
    assert_eq!(fams, [("מטרות", "false"), ("מפתחות", "false")]);
    let leaves: Vec<(&str, &str, &str)> = codes
        .kids("Code")
        .flat_map(|f| f.kids("Code"))
        .map(|c| (c.attr("name"), c.attr("isCodable"), c.attr("color")))
        .collect();
    assert_eq!(
        leaves,
        [
            ("מיצוי", "true", "#1f77b4"),
            ("ידע", "true", "#2ca02c"),
            ("קשרים", "true", "#ff7f0e"),
            ("כוח", "true", "#d62728"),
        ]
    );
    assert_eq!(p.find_all("Code").len(), 6);
    let ids = code_ids(&p);
    assert_eq!(
        ids.get(&tamlil::qda::qdc::code_guid("keys.power"))
            .map(String::as_str),
        Some("keys.power")
    );

    // Variables; each interview's source holds its values (after its selections,
    // where the schema puts them, and where QualCoder reads them as file
    // attributes), and a case per interview names its source and holds no values
    // (a case's values would make QualCoder take the variable as a case attribute).
    let vars: Vec<&El> = p.kid("Variables").kids("Variable").collect();
    assert_eq!(vars.len(), 1);
    assert_eq!(
        (vars[0].attr("name"), vars[0].attr("typeOfVariable")),
        ("sector", "Text")
    );
    let sources: Vec<&El> = p.kid("Sources").kids("TextSource").collect();
    let cases: Vec<&El> = p.kid("Cases").kids("Case").collect();
    assert_eq!(sources.len(), 3);
    assert_eq!(cases.len(), 3);
    for ((c, src), (id, sector)) in
        cases
            .iter()
            .zip(&sources)
            .zip([("A", "public"), ("B", "business"), ("C", "public")])
    {
        assert_eq!((c.attr("name"), src.attr("name")), (id, id));
        let refs: Vec<&str> = c.children.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(refs, ["SourceRef"]);
        assert_eq!(c.kid("SourceRef").attr("targetGUID"), src.attr("guid"));
        let vv: Vec<&El> = src.kids("VariableValue").collect();
        assert_eq!(vv.len(), 1);
        assert_eq!(
            vv[0].kid("VariableRef").attr("targetGUID"),
            vars[0].attr("guid")
        );
        assert_eq!(vv[0].kid("TextValue").text, sector);
        let order: Vec<&str> = src.children.iter().map(|k| k.name.as_str()).collect();
        let first_value = order.iter().position(|n| *n == "VariableValue").unwrap();
        assert!(
            order[first_value..].iter().all(|n| *n == "VariableValue"),
            "{order:?}"
        );
    }

    // Source texts: the decoded documents (the fixtures are UTF-8 with \n line ends).
    let units = read_csv(&out.join("units.csv"));
    let mut texts = BTreeMap::new();
    for (src, file) in sources.iter().zip(["a.txt", "b.txt", "c.txt"]) {
        let path = src
            .attr("plainTextPath")
            .strip_prefix("internal://")
            .unwrap();
        let text = std::str::from_utf8(entry(&entries, &format!("sources/{path}")))
            .unwrap()
            .to_string();
        assert_eq!(text, std::fs::read_to_string(corpus.join(file)).unwrap());
        texts.insert(src.attr("name").to_string(), text);
    }

    // Every coding of codings.csv, in order, as a selection over its unit's characters.
    let codings = read_csv(&out.join("codings.csv"));
    assert_eq!(codings.len(), 7);
    let selections = p.find_all("PlainTextSelection");
    assert_eq!(selections.len(), 7);
    assert_eq!(p.find_all("Coding").len(), 7);
    for (sel, row) in selections.iter().zip(&codings) {
        assert_eq!(sel.attr("name"), row["unit_id"]);
        let coding = sel.kid("Coding");
        assert_eq!(coding.attr("creatingUser"), user);
        assert_eq!(
            ids[coding.kid("CodeRef").attr("targetGUID")],
            row["code_id"]
        );
        let unit = units
            .iter()
            .find(|u| u["unit_id"] == row["unit_id"])
            .unwrap();
        assert_eq!(sel.attr("startPosition"), unit["start"]);
        assert_eq!(sel.attr("endPosition"), unit["end"]);
        let (a, b): (usize, usize) = (unit["start"].parse().unwrap(), unit["end"].parse().unwrap());
        let chars: String = texts[&unit["doc_id"]].chars().skip(a).take(b - a).collect();
        assert_eq!(chars, unit["text"]);
    }
    // Positions recorded from units.csv of this corpus: A-0002 is characters 22..49 of A.
    assert_eq!(
        (
            selections[0].attr("startPosition"),
            selections[0].attr("endPosition")
        ),
        ("22", "49")
    );
}

#[test]
fn export_is_byte_identical_and_guids_are_stable() {
    let dir = TempDir::new("qda-stable");
    let corpus = fixtures().join("tiny");
    let codebook = fixtures().join("tiny-codebook.toml");
    let (a, b) = (dir.join("a.qdpx"), dir.join("b.qdpx"));
    export(&corpus, &codebook, &a, &["--jobs", "1"]);
    export(&corpus, &codebook, &b, &["--jobs", "2"]);
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap());
    let entries = unzip(&a);
    let p = parse_xml(std::str::from_utf8(entry(&entries, "project.qde")).unwrap());
    // GUIDs derive from ids: the source of interview A and the code keys.knowledge.
    let src = p.find_all("TextSource")[0];
    assert_eq!(src.attr("guid"), tamlil::qda::project::source_guid("A"));
    assert_eq!(
        p.find_all("CodeRef")[0].attr("targetGUID"),
        tamlil::qda::qdc::code_guid("keys.knowledge")
    );
    // Every GUID is 8-4-4-4-12 hex and distinct.
    let mut guids: Vec<&str> = Vec::new();
    for kind in [
        "Code",
        "Variable",
        "Case",
        "TextSource",
        "PlainTextSelection",
        "Coding",
        "User",
    ] {
        guids.extend(p.find_all(kind).iter().map(|e| e.attr("guid")));
    }
    assert!(guids.iter().all(|g| tamlil::qda::guid::is_guid(g)));
    let n = guids.len();
    guids.sort();
    guids.dedup();
    assert_eq!(guids.len(), n);
    // Fixed zip timestamps: 1980-01-01 00:00.
    let mut z = zip::ZipArchive::new(std::fs::File::open(&a).unwrap()).unwrap();
    let t = z.by_index(0).unwrap().last_modified().unwrap();
    assert_eq!((t.year(), t.month(), t.day(), t.hour()), (1980, 1, 1, 0));
}

#[test]
fn hostile_text_comes_out_as_text() {
    let dir = TempDir::new("qda-hostile");
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let transcript = "ש: <script>alert(\"x\")</script> & 'שאלה'?\n\
                      ת: אני מדבר על ידע \u{202E}בעבודה\u{202C} <b>עם</b> & \"קשרים\" ]]> שם.\n";
    std::fs::write(corpus.join("h.txt"), transcript).unwrap();
    std::fs::write(
        corpus.join("manifest.csv"),
        "id,file,note,group_interview\n\"X\"\"<&>\u{202E}1\",h.txt,\"<script>\"\"q\"\" & \u{202E}\",yes\n",
    )
    .unwrap();
    let cb_src = std::fs::read_to_string(fixtures().join("tiny-codebook.toml"))
        .unwrap()
        .replace(
            "label_he = \"ידע\"",
            "label_he = \"ידע</Code><x a=\\\"1\\\">\u{202E}\"\ndefinition = \"<b>&amp; \\\"quoted\\\"</b>\"",
        );
    let codebook = dir.write("cb.toml", cb_src);
    let qdpx = dir.join("h.qdpx");
    export(&corpus, &codebook, &qdpx, &[]);
    let entries = unzip(&qdpx);
    let raw = std::str::from_utf8(entry(&entries, "project.qde")).unwrap();
    assert!(!raw.contains("<script>") && !raw.contains("<x "), "{raw}");
    let p = parse_xml(raw);
    // Names lose bidi controls; values and source text keep every character.
    let case = p.find_all("Case")[0];
    assert_eq!(case.attr("name"), "X\"<&>1");
    assert_eq!(p.find_all("TextSource")[0].attr("name"), "X\"<&>1");
    let values: Vec<&El> = p.find_all("TextSource")[0].kids("VariableValue").collect();
    assert_eq!(values[0].kid("TextValue").text, "<script>\"q\" & \u{202E}");
    assert_eq!(values[1].kid("BooleanValue").text, "true");
    let types: Vec<&str> = p
        .find_all("Variable")
        .iter()
        .map(|v| v.attr("typeOfVariable"))
        .collect();
    assert_eq!(types, ["Text", "Boolean"]);
    let knowledge = p
        .find_all("Code")
        .into_iter()
        .find(|c| c.attr("guid") == tamlil::qda::qdc::code_guid("keys.knowledge"))
        .unwrap();
    assert_eq!(knowledge.attr("name"), "ידע</Code><x a=\"1\">");
    assert!(
        knowledge
            .kid("Description")
            .text
            .starts_with("<b>&amp; \"quoted\"</b>\n\ntamlil-id: keys.knowledge")
    );
    let src = p.find_all("TextSource")[0];
    let path = src
        .attr("plainTextPath")
        .strip_prefix("internal://")
        .unwrap();
    assert_eq!(
        entry(&entries, &format!("sources/{path}")),
        transcript.as_bytes()
    );
    // ידע is coded in the interviewee's line.
    let sels = p.find_all("PlainTextSelection");
    assert!(!sels.is_empty());
    assert_eq!(sels[0].attr("name"), "X\"<&>1-0002");
}

/// A codebook as MAXQDA exports it: folders not codable, nested codes, Hebrew names,
/// a missing colour, a short colour, descriptions, one code at the top.
const MAXQDA_QDC: &str = r##"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 2022 (Release 22.7.0)">
<Codes>
<Code guid="0A6D0E5B-6B27-4C41-9C6E-1B8A0D1F0001" name="מפתחות" isCodable="false" color="#808080">
<Description>ארבעת המפתחות: ידע, קשרים, רגש, כוח.</Description>
<Code guid="0A6D0E5B-6B27-4C41-9C6E-1B8A0D1F0002" name="ידע" isCodable="true" color="#FF0000">
<Code guid="0A6D0E5B-6B27-4C41-9C6E-1B8A0D1F0003" name="ידע סמוי" isCodable="true"/>
<Code guid="0A6D0E5B-6B27-4C41-9C6E-1B8A0D1F0004" name="הדרכה &amp; ליווי" isCodable="true" color="#00ff00"/>
</Code>
<Code guid="0A6D0E5B-6B27-4C41-9C6E-1B8A0D1F0005" name="רשתות" isCodable="true" color="#0f0"/>
</Code>
<Code guid="0A6D0E5B-6B27-4C41-9C6E-1B8A0D1F0006" name="חסמים" isCodable="false">
<Code guid="0A6D0E5B-6B27-4C41-9C6E-1B8A0D1F0007" name="בירוקרטיה" isCodable="true" color="#123456">
<Description>טפסים, תורים
ועוד "ניירת"</Description>
</Code>
<Code guid="0A6D0E5B-6B27-4C41-9C6E-1B8A0D1F0008" name="Perception of rights" isCodable="true"/>
</Code>
<Code guid="0A6D0E5B-6B27-4C41-9C6E-1B8A0D1F0009" name="קוד בודד" isCodable="true" color="#abcdef"/>
</Codes>
</CodeBook>
"##;

#[test]
fn maxqda_codebook_imports_to_a_tree() {
    let dir = TempDir::new("qda-import");
    let qdc = dir.write("maxqda.qdc", MAXQDA_QDC);
    let toml_path = dir.join("cb.toml");
    let o = tamlil(&["codebook", "import", s(&qdc), "--out", s(&toml_path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let src = std::fs::read_to_string(&toml_path).unwrap();
    let (cb, problems) = tamlil::codebook::parse_str(&toml_path, &src);
    let cb = cb.expect("parses");
    let fams: Vec<(&str, &str, &str)> = cb
        .families
        .iter()
        .map(|f| (f.id.as_str(), f.label_he.as_str(), f.definition.as_str()))
        .collect();
    assert_eq!(
        fams,
        [
            ("מפתחות", "מפתחות", "ארבעת המפתחות: ידע, קשרים, רגש, כוח."),
            ("חסמים", "חסמים", ""),
            ("general", "כללי", ""),
        ]
    );
    let codes: Vec<(&str, Option<&str>, &str, &str)> = cb
        .codes
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.parent.as_deref(),
                c.label_he.as_str(),
                c.color.as_str(),
            )
        })
        .collect();
    // Codes without a colour get the palette's (by position: PALETTE[1] for the second code).
    assert_eq!(
        codes,
        [
            ("מפתחות.ידע", None, "ידע", "#ff0000"),
            (
                "מפתחות.ידע.ידע_סמוי",
                Some("מפתחות.ידע"),
                "ידע סמוי",
                "#ff7f0e"
            ),
            (
                "מפתחות.ידע.הדרכה_ליווי",
                Some("מפתחות.ידע"),
                "הדרכה & ליווי",
                "#00ff00"
            ),
            ("מפתחות.רשתות", None, "רשתות", "#00ff00"),
            ("חסמים.בירוקרטיה", None, "בירוקרטיה", "#123456"),
            (
                "חסמים.perception_of_rights",
                None,
                "Perception of rights",
                "#8c564b"
            ),
            ("general.קוד_בודד", None, "קוד בודד", "#abcdef"),
        ]
    );
    assert_eq!(cb.codes[4].definition, "טפסים, תורים\nועוד \"ניירת\"");
    // Only the empty rules of the six codes without sub-codes are problems.
    let msgs: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(msgs.len(), 6, "{msgs:#?}");
    assert!(
        msgs.iter().all(|m| m.ends_with("empty rule: no terms")),
        "{msgs:#?}"
    );
    let o = tamlil(&["codebook", "check", s(&toml_path)]);
    assert_eq!(o.status.code(), Some(65));
    assert_eq!(
        stderr(&o).matches("empty rule: no terms").count(),
        6,
        "{}",
        stderr(&o)
    );
    // Once a term is added to each, the codebook is valid.
    let filled = src.replace("terms = []", "terms = [\"מילה\"]");
    std::fs::write(&toml_path, filled).unwrap();
    let o = tamlil(&["codebook", "check", s(&toml_path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The import does not overwrite a file.
    let o = tamlil(&["codebook", "import", s(&qdc), "--out", s(&toml_path)]);
    assert!(!o.status.success());
}

#[test]
fn default_codebook_survives_qdc_export_and_import() {
    let dir = TempDir::new("qda-roundtrip");
    let qdc = dir.join("default.qdc");
    let o = tamlil(&["codebook", "export", "--qdc", "--out", s(&qdc)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let x = parse_xml(&std::fs::read_to_string(&qdc).unwrap());
    assert_eq!(x.name, "CodeBook");
    assert_eq!(x.attr("xmlns"), "urn:QDA-XML:codebook:1.0");
    let cb = tamlil::codebook::default_codebook();
    assert_eq!(x.kid("Codes").kids("Code").count(), cb.families.len());
    assert_eq!(x.find_all("Code").len(), cb.families.len() + cb.codes.len());
    // Sub-codes sit inside their codes: keys.knowledge holds 3.
    let knowledge = x
        .find_all("Code")
        .into_iter()
        .find(|c| c.attr("guid") == tamlil::qda::qdc::code_guid("keys.knowledge"))
        .unwrap();
    assert_eq!(knowledge.kids("Code").count(), 3);

    let toml_path = dir.join("back.toml");
    let o = tamlil(&["codebook", "import", s(&qdc), "--out", s(&toml_path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (back, problems) =
        tamlil::codebook::parse_str(&toml_path, &std::fs::read_to_string(&toml_path).unwrap());
    let back = back.unwrap();
    let fam = |c: &tamlil::codebook::Codebook| -> Vec<(String, String, String, String)> {
        c.families
            .iter()
            .map(|f| {
                (
                    f.id.clone(),
                    f.label_he.clone(),
                    f.label_en.clone(),
                    f.definition.clone(),
                )
            })
            .collect()
    };
    assert_eq!(fam(&back), fam(&cb));
    let codes = |c: &tamlil::codebook::Codebook| {
        let mut v: Vec<_> = c
            .codes
            .iter()
            .map(|k| {
                (
                    k.id.clone(),
                    k.parent.clone(),
                    k.label_he.clone(),
                    k.label_en.clone(),
                    k.definition.clone(),
                    k.color.clone(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(codes(&back), codes(&cb));
    let leaves = (0..cb.codes.len())
        .filter(|&i| cb.children(i).is_empty())
        .count();
    assert_eq!(problems.len(), leaves);

    // A codebook file given explicitly.
    let tiny = dir.join("tiny.qdc");
    let o = tamlil(&[
        "codebook",
        "export",
        "--qdc",
        s(&fixtures().join("tiny-codebook.toml")),
        "--out",
        s(&tiny),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        parse_xml(&std::fs::read_to_string(&tiny).unwrap())
            .find_all("Code")
            .len(),
        6
    );
}
