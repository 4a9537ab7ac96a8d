//! One deflate stream made of segments compressed apart, as pigz does, and the one-entry zip that holds it.
//!
//! A [`Segment`] is raw deflate (no zlib header) ended by a sync flush: its last
//! block is not final and it ends on a byte boundary, so segments compressed on
//! different threads, each from an empty dictionary, can be laid end to end. A
//! final empty block closes the stream. The CRC-32 of the whole is combined from the
//! segments' CRCs and lengths, so nothing is read twice.
//!
//! The zip crate adds an entry from compressed data only from an archive it reads
//! ([`zip::ZipWriter::raw_copy_file`]), so [`SegmentedEntry`] writes that archive: one
//! entry, streamed to a file, whose headers are written last. This is simpler than
//! writing the whole `.qdpx` by hand: the other entries, the central directory of
//! the project and its ZIP64 records stay with the zip crate, and only one entry at
//! a known offset is written here. Its sizes take a ZIP64 extra field when they
//! reach 4 GiB.

use crc32fast::Hasher;
use flate2::{Compress, Compression, FlushCompress};
use std::cell::RefCell;
use std::io::{self, Seek, SeekFrom, Write};

/// A raw deflate segment: not final, byte-aligned, with the CRC-32 and length of the
/// bytes it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub data: Vec<u8>,
    pub crc: u32,
    pub len: u64,
}

thread_local! {
    /// Each thread's compressor, reset between segments (its tables are large).
    static COMPRESSOR: RefCell<Option<Compress>> = const { RefCell::new(None) };
}

/// The deflate level of every segment and of the project's other entries: the
/// fastest (XML compresses about as well at 1 as at 6).
pub const LEVEL: u32 = 1;

impl Segment {
    /// Compresses `input` at level 1, from an empty dictionary, ended by a sync flush.
    pub fn compress(input: &[u8]) -> io::Result<Segment> {
        COMPRESSOR.with(|cell| {
            let mut cell = cell.borrow_mut();
            let c = cell.get_or_insert_with(|| Compress::new(Compression::new(LEVEL), false));
            c.reset();
            // The XML deflates to about a quarter of its size.
            let mut data = Vec::with_capacity(input.len() / 3 + 256);
            loop {
                let done = c.total_in() as usize;
                c.compress_vec(&input[done..], &mut data, FlushCompress::Sync)
                    .map_err(io::Error::other)?;
                // The flush is complete when all input is taken and output space is left.
                if c.total_in() as usize == input.len() && data.len() < data.capacity() {
                    break;
                }
                data.reserve(data.capacity().max(64));
            }
            Ok(Segment {
                data,
                crc: crc32fast::hash(input),
                len: input.len() as u64,
            })
        })
    }
}

/// The end of a deflate stream after a sync flush: an empty final block with fixed
/// codes (BFINAL 1, BTYPE 01, end-of-block code 0000000).
pub const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// Sizes and offsets from which an entry takes ZIP64 fields.
pub const ZIP64_THRESHOLD: u64 = 0xFFFF_FFFF;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL: u32 = 0x0605_4b50;
const ZIP64_END_OF_CENTRAL: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
/// The ZIP64 extra field of a header with both sizes: id, length, two u64.
const ZIP64_EXTRA_LEN: u64 = 20;
/// Deflated; 1980-01-01 00:00 (the zip crate's default time), as MS-DOS date and time.
const DEFLATED: u16 = 8;
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;
/// A regular file, rw-r--r--, made on Unix (as `unix_permissions(0o644)` gives).
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;
const MADE_ON_UNIX: u16 = 3 << 8;

/// A one-entry zip written to `out`: room for the local header, the deflate stream
/// segment by segment ([`SegmentedEntry::append`]), then the headers
/// ([`SegmentedEntry::finish`]). Memory holds no more than one segment.
pub struct SegmentedEntry<W: Write + Seek> {
    out: W,
    name: String,
    crc: Hasher,
    len: u64,
    compressed: u64,
    zip64_threshold: u64,
}

impl<W: Write + Seek> SegmentedEntry<W> {
    /// Starts the entry `name` at the start of `out`.
    pub fn new(out: W, name: &str) -> io::Result<Self> {
        Self::with_zip64_threshold(out, name, ZIP64_THRESHOLD)
    }

    /// [`SegmentedEntry::new`], taking ZIP64 fields from `threshold` on (tests use a
    /// small one).
    pub fn with_zip64_threshold(mut out: W, name: &str, threshold: u64) -> io::Result<Self> {
        if name.len() > 0xFFFF {
            return Err(io::Error::other("zip entry name too long"));
        }
        out.seek(SeekFrom::Start(0))?;
        out.write_all(&vec![0u8; data_start(name) as usize])?;
        Ok(SegmentedEntry {
            out,
            name: name.to_string(),
            crc: Hasher::new(),
            len: 0,
            compressed: 0,
            zip64_threshold: threshold,
        })
    }

    /// Appends a segment to the stream.
    pub fn append(&mut self, seg: &Segment) -> io::Result<()> {
        self.out.write_all(&seg.data)?;
        self.compressed += seg.data.len() as u64;
        self.crc
            .combine(&Hasher::new_with_initial_len(seg.crc, seg.len));
        self.len += seg.len;
        Ok(())
    }

    /// Ends the stream and writes the local header, the central directory and its end
    /// (with ZIP64 records when a size or offset needs them); returns `out`.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&FINAL_BLOCK)?;
        self.compressed += FINAL_BLOCK.len() as u64;
        let crc = self.crc.clone().finalize();
        let (len, compressed, limit) = (self.len, self.compressed, self.zip64_threshold);
        let central_start = data_start(&self.name) + compressed;
        let zip64 = len >= limit || compressed >= limit || central_start >= limit;
        // Without ZIP64 the local header is 20 bytes shorter, and starts 20 bytes in:
        // the entry's offset says where it is, and nothing refers to the bytes before.
        let header_at = if zip64 { 0 } else { ZIP64_EXTRA_LEN };
        let version: u16 = if zip64 { 45 } else { 20 };
        let flags: u16 = if self.name.is_ascii() { 0 } else { 1 << 11 };
        let name = self.name.as_bytes();
        let size32 = |v: u64| if zip64 { u32::MAX } else { v as u32 };
        // The fields the local and the central header share, from the version needed
        // to the extra field's length.
        let shared = |v: &mut Vec<u8>, extra_len: usize| {
            put16(v, version);
            put16(v, flags);
            put16(v, DEFLATED);
            put16(v, DOS_TIME);
            put16(v, DOS_DATE);
            put32(v, crc);
            put32(v, size32(compressed));
            put32(v, size32(len));
            put16(v, name.len() as u16);
            put16(v, extra_len as u16);
        };
        let mut extra = Vec::new();
        if zip64 {
            put16(&mut extra, 1);
            put16(&mut extra, 16);
            put64(&mut extra, len);
            put64(&mut extra, compressed);
        }

        let mut cd = Vec::with_capacity(46 + name.len() + extra.len() + 98);
        put32(&mut cd, CENTRAL_HEADER);
        put16(&mut cd, MADE_ON_UNIX | version);
        shared(&mut cd, extra.len());
        put16(&mut cd, 0); // comment
        put16(&mut cd, 0); // disk
        put16(&mut cd, 0); // internal attributes
        put32(&mut cd, EXTERNAL_ATTRIBUTES);
        put32(&mut cd, header_at as u32);
        cd.extend_from_slice(name);
        cd.extend_from_slice(&extra);
        let central_len = cd.len() as u64;
        if zip64 {
            let end64_at = central_start + central_len;
            put32(&mut cd, ZIP64_END_OF_CENTRAL);
            put64(&mut cd, 44);
            put16(&mut cd, MADE_ON_UNIX | 45);
            put16(&mut cd, 45);
            put32(&mut cd, 0); // this disk
            put32(&mut cd, 0); // the central directory's disk
            put64(&mut cd, 1); // entries on this disk
            put64(&mut cd, 1); // entries
            put64(&mut cd, central_len);
            put64(&mut cd, central_start);
            put32(&mut cd, ZIP64_LOCATOR);
            put32(&mut cd, 0);
            put64(&mut cd, end64_at);
            put32(&mut cd, 1); // disks
        }
        put32(&mut cd, END_OF_CENTRAL);
        put16(&mut cd, 0);
        put16(&mut cd, 0);
        put16(&mut cd, 1);
        put16(&mut cd, 1);
        put32(&mut cd, central_len as u32);
        put32(
            &mut cd,
            if zip64 {
                u32::MAX
            } else {
                central_start as u32
            },
        );
        put16(&mut cd, 0); // comment
        self.out.write_all(&cd)?;

        let mut local = Vec::with_capacity(30 + name.len() + extra.len());
        put32(&mut local, LOCAL_HEADER);
        shared(&mut local, extra.len());
        local.extend_from_slice(name);
        local.extend_from_slice(&extra);
        debug_assert_eq!(header_at + local.len() as u64, data_start(&self.name));
        self.out.seek(SeekFrom::Start(header_at))?;
        self.out.write_all(&local)?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Where the data of entry `name` starts: after its longest local header (with a
/// ZIP64 field).
fn data_start(name: &str) -> u64 {
    30 + name.len() as u64 + ZIP64_EXTRA_LEN
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    /// Text like the project's XML, varied enough that deflate has work to do.
    fn sample(seed: u32, lines: usize) -> Vec<u8> {
        let mut s = String::new();
        let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        for i in 0..lines {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            s.push_str(&format!(
                "      <PlainTextSelection guid=\"{x:08x}\" name=\"P{seed}_{i}\" startPosition=\"{}\" endPosition=\"{}\">שלום\n",
                x % 9973,
                x % 10007
            ));
        }
        s.into_bytes()
    }

    fn inflate(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn a_segment_ends_with_a_sync_flush_and_is_not_final() {
        let seg = Segment::compress(b"abc").unwrap();
        assert_eq!(&seg.data[seg.data.len() - 4..], &[0x00, 0x00, 0xff, 0xff]);
        assert_eq!(seg.crc, 0x3524_41c2);
        assert_eq!(seg.len, 3);
        let empty = Segment::compress(b"").unwrap();
        assert_eq!((empty.crc, empty.len), (0, 0));
        let mut stream = seg.data.clone();
        stream.extend_from_slice(&FINAL_BLOCK);
        assert_eq!(inflate(&stream), b"abc");
    }

    #[test]
    fn concatenated_segments_inflate_to_the_concatenated_inputs() {
        let inputs: Vec<Vec<u8>> = vec![
            sample(1, 200),
            Vec::new(),
            b"<".to_vec(),
            sample(2, 3_000), // more than the 32 KiB window
            sample(3, 1),
        ];
        let whole: Vec<u8> = inputs.concat();
        let mut stream = Vec::new();
        let mut crc = Hasher::new();
        let mut len = 0;
        for i in &inputs {
            let seg = Segment::compress(i).unwrap();
            assert_eq!(seg.crc, crc32fast::hash(i));
            stream.extend_from_slice(&seg.data);
            crc.combine(&Hasher::new_with_initial_len(seg.crc, seg.len));
            len += seg.len;
        }
        stream.extend_from_slice(&FINAL_BLOCK);
        assert_eq!(len, whole.len() as u64);
        assert_eq!(crc.finalize(), crc32fast::hash(&whole));
        let back = inflate(&stream);
        assert_eq!(back.len(), whole.len());
        assert!(back == whole);
        // The XML compresses: far smaller than its text.
        assert!(
            stream.len() * 3 < whole.len(),
            "{} of {}",
            stream.len(),
            whole.len()
        );
    }

    #[test]
    fn segments_are_deterministic_across_threads() {
        let input = sample(7, 500);
        let here = Segment::compress(&input).unwrap();
        // A second segment on this thread reuses the compressor: the same bytes.
        let _ = Segment::compress(&sample(8, 50)).unwrap();
        assert_eq!(Segment::compress(&input).unwrap(), here);
        let there = std::thread::spawn(move || Segment::compress(&input).unwrap())
            .join()
            .unwrap();
        assert_eq!(there, here);
    }

    /// A one-entry zip of `parts`, with ZIP64 fields from `threshold` on.
    fn entry(parts: &[Vec<u8>], threshold: u64) -> Vec<u8> {
        let mut w =
            SegmentedEntry::with_zip64_threshold(Cursor::new(Vec::new()), "project.qde", threshold)
                .unwrap();
        for p in parts {
            w.append(&Segment::compress(p).unwrap()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn read_back(zip_bytes: Vec<u8>) -> (Vec<u8>, u32, u64, u64) {
        let mut z = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
        assert_eq!(z.len(), 1);
        let mut f = z.by_index(0).unwrap();
        assert_eq!(f.name().unwrap(), "project.qde");
        assert_eq!(f.compression(), zip::CompressionMethod::Deflated);
        assert_eq!(f.unix_mode(), Some(0o100_644));
        assert_eq!(f.last_modified(), Some(zip::DateTime::default()));
        let (crc, size, compressed) = (f.crc32(), f.size(), f.compressed_size());
        let mut out = Vec::new();
        // Reading to the end checks the CRC.
        f.read_to_end(&mut out).unwrap();
        (out, crc, size, compressed)
    }

    #[test]
    fn the_entry_reads_back_with_the_zip_crate() {
        let parts = vec![sample(1, 100), sample(2, 400), b"</Project>".to_vec()];
        let whole = parts.concat();
        let bytes = entry(&parts, ZIP64_THRESHOLD);
        // No ZIP64: the local header starts 20 bytes in, the end record is 22 bytes.
        assert_eq!(&bytes[20..24], &LOCAL_HEADER.to_le_bytes());
        assert_eq!(
            &bytes[bytes.len() - 22..][..4],
            &END_OF_CENTRAL.to_le_bytes()
        );
        let (out, crc, size, compressed) = read_back(bytes.clone());
        assert!(out == whole);
        assert_eq!(crc, crc32fast::hash(&whole));
        assert_eq!(size, whole.len() as u64);
        assert_eq!(compressed as usize, bytes.len() - 61 - (46 + 11) - 22);
        // Deterministic.
        assert_eq!(entry(&parts, ZIP64_THRESHOLD), bytes);
    }

    #[test]
    fn a_forced_zip64_entry_reads_back_with_the_zip_crate() {
        let parts = vec![sample(4, 300), sample(5, 300)];
        let whole = parts.concat();
        let bytes = entry(&parts, 1_000);
        // ZIP64: the local header at 0 with the extra field; the ZIP64 end record and
        // its locator before the end record.
        assert_eq!(&bytes[..4], &LOCAL_HEADER.to_le_bytes());
        assert_eq!(&bytes[18..26], &[0xff; 8]); // the sizes are in the extra field
        assert_eq!(&bytes[26..30], &[11, 0, 20, 0]);
        let end = bytes.len() - 22;
        assert_eq!(&bytes[end - 20..end - 16], &ZIP64_LOCATOR.to_le_bytes());
        assert_eq!(
            &bytes[end - 76..end - 72],
            &ZIP64_END_OF_CENTRAL.to_le_bytes()
        );
        let (out, crc, size, compressed) = read_back(bytes.clone());
        assert!(out == whole);
        assert_eq!(crc, crc32fast::hash(&whole));
        assert_eq!(size, whole.len() as u64);
        assert_eq!(
            compressed as usize,
            bytes.len() - 61 - (46 + 11 + 20) - 56 - 20 - 22
        );
        // Only the compressed size over the threshold: ZIP64 too.
        let small = entry(&[sample(6, 40)], 200);
        assert_eq!(&small[..4], &LOCAL_HEADER.to_le_bytes());
        assert!(read_back(small).0 == sample(6, 40));
    }

    #[test]
    fn an_empty_entry_is_an_empty_stream() {
        let bytes = entry(&[], ZIP64_THRESHOLD);
        let (out, crc, size, compressed) = read_back(bytes);
        assert!(out.is_empty());
        assert_eq!((crc, size, compressed), (0, 0, 2));
    }
}
