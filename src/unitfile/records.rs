//! Reading the records of a units file: the plain rows that `tamlil segment` writes
//! are split here, byte by byte outside quotes and with `memchr` inside them;
//! anything else is read by the `csv` crate.
//!
//! A plain row ends with a bare `\n` after a row that did too, has as many fields
//! as the header, and each field is either unquoted without `"` or `\r`, or quoted
//! and closed right before a `,` or the `\n`. Such a row reads exactly as the `csv`
//! crate reads it, with the same position (byte, line, record number). At the first
//! row that is not plain (an empty line, a ragged row, a lone `\r`, a stray quote,
//! a last row without its `\n`), the `csv` reader is moved to that row's start and
//! reads the rest of the file, so every error is the `csv` crate's own, at its own
//! position.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;

/// How much of the file is read at a time on the plain path.
const BLOCK: usize = 1 << 20;

/// One record: its fields one after the other, where each ends, and where the
/// record starts in the file (as in a [`csv::ByteRecord`]).
#[derive(Debug)]
pub struct Record {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    pos: csv::Position,
}

impl Default for Record {
    fn default() -> Self {
        Record {
            bytes: Vec::new(),
            ends: Vec::new(),
            pos: csv::Position::new(),
        }
    }
}

impl Record {
    /// The number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The fields' bytes, one after the other.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    /// Field `i`'s range of [`Record::as_slice`].
    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(start..end)
    }

    /// Where the record starts.
    pub fn position(&self) -> &csv::Position {
        &self.pos
    }

    /// The record as a [`csv::ByteRecord`] with its position.
    pub fn to_byte_record(&self) -> csv::ByteRecord {
        let mut rec: csv::ByteRecord = (0..self.len())
            .map(|i| &self.bytes[self.range(i).unwrap_or_default()])
            .collect();
        rec.set_position(Some(self.pos.clone()));
        rec
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    fn push_field(&mut self, field: &[u8]) {
        self.bytes.extend_from_slice(field);
        self.ends.push(self.bytes.len());
    }

    /// Takes the fields and position of a record the `csv` reader read.
    fn set_from(&mut self, rec: &csv::ByteRecord) {
        self.clear();
        rec.iter().for_each(|f| self.push_field(f));
        self.pos = rec.position().cloned().unwrap_or_else(csv::Position::new);
    }
}

/// Records of a CSV file with a header row, read as [`csv::Reader`] reads them.
pub struct Records {
    csv: csv::Reader<BufReader<File>>,
    /// The plain path: `None` before the first record is read (and for files that
    /// cannot be read twice), and once the `csv` reader has taken over.
    plain: Option<Plain>,
    /// Whether the first record after the header has been asked for.
    started: bool,
    path: std::path::PathBuf,
    block: usize,
    /// The record the `csv` reader reads into.
    csv_record: csv::ByteRecord,
}

/// The plain path's own view of the file.
struct Plain {
    file: File,
    /// Bytes read and not yet parsed: `buf[at..]`.
    buf: Vec<u8>,
    at: usize,
    eof: bool,
    /// Where the next record starts.
    pos: csv::Position,
    /// The number of fields of the header.
    fields: usize,
    /// An unescaped quoted field.
    scratch: Vec<u8>,
}

/// What [`Plain::parse`] made of the bytes at hand.
enum Parsed {
    /// A plain record of this many bytes (its `\n` included) and lines.
    Record(usize, u64),
    /// The record may be plain but goes on past the bytes read so far.
    More,
    /// Not a plain record: the `csv` reader must read it.
    Other,
}

impl Records {
    /// Opens `path` (the file is not read yet).
    pub fn open(path: &Path) -> io::Result<Records> {
        Self::with_block(path, BLOCK)
    }

    /// As [`Records::open`], reading `block` bytes at a time on the plain path.
    fn with_block(path: &Path, block: usize) -> io::Result<Records> {
        let file = File::open(path)?;
        Ok(Records {
            csv: csv::ReaderBuilder::new().from_reader(BufReader::new(file)),
            plain: None,
            started: false,
            path: path.to_path_buf(),
            block,
            csv_record: csv::ByteRecord::new(),
        })
    }

    /// The header row, as [`csv::Reader::headers`] gives it.
    pub fn headers(&mut self) -> csv::Result<&csv::StringRecord> {
        self.csv.headers()
    }

    /// Reads the next record into `rec`, as [`csv::Reader::read_byte_record`] does;
    /// `false` at the end of the file.
    pub fn read(&mut self, rec: &mut Record) -> csv::Result<bool> {
        if !self.started {
            self.started = true;
            self.plain = self.start_plain()?;
        }
        if let Some(plain) = &mut self.plain {
            match plain.next(rec, self.block)? {
                Some(more) => return Ok(more),
                None => {
                    let pos = plain.pos.clone();
                    self.plain = None;
                    self.csv.seek_raw(io::SeekFrom::Start(pos.byte()), pos)?;
                }
            }
        }
        let more = self.csv.read_byte_record(&mut self.csv_record)?;
        rec.set_from(&self.csv_record);
        Ok(more)
    }

    /// The plain path after the header, when the header ended with a bare `\n` and
    /// the file is a regular file (so that the `csv` reader can be moved).
    fn start_plain(&mut self) -> csv::Result<Option<Plain>> {
        let fields = self.csv.byte_headers()?.len();
        let pos = self.csv.position().clone();
        let mut file = File::open(&self.path)?;
        if !file.metadata()?.is_file() || pos.byte() == 0 {
            return Ok(None);
        }
        // The header's last two bytes: a bare `\n` ends it.
        let mut end = [0u8; 2];
        let from = pos.byte().saturating_sub(2);
        file.seek(io::SeekFrom::Start(from))?;
        let got = &mut end[..(pos.byte() - from) as usize];
        file.read_exact(got)?;
        if got.last() != Some(&b'\n') || got.len() == 2 && got[0] == b'\r' {
            return Ok(None);
        }
        Ok(Some(Plain {
            file,
            buf: Vec::new(),
            at: 0,
            eof: false,
            pos,
            fields,
            scratch: Vec::new(),
        }))
    }
}

impl Plain {
    /// The next plain record into `rec`: `Some(false)` at the end of the file,
    /// `None` when the record there is not plain (nothing is consumed then).
    fn next(&mut self, rec: &mut Record, block: usize) -> io::Result<Option<bool>> {
        loop {
            if self.at == self.buf.len() && self.eof {
                return Ok(Some(false));
            }
            rec.clear();
            match self.parse(rec) {
                Parsed::Record(len, lines) if rec.len() == self.fields => {
                    rec.pos.clone_from(&self.pos);
                    let (byte, line, record) =
                        (self.pos.byte(), self.pos.line(), self.pos.record());
                    self.pos
                        .set_byte(byte + len as u64)
                        .set_line(line + lines)
                        .set_record(record + 1);
                    self.at += len;
                    return Ok(Some(true));
                }
                Parsed::More if !self.eof => self.fill(block)?,
                _ => return Ok(None),
            }
        }
    }

    /// Keeps the unparsed bytes and reads up to `block` more after them.
    fn fill(&mut self, block: usize) -> io::Result<()> {
        self.buf.drain(..self.at);
        self.at = 0;
        let have = self.buf.len();
        self.buf.resize(have + block, 0);
        let n = loop {
            match self.file.read(&mut self.buf[have..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.buf.truncate(have + n);
        self.eof = n == 0;
        Ok(())
    }

    /// Splits the record at the start of the unparsed bytes into `rec`'s fields.
    fn parse(&mut self, rec: &mut Record) -> Parsed {
        let bytes = &self.buf[self.at..];
        if bytes.first() == Some(&b'\n') {
            // An empty line, which the `csv` crate skips.
            return Parsed::Other;
        }
        let (mut i, mut lines) = (0, 1);
        loop {
            let end = if bytes.get(i) == Some(&b'"') {
                let end = quoted_field(bytes, i + 1, &mut self.scratch, &mut lines);
                if end.is_ok() {
                    rec.push_field(&self.scratch);
                }
                end
            } else {
                let end = unquoted_field(bytes, i);
                if let Ok(end) = end {
                    rec.push_field(&bytes[i..end]);
                }
                end
            };
            let end = match end {
                Ok(end) => end,
                Err(parsed) => return parsed,
            };
            match bytes.get(end) {
                Some(b',') => i = end + 1,
                Some(b'\n') => return Parsed::Record(end + 1, lines),
                None => return Parsed::More,
                Some(_) => return Parsed::Other,
            }
        }
    }
}

/// Bytes that end an unquoted field or make its row not plain: `,`, `\n`, `"`, `\r`.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

/// Where the first of `,`, `\n`, `"` and `\r` is in `bytes`: eight bytes at a
/// time, each compared with all four at once (a byte equal to one of them is a
/// zero byte of the word xor that byte repeated, and the lowest zero byte a word
/// is found to have is always a true one).
fn first_special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    for (k, word) in words.by_ref().enumerate() {
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let found = [b',', b'\n', b'"', b'\r'].iter().fold(0, |found, &b| {
            let x = w ^ (ONES * u64::from(b));
            found | (x.wrapping_sub(ONES) & !x & HIGH)
        });
        if found != 0 {
            return Some(8 * k + (found.trailing_zeros() / 8) as usize);
        }
    }
    let rest = words.remainder();
    let at = bytes.len() - rest.len();
    rest.iter()
        .position(|&b| SPECIAL[usize::from(b)])
        .map(|p| at + p)
}

/// The end of the unquoted field starting at `bytes[start]` (its `,` or `\n`); a
/// field with `"` or `\r` is not plain.
fn unquoted_field(bytes: &[u8], start: usize) -> Result<usize, Parsed> {
    let Some(len) = first_special(&bytes[start..]) else {
        return Err(Parsed::More);
    };
    match bytes[start + len] {
        b',' | b'\n' => Ok(start + len),
        _ => Err(Parsed::Other),
    }
}

/// The end of the quoted field whose text starts at `bytes[start]` (the byte after
/// its closing quote), its text unescaped into `out`, the line breaks in it added
/// to `lines`; a closing quote followed by anything but `,` or `\n` is not plain.
fn quoted_field(
    bytes: &[u8],
    start: usize,
    out: &mut Vec<u8>,
    lines: &mut u64,
) -> Result<usize, Parsed> {
    out.clear();
    let mut i = start;
    loop {
        let Some(q) = memchr::memchr2(b'"', b'\n', &bytes[i..]).map(|q| i + q) else {
            return Err(Parsed::More);
        };
        out.extend_from_slice(&bytes[i..q]);
        if bytes[q] == b'\n' {
            out.push(b'\n');
            *lines += 1;
            i = q + 1;
            continue;
        }
        match bytes.get(q + 1) {
            Some(b'"') => {
                out.push(b'"');
                i = q + 2;
            }
            Some(b',' | b'\n') => return Ok(q + 1),
            Some(_) => return Err(Parsed::Other),
            None => return Err(Parsed::More),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record (fields and position) or the error, as `read` gives them.
    fn all(mut read: impl FnMut(&mut csv::ByteRecord) -> csv::Result<bool>) -> Vec<String> {
        let mut out = Vec::new();
        let mut rec = csv::ByteRecord::new();
        loop {
            match read(&mut rec) {
                Ok(true) => {
                    let p = rec.position().expect("a position");
                    assert!(
                        rec.is_empty()
                            || rec.range(rec.len() - 1).unwrap().end == rec.as_slice().len()
                    );
                    out.push(format!(
                        "{:?} @{} l{} r{}",
                        rec,
                        p.byte(),
                        p.line(),
                        p.record()
                    ));
                }
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map(|p| p.line());
                    out.push(format!("error {e} line {line:?}"));
                    break;
                }
            }
        }
        out
    }

    /// Reads `data` with the `csv` crate and with [`Records`] (reading `block`
    /// bytes at a time) and checks that they agree.
    fn check(data: &[u8], block: usize, dir: &Path) {
        let path = dir.join("units.csv");
        std::fs::write(&path, data).unwrap();
        let mut csv = csv::ReaderBuilder::new().from_path(&path).unwrap();
        let want_headers = csv.headers().cloned().map_err(|e| e.to_string());
        let want = all(|r| csv.read_byte_record(r));
        let mut ours = Records::with_block(&path, block).unwrap();
        let got_headers = ours.headers().cloned().map_err(|e| e.to_string());
        assert_eq!(
            got_headers,
            want_headers,
            "{:?}",
            String::from_utf8_lossy(data)
        );
        if want_headers.is_err() {
            return;
        }
        let mut ours_rec = Record::default();
        let got = all(|r| {
            let more = ours.read(&mut ours_rec)?;
            *r = ours_rec.to_byte_record();
            Ok(more)
        });
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(data));
    }

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("tamlil-records-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn plain_and_other_rows_read_as_the_csv_crate_reads_them() {
        let d = dir("cases");
        for data in [
            "id,text\n1,a\n2,b\n",
            "id,text\n1,a\n2,b",
            "id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n",
            "id,text\n1,\"two\nlines\"\n2,b\n",
            "id,text\n1,a\n\n2,b\n",
            "id,text\n1,a\r\n2,b\r\n",
            "id,text\r\n1,a\n2,b\n",
            "id,text\n1,a\r2,b\n",
            "id,text\n1,a\n2,b,c\n3,d\n",
            "id,text\n1\n",
            "id,text\n1,a\"b\n2,c\n",
            "id,text\n1,\"a\"b\n2,c\n",
            "id,text\n1,\"open\n",
            "id,text\n1,\"\"\n,\n",
            "\u{feff}id,text\n1,א\n",
            "id,text\n",
            "id,text",
            "",
            "\n\nid,text\n1,a\n",
            "id\n\n1\n\"\"\n",
        ]
        .map(str::as_bytes)
        .into_iter()
        .chain([
            &b"id,text\n1,\xff\xfe\n2,b\n"[..],
            b"id,text\n1,\"\xd7\",\xa9\n",
        ]) {
            for block in [1, 2, 3, 7, 1 << 20] {
                check(data, block, &d);
            }
        }
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn random_files_read_as_the_csv_crate_reads_them() {
        let d = dir("random");
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let pieces: [&[u8]; 12] = [
            b"a",
            b"bc",
            "ש".as_bytes(),
            b",",
            b",",
            b"\"",
            b"\"\"",
            b"\n",
            b"\n",
            b"\r",
            b"\r\n",
            b"\xd7",
        ];
        for _ in 0..3000 {
            let mut data = b"id,text,x\n".to_vec();
            for _ in 0..next(40) {
                data.extend_from_slice(pieces[next(pieces.len() as u64) as usize]);
            }
            check(&data, 1 + next(16) as usize, &d);
        }
        // Mostly plain rows (quoted fields with commas, quotes and line breaks),
        // now and then one that is not.
        let fields: [&[u8]; 8] = [
            b"",
            b"12",
            "שלום".as_bytes(),
            b"\"a, b\"",
            b"\"say \"\"hi\"\"\"",
            b"\"two\nlines\"",
            b"\"\"",
            b"\"\r\"",
        ];
        let odd: [&[u8]; 6] = [
            b"\n",
            b"\r\n",
            b"1,2\n",
            b"x\"y,1,2\n",
            b"\"a\"b,1,2\n",
            b"1,2,3,4\n",
        ];
        for _ in 0..1000 {
            let mut data = b"id,text,x\n".to_vec();
            for _ in 0..next(12) {
                if next(8) == 0 {
                    data.extend_from_slice(odd[next(odd.len() as u64) as usize]);
                    continue;
                }
                for f in 0..3 {
                    if f > 0 {
                        data.push(b',');
                    }
                    data.extend_from_slice(fields[next(fields.len() as u64) as usize]);
                }
                data.push(b'\n');
            }
            if next(4) == 0 {
                data.pop();
            }
            check(&data, 1 + next(40) as usize, &d);
        }
        let _ = std::fs::remove_dir_all(&d);
    }
}
