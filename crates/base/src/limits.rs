//! Resource limits, and reading input files within them.
//!
//! Every input that can ask for work proportional to a number in it (a
//! generator's parameters, an id range, a size range, the file itself) is
//! checked against a bound in [`Limits`] *before* anything proportional to
//! it is allocated or read. Each bound has a default that fits a 24 GB
//! machine and a command-line flag that raises it; the messages that refuse
//! an input name both the bound and the flag.
//!
//! [`read_text`] reads an input file whole, refusing a file larger than
//! [`Limits::max_input_bytes`] before reading it (or, for a pipe or device
//! whose size is unknown, as soon as it has read one byte more), and
//! refusing binary or non-UTF-8 content with the line, column and byte
//! offset of the first bad byte.

use std::io::Read;
use std::path::Path;

/// Most nodes a topology may have: 4 Mi = 4,194,304.
///
/// About 100 bytes per node (name, kind, graph entry), so at most ~0.4 GB.
pub const MAX_NODES: u64 = 4 * 1024 * 1024;

/// Most directed links a topology may have: 16 Mi = 16,777,216 (8 Mi
/// full-duplex links).
///
/// About 150 bytes per directed link (the link with its kind and tier
/// strings, and the petgraph edge), so at most ~2.5 GB, well inside a 24 GB
/// machine. 16 Mi directed links is enough for ~200K accelerators with 18
/// scale-up lanes each plus a Clos.
pub const MAX_DIRECTED_LINKS: u64 = 16 * 1024 * 1024;

/// Default of [`Limits::max_input_bytes`]: 64 MiB. The largest shipped
/// input is a few kB; a generated 100k-node explicit topology is ~10 MB.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Default of [`Limits::max_sizes`]: 64 sizes, enough for a doubling range
/// from 1 byte to 8 EiB.
pub const DEFAULT_MAX_SIZES: u64 = 64;

/// The bounds inputs are checked against, each raised by a flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most nodes a topology may have (`--max-nodes`); default
    /// [`MAX_NODES`]. Also bounds a job's world size.
    pub max_nodes: u64,
    /// Most directed links a topology may have (`--max-links`); default
    /// [`MAX_DIRECTED_LINKS`].
    pub max_directed_links: u64,
    /// Largest input file \[bytes\] (`--max-input-bytes`); default
    /// [`DEFAULT_MAX_INPUT_BYTES`].
    pub max_input_bytes: u64,
    /// Most message sizes one `--size` list or range may produce
    /// (`--max-sizes`); default [`DEFAULT_MAX_SIZES`].
    pub max_sizes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_nodes: MAX_NODES,
            max_directed_links: MAX_DIRECTED_LINKS,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_sizes: DEFAULT_MAX_SIZES,
        }
    }
}

/// Largest value any node or link limit may be raised to: node and link
/// ids are `u32`.
pub const HARD_MAX_IDS: u64 = u32::MAX as u64;

/// Why an input file could not be read as text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The operating system refused (missing file, permissions, a directory).
    #[error("cannot read file: {0}")]
    Io(String),
    /// The file is larger than the limit; nothing past the limit was read.
    #[error(
        "the file is larger than the input limit of {limit} bytes ({}){}",
        crate::units::Bytes(*limit as f64),
        size.map_or_else(String::new, |s| format!(": it has {s} bytes"))
    )]
    TooLarge {
        /// The file's size, when the file system knows it.
        size: Option<u64>,
        /// The limit \[bytes\].
        limit: u64,
    },
    /// A byte sequence that is not UTF-8, or a NUL byte (a binary file).
    #[error("{what}")]
    NotText {
        /// 1-based line of the first bad byte.
        line: usize,
        /// 1-based column (in characters) of the first bad byte.
        col: usize,
        /// Byte offset of the first bad byte.
        offset: usize,
        /// What was found.
        what: String,
    },
}

impl ReadError {
    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        match self {
            ReadError::Io(_) => None,
            ReadError::TooLarge { .. } => Some(
                "inputs are TOML or JSON text of at most a few MB; if this one is meant to be \
                 that large, raise the limit with --max-input-bytes BYTES"
                    .to_string(),
            ),
            ReadError::NotText { .. } => {
                Some("inputs are UTF-8 text (TOML or JSON); is this the right file?".to_string())
            }
        }
    }

    /// 1-based (line, column) of the problem, when it has one.
    pub fn location(&self) -> Option<(usize, usize)> {
        match self {
            ReadError::NotText { line, col, .. } => Some((*line, *col)),
            _ => None,
        }
    }

    /// Renders `path[:line:col]: error: message` and the help line.
    pub fn render(&self, path: &str) -> String {
        let place = match self.location() {
            Some((l, c)) => format!("{path}:{l}:{c}"),
            None => path.to_string(),
        };
        match self.help() {
            Some(h) => format!("{place}: error: {self}\n  help: {h}"),
            None => format!("{place}: error: {self}"),
        }
    }
}

/// Reads the file at `path` as UTF-8 text of at most `max_bytes` bytes.
///
/// A regular file larger than the limit is refused from its metadata,
/// before any of it is read; a pipe or device is read up to one byte past
/// the limit. A FIFO is opened without waiting for a writer: one that no
/// process writes to reads as nothing and is refused, instead of blocking
/// the run at `open` as `cat` would. (Standard input is the command
/// line's business: it reads it with [`read_stream`].)
#[allow(clippy::disallowed_methods)] // the one reader of input files
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String, ReadError> {
    let io = |e: std::io::Error| ReadError::Io(e.to_string());
    let file = open_without_waiting(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(ReadError::Io("it is a directory".to_string()));
    }
    if meta.is_file() && meta.len() > max_bytes {
        return Err(ReadError::TooLarge {
            size: Some(meta.len()),
            limit: max_bytes,
        });
    }
    let bytes = read_bounded(file, max_bytes)?;
    if bytes.is_empty() && is_fifo(&meta) {
        return Err(ReadError::Io(
            "it is a FIFO (named pipe) and nothing was written to it: no process had it \
             open for writing"
                .to_string(),
        ));
    }
    text(bytes)
}

/// Opens `path` for reading without blocking on a FIFO that has no writer
/// (`O_NONBLOCK` at open), then restores blocking reads: a writer that is
/// there is waited for, as a pipe from `<(...)` must be; with none, the
/// first read is end-of-file (POSIX `read` on a FIFO with no writer).
#[cfg(unix)]
#[allow(clippy::disallowed_methods)] // called by the one reader of input files
fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    let flags = fcntl_getfl(&file)?;
    fcntl_setfl(&file, flags - OFlags::NONBLOCK)?;
    Ok(file)
}

#[cfg(not(unix))]
#[allow(clippy::disallowed_methods)] // called by the one reader of input files
fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(unix)]
fn is_fifo(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_: &std::fs::Metadata) -> bool {
    false
}

/// Reads a stream (standard input, a socket) as UTF-8 text of at most
/// `max_bytes` bytes; one byte more is an error.
pub fn read_stream(r: impl Read, max_bytes: u64) -> Result<String, ReadError> {
    text(read_bounded(r, max_bytes)?)
}

/// Reads at most `max_bytes` from `r`; one byte more is an error.
fn read_bounded(r: impl Read, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    r.take(max_bytes.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    if buf.len() as u64 > max_bytes {
        return Err(ReadError::TooLarge {
            size: None,
            limit: max_bytes,
        });
    }
    Ok(buf)
}

/// `bytes` as a `String`, or where the first NUL byte or invalid UTF-8
/// sequence is.
pub fn text(bytes: Vec<u8>) -> Result<String, ReadError> {
    let nul = bytes.iter().position(|&b| b == 0).unwrap_or(usize::MAX);
    let bad = std::str::from_utf8(&bytes)
        .err()
        .map_or(usize::MAX, |e| e.valid_up_to());
    let (offset, what) = if nul == usize::MAX && bad == usize::MAX {
        return Ok(String::from_utf8(bytes).unwrap_or_default());
    } else if nul < bad {
        (
            nul,
            format!("a NUL byte at byte offset {nul}: this looks like a binary file, not text"),
        )
    } else {
        (
            bad,
            format!(
                "byte 0x{:02X} at byte offset {bad} is not valid UTF-8 text",
                bytes[bad]
            ),
        )
    };
    // The prefix up to the bad byte is valid UTF-8 by construction.
    let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Err(ReadError::NotText {
        line,
        col,
        offset,
        what,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_locates_the_first_bad_byte() {
        assert_eq!(text(b"a = 1\n".to_vec()).unwrap(), "a = 1\n");
        // Line 2, after "µx" (two characters, three bytes): column 3, offset 7.
        let e = text(b"ab\n\xC2\xB5x\xFFz".to_vec()).unwrap_err();
        assert_eq!(e.location(), Some((2, 3)));
        assert!(e.to_string().contains("0xFF"), "{e}");
        assert!(e.to_string().contains("byte offset 6"), "{e}");
        let e = text(b"x\0".to_vec()).unwrap_err();
        assert_eq!(e.location(), Some((1, 2)));
        assert!(e.to_string().contains("binary"), "{e}");
        // Whichever comes first: the NUL (offset 1) before the 0xFF (offset 2).
        let e = text(b"x\0\xFF".to_vec()).unwrap_err();
        assert!(e.to_string().contains("NUL byte at byte offset 1"), "{e}");
        let e = text(b"\xFFx\0".to_vec()).unwrap_err();
        assert!(e.to_string().contains("0xFF at byte offset 0"), "{e}");
    }

    #[test]
    fn streams_are_read_one_byte_past_the_limit() {
        assert_eq!(read_bounded(&b"12345"[..], 5).unwrap().len(), 5);
        assert_eq!(
            read_bounded(&b"123456"[..], 5),
            Err(ReadError::TooLarge {
                size: None,
                limit: 5
            })
        );
    }
}
