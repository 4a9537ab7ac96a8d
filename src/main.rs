//! The `tamlil` command line: parses arguments and dispatches to one subcommand.

use clap::{Parser, Subcommand};
use tamlil::cmd;

// Coding and formatting make and drop many small buffers on every thread.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// tamlil (תמליל): code Hebrew interview transcripts and tally the codes by sector.
///
/// Reads transcripts (.txt in UTF-8 or Windows-1255, .docx) listed in a manifest,
/// splits them into speaker turns and meaning units, codes the interviewees' units
/// against a codebook, and writes tables, statistics, charts, an HTML report and a
/// REFI-QDA project. Run `tamlil run` with no arguments to process the bundled sample.
#[derive(Parser)]
#[command(name = "tamlil", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(cmd::run::Args),
    Segment(cmd::segment::Args),
    Code(cmd::code::Args),
    Codebook(cmd::codebook::Args),
    Export(cmd::export::Args),
    Agree(cmd::agree::Args),
    Learn(cmd::learn::Args),
}

/// mimalloc's `purge_delay` option.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets how memory is taken from and given back to the system, before anything
/// else runs; the `MIMALLOC_*` variables of the environment (read by `var`)
/// override both settings.
fn tune_memory(var: impl Fn(&str) -> Option<std::ffi::OsString>) {
    // Memory freed is handed back to the system at once rather than after 10 ms:
    // the stages after the documents (statistics, tables, charts) free and make
    // large buffers in turn, and without it their peaks add up. No slower.
    if var("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: set once, before any other thread is started.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    // No transparent huge pages: memory handed back from inside a 2 MiB huge page
    // stays resident until the kernel gets round to splitting the page, so with
    // them the peak is higher, by more the larger the corpus (200 MB of
    // transcripts: 134-144 MB with them, 98-100 MB without; 1 GB: 328 and 282 MB),
    // and no faster. This is what `MIMALLOC_ALLOW_THP=0` does, but mimalloc reads
    // that before `main`.
    #[cfg(target_os = "linux")]
    if var("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: a flag of this process, read by the kernel when memory is mapped.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

fn main() {
    tune_memory(|name| std::env::var_os(name));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => cmd::run::run(a),
        Command::Segment(a) => cmd::segment::run(a),
        Command::Code(a) => cmd::code::run(a),
        Command::Codebook(a) => cmd::codebook::run(a),
        Command::Export(a) => cmd::export::run(a),
        Command::Agree(a) => cmd::agree::run(a),
        Command::Learn(a) => cmd::learn::run(a),
    };
    if let Err(err) = result {
        eprintln!("tamlil: error: {err:#}");
        std::process::exit(tamlil::error::exit_code(&err));
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn transparent_huge_pages_are_off_unless_the_environment_asks() {
        // (mimalloc's purge delay left alone: other test threads are running.)
        super::tune_memory(|name| (name == "MIMALLOC_PURGE_DELAY").then(Default::default));
        // SAFETY: reads a flag of this process.
        let off = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(off, 1);
    }
}
