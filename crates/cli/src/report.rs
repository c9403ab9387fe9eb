//! `compare --report FILE.html`: one self-contained design-review page
//! (inline SVG, no script, no external assets): how it was made (command,
//! fabricsim version and commit, inputs with SHA-256), what limits each
//! system, the comparison as a table with units and deltas, failures,
//! the assumptions the numbers rest on, every plot, and the inputs.

use super::plots::{Batch, write_whole};
use crate::review::Notes;
use fabricsim_base::limits::Limits;
use std::path::Path;

/// `&`, `<`, `>` and `"` escaped for HTML text and attributes.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One system of the page.
pub(crate) struct System {
    /// The topology's name.
    pub(crate) name: String,
    /// Its file, as given.
    pub(crate) file: String,
    /// The comparison table's cells, in [`Page::columns`] order.
    pub(crate) cells: Vec<String>,
    /// What limits it and what it assumes.
    pub(crate) notes: Notes,
    /// The `# failures:` lines, when something failed.
    pub(crate) failures: Option<String>,
}

/// Everything the page shows.
pub(crate) struct Page<'a> {
    /// What was compared, e.g. "all-reduce of 64 MiB".
    pub(crate) what: String,
    /// Column headers with their units.
    pub(crate) columns: &'a [&'a str],
    pub(crate) systems: Vec<System>,
    /// The text table `compare` prints.
    pub(crate) table: &'a str,
    pub(crate) plots: &'a Batch,
    pub(crate) inputs: &'a [&'a Path],
}

const STYLE: &str = "body { font-family: sans-serif; max-width: 1200px; margin: 2em auto; \
padding: 0 1em; color: #222; line-height: 1.4; }\n\
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 12px; }\n\
.scroll { overflow-x: auto; max-width: 100%; }\n\
table { border-collapse: collapse; font-size: 14px; }\n\
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; }\n\
th:first-child, td:first-child { text-align: left; }\n\
code { word-break: break-all; }\n\
figure { margin: 1.5em 0; }\n figure svg { max-width: 100%; height: auto; }\n\
.meta td, .meta th { text-align: left; }\n";

/// The page.
pub(crate) fn html(page: &Page<'_>, limits: &Limits) -> Result<String, String> {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width\">\n\
         <title>fabricsim design review</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <h1>fabricsim design review</h1>\n<p>{} on {}. Units: times as labelled, \
         GB/s = 1e9 bytes/s, deltas against the first system.</p>\n",
        escape(&page.what),
        match page.systems.len() {
            1 => "one system".to_string(),
            n => format!("{n} systems"),
        }
    );
    let args: Vec<String> = std::env::args().collect();
    s += "<table class=\"meta\">\n";
    s += &format!(
        "<tr><th>command</th><td><code>{}</code></td></tr>\n",
        escape(&shell_words(&args))
    );
    s += &format!(
        "<tr><th>fabricsim</th><td>{} (commit {})</td></tr>\n</table>\n",
        env!("CARGO_PKG_VERSION"),
        env!("FABRICSIM_COMMIT")
    );

    s += "<h2>What limits each design</h2>\n";
    for sys in &page.systems {
        s += &format!("<h3>{}</h3>\n<ul>\n", escape(&sys.name));
        for l in &sys.notes.limits {
            s += &format!("<li>{}</li>\n", escape(l));
        }
        s += "</ul>\n";
    }

    s += "<h2>Comparison</h2>\n<div class=\"scroll\"><table>\n<tr><th>system</th>";
    for c in page.columns {
        s += &format!("<th>{}</th>", escape(c));
    }
    s += "</tr>\n";
    for sys in &page.systems {
        s += &format!(
            "<tr><td>{}<br><small>{}</small></td>",
            escape(&sys.name),
            escape(&sys.file)
        );
        for c in &sys.cells {
            s += &format!("<td>{}</td>", escape(c));
        }
        s += "</tr>\n";
    }
    s += "</table></div>\n";
    s += &format!(
        "<details><summary>the same as text</summary><pre>{}</pre></details>\n",
        escape(page.table)
    );

    s += "<h2>Failures</h2>\n";
    if page.systems.iter().all(|x| x.failures.is_none()) {
        s += "<p>None: every system is intact.</p>\n";
    }
    for sys in &page.systems {
        if let Some(f) = &sys.failures {
            s += &format!("<h3>{}</h3>\n<pre>{}</pre>\n", escape(&sys.name), escape(f));
        }
    }

    s += "<h2>Assumptions</h2>\n<p>The constants each system's numbers rest on; \
          \"ASSUMED\" marks a value with no published figure (docs/sources.md).</p>\n";
    for sys in &page.systems {
        s += &format!("<h3>{}</h3>\n<ul>\n", escape(&sys.name));
        for a in &sys.notes.assumptions {
            s += &format!("<li>{}</li>\n", escape(a));
        }
        s += "</ul>\n";
    }

    s += "<h2>Plots</h2>\n";
    for (stem, svg) in page.plots.svgs() {
        // The SVG document without its XML declaration, inline.
        let body = svg.find("<svg").map_or(svg, |i| &svg[i..]);
        s += &format!(
            "<figure id=\"{}\">\n{body}\n<figcaption>{}</figcaption>\n</figure>\n",
            escape(stem),
            escape(stem)
        );
    }

    s += "<h2>Inputs</h2>\n<table class=\"meta\">\n<tr><th>file</th><th>bytes</th><th>SHA-256</th></tr>\n";
    let mut texts = Vec::new();
    for p in page.inputs {
        let text = super::read_input(p, limits)?;
        s += &format!(
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
            escape(&p.display().to_string()),
            text.len(),
            sha256_hex(text.as_bytes())
        );
        texts.push((p, text));
    }
    s += "</table>\n";
    for (p, text) in texts {
        s += &format!(
            "<details>\n<summary>{}</summary>\n<pre>{}</pre>\n</details>\n",
            escape(&p.display().to_string()),
            escape(&text)
        );
    }
    s += "</body>\n</html>\n";
    Ok(s)
}

/// Lower-case hex SHA-256, as `sha256sum` prints it.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The command line as a shell would take it back: words with spaces or
/// shell characters single-quoted; the program as `fabricsim`.
fn shell_words(args: &[String]) -> String {
    let quote = |w: &str| {
        if !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,%@+".contains(c))
        {
            w.to_string()
        } else {
            format!("'{}'", w.replace('\'', "'\\''"))
        }
    };
    std::iter::once("fabricsim".to_string())
        .chain(args.iter().skip(1).map(|a| quote(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes the page to `file` whole (a temporary file beside it, then a
/// rename) and says where on stderr.
pub(crate) fn write(file: &Path, page: &Page<'_>, limits: &Limits) -> Result<(), String> {
    super::plots::refuse_inputs("--report", file, page.inputs)?;
    let text = html(page, limits)?;
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.starts_with('.'))
        .ok_or_else(|| format!("error: --report {}: not a file name", file.display()))?;
    write_whole(dir, name, text.as_bytes())?;
    super::output::note(&format!("wrote {}", file.display()));
    Ok(())
}
