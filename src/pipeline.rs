//! Processing a corpus document by document: in parallel, in bounded memory, in order.

use crate::corpus::{Entry, Manifest};
use crate::error::Interrupted;
use anyhow::Result;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C stop the run at the next document chunk or stage, so outputs
/// written under temporary names are removed and the previous ones stay.
pub fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130); // a second Ctrl-C: stop at once
        }
    });
}

/// An error if the user asked to stop.
pub fn check_interrupted() -> Result<()> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        Err(Interrupted.into())
    } else {
        Ok(())
    }
}

/// Runs `work` on every manifest entry in parallel, in chunks of `chunk` documents,
/// and hands the results to `sink` in manifest order. While `sink` takes one chunk
/// (on the calling thread), the next chunk is being worked on, so at most two
/// chunks of results are held in memory. The first error in manifest order stops
/// the run.
pub fn process_corpus<T, W, S>(
    manifest: &Manifest,
    chunk: usize,
    work: W,
    mut sink: S,
) -> Result<()>
where
    T: Send,
    W: Fn(usize, &Entry) -> Result<T> + Sync,
    S: FnMut(usize, &Entry, T) -> Result<()>,
{
    let chunk = chunk.max(1);
    let entries = &manifest.entries;
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<Result<T>>)>(1);
    std::thread::scope(|scope| {
        let work = &work;
        scope.spawn(move || {
            let mut at = 0;
            while at < entries.len() && !INTERRUPTED.load(Ordering::SeqCst) {
                let end = (at + chunk).min(entries.len());
                let results: Vec<Result<T>> = (at..end)
                    .into_par_iter()
                    .map(|i| work(i, &entries[i]))
                    .collect();
                let failed = results.iter().any(|r| r.is_err());
                // The receiver is gone when the sink failed: stop.
                if tx.send((at, results)).is_err() || failed {
                    return;
                }
                at = end;
            }
        });
        let mut next = 0;
        for (at, results) in rx {
            check_interrupted()?;
            debug_assert_eq!(at, next);
            for (offset, r) in results.into_iter().enumerate() {
                let i = at + offset;
                sink(i, &entries[i], r?)?;
            }
            next = at + chunk;
        }
        check_interrupted()?;
        if next < entries.len() {
            // The worker stopped early only when interrupted.
            return Err(crate::error::Interrupted.into());
        }
        Ok(())
    })
}

/// A chunk size that keeps every thread busy without holding the corpus in memory.
pub fn default_chunk() -> usize {
    rayon::current_num_threads() * 8
}

/// Sets the number of worker threads (0 = one per core). Call once, before any work.
pub fn set_jobs(jobs: usize) {
    if jobs > 0 {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global();
    }
}
