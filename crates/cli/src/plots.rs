//! `--plots DIR`: render plots and write each file whole (a temporary file
//! in DIR, then a rename), only inside DIR, under sanitized names.

use fabricsim_plot::{self as plot, Plot, sanitize};
use std::path::{Path, PathBuf};

/// Plots to write: (file stem, plot). Stems are sanitized here.
pub(crate) struct Batch {
    rendered: Vec<(String, plot::Rendered)>,
}

impl Batch {
    pub(crate) fn new() -> Batch {
        Batch {
            rendered: Vec::new(),
        }
    }

    /// Renders `p` to be written as `STEM.png` and `STEM.svg`, where `STEM`
    /// joins the sanitized `parts` with `-`.
    pub(crate) fn add(&mut self, parts: &[&str], p: &impl Plot) -> Result<(), String> {
        let stem = parts
            .iter()
            .map(|s| sanitize(s))
            .collect::<Vec<_>>()
            .join("-");
        let r = plot::render(p).map_err(|e| format!("error: {e}"))?;
        self.rendered.push((stem, r));
        Ok(())
    }

    /// The rendered SVG documents, with their file stems.
    pub(crate) fn svgs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.rendered
            .iter()
            .map(|(s, r)| (s.as_str(), r.svg.as_str()))
    }

    /// Writes every plot into `dir` (created if missing), replacing files of
    /// the same names, and prints each path on stderr.
    pub(crate) fn write(self, dir: &Path) -> Result<Vec<PathBuf>, String> {
        super::output::check_dir("--plots", dir)?;
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
        // Every target is checked before the first is written.
        for (stem, _) in &self.rendered {
            for ext in ["png", "svg"] {
                super::output::check_target("cannot write", &dir.join(format!("{stem}.{ext}")))?;
            }
        }
        let mut paths = Vec::new();
        for (stem, r) in &self.rendered {
            for (ext, bytes) in [("png", r.png.as_slice()), ("svg", r.svg.as_bytes())] {
                let name = format!("{stem}.{ext}");
                let path = dir.join(&name);
                write_whole(dir, &name, bytes)?;
                super::output::note(&format!("wrote {}", path.display()));
                paths.push(path);
            }
        }
        Ok(paths)
    }
}

/// A file's name without its extension (`topologies/hgx-h100.toml` →
/// `hgx-h100`): short labels for titles, legends and file names.
pub(crate) fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "input".into(), |s| s.to_string_lossy().into_owned())
}

/// Writes `dir/name` whole: a temporary file in `dir`, created new (so an
/// existing file or symlink of that name is never followed), then a rename.
/// `name` is one path component that does not start with `.`. An existing
/// `dir/name` that is not a regular file, or that is an input of the run, is
/// refused (`output::check_target`), before and again just before the rename.
pub(crate) fn write_whole(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let path = dir.join(name);
    if !is_plain_name(name) {
        return Err(format!(
            "error: cannot write {}: not a plain file name",
            path.display()
        ));
    }
    super::output::check_target("cannot write", &path)?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
        if let Err(refused) = super::output::check_target("cannot write", &path) {
            return Err(std::io::Error::other(refused));
        }
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        let text = e.to_string();
        if text.starts_with("error: ") {
            text
        } else {
            format!("error: cannot write {}: {e}", path.display())
        }
    })
}

/// Whether `name` is one file name that stays in its directory: not empty,
/// no separator, no NUL, not hidden (so not `.` or `..`).
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && Path::new(name).file_name().is_some_and(|f| f == name)
}

/// Registers `inputs` as inputs of the run (no output may replace them)
/// and refuses `out` when it is one of them (same file after resolving links
/// and `..`) or exists and is not a regular file. `flag` names the option in
/// the message.
pub(crate) fn refuse_inputs(flag: &str, out: &Path, inputs: &[&Path]) -> Result<(), String> {
    for i in inputs {
        super::output::input(i);
    }
    super::output::check_target(flag, out)
}
