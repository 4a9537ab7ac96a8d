//! Hostile archives and markup, end to end: .docx zip bombs (honest and lying
//! headers, and a bomb under the size limit), path-traversal entry names, DTD
//! entities, files named .docx/.qdpx/.qdc that are something else, and transcript
//! text full of markup and bidi overrides. Each is either read as plain data or
//! refused with a message naming the file, a non-zero exit and nothing written.

mod common;
use common::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use tamlil::corpus::docx::MAX_DOCUMENT_XML;
use tamlil::qda::import::MAX_ENTRY_BYTES;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const W_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

/// A WordprocessingML document with one paragraph per line of `lines`.
fn document_xml(lines: &[&str]) -> String {
    let mut x = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>"#
    );
    for l in lines {
        x += "<w:p><w:r><w:t xml:space=\"preserve\">";
        x += l;
        x += "</w:t></w:r></w:p>";
    }
    x + "</w:body></w:document>"
}

/// A zip (deflated) holding `entries` in order.
fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(content).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A zip holding `before` and then entry `name`: `prefix` followed by spaces up
/// to `total` bytes, written 1 MiB at a time (the file stays near `total / 1000`).
fn bomb_zip(before: &[(&str, &[u8])], name: &str, prefix: &str, total: u64) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (n, content) in before {
        w.start_file(*n, opts).unwrap();
        w.write_all(content).unwrap();
    }
    w.start_file(name, opts).unwrap();
    w.write_all(prefix.as_bytes()).unwrap();
    let chunk = vec![b' '; 1 << 20];
    let mut left = total - prefix.len() as u64;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        w.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    w.finish().unwrap().into_inner()
}

/// A .docx whose word/document.xml is 1 MiB over the reader's limit.
fn docx_bomb() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| {
        let prefix = format!(r#"<?xml version="1.0"?><w:document {W_NS}><w:body><w:p><w:r><w:t>"#);
        bomb_zip(
            &[],
            "word/document.xml",
            &prefix,
            MAX_DOCUMENT_XML + (1 << 20),
        )
    })
}

/// A .qdpx whose project.qde is 1 MiB over the importer's limit.
fn qdpx_bomb() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| {
        let prefix = r#"<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="p">"#;
        bomb_zip(&[], "project.qde", prefix, MAX_ENTRY_BYTES + (1 << 20))
    })
}

fn u16_at(b: &[u8], i: usize) -> usize {
    u16::from_le_bytes([b[i], b[i + 1]]) as usize
}

/// Rewrites the uncompressed size that the local header and the central directory
/// record of entry `name` declare, so the header lies about it. Returns how many
/// records were changed.
fn declare_size(zip: &mut [u8], name: &str, size: u32) -> usize {
    let mut changed = 0;
    for i in 0..zip.len().saturating_sub(46) {
        let (size_at, name_len_at, name_at) = match &zip[i..i + 4] {
            b"PK\x03\x04" => (i + 22, i + 26, i + 30),
            b"PK\x01\x02" => (i + 24, i + 28, i + 46),
            _ => continue,
        };
        let n = u16_at(zip, name_len_at);
        if zip.get(name_at..name_at + n) != Some(name.as_bytes()) {
            continue;
        }
        assert_ne!(&zip[size_at..size_at + 4], [0xff; 4], "no zip64 sizes here");
        zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
        changed += 1;
    }
    changed
}

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    out.sort();
    out
}

/// A corpus folder holding `files` and a manifest listing them (sector public).
fn corpus(dir: &Path, files: &[(&str, &[u8])]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut manifest = String::from("id,file,sector\n");
    for (i, (name, bytes)) in files.iter().enumerate() {
        std::fs::write(dir.join(name), bytes).unwrap();
        manifest += &format!("D{i},{name},public\n");
    }
    std::fs::write(dir.join("manifest.csv"), manifest).unwrap();
    dir.to_path_buf()
}

/// `tamlil run` with few permutations, from working directory `cwd`.
fn run_in(cwd: &Path, corpus: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tamlil"))
        .current_dir(cwd)
        .args([
            "run",
            "--corpus",
            s(corpus),
            "--out",
            s(out),
            "--permutations",
            "99",
        ])
        .output()
        .expect("run tamlil")
}

/// Asserts `o` failed with exit 65 and a message on `file` containing `message`.
fn refused(o: &Output, file: &Path, message: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(65), "{err}");
    assert!(
        err.contains(&format!("tamlil: error: {}: ", file.display())),
        "the message names {}: {err}",
        file.display()
    );
    assert!(err.contains(message), "expected {message:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Runs `tamlil run` on a corpus of one good transcript and `name` = `bytes`, and
/// checks it is refused naming that file, with no output folder (or staging
/// folder) left behind. The re-run cache beside it (`out.cache`, README "Re-runs
/// and the cache") may keep what was computed for the good transcript.
fn run_refuses(dir: &TempDir, name: &str, bytes: &[u8], message: &str) {
    let c = dir.join("corpus");
    let _ = std::fs::remove_dir_all(&c);
    let good = std::fs::read(fixtures().join("tiny/a.txt")).unwrap();
    corpus(&c, &[("a.txt", &good), (name, bytes)]);
    let out = dir.join("out");
    let o = run_in(dir.path(), &c, &out);
    refused(&o, &c.join(name), message);
    assert_eq!(
        files_under(dir.path())
            .into_iter()
            .filter(|f| !f.starts_with("corpus") && !f.starts_with("out.cache"))
            .collect::<Vec<_>>(),
        Vec::<String>::new(),
        "nothing written beside the corpus"
    );
}

#[test]
fn docx_zip_bombs_are_refused_before_decompressing() {
    let dir = TempDir::new("hostile-docx-bomb");
    let bomb = docx_bomb();
    assert!(
        bomb.len() < 1 << 20,
        "the bomb is small: {} bytes",
        bomb.len()
    );
    // The header tells the truth: over the limit, refused by its declared size.
    run_refuses(
        &dir,
        "bomb.docx",
        bomb,
        "word/document.xml is larger than 256 MiB uncompressed; refusing to read it",
    );
    // The header says 4 KiB: reading stops at 4 KiB, and the lie is an error.
    let mut liar = bomb.to_vec();
    assert_eq!(declare_size(&mut liar, "word/document.xml", 4096), 2);
    run_refuses(
        &dir,
        "liar.docx",
        &liar,
        "broken .docx: cannot decompress word/document.xml: File is larger than its declared uncompressed size",
    );
    // The header says a size under the limit but past what the file could hold
    // at any sane compression ratio: refused as a bomb, nothing decompressed.
    let mut under = bomb.to_vec();
    assert_eq!(declare_size(&mut under, "word/document.xml", 200 << 20), 2);
    run_refuses(&dir, "under.docx", &under, "word/document.xml would expand");
}

#[test]
fn docx_bomb_under_the_size_limit_is_refused_by_its_ratio() {
    let dir = TempDir::new("hostile-docx-ratio");
    // A well-formed document of 32 MiB, nearly all spaces inside one text run:
    // under the size limit, but about 1,000 times its compressed size.
    let head = format!(r#"<?xml version="1.0"?><w:document {W_NS}><w:body><w:p><w:r><w:t>ת: אני "#);
    let tail = "</w:t></w:r></w:p></w:body></w:document>";
    let mut xml = head.into_bytes();
    xml.resize(32 << 20, b' ');
    xml.extend_from_slice(tail.as_bytes());
    let docx = zip_bytes(&[("word/document.xml", &xml)]);
    assert!(docx.len() < 64 << 10, "{} bytes", docx.len());
    run_refuses(
        &dir,
        "spaces.docx",
        &docx,
        "far more than Word's XML compresses; refusing it as a zip bomb",
    );
}

/// A pseudo-random hex digit stream (xorshift), for markup that compresses as
/// Word's does (random revision ids), not as a bomb.
fn rsid(state: &mut u64) -> String {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    format!("{:08X}", *state as u32)
}

#[test]
fn large_real_looking_docx_is_still_read() {
    let dir = TempDir::new("hostile-docx-large");
    // 9 MiB of XML (over the size where the ratio is checked), with Word-like
    // revision ids on every run: it compresses a few times, and is read in full.
    let mut x = format!(r#"<?xml version="1.0"?><w:document {W_NS}><w:body>"#);
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut paragraphs = 0;
    while x.len() < 9 << 20 {
        let speaker = if paragraphs % 2 == 0 { "ש" } else { "ת" };
        x += &format!(
            r#"<w:p w:rsidR="{}" w:rsidRDefault="{}" w:rsidP="{}"><w:pPr><w:jc w:val="right"/><w:rPr><w:rtl/></w:rPr></w:pPr><w:r w:rsidRPr="{}"><w:rPr><w:rFonts w:hint="cs"/><w:rtl/></w:rPr><w:t>{speaker}: אני משתמשת בידע שלי כל יום {paragraphs}.</w:t></w:r></w:p>"#,
            rsid(&mut state),
            rsid(&mut state),
            rsid(&mut state),
            rsid(&mut state)
        );
        paragraphs += 1;
    }
    x += "</w:body></w:document>";
    let docx = zip_bytes(&[("word/document.xml", x.as_bytes())]);
    let ratio = x.len() / docx.len();
    assert!((2..50).contains(&ratio), "ratio {ratio}");
    let c = corpus(&dir.join("corpus"), &[("big.docx", &docx)]);
    let units = dir.join("units.csv");
    let o = tamlil(&["segment", "--corpus", s(&c), "--out", s(&units)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&units);
    // One unit per paragraph: the questions and the answers.
    assert_eq!(rows.len(), paragraphs);
    assert_eq!(rows[1]["text"], "אני משתמשת בידע שלי כל יום 1.");
    assert_eq!(
        rows[paragraphs - 1]["text"],
        format!("אני משתמשת בידע שלי כל יום {}.", paragraphs - 1)
    );
}

#[test]
fn docx_entry_names_never_reach_the_file_system() {
    let dir = TempDir::new("hostile-docx-names");
    // Work from a folder deep enough that `../../evil.txt` from it, from the corpus
    // or from the output still lands inside the temporary folder.
    let cwd = dir.join("a/b/c");
    std::fs::create_dir_all(&cwd).unwrap();
    let abs = dir.join("evil.txt").display().to_string();
    let etc_x = Path::new("/etc/x");
    let etc_x_before = etc_x.exists();
    let xml = document_xml(&["ש: ספרי על העבודה.", "ת: אני משתמשת בידע שלי כל יום."]);
    let docx = zip_bytes(&[
        ("../../evil.txt", b"pwned"),
        ("/etc/x", b"pwned"),
        (&abs, b"pwned"),
        ("word/../../../evil.txt", b"pwned"),
        ("word/document.xml", xml.as_bytes()),
    ]);
    // The archive really holds those names.
    let names: Vec<String> = zip::ZipArchive::new(std::io::Cursor::new(&docx))
        .unwrap()
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    for n in [
        "../../evil.txt",
        "/etc/x",
        abs.as_str(),
        "word/../../../evil.txt",
    ] {
        assert!(names.iter().any(|m| m == n), "{n} not in {names:?}");
    }
    let c = corpus(&cwd.join("corpus"), &[("t.docx", &docx)]);
    let out = cwd.join("out");
    let o = run_in(&cwd, &c, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let units = read_csv(&out.join("units.csv"));
    let texts: Vec<&str> = units.iter().map(|r| r["text"].as_str()).collect();
    assert_eq!(texts, ["ספרי על העבודה.", "אני משתמשת בידע שלי כל יום."]);
    let all = files_under(dir.path());
    assert!(
        !all.iter()
            .any(|f| Path::new(f).file_name().is_some_and(|n| n == "evil.txt")),
        "{all:?}"
    );
    assert!(!dir.path().parent().unwrap().join("evil.txt").exists());
    if !etc_x_before {
        assert!(!etc_x.exists(), "/etc/x was written");
    }
    // Only the corpus and the outputs are there.
    let top: Vec<&String> = all.iter().filter(|f| !f.contains('/')).collect();
    assert_eq!(top, ["a"]);
}

/// Nested entities: `&lol9;` would expand to a billion `lol`s.
fn billion_laughs() -> String {
    let mut dtd = String::from(r#"<!ENTITY lol "lol">"#);
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd += &format!(r#"<!ENTITY lol{i} "{}">"#, format!("&{prev};").repeat(10));
    }
    dtd
}

#[test]
fn docx_with_a_doctype_is_refused_and_nothing_is_expanded() {
    let dir = TempDir::new("hostile-docx-dtd");
    let xml = document_xml(&["ת: אני משתמשת בידע שלי &lol9; כל יום."]).replacen(
        "?>",
        &format!("?>\n<!DOCTYPE w:document [{}]>", billion_laughs()),
        1,
    );
    let docx = zip_bytes(&[("word/document.xml", xml.as_bytes())]);
    run_refuses(
        &dir,
        "laughs.docx",
        &docx,
        "broken .docx: word/document.xml line 2 has a DOCTYPE declaration",
    );
    // An external entity (XXE) is refused the same way, and never read.
    let xml = document_xml(&["ת: &xxe;"]).replacen(
        "?>",
        "?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
        1,
    );
    let docx = zip_bytes(&[("word/document.xml", xml.as_bytes())]);
    run_refuses(
        &dir,
        "xxe.docx",
        &docx,
        "broken .docx: word/document.xml line 1 has a DOCTYPE declaration",
    );
}

/// Random bytes from a fixed seed.
fn noise(n: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn files_named_docx_that_are_not_zips() {
    let dir = TempDir::new("hostile-docx-notzip");
    let not_zip = "not a valid .docx file (it is not a readable zip archive: ";
    run_refuses(
        &dir,
        "plain.docx",
        "ת: אני טקסט רגיל.\n".as_bytes(),
        not_zip,
    );
    run_refuses(&dir, "empty.docx", b"", not_zip);
    run_refuses(&dir, "noise.docx", &noise(4096), not_zip);
    // A zip, but not a Word document.
    run_refuses(
        &dir,
        "other.docx",
        &zip_bytes(&[("notes.txt", b"x")]),
        "not a valid .docx file: it has no word/document.xml part",
    );
}

/// `tamlil run` on the tiny corpus, for a units table to give `tamlil agree`.
fn tiny_run(dir: &TempDir) -> PathBuf {
    let out = dir.join("out");
    let o = tamlil(&[
        "run",
        "--corpus",
        s(&fixtures().join("tiny")),
        "--codebook",
        s(&fixtures().join("tiny-codebook.toml")),
        "--out",
        s(&out),
        "--permutations",
        "99",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn agree_refuses_hostile_projects() {
    let dir = TempDir::new("hostile-agree");
    let out = tiny_run(&dir);
    let units = out.join("units.csv");
    let codings = out.join("codings.csv");
    let table = dir.join("agree.csv");
    let agree = |a: &Path| {
        tamlil(&[
            "agree",
            "--units",
            s(&units),
            "--codebook",
            s(&fixtures().join("tiny-codebook.toml")),
            s(a),
            s(&codings),
            "--out",
            s(&table),
        ])
    };
    let project = std::fs::read(out.join("project.qdpx")).unwrap();
    // The project itself is fine (the cases below break it).
    let o = agree(&out.join("project.qdpx"));
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_file(&table).unwrap();
    let qde = "project.qde in the zip is larger than 256 MiB decompressed; refused";
    let mut liar = qdpx_bomb().to_vec();
    assert_eq!(declare_size(&mut liar, "project.qde", 4096), 2);
    // A good project.qde whose source text is the bomb.
    let sourced = bomb_zip(
        &[(
            "project.qde",
            br#"<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources><TextSource guid="S" name="A" plainTextPath="internal://S.txt"/></Sources></Project>"#,
        )],
        "sources/S.txt",
        "",
        MAX_ENTRY_BYTES + 1,
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "empty.qdpx",
            Vec::new(),
            "not a REFI-QDA project (.qdpx): cannot read it as a zip file",
        ),
        (
            "noise.qdpx",
            noise(4096),
            "not a REFI-QDA project (.qdpx): cannot read it as a zip file",
        ),
        (
            "truncated.qdpx",
            project[..project.len() / 2].to_vec(),
            "not a REFI-QDA project (.qdpx): cannot read it as a zip file",
        ),
        ("bomb.qdpx", qdpx_bomb().to_vec(), qde),
        (
            "liar.qdpx",
            liar,
            "cannot read project.qde in the zip: File is larger than its declared uncompressed size",
        ),
        (
            "sourced.qdpx",
            sourced,
            "sources/S.txt in the zip is larger than 256 MiB decompressed; refused",
        ),
    ];
    for (name, bytes, message) in cases {
        let a = dir.write(name, &bytes);
        let o = agree(&a);
        refused(&o, &a, message);
        assert!(!table.exists(), "{name}: agree.csv written");
    }
}

#[test]
fn codebook_import_refuses_hostile_files() {
    let dir = TempDir::new("hostile-import");
    let toml = dir.join("x.toml");
    let import = |f: &Path| tamlil(&["codebook", "import", s(f), "--out", s(&toml)]);
    let codes = r#"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="0A6D0E5B-6B27-4C41-9C6E-1B8A0D1F0001" name="ידע" isCodable="true"/>
</Codes></CodeBook>"#;
    let good = zip_bytes(&[("project.qde", codes.as_bytes())]);
    let mut liar = qdpx_bomb().to_vec();
    assert_eq!(declare_size(&mut liar, "project.qde", 4096), 2);
    let not_zip = "not a readable .qdpx (zip): ";
    let laughs = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE CodeBook [{}]>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>\n<Code guid=\"G\" name=\"x\" isCodable=\"true\"><Description>&lol9;</Description></Code></Codes></CodeBook>",
        billion_laughs()
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.qdc", Vec::new(), "no codes found"),
        ("plain.qdc", "just some text\n".into(), "no codes found"),
        ("noise.qdc", noise(4096), "not UTF-8 or UTF-16 text"),
        ("empty.qdpx", Vec::new(), not_zip),
        ("noise.qdpx", noise(4096), not_zip),
        ("truncated.qdpx", good[..good.len() - 10].to_vec(), not_zip),
        // A zip bomb named .qdc is read as the zip it is.
        (
            "bomb.qdc",
            qdpx_bomb().to_vec(),
            "project.qde in the zip is larger than 256 MiB decompressed; refused",
        ),
        (
            "bomb.qdpx",
            qdpx_bomb().to_vec(),
            "project.qde in the zip is larger than 256 MiB decompressed; refused",
        ),
        (
            "liar.qdpx",
            liar,
            "cannot read project.qde in the zip: File is larger than its declared uncompressed size",
        ),
        // Entities are not expanded: the one in the description is unknown.
        ("laughs.qdc", laughs.into_bytes(), "unknown entity &lol9;"),
    ];
    for (name, bytes, message) in cases {
        let f = dir.write(name, &bytes);
        let o = import(&f);
        refused(&o, &f, message);
        assert!(!toml.exists(), "{name}: x.toml written");
    }
    // Traversal names beside a good project.qde: the codebook is imported, and only
    // x.toml is written.
    let cwd = dir.join("a/b");
    std::fs::create_dir_all(&cwd).unwrap();
    let abs = dir.join("evil.txt").display().to_string();
    let evil = dir.write(
        "evil.qdpx",
        zip_bytes(&[
            ("../../evil.txt", b"pwned"),
            ("/etc/x", b"pwned"),
            (&abs, b"pwned"),
            ("project.qde", codes.as_bytes()),
        ]),
    );
    let etc_x_before = Path::new("/etc/x").exists();
    let o = Command::new(env!("CARGO_BIN_EXE_tamlil"))
        .current_dir(&cwd)
        .args(["codebook", "import", s(&evil), "--out", s(&toml)])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 codes in 1 families"),
        "{}",
        stderr(&o)
    );
    assert!(std::fs::read_to_string(&toml).unwrap().contains("\"ידע\""));
    let all = files_under(dir.path());
    assert!(!all.iter().any(|f| f.ends_with("evil.txt")), "{all:?}");
    if !etc_x_before {
        assert!(!Path::new("/etc/x").exists(), "/etc/x was written");
    }
}

/// The markup, quotes, entity, CDATA end and bidi controls put into an answer.
const HOSTILE: &str = "<script>alert(1)</script> \"quotes\" &amp; ]]> \u{202E}הפוך\u{202C} \u{2066}LTR\u{2069} \u{2067}RTL\u{2069} \u{2068}FSI\u{2069}";

/// Bidi embedding, override and isolate controls.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[test]
fn hostile_transcript_text_in_report_and_units() {
    let dir = TempDir::new("hostile-text");
    let answer =
        format!("אני משתמשת בידע שלי ובקשרים עם הפקידה כדי לממש את הזכויות {HOSTILE} בסוף.");
    let transcript = format!("ש: ספרי על העבודה.\nת: {answer}\n");
    let c = dir.join("corpus");
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(c.join("h.txt"), &transcript).unwrap();
    // The group's name (shown in tables and charts) is hostile too.
    let sector = "<script>alert(2)</script>\u{202E}ציבורי";
    std::fs::write(
        c.join("manifest.csv"),
        format!("id,file,sector\nH,h.txt,\"{sector}\"\n"),
    )
    .unwrap();
    let out = dir.join("out");
    let o = run_in(dir.path(), &c, &out);
    assert!(o.status.success(), "{}", stderr(&o));

    // units.csv keeps the text exactly, at offsets into the document.
    let units = read_csv(&out.join("units.csv"));
    let unit = units.iter().find(|r| r["unit_id"] == "H-0002").unwrap();
    assert_eq!(unit["role"], "interviewee");
    assert_eq!(unit["text"], answer);
    assert_eq!(unit["sector"], sector);
    let chars: Vec<char> = transcript.chars().collect();
    let (start, end): (usize, usize) =
        (unit["start"].parse().unwrap(), unit["end"].parse().unwrap());
    assert_eq!(chars[start..end].iter().collect::<String>(), answer);

    // The unit is coded (the default codebook), and coding units.csv again gives
    // the same codings byte for byte.
    let codings = std::fs::read_to_string(out.join("codings.csv")).unwrap();
    assert!(
        codings.contains("H-0002,keys.knowledge,keys,2,11-19:בידע שלי,auto\n")
            && codings.contains("H-0002,goals.client_rights,goals,2,42-57:לממש את הזכויות,auto\n"),
        "{codings}"
    );
    let again = dir.join("again.csv");
    let o = tamlil(&[
        "code",
        "--units",
        s(&out.join("units.csv")),
        "--out",
        s(&again),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&again).unwrap(), codings);

    // The report quotes the answer as text: markup escaped, controls dropped.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "live script"
    );
    assert!(!html.contains("]]>"));
    assert!(
        !html.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}')),
        "an embedding or override is in the page"
    );
    let quote = "&lt;script&gt;alert(1)&lt;/script&gt; &quot;quotes&quot; &amp;amp; ]]&gt; הפוך LTR RTL FSI בסוף.";
    let blockquotes: Vec<&str> = html
        .split("<blockquote")
        .skip(1)
        .map(|b| &b[..b.find("</blockquote>").unwrap()])
        .collect();
    assert!(blockquotes.len() >= 4, "{} quotes", blockquotes.len());
    for b in &blockquotes {
        assert!(b.contains(quote), "{b}");
        assert!(!b.chars().any(is_bidi_control), "{b}");
    }
    assert!(
        blockquotes
            .iter()
            .any(|b| b.contains("<mark>בידע שלי</mark>"))
    );
    // The sector's name, escaped, in the tables.
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;ציבורי"));
    // Charts: the only isolates are the charts' own, one balanced pair per label.
    for text in html.split("<text").skip(1) {
        let text = &text[..text.find("</text>").unwrap()];
        let opens = text
            .chars()
            .filter(|c| matches!(c, '\u{2066}'..='\u{2068}'))
            .count();
        let closes = text.chars().filter(|&c| c == '\u{2069}').count();
        assert!(opens <= 1 && opens == closes, "{text:?}");
    }
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;ציבורי\u{2069}"));
}
