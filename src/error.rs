//! Errors shown to the user: what went wrong, in which file and line, and the exit code.

use std::fmt;
use std::path::{Path, PathBuf};

/// The kind of failure, which decides the process exit code (sysexits.h values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Input data is malformed: bad manifest, codebook, encoding, document. Exit 65.
    Data,
    /// An input file does not exist or cannot be opened. Exit 66.
    NoInput,
    /// An output cannot be created. Exit 73.
    CantCreate,
    /// Reading or writing failed midway. Exit 74.
    Io,
}

impl Kind {
    /// The process exit code for this kind of failure.
    pub fn exit_code(self) -> i32 {
        match self {
            Kind::Data => 65,
            Kind::NoInput => 66,
            Kind::CantCreate => 73,
            Kind::Io => 74,
        }
    }
}

/// An error located in a file (and a line of it, where one applies).
#[derive(Debug)]
pub struct InputError {
    pub kind: Kind,
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl InputError {
    /// A data error in `path` at `line` (1-based).
    pub fn at(path: &Path, line: usize, message: impl Into<String>) -> Self {
        InputError {
            kind: Kind::Data,
            path: path.to_path_buf(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// A data error about the whole file `path`.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        InputError {
            kind: Kind::Data,
            path: path.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }

    /// An error of the given kind about `path`.
    pub fn with_kind(kind: Kind, path: &Path, message: impl Into<String>) -> Self {
        InputError {
            kind,
            path: path.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }

    /// A failure to write `path` midway (a full disk, say): exit 74.
    pub fn cannot_write(path: &Path, err: impl fmt::Display) -> Self {
        Self::with_kind(Kind::Io, path, format!("cannot write: {err}"))
    }

    /// The error for an I/O failure while opening `path` for reading.
    pub fn open(path: &Path, err: &std::io::Error) -> Self {
        let kind = match err.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => Kind::NoInput,
            _ => Kind::Io,
        };
        let what = match err.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => format!("cannot read: {err}"),
        };
        Self::with_kind(kind, path, what)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// Several errors found at once (e.g. every problem in a codebook), shown together.
#[derive(Debug)]
pub struct ErrorList(pub Vec<InputError>);

impl fmt::Display for ErrorList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "{n} problem{} found:", if n == 1 { "" } else { "s" })?;
        for (i, e) in self.0.iter().enumerate() {
            if i + 1 < n {
                writeln!(f, "  {e}")?;
            } else {
                write!(f, "  {e}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ErrorList {}

/// The run was stopped by the user (Ctrl-C); nothing was replaced.
#[derive(Debug)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted; the previous outputs are left as they were")
    }
}

impl std::error::Error for Interrupted {}

/// The exit code for any error: located errors carry their kind, an interruption
/// exits 130 (as shells report Ctrl-C), others exit 1.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    for cause in err.chain() {
        if cause.downcast_ref::<Interrupted>().is_some() {
            return 130;
        }
        if let Some(e) = cause.downcast_ref::<InputError>() {
            return e.kind.exit_code();
        }
        if let Some(list) = cause.downcast_ref::<ErrorList>() {
            return list.0.first().map(|e| e.kind.exit_code()).unwrap_or(65);
        }
    }
    // A read or write that failed midway (a full disk), reported through std::io or csv.
    let io = |c: &(dyn std::error::Error + 'static)| {
        c.downcast_ref::<std::io::Error>().is_some()
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|e| e.is_io_error())
    };
    if err.chain().any(io) {
        return Kind::Io.exit_code();
    }
    1
}
