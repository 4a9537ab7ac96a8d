//! Stage timings for `run.json`: wall-clock stages that add up to the run, and the thread time of the per-document stages.
//!
//! The per-document stages (reading, segmenting, coding, formatting the outputs)
//! run on every worker thread at once while the calling thread writes, so their
//! wall time cannot be split between them; their thread time, summed over
//! threads, shows which of them costs most.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// A per-document stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading and decoding a transcript (or finding it unchanged).
    Read,
    /// Cutting it into units (or loading them from the cache).
    Segment,
    /// Coding its units (or loading the codings from the cache).
    Code,
    /// Finding identifiers to redact.
    Redact,
    /// Formatting its rows of units.csv and codings.csv and its project XML.
    Format,
}

impl Stage {
    const ALL: [Stage; 5] = [
        Stage::Read,
        Stage::Segment,
        Stage::Code,
        Stage::Redact,
        Stage::Format,
    ];

    fn name(self) -> &'static str {
        match self {
            Stage::Read => "read",
            Stage::Segment => "segment",
            Stage::Code => "code",
            Stage::Redact => "redact",
            Stage::Format => "format",
        }
    }
}

/// Thread time per [`Stage`], added to from every worker thread.
#[derive(Debug, Default)]
pub struct StageClock {
    nanos: [AtomicU64; 5],
}

impl StageClock {
    /// Adds `nanos` nanoseconds of thread time to `stage`.
    pub fn add(&self, stage: Stage, nanos: u64) {
        self.nanos[stage as usize].fetch_add(nanos, Ordering::Relaxed);
    }

    /// Seconds per stage, in stage order.
    pub fn seconds(&self) -> Vec<(&'static str, f64)> {
        Stage::ALL
            .iter()
            .map(|&s| {
                let n = self.nanos[s as usize].load(Ordering::Relaxed);
                (s.name(), n as f64 / 1e9)
            })
            .collect()
    }
}

/// Times consecutive stages of one document on one thread.
pub struct Lap<'a> {
    clock: Option<&'a StageClock>,
    last: Instant,
}

impl<'a> Lap<'a> {
    /// Starts timing (nothing is recorded without a clock).
    pub fn new(clock: Option<&'a StageClock>) -> Lap<'a> {
        Lap {
            clock,
            last: Instant::now(),
        }
    }

    /// Gives the time since the last stop to `stage`.
    pub fn stop(&mut self, stage: Stage) {
        if let Some(c) = self.clock {
            let now = Instant::now();
            c.add(stage, (now - self.last).as_nanos() as u64);
            self.last = now;
        }
    }
}

/// Wall-clock stages of a run, in the order they ran.
#[derive(Debug)]
pub struct WallClock {
    start: Instant,
    last: Instant,
    stages: Vec<(&'static str, f64)>,
}

impl WallClock {
    /// Starts at `start` (the beginning of the run).
    pub fn new(start: Instant) -> WallClock {
        WallClock {
            start,
            last: start,
            stages: Vec::new(),
        }
    }

    /// Ends stage `name`: the time since the previous stage ended.
    pub fn stop(&mut self, name: &'static str) {
        let now = Instant::now();
        self.add(name, (now - self.last).as_secs_f64());
        self.last = now;
    }

    fn add(&mut self, name: &'static str, secs: f64) {
        match self.stages.iter_mut().find(|(n, _)| *n == name) {
            Some((_, s)) => *s += secs,
            None => self.stages.push((name, secs)),
        }
    }

    /// The stages so far, then `total`: the time since the start, which they sum to.
    pub fn seconds(&self) -> Vec<(&'static str, f64)> {
        let mut v = self.stages.clone();
        v.push(("total", (self.last - self.start).as_secs_f64()));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_stages_sum_to_total() {
        let mut w = WallClock::new(Instant::now());
        w.stop("a");
        std::thread::sleep(std::time::Duration::from_millis(2));
        w.stop("b");
        w.stop("a");
        let s = w.seconds();
        let names: Vec<&str> = s.iter().map(|x| x.0).collect();
        assert_eq!(names, ["a", "b", "total"]);
        let sum: f64 = s[..2].iter().map(|x| x.1).sum();
        assert!((sum - s[2].1).abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn stage_clock_adds_thread_time() {
        let c = StageClock::default();
        c.add(Stage::Code, 1_500_000_000);
        c.add(Stage::Code, 500_000_000);
        c.add(Stage::Read, 250_000_000);
        let s = c.seconds();
        assert_eq!(s[0], ("read", 0.25));
        assert_eq!(s[2], ("code", 2.0));
        assert_eq!(s[4], ("format", 0.0));
    }
}
