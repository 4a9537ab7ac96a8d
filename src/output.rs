//! Writing outputs safely: every file is written to a temporary name and renamed into place.

use crate::error::{InputError, Kind};
use anyhow::Result;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written under a temporary name beside its destination.
///
/// Nothing appears at the destination until [`AtomicFile::commit`]; if the value is
/// dropped uncommitted (an error, a panic), the temporary file is removed.
pub struct AtomicFile {
    /// The temporary file; `None` when writing straight into a device or pipe.
    tmp: Option<PathBuf>,
    dest: PathBuf,
    writer: Option<BufWriter<File>>,
    /// Bytes written through [`Write`], and how many of them the disk has been asked
    /// to take so far (see [`AtomicFile::start_writeback`]).
    written: u64,
    handed: u64,
}

/// How many bytes are written before the disk is asked to start taking them.
const WRITEBACK_STEP: u64 = 8 << 20;

impl AtomicFile {
    /// Opens a temporary file beside `dest` for writing.
    pub fn create(dest: &Path) -> Result<AtomicFile> {
        let cant = |e: std::io::Error| {
            InputError::with_kind(Kind::CantCreate, dest, format!("cannot create: {e}"))
        };
        // A device, pipe or socket (`/dev/stdout`, `/dev/full`) is written in place:
        // renaming over it would replace the device with a plain file.
        if fs::metadata(dest).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(dest)
                .map_err(cant)?;
            return Ok(AtomicFile {
                tmp: None,
                dest: dest.to_path_buf(),
                writer: Some(BufWriter::with_capacity(1 << 16, file)),
                written: 0,
                handed: 0,
            });
        }
        // A symbolic link to a file: the file it points to is replaced, not the link.
        let real = match fs::symlink_metadata(dest) {
            Ok(m) if m.file_type().is_symlink() => {
                fs::canonicalize(dest).unwrap_or_else(|_| dest.to_path_buf())
            }
            _ => dest.to_path_buf(),
        };
        let dest = real.as_path();
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        // Readable too: the cache reads back entries of the pack it is writing.
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(cant)?;
        Ok(AtomicFile {
            tmp: Some(tmp),
            dest: dest.to_path_buf(),
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            written: 0,
            handed: 0,
        })
    }

    /// The buffered file itself: for a writer that names its errors itself (the
    /// Parquet and JSON writers, a file written whole in one go) and for reading back
    /// what was written. Writing through [`Write`] instead names the file in its
    /// errors and hands the file to the disk as it grows.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer.as_mut().expect("writer present until commit")
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let writer = self.writer.take().expect("commit once");
        let file = writer
            .into_inner()
            .map_err(|e| self.io_error(e.error().to_string()))?;
        let Some(tmp) = &self.tmp else {
            return Ok(()); // a device or pipe: written in place, nothing to sync or rename
        };
        file.sync_all().map_err(|e| self.io_error(e.to_string()))?;
        drop(file);
        fs::rename(tmp, &self.dest).map_err(|e| self.io_error(e.to_string()))?;
        Ok(())
    }

    /// Asks the disk to start writing what has reached the file since the last call,
    /// without waiting for it: the sync at [`AtomicFile::commit`] then finds most of
    /// a large file on disk already, rather than all of it still to write.
    fn start_writeback(&mut self) {
        if self.tmp.is_none() {
            return;
        }
        let Some(w) = self.writer.as_ref() else {
            return;
        };
        let reached = self.written - w.buffer().len() as u64;
        if reached > self.handed {
            write_back(w.get_ref(), self.handed, reached - self.handed);
            self.handed = reached;
        }
    }

    /// A write error that names the destination (it reaches the user through csv and anyhow).
    fn named(&self, e: std::io::Error) -> std::io::Error {
        std::io::Error::new(
            e.kind(),
            format!("{}: cannot write: {e}", self.dest.display()),
        )
    }

    fn io_error(&self, msg: String) -> InputError {
        InputError::cannot_write(&self.dest, msg)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.writer.take();
            if let Some(tmp) = &self.tmp {
                let _ = fs::remove_file(tmp);
            }
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.writer().write(buf).map_err(|e| self.named(e))?;
        self.written += n as u64;
        if self.written - self.handed >= WRITEBACK_STEP {
            self.start_writeback();
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.writer().flush();
        r.map_err(|e| self.named(e))
    }
}

/// Starts the disk writing `len` bytes of `file` from `offset` (Linux; elsewhere the
/// sync at commit does it all). Only a hint: an error here shows at the sync.
#[cfg(target_os = "linux")]
fn write_back(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is open for as long as `file` is borrowed; the call
    // reads no memory of ours.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            offset as libc::off64_t,
            len as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn write_back(_file: &File, _offset: u64, _len: u64) {}

/// Writes `bytes` to `dest` atomically.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(dest)?;
    f.writer()
        .write_all(bytes)
        .map_err(|e| InputError::cannot_write(dest, e))?;
    f.commit()
}

/// The file every complete output folder holds (written last, by `tamlil run`).
pub const OUTPUT_MARKER: &str = "run.json";

/// A directory being filled under a temporary name beside its destination.
///
/// [`StagedDir::commit`] swaps it into place, so a failed run leaves the previous
/// directory as it was; dropping it uncommitted removes the staging directory.
pub struct StagedDir {
    staging: PathBuf,
    dest: PathBuf,
    done: bool,
}

impl StagedDir {
    /// Creates an empty staging directory beside `dest`. An existing `dest` is only
    /// ever replaced when it is an empty folder or a previous output (it holds
    /// [`OUTPUT_MARKER`]): anything else (the corpus, a folder of one's own files, a
    /// file) is refused before any work is done.
    pub fn create(dest: &Path) -> Result<StagedDir> {
        if let Ok(meta) = fs::metadata(dest) {
            let refuse = |why: &str| -> anyhow::Error {
                InputError::with_kind(
                    Kind::CantCreate,
                    dest,
                    format!("{why}; refusing to replace it (choose a new or empty output folder)"),
                )
                .into()
            };
            if !meta.is_dir() {
                return Err(refuse("exists and is not a folder"));
            }
            let empty = fs::read_dir(dest).is_ok_and(|mut d| d.next().is_none());
            if !empty && !dest.join(OUTPUT_MARKER).is_file() {
                return Err(refuse(&format!(
                    "is not empty and holds no {OUTPUT_MARKER}, so it is not a previous output"
                )));
            }
        }
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| {
            InputError::with_kind(Kind::CantCreate, &parent, format!("cannot create: {e}"))
        })?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if staging.exists() {
            let _ = fs::remove_dir_all(&staging);
        }
        fs::create_dir(&staging).map_err(|e| {
            InputError::with_kind(Kind::CantCreate, dest, format!("cannot create: {e}"))
        })?;
        Ok(StagedDir {
            staging,
            dest: dest.to_path_buf(),
            done: false,
        })
    }

    /// The path of the staging directory, where outputs are written.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Replaces `dest` with the staging directory.
    pub fn commit(mut self) -> Result<()> {
        let old = self.staging.with_extension("old");
        let had_old = self.dest.exists();
        if had_old {
            fs::rename(&self.dest, &old).map_err(|e| {
                InputError::with_kind(Kind::CantCreate, &self.dest, format!("cannot replace: {e}"))
            })?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.dest) {
            if had_old {
                let _ = fs::rename(&old, &self.dest);
            }
            return Err(InputError::with_kind(
                Kind::CantCreate,
                &self.dest,
                format!("cannot move outputs into place: {e}"),
            )
            .into());
        }
        self.done = true;
        if had_old {
            let _ = fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// `path` made absolute (against the current folder) with `.` and `..` resolved
/// lexically, for comparing paths that may not exist yet.
pub fn absolute(path: &Path) -> PathBuf {
    use std::path::Component;
    let p = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A path beside `out` named after it: `results/out` + `.cache` -> `results/out.cache`.
pub fn beside(out: &Path, suffix: &str) -> PathBuf {
    let abs = absolute(out);
    let name = abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tamlil".into());
    abs.with_file_name(format!("{name}{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_is_handed_to_the_disk_as_it_is_written() {
        let dir = std::env::temp_dir().join(format!("tamlil-writeback-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("big.csv");
        // 20 MiB in pieces of 1000 bytes, each piece telling where it is.
        let piece = |i: u64| format!("{i:0>999}\n");
        let mut f = AtomicFile::create(&dest).unwrap();
        let n = (20u64 << 20) / 1000;
        for i in 0..n {
            f.write_all(piece(i).as_bytes()).unwrap();
        }
        assert_eq!(f.written, n * 1000);
        if cfg!(target_os = "linux") {
            // Handed over in steps (all but the last step and the buffer), never more
            // than has reached the file.
            assert!(
                f.handed + WRITEBACK_STEP + (1 << 16) >= f.written,
                "{}",
                f.handed
            );
            assert!(f.handed <= f.written - f.writer().buffer().len() as u64);
        }
        f.commit().unwrap();
        let back = fs::read(&dest).unwrap();
        assert_eq!(back.len() as u64, n * 1000);
        for (i, chunk) in back.chunks(1000).enumerate() {
            assert_eq!(chunk, piece(i as u64).as_bytes());
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn uncommitted_file_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("tamlil-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("a.csv");
        {
            let mut f = AtomicFile::create(&dest).unwrap();
            f.writer().write_all(b"x").unwrap();
        }
        assert!(!dest.exists());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        write_atomic(&dest, b"hello").unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"hello");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn staged_dir_replaces_only_on_commit() {
        let base = std::env::temp_dir().join(format!("tamlil-staged-{}", std::process::id()));
        let dest = base.join("out");
        fs::create_dir_all(&dest).unwrap();
        fs::write(dest.join("old.txt"), "old").unwrap();
        fs::write(dest.join(OUTPUT_MARKER), "{}").unwrap(); // a previous output
        {
            let s = StagedDir::create(&dest).unwrap();
            fs::write(s.path().join("new.txt"), "new").unwrap();
        }
        assert!(dest.join("old.txt").exists());
        assert!(!dest.join("new.txt").exists());
        let s = StagedDir::create(&dest).unwrap();
        fs::write(s.path().join("new.txt"), "new").unwrap();
        s.commit().unwrap();
        assert!(!dest.join("old.txt").exists());
        assert_eq!(fs::read_to_string(dest.join("new.txt")).unwrap(), "new");
        assert_eq!(fs::read_dir(&base).unwrap().count(), 1);
        fs::remove_dir_all(&base).unwrap();
    }
}
