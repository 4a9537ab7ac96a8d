//! A per-document cache of decoded text, units and codings, so re-runs redo only what changed.
//!
//! The cache is a folder (by default `OUT.cache` beside the output folder) with
//!
//! - `files.tsv`: for each transcript read, its size, modification time and inode
//!   with its sha256, so an unchanged file is known by its metadata without being
//!   read again (as git's index does);
//! - `seg/KEY`: a document's decoded text and its units, under a key made of the
//!   file's sha256, the interview id, the declared encoding, the interviewer
//!   labels, the segmentation options and the cache format;
//! - `code/KEY`: the codings of those units, under a key made of the segmentation
//!   key, the codebook's sha256 and the interview's attribute values.
//!
//! Changing a transcript, the segmentation options or the codebook changes the key,
//! so stale entries are never read. Of the entries a successful run did not use,
//! the most recent are kept up to the size of those it used; older ones are
//! removed. An entry that does not decode (a truncated or foreign file) is ignored
//! and recomputed. The cache holds the transcripts' text: keep it where the
//! transcripts are kept.
//!
//! Only tamlil's own work is cached: reviewed codings (`tamlil run --reviewed`)
//! are applied after it, on every run, so a changed review is never served stale.

use crate::coding::{Coding, Evidence};
use crate::corpus::Entry;
use crate::text::{Role, SegmentOptions, Unit};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bumped whenever segmentation, coding or the entry layout changes meaning.
const FORMAT: u32 = 1;
const MAGIC: &[u8; 8] = b"tamlilC\x01";

/// How often each kind of entry was found or had to be computed in one run.
#[derive(Debug, Default, Clone, Copy, serde::Serialize, PartialEq, Eq)]
pub struct CacheStats {
    /// Transcripts known unchanged by their metadata (not read).
    pub files_unread: usize,
    pub segment_hits: usize,
    pub segment_misses: usize,
    pub coding_hits: usize,
    pub coding_misses: usize,
}

/// What is known of a transcript file: metadata and content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    size: u64,
    mtime_ns: i128,
    inode: u64,
    sha256: String,
}

/// A cache folder opened for one run.
pub struct Cache {
    dir: PathBuf,
    codebook_sha256: String,
    n_codes: usize,
    files: HashMap<PathBuf, FileStamp>,
    seen: Mutex<HashMap<PathBuf, FileStamp>>,
    used: Mutex<HashSet<String>>,
    counts: [AtomicUsize; 5],
}

/// A document's segmentation as cached.
pub struct CachedSegmentation {
    pub text: String,
    pub units: Vec<Unit>,
}

impl Cache {
    /// Opens (creating it if needed) the cache folder `dir` for a run with the
    /// codebook whose sha256 is `codebook_sha256` and which has `n_codes` codes. A
    /// folder that cannot be created makes the run go on without a cache, with a
    /// warning.
    pub fn open(dir: &Path, codebook_sha256: &str, n_codes: usize) -> Option<Cache> {
        for sub in ["seg", "code"] {
            if let Err(e) = std::fs::create_dir_all(dir.join(sub)) {
                eprintln!(
                    "tamlil: warning: {}: cannot use as cache ({e}); going on without one",
                    dir.display()
                );
                return None;
            }
        }
        let files = std::fs::read_to_string(dir.join("files.tsv"))
            .map(|s| parse_files(&s))
            .unwrap_or_default();
        Some(Cache {
            dir: dir.to_path_buf(),
            codebook_sha256: codebook_sha256.to_string(),
            n_codes,
            files,
            seen: Mutex::new(HashMap::new()),
            used: Mutex::new(HashSet::new()),
            counts: Default::default(),
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The sha256 and size of `path` if its metadata is as recorded (the file is
    /// then not read).
    pub fn known_file(&self, path: &Path) -> Option<(String, u64)> {
        let stamp = stamp_of(path, String::new())?;
        let known = self.files.get(path)?;
        if (known.size, known.mtime_ns, known.inode) != (stamp.size, stamp.mtime_ns, stamp.inode) {
            return None;
        }
        self.seen
            .lock()
            .unwrap()
            .insert(path.to_path_buf(), known.clone());
        self.bump(0);
        Some((known.sha256.clone(), known.size))
    }

    /// Records the sha256 of `path`, just read.
    pub fn note_file(&self, path: &Path, sha256: &str) {
        if let Some(stamp) = stamp_of(path, sha256.to_string()) {
            self.seen.lock().unwrap().insert(path.to_path_buf(), stamp);
        }
    }

    /// The key of a document's segmentation.
    pub fn segment_key(entry: &Entry, sha256: &str, seg: &SegmentOptions) -> String {
        let seg = serde_json::to_string(seg).unwrap_or_default();
        crate::hash::sha256_hex(
            format!(
                "tamlil {} cache {FORMAT}\nfile {sha256}\nid {}\nencoding {:?}\ninterviewer {:?}\nseg {seg}\n",
                env!("CARGO_PKG_VERSION"),
                entry.id,
                entry.encoding,
                entry.interviewer_labels,
            )
            .as_bytes(),
        )
    }

    /// The key of a document's codings.
    pub fn coding_key(&self, segment_key: &str, attrs: &[(&str, &str)]) -> String {
        let mut s = format!("{segment_key}\ncodebook {}\n", self.codebook_sha256);
        for (a, v) in attrs {
            s.push_str(&format!("{a:?}={v:?}\n"));
        }
        crate::hash::sha256_hex(s.as_bytes())
    }

    /// The cached segmentation under `key`, if any.
    pub fn load_segmentation(&self, key: &str, doc_id: &str) -> Option<CachedSegmentation> {
        let got = std::fs::read(self.dir.join("seg").join(key))
            .ok()
            .and_then(|b| decode_segmentation(&b, doc_id));
        self.bump(if got.is_some() { 1 } else { 2 });
        self.used.lock().unwrap().insert(format!("seg/{key}"));
        got
    }

    /// Stores a segmentation (a failure to write only costs the next run time).
    pub fn store_segmentation(&self, key: &str, text: &str, units: &[Unit]) {
        self.store_entry(&format!("seg/{key}"), &encode_segmentation(text, units));
    }

    /// The cached codings under `key` for `n_units` units, if any.
    pub fn load_codings(&self, key: &str, n_units: usize) -> Option<Vec<Vec<Coding>>> {
        let got = std::fs::read(self.dir.join("code").join(key))
            .ok()
            .and_then(|b| decode_codings(&b, n_units, self.n_codes));
        self.bump(if got.is_some() { 3 } else { 4 });
        self.used.lock().unwrap().insert(format!("code/{key}"));
        got
    }

    /// Stores the codings of a document's units.
    pub fn store_codings(&self, key: &str, codings: &[Vec<Coding>]) {
        self.store_entry(&format!("code/{key}"), &encode_codings(codings));
    }

    /// The counts of this run so far.
    pub fn stats(&self) -> CacheStats {
        let c = |i: usize| self.counts[i].load(Ordering::Relaxed);
        CacheStats {
            files_unread: c(0),
            segment_hits: c(1),
            segment_misses: c(2),
            coding_hits: c(3),
            coding_misses: c(4),
        }
    }

    /// After a successful run: records the files seen, and keeps of the entries
    /// this run did not use only the most recent, up to as many bytes as it used
    /// (so going back to the previous codebook or options is still cached, and the
    /// cache stays within twice what one run needs).
    pub fn finish(&self) {
        let seen = self.seen.lock().unwrap();
        let mut lines: Vec<String> = seen
            .iter()
            .map(|(p, s)| {
                format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    s.sha256,
                    s.size,
                    s.mtime_ns,
                    s.inode,
                    p.display()
                )
            })
            .collect();
        lines.sort();
        self.store("files.tsv", lines.concat().as_bytes());
        let used = self.used.lock().unwrap();
        for sub in ["seg", "code"] {
            let Ok(dir) = std::fs::read_dir(self.dir.join(sub)) else {
                continue;
            };
            let (mut used_bytes, mut unused) = (0u64, Vec::new());
            for e in dir.flatten() {
                let name = format!("{sub}/{}", e.file_name().to_string_lossy());
                let meta = e.metadata().ok();
                let size = meta.as_ref().map_or(0, |m| m.len());
                if used.contains(&name) {
                    used_bytes += size;
                } else {
                    let mtime = meta.and_then(|m| m.modified().ok());
                    unused.push((mtime, e.file_name(), size, e.path()));
                }
            }
            // Newest first; keep what fits in as many bytes as this run used.
            unused.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            let mut kept = 0u64;
            for (_, _, size, path) in unused {
                if kept + size <= used_bytes {
                    kept += size;
                } else {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }

    fn bump(&self, i: usize) {
        self.counts[i].fetch_add(1, Ordering::Relaxed);
    }

    /// Writes an entry in place: a partly written entry is shorter than its lengths
    /// say and does not decode, so it is recomputed; the content under a key is
    /// always the same, so two runs writing it at once write the same bytes.
    fn store_entry(&self, name: &str, bytes: &[u8]) {
        let dest = self.dir.join(name);
        if std::fs::write(&dest, bytes).is_err() {
            let _ = std::fs::remove_file(&dest);
        }
    }

    /// Replaces a file of the cache atomically (a failure only costs the next run time).
    fn store(&self, name: &str, bytes: &[u8]) {
        let _ = crate::output::write_atomic(&self.dir.join(name), bytes);
    }
}

fn stamp_of(path: &Path, sha256: String) -> Option<FileStamp> {
    let m = std::fs::metadata(path).ok()?;
    let mtime = m.modified().ok()?;
    let mtime_ns = match mtime.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    Some(FileStamp {
        size: m.len(),
        mtime_ns,
        inode,
        sha256,
    })
}

fn parse_files(s: &str) -> HashMap<PathBuf, FileStamp> {
    s.lines()
        .filter_map(|l| {
            let mut f = l.splitn(5, '\t');
            let sha256 = f.next()?.to_string();
            let size = f.next()?.parse().ok()?;
            let mtime_ns = f.next()?.parse().ok()?;
            let inode = f.next()?.parse().ok()?;
            let path = PathBuf::from(f.next()?);
            (sha256.len() == 64).then_some((
                path,
                FileStamp {
                    size,
                    mtime_ns,
                    inode,
                    sha256,
                },
            ))
        })
        .collect()
}

/// Little-endian writer of cache entries.
struct Enc(Vec<u8>);

impl Enc {
    fn new(kind: u8) -> Enc {
        let mut v = MAGIC.to_vec();
        v.extend_from_slice(&FORMAT.to_le_bytes());
        v.push(kind);
        Enc(v)
    }
    fn u32(&mut self, x: usize) {
        self.0.extend_from_slice(&(x as u32).to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
}

/// Reader of cache entries; every read checks bounds.
struct Dec<'a>(&'a [u8]);

impl<'a> Dec<'a> {
    fn new(b: &'a [u8], kind: u8) -> Option<Dec<'a>> {
        let head = MAGIC.len() + 5;
        (b.len() >= head
            && &b[..MAGIC.len()] == MAGIC
            && b[MAGIC.len()..MAGIC.len() + 4] == FORMAT.to_le_bytes()
            && b[MAGIC.len() + 4] == kind)
            .then(|| Dec(&b[head..]))
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize)
    }
    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()?;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

fn role_byte(r: Role) -> u8 {
    match r {
        Role::Interviewer => 0,
        Role::Interviewee => 1,
        Role::Other => 2,
    }
}

fn encode_segmentation(text: &str, units: &[Unit]) -> Vec<u8> {
    let mut e = Enc::new(b's');
    e.str(text);
    e.u32(units.len());
    for u in units {
        e.str(&u.unit_id);
        e.u32(u.turn as usize);
        e.str(&u.speaker);
        e.0.push(role_byte(u.role));
        e.u32(u.start);
        e.u32(u.end);
        e.u32(u.n_words);
    }
    e.0
}

/// Units are stored without their text, which is sliced back out of the document.
fn decode_segmentation(b: &[u8], doc_id: &str) -> Option<CachedSegmentation> {
    let mut d = Dec::new(b, b's')?;
    let text = d.str()?.to_string();
    let n = d.u32()?;
    let mut units = Vec::with_capacity(n.min(b.len() / 8));
    // Character offsets -> byte offsets, walking the text once (units are in order).
    let mut chars = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    let (mut at_char, mut at_byte) = (0usize, chars.next()?);
    let mut byte_of = |c: usize| -> Option<usize> {
        if c < at_char {
            return None;
        }
        while at_char < c {
            at_byte = chars.next()?;
            at_char += 1;
        }
        Some(at_byte)
    };
    for _ in 0..n {
        let unit_id = d.str()?.to_string();
        let turn = d.u32()? as u32;
        let speaker = d.str()?.to_string();
        let role = match d.u8()? {
            0 => Role::Interviewer,
            1 => Role::Interviewee,
            2 => Role::Other,
            _ => return None,
        };
        let (start, end, n_words) = (d.u32()?, d.u32()?, d.u32()?);
        if end < start {
            return None;
        }
        let (bs, be) = (byte_of(start)?, byte_of(end)?);
        units.push(Unit {
            unit_id,
            doc_id: doc_id.to_string(),
            turn,
            speaker,
            role,
            start,
            end,
            n_words,
            text: text[bs..be].to_string(),
        });
    }
    d.0.is_empty().then_some(CachedSegmentation { text, units })
}

fn encode_codings(codings: &[Vec<Coding>]) -> Vec<u8> {
    let mut e = Enc::new(b'c');
    e.u32(codings.len());
    for cs in codings {
        e.u32(cs.len());
        for c in cs {
            e.u32(c.code);
            e.0.extend_from_slice(&c.score.to_le_bytes());
            e.u32(c.evidence.len());
            for ev in &c.evidence {
                e.u32(ev.start);
                e.u32(ev.end);
                e.u32(ev.byte_start);
                e.u32(ev.byte_end);
            }
        }
    }
    e.0
}

fn decode_codings(b: &[u8], n_units: usize, n_codes: usize) -> Option<Vec<Vec<Coding>>> {
    let mut d = Dec::new(b, b'c')?;
    if d.u32()? != n_units {
        return None;
    }
    let mut out = Vec::with_capacity(n_units);
    for _ in 0..n_units {
        let n = d.u32()?;
        let mut cs = Vec::with_capacity(n.min(n_codes));
        for _ in 0..n {
            let code = d.u32()?;
            if code >= n_codes {
                return None;
            }
            let score = d.f32()?;
            let m = d.u32()?;
            let mut evidence = Vec::with_capacity(m.min(d.0.len() / 16));
            for _ in 0..m {
                evidence.push(Evidence {
                    start: d.u32()?,
                    end: d.u32()?,
                    byte_start: d.u32()?,
                    byte_end: d.u32()?,
                });
            }
            cs.push(Coding {
                code,
                score,
                evidence,
            });
        }
        out.push(cs);
    }
    d.0.is_empty().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, role: Role, start: usize, end: usize, text: &str) -> Unit {
        Unit {
            unit_id: id.into(),
            doc_id: "D".into(),
            turn: 1,
            speaker: "ת".into(),
            role,
            start,
            end,
            n_words: text.split_whitespace().count(),
            text: text.into(),
        }
    }

    #[test]
    fn segmentation_round_trips_with_texts_sliced_back() {
        let text = "ש: מה?\nת: אני משתמשת בידע. והקשרים עוזרים.";
        let chars: Vec<char> = text.chars().collect();
        let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
        let units = vec![
            unit("D-0001", Role::Interviewer, 3, 6, &slice(3, 6)),
            unit("D-0002", Role::Interviewee, 10, 26, &slice(10, 26)),
            unit("D-0003", Role::Interviewee, 27, 42, &slice(27, 42)),
        ];
        let b = encode_segmentation(text, &units);
        let got = decode_segmentation(&b, "D").unwrap();
        assert_eq!(got.text, text);
        assert_eq!(got.units, units);
        assert_eq!(got.units[1].text, "אני משתמשת בידע.");
        // Truncated or foreign bytes are no entry.
        assert!(decode_segmentation(&b[..b.len() - 1], "D").is_none());
        assert!(decode_segmentation(b"not a cache entry", "D").is_none());
        let mut wrong_kind = b.clone();
        wrong_kind[MAGIC.len() + 4] = b'c';
        assert!(decode_segmentation(&wrong_kind, "D").is_none());
    }

    #[test]
    fn codings_round_trip_and_are_checked_against_the_units_and_codes() {
        let codings = vec![
            vec![],
            vec![Coding {
                code: 2,
                score: 1.5,
                evidence: vec![Evidence {
                    start: 11,
                    end: 15,
                    byte_start: 20,
                    byte_end: 28,
                }],
            }],
        ];
        let b = encode_codings(&codings);
        assert_eq!(decode_codings(&b, 2, 3), Some(codings));
        assert_eq!(decode_codings(&b, 3, 3), None, "another unit count");
        assert_eq!(decode_codings(&b, 2, 2), None, "a code the codebook lacks");
    }

    #[test]
    fn files_index_parses_its_own_lines_and_skips_others() {
        let sha = "a".repeat(64);
        let s = format!("{sha}\t12\t-5\t7\t/tmp/a b.txt\nbroken line\n");
        let got = parse_files(&s);
        assert_eq!(got.len(), 1);
        let st = &got[Path::new("/tmp/a b.txt")];
        assert_eq!((st.size, st.mtime_ns, st.inode), (12, -5, 7));
    }
}
