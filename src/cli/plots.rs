//! `--plots DIR`: render plots and write each file whole (a temporary file
//! in DIR, then a rename), only inside DIR, under sanitized names.

use fabricsim::plot::{self, Plot, sanitize};
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
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
        let mut paths = Vec::new();
        for (stem, r) in &self.rendered {
            for (ext, bytes) in [("png", r.png.as_slice()), ("svg", r.svg.as_bytes())] {
                let name = format!("{stem}.{ext}");
                let path = dir.join(&name);
                write_whole(dir, &name, bytes)?;
                eprintln!("wrote {}", path.display());
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

/// Writes `dir/name` whole: a temporary file in `dir`, then a rename.
pub(crate) fn write_whole(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    debug_assert!(!name.contains('/') && !name.starts_with('.'));
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let path = dir.join(name);
    let res = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, &path));
    res.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("error: cannot write {}: {e}", path.display())
    })
}
