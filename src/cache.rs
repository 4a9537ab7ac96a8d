//! A cache of decoded text, units and codings, so re-runs redo only what changed.
//!
//! The cache is a folder (by default `OUT.cache` beside the output folder) with
//!
//! - `files.tsv`: for each transcript read, its size, modification time and inode
//!   with its sha256, so an unchanged file is known by its metadata without being
//!   read again (as git's index does);
//! - `seg/*.pack`: documents' decoded text and units, each under a key made of the
//!   file's sha256, the interview id, the declared encoding, the interviewer
//!   labels, the segmentation options and the cache format;
//! - `code/*.pack`: the codings of those units, each under a key made of the
//!   segmentation key, the codebook's sha256 and the interview's attribute values.
//!
//! A pack holds the entries one run computed, one after the other, and ends with
//! an index of their keys, offsets and lengths and a trailer: a run writes at most
//! one pack of each kind, under a temporary name renamed into place when the run
//! has succeeded, so the cache is a few large files and never a half-written one. A
//! pack whose trailer or index does not check (a truncated or foreign file) is
//! ignored, and an entry that does not decode is recomputed. Entries are read from
//! the packs by offset, without opening a file per document.
//!
//! Changing a transcript, the segmentation options or the codebook changes the key,
//! so stale entries are never read. Of the packs holding no entry a successful run
//! used, the most recent are kept up to the size of the entries it used; older ones
//! are removed. When the packs a run used hold more unused bytes than that, its
//! entries are copied into one new pack and those packs removed. The cache holds
//! the transcripts' text: keep it where the transcripts are kept.
//!
//! Only tamlil's own work is cached: reviewed codings (`tamlil run --reviewed`)
//! are applied after it, on every run, so a changed review is never served stale.

use crate::coding::{Coding, Evidence};
use crate::corpus::Entry;
use crate::hash::{from_hex32, to_hex};
use crate::output::AtomicFile;
use crate::text::{Role, SegmentOptions, Unit};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bumped whenever segmentation, coding or the entry layout changes meaning.
const FORMAT: u32 = 4;
const MAGIC: &[u8; 8] = b"tamlilC\x01";
/// The start of a pack (then the format and the kind of its entries).
const PACK_MAGIC: &[u8; 8] = b"tamlilP\x01";
/// The end of a pack, after the entry count and the index offset.
const PACK_END: &[u8; 8] = b"tamlilX\x01";
const PACK_HEAD: u64 = 13;
const PACK_TAIL: u64 = 24;
/// An index entry: the key (64 hex digits), the offset and the length.
const INDEX_ENTRY: u64 = 80;
const KINDS: [(&str, u8); 2] = [("seg", b's'), ("code", b'c')];

/// A key or a file's sha256, held as its 32 bytes (written as 64 hex digits in
/// the packs and files.tsv), so the maps of a cache with an entry per interview
/// stay small.
type Digest = [u8; 32];

/// The key of a cached entry: the sha256 of what the entry depends on.
pub type Key = Digest;

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
    sha256: Digest,
}

/// A pack's index: (key, offset, length) of each entry.
type Index = Vec<(Digest, u64, u64)>;
/// A pack's path, size and index.
type PackInfo<'a> = (PathBuf, u64, &'a [(Digest, u64, u64)]);

/// A pack of entries found when the cache was opened.
struct Pack {
    path: PathBuf,
    /// Open for reads by offset (and still readable if another run removes it).
    file: File,
    size: u64,
    /// (key, offset, length) of each entry.
    index: Index,
}

/// The pack a run is writing: entries are appended as they are computed.
struct PackWriter {
    path: PathBuf,
    file: AtomicFile,
    at: u64,
    index: Index,
    /// Key -> (offset, length) of the entries written so far.
    written: HashMap<Digest, (u64, u64)>,
}

/// One kind of entries (segmentations or codings).
struct Store {
    sub: &'static str,
    dir: PathBuf,
    /// Packs found broken when the cache was opened (removed by `finish`).
    broken: Vec<PathBuf>,
    kind: u8,
    /// The packs, newest first.
    packs: Vec<Pack>,
    /// Key -> (pack, offset, length), from the newest pack holding it.
    by_key: HashMap<Digest, (usize, u64, u64)>,
    /// Keys looked up or stored by this run, with the length of their entry.
    used: Mutex<HashMap<Digest, u64>>,
    /// `None` until the first entry is stored, or after a failed write.
    writer: Mutex<Option<PackWriter>>,
    write_failed: std::sync::atomic::AtomicBool,
}

/// A cache folder opened for one run.
pub struct Cache {
    dir: PathBuf,
    codebook_sha256: String,
    n_codes: usize,
    files: HashMap<PathBuf, FileStamp>,
    seen: Mutex<HashMap<PathBuf, FileStamp>>,
    stores: [Store; 2],
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
        for (sub, _) in KINDS {
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
        let stores = KINDS.map(|(sub, kind)| Store::open(&dir.join(sub), sub, kind));
        Some(Cache {
            dir: dir.to_path_buf(),
            codebook_sha256: codebook_sha256.to_string(),
            n_codes,
            files,
            seen: Mutex::new(HashMap::new()),
            stores,
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
        let stamp = stamp_of(path, [0; 32])?;
        let known = self.files.get(path)?;
        if (known.size, known.mtime_ns, known.inode) != (stamp.size, stamp.mtime_ns, stamp.inode) {
            return None;
        }
        self.seen
            .lock()
            .unwrap()
            .insert(path.to_path_buf(), known.clone());
        self.bump(0);
        Some((to_hex(&known.sha256), known.size))
    }

    /// Records the sha256 of `path`, just read.
    pub fn note_file(&self, path: &Path, sha256: &str) {
        if let Some(stamp) = from_hex32(sha256).and_then(|d| stamp_of(path, d)) {
            self.seen.lock().unwrap().insert(path.to_path_buf(), stamp);
        }
    }

    /// The key of a document's segmentation.
    pub fn segment_key(entry: &Entry, sha256: &str, seg: &SegmentOptions) -> Key {
        let seg = serde_json::to_string(seg).unwrap_or_default();
        crate::hash::sha256(
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
    pub fn coding_key(&self, segment_key: &Key, attrs: &[(&str, &str)]) -> Key {
        let mut s = format!(
            "{}\ncodebook {}\n",
            to_hex(segment_key),
            self.codebook_sha256
        );
        for (a, v) in attrs {
            s.push_str(&format!("{a:?}={v:?}\n"));
        }
        crate::hash::sha256(s.as_bytes())
    }

    /// The cached segmentation under `key`, if any.
    pub fn load_segmentation(&self, key: &Key, doc_id: &str) -> Option<CachedSegmentation> {
        let got = self.stores[0]
            .load(key)
            .and_then(|b| decode_segmentation(&b, doc_id));
        self.bump(if got.is_some() { 1 } else { 2 });
        got
    }

    /// Stores a segmentation (a failure to write only costs the next run time).
    pub fn store_segmentation(&self, key: &Key, text: &str, units: &[Unit]) {
        self.stores[0].store(key, &encode_segmentation(text, units));
    }

    /// The cached codings under `key` for `n_units` units, if any.
    pub fn load_codings(&self, key: &Key, n_units: usize) -> Option<Vec<Vec<Coding>>> {
        let got = self.stores[1]
            .load(key)
            .and_then(|b| decode_codings(&b, n_units, self.n_codes));
        self.bump(if got.is_some() { 3 } else { 4 });
        got
    }

    /// Stores the codings of a document's units.
    pub fn store_codings(&self, key: &Key, codings: &[Vec<Coding>]) {
        self.stores[1].store(key, &encode_codings(codings));
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

    /// After a successful run: records the files seen, puts the packs this run
    /// wrote into place, and keeps of the packs holding no entry it used only the
    /// most recent, up to as many bytes as its entries take (so going back to the
    /// previous codebook or options is still cached, and the cache stays within
    /// about twice what one run needs).
    pub fn finish(&self) {
        let seen = self.seen.lock().unwrap();
        let mut lines: Vec<String> = seen
            .iter()
            .map(|(p, s)| {
                format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    to_hex(&s.sha256),
                    s.size,
                    s.mtime_ns,
                    s.inode,
                    p.display()
                )
            })
            .collect();
        lines.sort();
        let _ = crate::output::write_atomic(&self.dir.join("files.tsv"), lines.concat().as_bytes());
        for store in &self.stores {
            store.finish(&self.dir.join(store.sub));
        }
    }

    fn bump(&self, i: usize) {
        self.counts[i].fetch_add(1, Ordering::Relaxed);
    }
}

/// A new pack's name: the time (so names sort oldest first) and the process.
fn pack_name() -> String {
    let ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{ns:020}-{}.pack", std::process::id())
}

impl Store {
    fn open(dir: &Path, sub: &'static str, kind: u8) -> Store {
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| is_pack(p))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.reverse();
        let (mut packs, mut broken) = (Vec::new(), Vec::new());
        for p in names {
            match read_pack(&p, kind) {
                Some(pack) => packs.push(pack),
                None => broken.push(p),
            }
        }
        let mut by_key = HashMap::new();
        for (i, p) in packs.iter().enumerate() {
            for (k, off, len) in &p.index {
                by_key.entry(*k).or_insert((i, *off, *len));
            }
        }
        Store {
            sub,
            dir: dir.to_path_buf(),
            broken,
            kind,
            packs,
            by_key,
            used: Mutex::new(HashMap::new()),
            writer: Mutex::new(None),
            write_failed: Default::default(),
        }
    }

    /// The bytes of the entry under `key`, if a pack holds it (marked used), or
    /// this run's pack (as when `run --reviewed` first goes through the documents to
    /// read the reviews against them).
    fn load(&self, key: &Key) -> Option<Vec<u8>> {
        let Some(&(i, off, len)) = self.by_key.get(key) else {
            let mut w = self.writer.lock().unwrap();
            let pw = w.as_mut()?;
            let &(off, len) = pw.written.get(key)?;
            pw.file.flush().ok()?;
            return read_at(pw.file.writer().get_ref(), off, len);
        };
        let b = read_at(&self.packs[i].file, off, len)?;
        self.used.lock().unwrap().insert(*key, len);
        Some(b)
    }

    /// Appends an entry to this run's pack (a failed write drops the pack: it only
    /// costs the next run time).
    fn store(&self, key: &Key, bytes: &[u8]) {
        if self.write_failed.load(Ordering::Relaxed) {
            return;
        }
        {
            let mut used = self.used.lock().unwrap();
            if used.contains_key(key) && !self.by_key.contains_key(key) {
                return; // already written by this run
            }
            used.insert(*key, bytes.len() as u64);
        }
        let mut w = self.writer.lock().unwrap();
        let ok = (|| -> std::io::Result<()> {
            if w.is_none() {
                let dir = self.packs_dir();
                let path = dir.join(pack_name());
                let mut file =
                    AtomicFile::create(&path).map_err(|e| std::io::Error::other(e.to_string()))?;
                file.write_all(&pack_head(self.kind))?;
                *w = Some(PackWriter {
                    path,
                    file,
                    at: PACK_HEAD,
                    index: Vec::new(),
                    written: HashMap::new(),
                });
            }
            let pw = w.as_mut().expect("writer just made");
            pw.file.write_all(bytes)?;
            pw.index.push((*key, pw.at, bytes.len() as u64));
            pw.written.insert(*key, (pw.at, bytes.len() as u64));
            pw.at += bytes.len() as u64;
            Ok(())
        })()
        .is_ok();
        if !ok {
            *w = None;
            self.write_failed.store(true, Ordering::Relaxed);
        }
    }

    fn packs_dir(&self) -> &Path {
        &self.dir
    }

    /// Puts this run's pack into place, then keeps or removes the others (see
    /// [`Cache::finish`]). Entries of the old one-file-per-entry layout and packs
    /// that did not check are removed.
    fn finish(&self, dir: &Path) {
        let used = self.used.lock().unwrap();
        // (path, size, index) of every pack, newest first.
        let mut all: Vec<PackInfo> = Vec::new();
        let mut new_pack = None;
        if let Some(pw) = self.writer.lock().unwrap().take() {
            new_pack = commit_pack(pw);
        }
        if let Some((path, size, index)) = &new_pack {
            all.push((path.clone(), *size, index.as_slice()));
        }
        for p in &self.packs {
            all.push((p.path.clone(), p.size, p.index.as_slice()));
        }
        // The entries this run used, each from the newest pack holding it.
        let mut claimed: HashSet<&Digest> = HashSet::new();
        let mut used_in: Vec<u64> = vec![0; all.len()];
        for (i, (_, _, index)) in all.iter().enumerate() {
            for (k, _, len) in index.iter() {
                if used.contains_key(k) && claimed.insert(k) {
                    used_in[i] += len + INDEX_ENTRY;
                }
            }
        }
        let entries: u64 = used_in.iter().sum();
        let used_bytes = if entries > 0 {
            entries + PACK_HEAD + PACK_TAIL
        } else {
            0
        };
        let mixed_size: u64 = (0..all.len())
            .filter(|&i| used_in[i] > 0)
            .map(|i| all[i].1)
            .sum();
        let mut remove: Vec<PathBuf> = Vec::new();
        let mut budget = used_bytes.saturating_sub(mixed_size.saturating_sub(used_bytes));
        if mixed_size.saturating_sub(used_bytes) > used_bytes {
            // The packs in use hold more stale entries than fresh ones: copy what
            // this run used into one pack and drop them.
            if self.compact(dir, &all, &used_in, &used) {
                remove.extend(
                    (0..all.len())
                        .filter(|&i| used_in[i] > 0)
                        .map(|i| all[i].0.clone()),
                );
                budget = used_bytes;
            }
        }
        let mut kept = 0u64;
        for i in (0..all.len()).filter(|&i| used_in[i] == 0) {
            if kept + all[i].1 <= budget {
                kept += all[i].1;
            } else {
                remove.push(all[i].0.clone());
            }
        }
        let known: HashSet<&Path> = all.iter().map(|(p, _, _)| p.as_path()).collect();
        if let Ok(d) = std::fs::read_dir(dir) {
            for e in d.flatten() {
                let p = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                let stale_tmp = name.starts_with('.')
                    && e.metadata()
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age.as_secs() > 86_400);
                // Packs are only removed when this run found them broken: another run
                // may have written one since this one started.
                let broken = self.broken.contains(&p);
                let old_layout = !name.starts_with('.') && !is_pack(&p);
                if !known.contains(p.as_path()) && (stale_tmp || broken || old_layout) {
                    remove.push(p);
                }
            }
        }
        for p in remove {
            let _ = std::fs::remove_file(p);
        }
    }

    /// Writes the entries this run used into one new pack; false if it failed.
    fn compact(
        &self,
        dir: &Path,
        all: &[PackInfo],
        used_in: &[u64],
        used: &HashMap<Digest, u64>,
    ) -> bool {
        let path = dir.join(pack_name());
        let Ok(mut file) = AtomicFile::create(&path) else {
            return false;
        };
        let mut pw = PackWriter {
            path,
            file: {
                if file.write_all(&pack_head(self.kind)).is_err() {
                    return false;
                }
                file
            },
            at: PACK_HEAD,
            index: Vec::new(),
            written: HashMap::new(),
        };
        let mut done: HashSet<&Digest> = HashSet::new();
        for (i, (path, _, index)) in all.iter().enumerate() {
            if used_in[i] == 0 {
                continue;
            }
            let Ok(f) = File::open(path) else {
                return false;
            };
            for (k, off, len) in index.iter() {
                if !used.contains_key(k) || !done.insert(k) {
                    continue;
                }
                let Some(b) = read_at(&f, *off, *len) else {
                    return false;
                };
                if pw.file.write_all(&b).is_err() {
                    return false;
                }
                pw.index.push((*k, pw.at, *len));
                pw.at += len;
            }
        }
        commit_pack(pw).is_some()
    }
}

fn is_pack(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "pack")
        && !p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

fn pack_head(kind: u8) -> Vec<u8> {
    let mut v = PACK_MAGIC.to_vec();
    v.extend_from_slice(&FORMAT.to_le_bytes());
    v.push(kind);
    v
}

/// Writes the index and trailer of a pack and renames it into place: its path,
/// size and index.
fn commit_pack(mut pw: PackWriter) -> Option<(PathBuf, u64, Index)> {
    let mut tail = Vec::with_capacity(pw.index.len() * INDEX_ENTRY as usize + PACK_TAIL as usize);
    for (k, off, len) in &pw.index {
        tail.extend_from_slice(to_hex(k).as_bytes());
        tail.extend_from_slice(&off.to_le_bytes());
        tail.extend_from_slice(&len.to_le_bytes());
    }
    tail.extend_from_slice(&(pw.index.len() as u64).to_le_bytes());
    tail.extend_from_slice(&pw.at.to_le_bytes());
    tail.extend_from_slice(PACK_END);
    pw.file.write_all(&tail).ok()?;
    let size = pw.at + tail.len() as u64;
    pw.file.commit().ok()?;
    Some((pw.path, size, pw.index))
}

/// A pack whose head, trailer and index check; `None` for anything else.
fn read_pack(path: &Path, kind: u8) -> Option<Pack> {
    let mut f = File::open(path).ok()?;
    let size = f.metadata().ok()?.len();
    if size < PACK_HEAD + PACK_TAIL {
        return None;
    }
    let mut head = [0u8; PACK_HEAD as usize];
    f.read_exact(&mut head).ok()?;
    if head[..] != pack_head(kind)[..] {
        return None;
    }
    let mut tail = [0u8; PACK_TAIL as usize];
    f.seek(SeekFrom::Start(size - PACK_TAIL)).ok()?;
    f.read_exact(&mut tail).ok()?;
    let n = u64::from_le_bytes(tail[..8].try_into().ok()?);
    let index_at = u64::from_le_bytes(tail[8..16].try_into().ok()?);
    if &tail[16..] != PACK_END
        || index_at < PACK_HEAD
        || n.checked_mul(INDEX_ENTRY)
            .and_then(|x| x.checked_add(index_at + PACK_TAIL))
            != Some(size)
    {
        return None;
    }
    let mut raw = vec![0u8; (n * INDEX_ENTRY) as usize];
    f.seek(SeekFrom::Start(index_at)).ok()?;
    f.read_exact(&mut raw).ok()?;
    let mut index = Vec::with_capacity(n as usize);
    for e in raw.chunks_exact(INDEX_ENTRY as usize) {
        let key = from_hex32(std::str::from_utf8(&e[..64]).ok()?)?;
        let off = u64::from_le_bytes(e[64..72].try_into().ok()?);
        let len = u64::from_le_bytes(e[72..80].try_into().ok()?);
        if off < PACK_HEAD || off.checked_add(len)? > index_at {
            return None;
        }
        index.push((key, off, len));
    }
    Some(Pack {
        path: path.to_path_buf(),
        file: f,
        size,
        index,
    })
}

/// `len` bytes of `f` from `off`.
fn read_at(f: &File, off: u64, len: u64) -> Option<Vec<u8>> {
    let mut b = vec![0u8; usize::try_from(len).ok()?];
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(f, &mut b, off).ok()?;
    #[cfg(windows)]
    {
        let mut got = 0;
        while got < b.len() {
            let n = std::os::windows::fs::FileExt::seek_read(f, &mut b[got..], off + got as u64)
                .ok()?;
            if n == 0 {
                return None;
            }
            got += n;
        }
    }
    Some(b)
}

fn stamp_of(path: &Path, sha256: Digest) -> Option<FileStamp> {
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
            let sha256 = from_hex32(f.next()?)?;
            let size = f.next()?.parse().ok()?;
            let mtime_ns = f.next()?.parse().ok()?;
            let inode = f.next()?.parse().ok()?;
            let path = PathBuf::from(f.next()?);
            Some((
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
            // A learned coding has the top bit of its code set.
            e.u32(c.code | if c.learned { 1 << 31 } else { 0 });
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
            let word = d.u32()?;
            let (code, learned) = (word & !(1 << 31), word & (1 << 31) != 0);
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
                learned,
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
                learned: false,
            }],
            vec![Coding {
                code: 1,
                score: 0.0,
                evidence: vec![],
                learned: true,
            }],
        ];
        let b = encode_codings(&codings);
        assert_eq!(decode_codings(&b, 3, 3), Some(codings));
        assert_eq!(decode_codings(&b, 2, 3), None, "another unit count");
        assert_eq!(decode_codings(&b, 3, 2), None, "a code the codebook lacks");
    }

    #[test]
    fn a_pack_reads_back_and_any_truncation_of_it_is_no_pack() {
        let dir = std::env::temp_dir().join(format!("tamlil-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(pack_name());
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(&pack_head(b'c')).unwrap();
        let mut pw = PackWriter {
            path: path.clone(),
            file,
            at: PACK_HEAD,
            index: Vec::new(),
            written: HashMap::new(),
        };
        for (i, entry) in [encode_codings(&[vec![]]), encode_codings(&[])]
            .iter()
            .enumerate()
        {
            pw.file.write_all(entry).unwrap();
            let key = from_hex32(&format!("{i:064}")).unwrap();
            pw.index.push((key, pw.at, entry.len() as u64));
            pw.at += entry.len() as u64;
        }
        let (_, size, index) = commit_pack(pw).unwrap();
        let pack = read_pack(&path, b'c').unwrap();
        assert_eq!((pack.size, &pack.index), (size, &index));
        let (_, off, len) = index[0];
        let b = read_at(&pack.file, off, len).unwrap();
        assert_eq!(decode_codings(&b, 1, 1), Some(vec![vec![]]));
        assert!(read_pack(&path, b's').is_none(), "another kind");
        let bytes = std::fs::read(&path).unwrap();
        for n in 0..bytes.len() {
            std::fs::write(&path, &bytes[..n]).unwrap();
            assert!(read_pack(&path, b'c').is_none(), "truncated to {n}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn files_index_parses_its_own_lines_and_skips_others() {
        let sha = "a".repeat(64);
        let bad = "z".repeat(64);
        let s =
            format!("{sha}\t12\t-5\t7\t/tmp/a b.txt\nbroken line\n{bad}\t1\t1\t1\t/tmp/c.txt\n");
        let got = parse_files(&s);
        assert_eq!(got.len(), 1);
        let st = &got[Path::new("/tmp/a b.txt")];
        assert_eq!((st.size, st.mtime_ns, st.inode), (12, -5, 7));
    }
}
