//! Where outputs may go, and the terminal streams.
//!
//! Every file the command line writes goes through [`check_target`]: a path
//! that exists must be a regular file (after following links: a device,
//! FIFO, socket or directory is refused, never replaced), and a path that
//! resolves to an input of the run ([`input`] registers them) is refused.
//!
//! Standard output and error are written with [`out`] and [`note`], which
//! never panic: a failed write ends the run with exit code 1 (a message on
//! standard error when it still works), except a closed standard output
//! (`| head`), which ends it quietly with 141, as a program killed by
//! SIGPIPE would.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The inputs of this run, resolved (links and `..`).
static INPUTS: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());

/// Set by `--deny-warnings`: plausibility warnings are errors.
static DENY_WARNINGS: AtomicBool = AtomicBool::new(false);

/// Plausibility warnings of this run's inputs, rendered, sorted and
/// deduplicated (files may be loaded on several threads, or twice): they
/// go to standard error once, in order, by [`flush_warnings`].
static WARNINGS: Mutex<std::collections::BTreeSet<String>> =
    Mutex::new(std::collections::BTreeSet::new());

/// Sets `--deny-warnings`.
pub(crate) fn deny_warnings(deny: bool) {
    DENY_WARNINGS.store(deny, Ordering::SeqCst);
}

/// `w` as errors (what `--deny-warnings` makes of them).
pub(crate) fn as_errors(
    w: &[fabricsim_base::diag::Diagnostic],
) -> Vec<fabricsim_base::diag::Diagnostic> {
    w.iter()
        .map(|d| fabricsim_base::diag::Diagnostic {
            severity: fabricsim_base::diag::Severity::Error,
            ..d.clone()
        })
        .collect()
}

/// Records an input's plausibility warnings; with `--deny-warnings` they
/// are the run's error instead.
pub(crate) fn warnings(w: &[fabricsim_base::diag::Diagnostic]) -> Result<(), String> {
    if w.is_empty() {
        return Ok(());
    }
    if DENY_WARNINGS.load(Ordering::SeqCst) {
        let lines: Vec<String> = as_errors(w).iter().map(ToString::to_string).collect();
        return Err(format!(
            "{}\n  note: an error because of --deny-warnings",
            lines.join("\n")
        ));
    }
    if let Ok(mut set) = WARNINGS.lock() {
        set.extend(w.iter().map(|d| d.to_string()));
    }
    Ok(())
}

/// Writes the recorded warnings on standard error (once).
pub(crate) fn flush_warnings() {
    let taken = WARNINGS.lock().map(|mut s| std::mem::take(&mut *s));
    for w in taken.unwrap_or_default() {
        note(&w);
    }
}

/// Set when a write to standard error failed: the run then exits 1.
static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Exit code of a run whose standard output was closed by its reader.
pub(crate) const EXIT_BROKEN_PIPE: u8 = 141;

/// Registers `path` as an input of this run: no output may replace it.
/// `-` (standard input) and paths that do not resolve are ignored.
pub(crate) fn input(path: &Path) {
    if path.as_os_str() == "-" {
        return;
    }
    if let Ok(c) = path.canonicalize()
        && let Ok(mut v) = INPUTS.lock()
        && !v.iter().any(|(p, _)| *p == c)
    {
        v.push((c, path.display().to_string()));
    }
}

/// Registers the files a loaded topology read besides itself (its
/// `calibration = "FILE"`) as inputs of this run.
pub(crate) fn topology_inputs(t: &fabricsim_topology::Topology) {
    if let Some(p) = &t.calibration_path {
        input(p);
    }
}

/// `path` resolved: through links and `..`, or for a path that does not
/// exist yet, its folder resolved and its name.
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(c) = path.canonicalize() {
        return Some(c);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(dir.canonicalize().ok()?.join(path.file_name()?))
}

/// What a file that is not a regular file is, for messages.
fn kind(m: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Refuses to write `path` when it exists and is not a regular file (after
/// following links), or when it resolves to an input of this run. `what`
/// names the flag or file in the message.
pub(crate) fn check_target(what: &str, path: &Path) -> Result<(), String> {
    if let Ok(m) = std::fs::metadata(path)
        && !m.is_file()
    {
        return Err(format!(
            "error: {what} {}: it is {}; outputs are written only to new paths or regular files",
            path.display(),
            kind(&m)
        ));
    }
    let Some(target) = resolve(path) else {
        return Ok(());
    };
    if let Ok(v) = INPUTS.lock()
        && let Some((_, shown)) = v.iter().find(|(p, _)| *p == target)
    {
        return Err(format!(
            "error: {what} {}: that is an input file ({shown}); outputs never replace their inputs",
            path.display()
        ));
    }
    Ok(())
}

/// Refuses an output folder that exists and is not a folder.
pub(crate) fn check_dir(what: &str, dir: &Path) -> Result<(), String> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(format!(
            "error: {what} {}: it is {}, not a folder",
            dir.display(),
            if m.is_file() { "a file" } else { kind(&m) }
        )),
        _ => Ok(()),
    }
}

/// Whether `c` may reach a terminal as it is: not a control character
/// (C0 but tab and newline, DEL, C1) and not a bidirectional override or
/// isolate (U+202A–U+202E, U+2066–U+2069) or mark (U+200E, U+200F, U+061C).
fn printable(c: char) -> bool {
    !(c.is_control() && c != '\n' && c != '\t'
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}'))
}

/// `text` with every character that is not [`printable`] written as
/// `\uXXXX`: names from input files (a topology's `name`, node names, keys
/// quoted in messages) cannot move the cursor, ring the bell, recolour the
/// terminal or reorder what is shown. In JSON the escape is the same
/// character (`\u202e` is a valid JSON escape), so documents keep their
/// meaning.
pub(crate) fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(printable) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if printable(c) {
            out.push(c);
        } else {
            // Every such character is in the Basic Multilingual Plane.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes one line (a newline is added) on standard error, control
/// characters escaped; a failure is remembered and makes the run exit 1.
pub(crate) fn note(line: &str) {
    let mut e = std::io::stderr().lock();
    if writeln!(e, "{}", escape_controls(line))
        .and_then(|()| e.flush())
        .is_err()
    {
        STDERR_FAILED.store(true, Ordering::SeqCst);
    }
}

/// Whether a write to standard error failed during the run.
pub(crate) fn stderr_failed() -> bool {
    STDERR_FAILED.load(Ordering::SeqCst)
}

/// Writes `text` on standard output, control characters escaped
/// ([`escape_controls`]), and flushes it.
pub(crate) fn out(text: &str) -> std::io::Result<()> {
    let mut o = std::io::stdout().lock();
    o.write_all(escape_controls(text).as_bytes())?;
    o.flush()
}

/// The exit code for a failed write on standard output: 141 for a closed
/// pipe (quietly), else 1 with a message on standard error.
pub(crate) fn stdout_failed(e: &std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return EXIT_BROKEN_PIPE;
    }
    note(&format!("error: cannot write to standard output: {e}"));
    1
}
