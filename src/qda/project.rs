//! Writing a REFI-QDA project (.qdpx): transcripts, codebook, attributes and codings, streamed document by document.
//!
//! The `.qdpx` is a zip holding `sources/<guid>.txt` (each transcript's decoded text,
//! UTF-8) and `project.qde` (the XML). A document's two parts are compressed apart
//! ([`PreparedSource`], on the thread that formats the document) and added in
//! manifest order: the source text goes into the zip at once, its `TextSource` XML,
//! a deflate segment of `project.qde`, into a spool file beside the destination
//! (see [`super::deflate`]); [`ProjectWriter::finish`] copies the spooled stream
//! into the zip as `project.qde` and renames the zip into place. Memory holds one
//! document at a time. Zip entries have fixed timestamps and permissions, every
//! GUID derives from ids and each document's segment from its XML alone, so the
//! same inputs give a byte-identical file with any number of threads.

use super::deflate::{Segment, SegmentedEntry};
use super::guid::{Kind, guid, push_guid};
use super::qdc::{self, code_guid, origin};
use super::xml::{attr, clean_name, text};
use crate::codebook::Codebook;
use crate::coding::Coding;
use crate::corpus::Manifest;
use crate::error::{InputError, Kind as ErrKind};
use crate::text::{Role, Unit};
use anyhow::Result;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use zip::write::{PreparedZipFile, SimpleFileOptions};

/// The namespace of REFI-QDA project files.
pub const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";

/// The name of the user that tamlil's codings are attributed to.
pub const USER_NAME: &str = "tamlil";

/// The GUID of the user tamlil's codings are attributed to (`creatingUser`).
pub fn user_guid() -> String {
    guid(Kind::User, &[USER_NAME])
}

/// The GUID of a reviewer named `name` (tamlil's own for the name tamlil).
pub fn reviewer_guid(name: &str) -> String {
    guid(Kind::User, &[name])
}

/// The GUID of the TextSource of interview `doc_id`.
pub fn source_guid(doc_id: &str) -> String {
    guid(Kind::Source, &[doc_id])
}

/// The GUID of the Case of interview `doc_id`.
pub fn case_guid(doc_id: &str) -> String {
    guid(Kind::Case, &[doc_id])
}

/// The GUID of the Variable for manifest attribute `name`.
pub fn variable_guid(name: &str) -> String {
    guid(Kind::Variable, &[name])
}

/// The path of a source's text inside the `.qdpx` (`sources/<guid>.txt`).
pub fn source_file(doc_id: &str) -> String {
    format!("sources/{}.txt", source_guid(doc_id))
}

/// The project's name: the corpus folder's name (of the manifest, else of the first
/// transcript) and the codebook's, e.g. `interviews (rights-realization)`.
pub fn project_name(manifest: &Manifest, codebook: &Codebook) -> String {
    let folder = manifest
        .path
        .as_deref()
        .or_else(|| manifest.entries.first().map(|e| e.path.as_path()))
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tamlil".into());
    format!("{folder} ({})", codebook.name)
}

/// What a finished project holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProjectCounts {
    pub sources: usize,
    pub selections: usize,
    pub codings: usize,
}

/// One interview's parts of a project, compressed apart from the
/// [`ProjectWriter`] (on any thread) and added in order by
/// [`ProjectWriter::add_prepared`]: its source text as a zip entry, and its
/// `TextSource` XML as a deflate segment of `project.qde`.
pub struct PreparedSource {
    text: PreparedZipFile,
    xml: Segment,
    selections: usize,
}

impl PreparedSource {
    /// Compresses the decoded `text_of_doc` of interview `doc_id` and its `TextSource`
    /// element `xml` (from [`SourceXml::text_source`], with `selections` selections).
    pub fn new(
        doc_id: &str,
        text_of_doc: &str,
        xml: &str,
        selections: usize,
    ) -> Result<PreparedSource> {
        let name = source_file(doc_id);
        let cant = |e: std::io::Error| -> anyhow::Error {
            InputError::with_kind(
                ErrKind::Io,
                Path::new(&name),
                format!("cannot compress: {e}"),
            )
            .into()
        };
        let text = PreparedZipFile::from_data(
            &name,
            entry_options(text_of_doc.len() as u64),
            text_of_doc.as_bytes(),
        )
        .map_err(|e| cant(std::io::Error::other(e)))?;
        let xml = Segment::compress(xml.as_bytes()).map_err(cant)?;
        Ok(PreparedSource {
            text,
            xml,
            selections,
        })
    }
}

/// A `.qdpx` being written; see the module documentation.
pub struct ProjectWriter<'c> {
    codebook: &'c Codebook,
    dest: PathBuf,
    tmp: PathBuf,
    spool_path: PathBuf,
    zip: Option<zip::ZipWriter<Abandonable<BufWriter<File>>>>,
    /// `project.qde`, compressed: a one-entry zip copied into the project at the end.
    spool: Option<SegmentedEntry<BufWriter<File>>>,
    /// XML not compressed yet (the head; the opening of the sources).
    pending: String,
    xml: SourceXml<'c>,
    user: String,
    sources_open: bool,
    counts: ProjectCounts,
    buf: String,
    done: bool,
}

/// How much XML of the head is compressed at a time.
const PENDING_MAX: usize = 1 << 20;

/// Zip entry options: deflated, fixed time (1980-01-01) and permissions.
fn entry_options(len: u64) -> SimpleFileOptions {
    // The fastest deflate level, as for the XML: transcripts compress about as well
    // at 1 as at 6, and a large corpus spends its time elsewhere.
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(super::deflate::LEVEL as i64))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
        .large_file(len >= 0xFFFF_0000)
}

/// Whether every non-empty value is a true/false word (true, false, yes, no, כן, לא),
/// and there is at least one: such an attribute becomes a Boolean variable.
fn is_boolean_column(values: impl Iterator<Item = impl AsRef<str>>) -> bool {
    let mut any = false;
    for v in values {
        let v = v.as_ref().trim().to_lowercase();
        if v.is_empty() {
            continue;
        }
        if !matches!(v.as_str(), "true" | "false" | "yes" | "no" | "כן" | "לא") {
            return false;
        }
        any = true;
    }
    any
}

impl<'c> ProjectWriter<'c> {
    /// Starts a project at `dest` named `name`, with the codebook, the manifest's
    /// attributes as Variables and one Case per interview naming its source. An
    /// interview's attribute values go on its TextSource (see
    /// [`ProjectWriter::add_document`]), not on its Case: QualCoder reads a source's
    /// values as file attributes, and takes a variable that has a value on a named
    /// Case for a case attribute attached to no file. Nothing appears at `dest`
    /// until [`ProjectWriter::finish`].
    pub fn create(
        dest: &Path,
        name: &str,
        codebook: &'c Codebook,
        manifest: &Manifest,
    ) -> Result<ProjectWriter<'c>> {
        Self::create_with_users(dest, name, codebook, manifest, &[])
    }

    /// [`ProjectWriter::create`], with `reviewers` listed as users beside tamlil
    /// (see [`ProjectWriter::set_user`]).
    pub fn create_with_users(
        dest: &Path,
        name: &str,
        codebook: &'c Codebook,
        manifest: &Manifest,
        reviewers: &[String],
    ) -> Result<ProjectWriter<'c>> {
        let file_name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project.qdpx".into());
        let pid = std::process::id();
        let tmp = dest.with_file_name(format!(".{file_name}.tmp-{pid}"));
        let spool_path = dest.with_file_name(format!(".{file_name}.qde-{pid}"));
        let cant = |p: &Path, e: std::io::Error| {
            InputError::with_kind(ErrKind::CantCreate, p, format!("cannot create: {e}"))
        };
        let zip_file = File::create(&tmp).map_err(|e| cant(dest, e))?;
        let mut w = ProjectWriter {
            codebook,
            dest: dest.to_path_buf(),
            tmp,
            spool_path,
            zip: Some(zip::ZipWriter::new(Abandonable::new(
                BufWriter::with_capacity(1 << 16, zip_file),
            ))),
            spool: None,
            pending: String::new(),
            xml: SourceXml::new(codebook, manifest),
            user: user_guid(),
            sources_open: false,
            counts: ProjectCounts::default(),
            buf: String::new(),
            done: false,
        };
        // Read back at the end, when its entry is copied into the zip.
        let spool = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&w.spool_path)
            .map_err(|e| cant(dest, e))?;
        let spool = SegmentedEntry::new(BufWriter::with_capacity(1 << 16, spool), "project.qde")
            .map_err(|e| cant(dest, e))?;
        w.spool = Some(spool);
        w.write_head(name, manifest, reviewers)?;
        Ok(w)
    }

    /// Attributes the codings of the documents added next to the user `name`
    /// (one of the reviewers given to [`ProjectWriter::create_with_users`]), or
    /// back to tamlil with `None`.
    pub fn set_user(&mut self, name: Option<&str>) {
        self.user = name.map_or_else(user_guid, reviewer_guid);
    }

    fn write_head(&mut self, name: &str, manifest: &Manifest, reviewers: &[String]) -> Result<()> {
        let s = &mut self.pending;
        s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        let _ = writeln!(
            s,
            "<Project xmlns=\"{PROJECT_NS}\" name=\"{}\" origin=\"{}\" creatingUserGUID=\"{}\">",
            attr(&clean_name(name)),
            attr(&origin()),
            self.user
        );
        let _ = writeln!(
            s,
            "  <Users>\n    <User guid=\"{}\" name=\"{USER_NAME}\" id=\"{USER_NAME}\"/>",
            self.user
        );
        for r in reviewers.iter().filter(|r| r.as_str() != USER_NAME) {
            let _ = writeln!(
                s,
                "    <User guid=\"{}\" name=\"{}\"/>",
                reviewer_guid(r),
                attr(&clean_name(r))
            );
        }
        s.push_str("  </Users>\n");
        if !self.codebook.codes.is_empty() || !self.codebook.families.is_empty() {
            s.push_str("  <CodeBook>\n");
            qdc::write_codes(s, self.codebook, 2);
            s.push_str("  </CodeBook>\n");
        }
        let booleans = boolean_columns(manifest);
        if !manifest.attributes.is_empty() {
            s.push_str("  <Variables>\n");
            for (a, &b) in manifest.attributes.iter().zip(&booleans) {
                let _ = writeln!(
                    s,
                    "    <Variable guid=\"{}\" name=\"{}\" typeOfVariable=\"{}\"/>",
                    variable_guid(a),
                    attr(&clean_name(a)),
                    if b { "Boolean" } else { "Text" }
                );
            }
            s.push_str("  </Variables>\n");
        }
        if !manifest.entries.is_empty() {
            self.pending.push_str("  <Cases>\n");
            for e in &manifest.entries {
                let s = &mut self.pending;
                let _ = writeln!(
                    s,
                    "    <Case guid=\"{}\" name=\"{}\">",
                    case_guid(&e.id),
                    attr(&clean_name(&e.id))
                );
                let _ = writeln!(
                    s,
                    "      <SourceRef targetGUID=\"{}\"/>\n    </Case>",
                    source_guid(&e.id)
                );
                if self.pending.len() >= PENDING_MAX {
                    self.flush_pending()?;
                }
            }
            self.pending.push_str("  </Cases>\n");
        }
        Ok(())
    }

    /// Compresses the pending XML into the spool.
    fn flush_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let seg = Segment::compress(self.pending.as_bytes()).map_err(|e| io_err(&self.dest, e))?;
        self.pending.clear();
        self.append_segment(&seg)
    }

    fn append_segment(&mut self, seg: &Segment) -> Result<()> {
        let spool = self.spool.as_mut().expect("spool open");
        spool.append(seg).map_err(|e| io_err(&self.dest, e))
    }

    /// Adds one interview: its decoded `text` as a source file, a
    /// PlainTextSelection with one Coding for every code of every interviewee unit
    /// (positions are the unit's character offsets in `text`), then its attribute
    /// values as VariableValues. `codings[i]` holds the codings of `units[i]`.
    pub fn add_document(
        &mut self,
        doc_id: &str,
        attrs: &[String],
        text_of_doc: &str,
        units: &[Unit],
        codings: &[Vec<Coding>],
    ) -> Result<()> {
        let mut xml = std::mem::take(&mut self.buf);
        xml.clear();
        let selections = self
            .xml
            .text_source(doc_id, attrs, &self.user, units, codings, &mut xml);
        let prepared = PreparedSource::new(doc_id, text_of_doc, &xml, selections);
        self.buf = xml;
        self.add_prepared(prepared?)
    }

    /// Adds one interview compressed by [`PreparedSource::new`].
    pub fn add_prepared(&mut self, doc: PreparedSource) -> Result<()> {
        let zip = self.zip.as_mut().expect("zip open");
        zip.add_prepared_file(doc.text)
            .map_err(|e| io_err(&self.dest, std::io::Error::other(e)))?;
        if !self.sources_open {
            self.pending.push_str("  <Sources>\n");
            self.sources_open = true;
        }
        self.flush_pending()?;
        self.append_segment(&doc.xml)?;
        self.counts.sources += 1;
        self.counts.selections += doc.selections;
        self.counts.codings += doc.selections;
        Ok(())
    }

    /// Closes the XML, stores it as `project.qde`, and moves the `.qdpx` into place.
    pub fn finish(mut self) -> Result<ProjectCounts> {
        let mut tail = std::mem::take(&mut self.pending);
        if self.sources_open {
            tail.push_str("  </Sources>\n");
        }
        let _ = writeln!(
            tail,
            "  <Description>{}</Description>\n</Project>",
            text(&format!(
                "Coded automatically by {} with the codebook {} (sha256 {}). Every coding is by the user {USER_NAME}; each selection is named by its meaning unit.",
                origin(),
                clean_name(&self.codebook.name),
                self.codebook.hash()
            ))
        );
        self.pending = tail;
        self.flush_pending()?;
        let spooled = self
            .spool
            .take()
            .expect("spool open")
            .finish()
            .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
            .map_err(|e| io_err(&self.dest, e))?;
        let zip_err = |e: zip::result::ZipError| io_err(&self.dest, std::io::Error::other(e));
        let mut zip = self.zip.take().expect("zip open");
        // Read in large blocks: the copy reads the whole compressed XML.
        let spooled = std::io::BufReader::with_capacity(1 << 20, spooled);
        let mut qde = zip::ZipArchive::new(spooled).map_err(zip_err)?;
        zip.raw_copy_file(qde.by_index_raw(0).map_err(zip_err)?)
            .map_err(zip_err)?;
        drop(qde);
        let file = zip
            .finish()
            .map_err(|e| io_err(&self.dest, std::io::Error::other(e)))?
            .inner
            .into_inner()
            .map_err(|e| io_err(&self.dest, e.into_error()))?;
        file.sync_all().map_err(|e| io_err(&self.dest, e))?;
        drop(file);
        let _ = fs::remove_file(&self.spool_path);
        fs::rename(&self.tmp, &self.dest).map_err(|e| io_err(&self.dest, e))?;
        self.done = true;
        Ok(self.counts)
    }
}

/// Whether each manifest attribute is a Boolean variable (see [`is_boolean_column`]).
fn boolean_columns(manifest: &Manifest) -> Vec<bool> {
    (0..manifest.attributes.len())
        .map(|k| is_boolean_column(manifest.entries.iter().map(|e| &e.attrs[k])))
        .collect()
}

/// Makes the `TextSource` element of an interview; shared by the threads that
/// format documents apart, whose elements are then written in order.
pub struct SourceXml<'c> {
    codebook: &'c Codebook,
    code_guids: Vec<String>,
    /// Per attribute of the manifest: its variable's GUID and whether it is Boolean.
    variables: Vec<(String, bool)>,
}

impl<'c> SourceXml<'c> {
    /// The codebook's code GUIDs and the manifest's variables.
    pub fn new(codebook: &'c Codebook, manifest: &Manifest) -> SourceXml<'c> {
        let booleans = boolean_columns(manifest);
        SourceXml {
            codebook,
            code_guids: codebook.codes.iter().map(|c| code_guid(&c.id)).collect(),
            variables: manifest
                .attributes
                .iter()
                .zip(booleans)
                .map(|(a, b)| (variable_guid(a), b))
                .collect(),
        }
    }

    /// Appends the `VariableValue` elements of an interview's attribute values
    /// `attrs` (in the manifest's order; empty ones have none).
    fn variable_values(&self, attrs: &[String], s: &mut String) {
        for ((guid, boolean), v) in self.variables.iter().zip(attrs) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            s.push_str("      <VariableValue>\n        <VariableRef targetGUID=\"");
            s.push_str(guid);
            s.push_str("\"/>\n        ");
            if *boolean {
                let t = crate::corpus::manifest::parse_bool(v).unwrap_or(false);
                let _ = write!(s, "<BooleanValue>{t}</BooleanValue>");
            } else {
                s.push_str("<TextValue>");
                s.push_str(&text(v));
                s.push_str("</TextValue>");
            }
            s.push_str("\n      </VariableValue>\n");
        }
    }

    /// Appends to `s` the `TextSource` of interview `doc_id` with its selections
    /// and codings by the user with GUID `user` (see [`user_guid`],
    /// [`reviewer_guid`]); returns the number of selections.
    pub fn text_source(
        &self,
        doc_id: &str,
        attrs: &[String],
        user: &str,
        units: &[Unit],
        codings: &[Vec<Coding>],
        s: &mut String,
    ) -> usize {
        let src_guid = source_guid(doc_id);
        let mut selections = 0;
        let _ = writeln!(
            s,
            "    <TextSource guid=\"{src_guid}\" name=\"{}\" plainTextPath=\"internal://{src_guid}.txt\" creatingUser=\"{}\">",
            attr(&clean_name(doc_id)),
            user
        );
        // Written piece by piece: a large corpus has millions of selections.
        let mut num = itoa::Buffer::new();
        for (u, cs) in units.iter().zip(codings) {
            if u.role != Role::Interviewee || cs.is_empty() {
                continue;
            }
            let unit_name = clean_name(&u.unit_id);
            let unit_name = attr(&unit_name);
            for c in cs {
                let code_id = self.codebook.codes[c.code].id.as_str();
                // The selection of a code on a unit and its coding are named by the
                // document, the unit and the code.
                let parts = [doc_id, u.unit_id.as_str(), code_id];
                s.push_str("      <PlainTextSelection guid=\"");
                push_guid(Kind::Selection, &parts, s);
                s.push_str("\" name=\"");
                s.push_str(&unit_name);
                s.push_str("\" startPosition=\"");
                s.push_str(num.format(u.start));
                s.push_str("\" endPosition=\"");
                s.push_str(num.format(u.end));
                s.push_str("\" creatingUser=\"");
                s.push_str(user);
                s.push_str("\">\n        <Coding guid=\"");
                push_guid(Kind::Coding, &parts, s);
                s.push_str("\" creatingUser=\"");
                s.push_str(user);
                s.push_str("\">\n          <CodeRef targetGUID=\"");
                s.push_str(&self.code_guids[c.code]);
                s.push_str("\"/>\n        </Coding>\n      </PlainTextSelection>\n");
                selections += 1;
            }
        }
        self.variable_values(attrs, s);
        s.push_str("    </TextSource>\n");
        selections
    }
}

impl Drop for ProjectWriter<'_> {
    fn drop(&mut self) {
        // Unfinished (an error, a panic): leave nothing behind.
        if !self.done {
            // A zip writer finishes its archive when dropped: abandoned first, it
            // writes nothing into the file removed just below.
            if let Some(zip) = self.zip.take() {
                zip.get_ref().inspect(|w| w.abandon());
            }
            self.spool.take();
            let _ = fs::remove_file(&self.tmp);
            let _ = fs::remove_file(&self.spool_path);
        }
    }
}

/// The project file under the zip writer. An archive is abandoned when a write to
/// it fails or the project is given up unfinished: what is written after (the zip
/// writer finishing the archive when it is dropped, which would fail again and say
/// so on standard error) goes nowhere, and the first error is the one the user is
/// told.
struct Abandonable<W> {
    inner: W,
    abandoned: std::cell::Cell<bool>,
}

impl<W> Abandonable<W> {
    fn new(inner: W) -> Self {
        Abandonable {
            inner,
            abandoned: std::cell::Cell::new(false),
        }
    }

    /// From now on, writes go nowhere.
    fn abandon(&self) {
        self.abandoned.set(true);
    }
}

impl<W: std::io::Write> std::io::Write for Abandonable<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.abandoned.get() {
            return Ok(buf.len());
        }
        self.inner.write(buf).inspect_err(|_| self.abandon())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.abandoned.get() {
            return Ok(());
        }
        self.inner.flush().inspect_err(|_| self.abandon())
    }
}

impl<W: std::io::Seek> std::io::Seek for Abandonable<W> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        if self.abandoned.get() {
            return Ok(0);
        }
        self.inner.seek(pos).inspect_err(|_| self.abandon())
    }
}

fn io_err(dest: &Path, e: std::io::Error) -> anyhow::Error {
    InputError::cannot_write(dest, e).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that fails from its `fails_at`-th write on.
    struct FailsFrom {
        writes: usize,
        fails_at: usize,
        got: Vec<u8>,
    }

    impl std::io::Write for FailsFrom {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.writes += 1;
            if self.writes >= self.fails_at {
                return Err(std::io::Error::other("disk full"));
            }
            self.got.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn after_a_failed_write_the_archive_is_abandoned() {
        use std::io::Write;
        let inner = FailsFrom {
            writes: 0,
            fails_at: 2,
            got: Vec::new(),
        };
        let mut w = Abandonable::new(inner);
        w.write_all(b"first").unwrap();
        assert!(w.write_all(b"second").is_err());
        // Later writes (the zip writer finishing when dropped) go nowhere, unreported.
        w.write_all(b"third").unwrap();
        w.flush().unwrap();
        assert_eq!(w.inner.got, b"first");
        assert_eq!(w.inner.writes, 2);
        // Given up without a failure: nothing more reaches the file either.
        let mut w = Abandonable::new(FailsFrom {
            writes: 0,
            fails_at: usize::MAX,
            got: Vec::new(),
        });
        w.write_all(b"kept").unwrap();
        w.abandon();
        w.write_all(b"dropped").unwrap();
        assert_eq!(w.inner.got, b"kept");
    }

    fn codebook() -> Codebook {
        let src = "[[code]]\nid = \"a.x\"\nlabel_he = \"איקס\"\nterms = [\"ידע\"]\n";
        crate::codebook::parse_str(Path::new("t.toml"), src)
            .0
            .unwrap()
    }

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tamlil-qdpx-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn unfinished_project_leaves_nothing() {
        let d = dir("drop");
        let cb = codebook();
        let m = Manifest {
            path: None,
            attributes: vec![],
            entries: vec![],
        };
        {
            let mut w = ProjectWriter::create(&d.join("p.qdpx"), "p", &cb, &m).unwrap();
            w.add_document("A", &[], "שלום", &[], &[]).unwrap();
        }
        assert_eq!(fs::read_dir(&d).unwrap().count(), 0);
        let w = ProjectWriter::create(&d.join("p.qdpx"), "p", &cb, &m).unwrap();
        assert_eq!(w.finish().unwrap(), ProjectCounts::default());
        let names: Vec<_> = fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["p.qdpx"]);
        // No manifest entries, no documents: no empty Cases, Variables or Sources
        // (the schema wants at least one child in each).
        let mut z = zip::ZipArchive::new(File::open(d.join("p.qdpx")).unwrap()).unwrap();
        let mut qde = String::new();
        std::io::Read::read_to_string(&mut z.by_name("project.qde").unwrap(), &mut qde).unwrap();
        assert!(qde.contains("<CodeBook>") && qde.contains("name=\"איקס\""));
        for absent in ["<Cases>", "<Variables>", "<Sources>"] {
            assert!(!qde.contains(absent), "{absent} in {qde}");
        }
        fs::remove_dir_all(&d).unwrap();
    }

    /// A manifest of `n` interviews with a `sector` attribute.
    fn manifest(n: usize) -> Manifest {
        Manifest {
            path: None,
            attributes: vec!["sector".into()],
            entries: (0..n)
                .map(|i| crate::corpus::Entry {
                    line: i + 2,
                    id: format!("P{i:05}"),
                    path: PathBuf::from(format!("P{i:05}.txt")),
                    encoding: None,
                    interviewer_labels: vec![],
                    attrs: vec![["public", "business"][i % 2].into()],
                })
                .collect(),
        }
    }

    /// Interview `i`: its text, one interviewee unit per line, each coded `a.x`.
    fn document(i: usize) -> (String, Vec<Unit>, Vec<Vec<Coding>>) {
        let mut text = String::new();
        let mut units = Vec::new();
        for k in 0..40 + i * 7 {
            let line = format!("אני יודעת מה הזכויות שלי, אמרה {k}.");
            let start = text.chars().count();
            let end = start + line.chars().count();
            units.push(Unit {
                unit_id: format!("P{i:05}-{:04}", k + 1),
                doc_id: format!("P{i:05}"),
                turn: k as u32,
                speaker: "ת".into(),
                role: Role::Interviewee,
                start,
                end,
                n_words: 6,
                text: line.clone(),
            });
            text.push_str(&line);
            text.push('\n');
        }
        let codings = units
            .iter()
            .map(|_| {
                vec![Coding {
                    code: 0,
                    score: 1.0,
                    evidence: vec![],
                    learned: false,
                }]
            })
            .collect();
        (text, units, codings)
    }

    #[test]
    fn documents_compressed_on_other_threads_give_the_same_project() {
        let d = dir("threads");
        let cb = codebook();
        // Enough interviews for a head of several segments (over 1 MiB of Cases).
        let m = manifest(8_000);
        let docs: Vec<_> = (0..5).map(document).collect();
        // Compressed on the writer's thread, one document after the other.
        let mut w = ProjectWriter::create(&d.join("a.qdpx"), "p", &cb, &m).unwrap();
        for (i, (text, units, codings)) in docs.iter().enumerate() {
            w.add_document(&m.entries[i].id, &m.entries[i].attrs, text, units, codings)
                .unwrap();
        }
        let counts = w.finish().unwrap();
        assert_eq!(counts.sources, 5);
        assert_eq!(counts.codings, (0..5).map(|i| 40 + i * 7).sum::<usize>());
        // Compressed on one thread per document, added in order.
        let mut w = ProjectWriter::create(&d.join("b.qdpx"), "p", &cb, &m).unwrap();
        let xml = SourceXml::new(&cb, &m);
        let prepared: Vec<PreparedSource> = std::thread::scope(|scope| {
            let handles: Vec<_> = docs
                .iter()
                .enumerate()
                .map(|(i, (text, units, codings))| {
                    let (xml, e) = (&xml, &m.entries[i]);
                    scope.spawn(move || {
                        let mut s = String::new();
                        let n =
                            xml.text_source(&e.id, &e.attrs, &user_guid(), units, codings, &mut s);
                        PreparedSource::new(&e.id, text, &s, n).unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for p in prepared {
            w.add_prepared(p).unwrap();
        }
        assert_eq!(w.finish().unwrap(), counts);
        let (a, b) = (
            fs::read(d.join("a.qdpx")).unwrap(),
            fs::read(d.join("b.qdpx")).unwrap(),
        );
        assert!(a == b, "the two projects differ");

        // The zip crate reads every entry back (checking each CRC).
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
        assert_eq!(z.len(), 6);
        for (i, (text, _, _)) in docs.iter().enumerate() {
            let mut back = String::new();
            let mut f = z.by_name(&source_file(&m.entries[i].id)).unwrap();
            std::io::Read::read_to_string(&mut f, &mut back).unwrap();
            assert_eq!(&back, text);
        }
        let mut qde = String::new();
        let mut f = z.by_name("project.qde").unwrap();
        assert_eq!(f.compression(), zip::CompressionMethod::Deflated);
        assert_eq!(f.unix_mode(), Some(0o100_644));
        std::io::Read::read_to_string(&mut f, &mut qde).unwrap();
        assert_eq!(f.size(), qde.len() as u64);
        assert!(qde.len() > PENDING_MAX, "{}", qde.len());
        assert!(qde.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Project "));
        assert!(qde.ends_with("</Description>\n</Project>\n"));
        assert_eq!(qde.matches("<Case guid=").count(), 8_000);
        assert_eq!(qde.matches("<TextSource guid=").count(), 5);
        assert_eq!(qde.matches("<Coding guid=").count(), counts.codings);
        assert_eq!(qde.matches("<Sources>").count(), 1);
        assert!(qde.contains("  </Cases>\n  <Sources>\n    <TextSource "));
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn boolean_columns() {
        assert!(is_boolean_column(["true", "False", "", "כן"].iter()));
        assert!(!is_boolean_column(["true", "maybe"].iter()));
        assert!(!is_boolean_column(["1", "0"].iter()));
        assert!(!is_boolean_column(["", ""].iter()));
    }
}
